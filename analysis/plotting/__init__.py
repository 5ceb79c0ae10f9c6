"""Charts of tidy frames, as plotly figures.

Every chart takes the frame(s) a table function of :mod:`analysis` returns
and returns a :class:`plotly.graph_objects.Figure`; none computes results,
shows the figure or writes a file. Titles come from the frames' ``attrs``
(scenario, condition, and what the scenario changed from its file), and an
outcome has the colour its scenario file gives it in every chart.

This is the only subpackage of :mod:`analysis` that imports plotly, and
``import analysis`` does not import it: ``from analysis import plotting``
when you need charts. The charts live in one module per family:

- :mod:`~analysis.plotting.tree`: the paths, as a tree, sunburst or icicle;
- :mod:`~analysis.plotting.outcomes`: exact outcomes, branches and attributes;
- :mod:`~analysis.plotting.uncertainty`: priors and Monte Carlo draws;
- :mod:`~analysis.plotting.decisions`: decisions, sensitivity, value of information;
- :mod:`~analysis.plotting.evidence`: evidence, timing, scores, analysts;
- :mod:`~analysis.plotting.explorer`: the what-if explorer;
- :mod:`~analysis.plotting.robustness`: sweeps' regret, robustness and discovered boxes;

and :mod:`~analysis.plotting.style` holds what they share.

Examples
--------
>>> import analysis
>>> from analysis import plotting
>>> baseline = analysis.load_scenario("baseline")
>>> fig = plotting.plot_outcome_distribution(analysis.outcome_distribution(baseline))
>>> fig.layout.title.text
'Outcome distribution — baseline'
>>> fig = plotting.plot_tree(analysis.path_steps(baseline))
"""

from .decisions import (
    plot_evppi,
    plot_global_sensitivity,
    plot_option_values,
    plot_risk_profiles,
    plot_rule_comparison,
    plot_tornado,
    plot_two_way,
)
from .evidence import (
    plot_analyst_disagreement,
    plot_belief_timeline,
    plot_phase_completion,
    plot_scores,
    plot_survival,
)
from .explorer import plot_what_if
from .outcomes import (
    plot_attribute_distribution,
    plot_expected_attributes,
    plot_outcome_distribution,
    plot_phase_marginals,
)
from .robustness import (
    plot_box_limits,
    plot_peeling_trajectory,
    plot_regret,
    plot_robustness,
)
from .tree import plot_paths_sunburst, plot_tree
from .uncertainty import (
    plot_attribute_cdf,
    plot_outcome_draws,
    plot_outcome_intervals,
    plot_priors,
)

__all__ = [
    "plot_analyst_disagreement",
    "plot_attribute_cdf",
    "plot_attribute_distribution",
    "plot_belief_timeline",
    "plot_box_limits",
    "plot_evppi",
    "plot_expected_attributes",
    "plot_global_sensitivity",
    "plot_option_values",
    "plot_outcome_distribution",
    "plot_outcome_draws",
    "plot_outcome_intervals",
    "plot_paths_sunburst",
    "plot_peeling_trajectory",
    "plot_phase_completion",
    "plot_phase_marginals",
    "plot_priors",
    "plot_regret",
    "plot_risk_profiles",
    "plot_rule_comparison",
    "plot_robustness",
    "plot_scores",
    "plot_survival",
    "plot_tornado",
    "plot_tree",
    "plot_two_way",
    "plot_what_if",
]
