"""dealtree: scenario-tree decision analysis for phased deals.

Load a scenario, evaluate it exactly, and chart the results::

    >>> import analysis
    >>> baseline = analysis.load_scenario("baseline")
    >>> dist = analysis.outcome_distribution(baseline)
    >>> round(dist["probability"].sum(), 9)
    1.0

Plotting lives in :mod:`analysis.plotting`, the only module that imports plotly.
"""

from importlib import metadata as _metadata

from .decisions import RollbackResult, best_options, expected_utilities, rollback
from .errors import Problem, QueryError, ScenarioError, ScenarioWarning
from .evaluate import (
    attribute_distribution,
    compare_outcomes,
    expected_attributes,
    outcome_distribution,
    path_table,
    phase_marginals,
)
from .evidence import claims_table, load_seeds
from .global_sensitivity import global_sensitivity, parameter_groups
from .pooling import (
    analyst_disagreement,
    load_analysts,
    pool_comparison,
    pool_outcomes,
    pool_paths,
)
from .priors import (
    beta_from_counts,
    beta_from_mean_sd,
    beta_from_quantiles,
    beta_from_range,
    prior_marginals,
)
from .sampling import (
    OutcomeSamples,
    attribute_ecdf,
    attribute_intervals,
    exceedance_probabilities,
    outcome_comparisons,
    outcome_histogram,
    outcome_intervals,
    outcome_ranks,
    sample_outcomes,
)
from .scenario import Scenario, load_scenario, scenario_names
from .scoring import (
    forecast_resolutions,
    load_resolutions,
    resolutions_table,
    score_forecasts,
    score_summary,
)
from .sensitivity import (
    find_threshold,
    most_influential,
    one_way_sensitivity,
    sensitivity_parameters,
    tornado_table,
    two_way_sensitivity,
)
from .timing import (
    completion_curve,
    kaplan_meier,
    phase_completion,
    reference_truces,
    survival_curve,
)
from .updating import (
    Posterior,
    belief_timeline,
    evidence_table,
    load_evidence,
    update_scenario,
)
from .value_of_information import evpi, evppi

try:
    __version__ = _metadata.version("dealtree")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Posterior",
    "OutcomeSamples",
    "Problem",
    "QueryError",
    "RollbackResult",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "__version__",
    "analyst_disagreement",
    "attribute_distribution",
    "attribute_ecdf",
    "attribute_intervals",
    "belief_timeline",
    "best_options",
    "beta_from_counts",
    "beta_from_mean_sd",
    "beta_from_quantiles",
    "beta_from_range",
    "claims_table",
    "compare_outcomes",
    "completion_curve",
    "evidence_table",
    "evpi",
    "evppi",
    "exceedance_probabilities",
    "expected_attributes",
    "expected_utilities",
    "find_threshold",
    "forecast_resolutions",
    "global_sensitivity",
    "kaplan_meier",
    "load_analysts",
    "load_evidence",
    "load_resolutions",
    "load_scenario",
    "load_seeds",
    "most_influential",
    "one_way_sensitivity",
    "outcome_comparisons",
    "outcome_distribution",
    "outcome_histogram",
    "outcome_intervals",
    "outcome_ranks",
    "parameter_groups",
    "path_table",
    "phase_completion",
    "phase_marginals",
    "pool_comparison",
    "pool_outcomes",
    "pool_paths",
    "prior_marginals",
    "reference_truces",
    "resolutions_table",
    "rollback",
    "sample_outcomes",
    "scenario_names",
    "score_forecasts",
    "score_summary",
    "sensitivity_parameters",
    "survival_curve",
    "tornado_table",
    "two_way_sensitivity",
    "update_scenario",
]
