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
    tornado_reader_table,
)
from .prose import Prose
from .run import (
    NotApplicable,
    analysts_for,
    comparisons_for,
    decision_maker_for,
    event_for,
    evidence_for,
    not_applicable,
    require,
    resolutions_for,
)
from .table import ReaderTable, reader_table

__all__ = [
    "NotApplicable",
    "Prose",
    "ReaderTable",
    "analysts_for",
    "attributes_table",
    "comparison_table",
    "comparisons_for",
    "conditional_outcomes",
    "conditional_table",
    "decision_maker_for",
    "event_for",
    "evidence_for",
    "informative_phase",
    "introduction",
    "marginals_table",
    "md",
    "not_applicable",
    "outcomes_summary",
    "outcomes_table",
    "priors_table",
    "reader_table",
    "require",
    "resolutions_for",
    "tornado_reader_table",
]
