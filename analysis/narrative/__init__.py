"""Readers' tables and computed text for the notebooks and reports.

Notebooks show results to people who do not read code: every table through
:class:`~analysis.narrative.table.ReaderTable` (human headers, the charts'
percentages, no index, the scenario's order) and every sentence with a
number through :class:`~analysis.narrative.prose.Prose`, computed in the same
run, so that text never contradicts the tables after an edit.
:mod:`~analysis.narrative.run` finds what a notebook runs on (the files a
scenario names beside it) and whether it applies at all.

Like :mod:`analysis.plotting`, this subpackage is imported on its own:
``from analysis import narrative``.
"""

from .outcomes import (
    attributes_table,
    comparison_table,
    conditional_outcomes,
    conditional_table,
    informative_phase,
    introduction,
    marginals_table,
    md,
    outcomes_summary,
    outcomes_table,
    priors_table,
    titled,
    tornado_reader_table,
)
from .prose import Prose
from .results import (
    attribute_intervals_table,
    completion_table,
    decisions_summary,
    disagreement_table,
    evidence_items_table,
    evidence_summary,
    global_sensitivity_table,
    intervals_table,
    options_table,
    pairwise_table,
    policy_table,
    pools_table,
    prior_distributions_table,
    ranks_table,
    resolutions_reader_table,
    scores_table,
    stakeholder_best_table,
    survival_table,
    switches_table,
    timeline_table,
    timing_summary,
    uncertainty_summary,
    value_of_information_table,
)
from .robustness import (
    analyst_picks_table,
    discovered_box_table,
    discovery_summary,
    ranges_table,
    robustness_reader_table,
    robustness_summary,
)
from .run import (
    NotApplicable,
    analysts_for,
    comparisons_for,
    decision_maker_for,
    event_for,
    evidence_for,
    not_applicable,
    reference_cases,
    require,
    resolutions_for,
)
from .table import ReaderTable, reader_table

__all__ = [
    "NotApplicable",
    "Prose",
    "ReaderTable",
    "analyst_picks_table",
    "analysts_for",
    "attribute_intervals_table",
    "attributes_table",
    "comparison_table",
    "comparisons_for",
    "completion_table",
    "conditional_outcomes",
    "conditional_table",
    "decision_maker_for",
    "decisions_summary",
    "disagreement_table",
    "discovered_box_table",
    "discovery_summary",
    "event_for",
    "evidence_for",
    "evidence_items_table",
    "evidence_summary",
    "global_sensitivity_table",
    "informative_phase",
    "intervals_table",
    "introduction",
    "marginals_table",
    "md",
    "not_applicable",
    "options_table",
    "outcomes_summary",
    "outcomes_table",
    "pairwise_table",
    "policy_table",
    "pools_table",
    "prior_distributions_table",
    "priors_table",
    "ranges_table",
    "ranks_table",
    "reader_table",
    "reference_cases",
    "require",
    "resolutions_for",
    "resolutions_reader_table",
    "robustness_reader_table",
    "robustness_summary",
    "scores_table",
    "stakeholder_best_table",
    "survival_table",
    "switches_table",
    "timeline_table",
    "timing_summary",
    "titled",
    "tornado_reader_table",
    "uncertainty_summary",
    "value_of_information_table",
]
