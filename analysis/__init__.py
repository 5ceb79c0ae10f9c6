"""dealtree: scenario-tree decision analysis for phased deals.

Load a scenario, evaluate it exactly, and chart the results::

    >>> import analysis
    >>> baseline = analysis.load_scenario("baseline")
    >>> dist = analysis.outcome_distribution(baseline)
    >>> round(dist["probability"].sum(), 9)
    1.0

The package is built in layers, each importing only from those below it::

    delivery   report, cli                      (analysis.delivery)
    plotting   charts of tidy frames            (analysis.plotting)
    analyses   tables: outcomes, uncertainty, decisions, sensitivity, sweeps, ...
    engines    exact, sampling, rollback, durations, draws, sweeps on Dask
    model      scenario, tree, checks, parameters, outputs, stakeholders
    formats    safe YAML, located problems, the models of every file
    core       errors, argument checks, rng, Beta maths, words, paths

This module re-exports the public API of the model, the engines and the
analyses; plotting lives in :mod:`analysis.plotting`, the only subpackage that
imports plotly, and ``import analysis`` does not import it.
"""

from .analyses.decisions import RollbackResult, best_options, expected_utilities, rollback
from .analyses.discovery import ScenarioDiscovery, discover_scenarios
from .analyses.global_sensitivity import global_sensitivity, parameter_groups
from .analyses.outcomes import (
    attribute_distribution,
    compare_outcomes,
    expected_attributes,
    outcome_distribution,
    path_steps,
    path_table,
    phase_marginals,
)
from .analyses.pooling import (
    analyst_disagreement,
    load_analysts,
    pool_comparison,
    pool_outcomes,
    pool_paths,
)
from .analyses.reference_classes import base_rate_by_class, reference_class_rates
from .analyses.robustness import regret_table, robustness_table
from .analyses.rules import compare_rules
from .analyses.scoring import (
    forecast_resolutions,
    resolutions_table,
    score_forecasts,
    score_summary,
)
from .analyses.sensitivity import (
    most_influential,
    one_way_sensitivity,
    sensitivity_parameters,
    spider_table,
    tornado_table,
    two_way_sensitivity,
)
from .analyses.signposts import signposts_table, watch_table
from .analyses.skill import (
    baseline_scores,
    brier_over_time,
    calibration_table,
    skill_summary,
)
from .analyses.sweep import SweepResult, load_sweep, sweep, sweep_parameters
from .analyses.thresholds import find_switches, find_threshold
from .analyses.timing import (
    collapse_by_date,
    completion_curve,
    hazard_table,
    kaplan_meier,
    phase_completion,
    reference_gap,
    reference_truces,
    survival_curve,
)
from .analyses.uncertainty import (
    attribute_ecdf,
    attribute_intervals,
    exceedance_probabilities,
    outcome_comparisons,
    outcome_histogram,
    outcome_intervals,
    outcome_ranks,
    prior_densities,
    prior_marginals,
)
from .analyses.updating import belief_timeline, evidence_table, update_scenario
from .analyses.value_of_information import evpi, evppi
from .core.beta import (
    beta_from_counts,
    beta_from_mean_sd,
    beta_from_quantiles,
    beta_from_range,
    beta_mean,
)
from .core.errors import Problem, QueryError, ScenarioError, ScenarioWarning
from .core.version import VERSION as __version__
from .engines.sampling import OutcomeSamples, sample_outcomes
from .formats.evidence_file import load_evidence
from .formats.reference_classes_file import load_reference_classes
from .formats.resolutions_file import load_resolutions
from .formats.seeds import claims_table, load_seeds
from .formats.signposts_file import load_signposts
from .model.scenario import Scenario, load_scenario, scenario_names

__all__ = [
    "OutcomeSamples",
    "Problem",
    "QueryError",
    "RollbackResult",
    "Scenario",
    "ScenarioDiscovery",
    "ScenarioError",
    "ScenarioWarning",
    "SweepResult",
    "__version__",
    "analyst_disagreement",
    "attribute_distribution",
    "attribute_ecdf",
    "attribute_intervals",
    "base_rate_by_class",
    "baseline_scores",
    "belief_timeline",
    "best_options",
    "brier_over_time",
    "beta_from_counts",
    "beta_from_mean_sd",
    "beta_from_quantiles",
    "beta_from_range",
    "beta_mean",
    "calibration_table",
    "claims_table",
    "collapse_by_date",
    "compare_outcomes",
    "compare_rules",
    "completion_curve",
    "discover_scenarios",
    "evidence_table",
    "evpi",
    "evppi",
    "exceedance_probabilities",
    "expected_attributes",
    "expected_utilities",
    "find_switches",
    "find_threshold",
    "forecast_resolutions",
    "global_sensitivity",
    "hazard_table",
    "kaplan_meier",
    "load_analysts",
    "load_evidence",
    "load_reference_classes",
    "load_resolutions",
    "load_scenario",
    "load_seeds",
    "load_signposts",
    "load_sweep",
    "most_influential",
    "one_way_sensitivity",
    "outcome_comparisons",
    "outcome_distribution",
    "outcome_histogram",
    "outcome_intervals",
    "outcome_ranks",
    "parameter_groups",
    "path_steps",
    "path_table",
    "phase_completion",
    "phase_marginals",
    "pool_comparison",
    "pool_outcomes",
    "pool_paths",
    "prior_densities",
    "prior_marginals",
    "reference_class_rates",
    "reference_gap",
    "reference_truces",
    "regret_table",
    "resolutions_table",
    "robustness_table",
    "rollback",
    "sample_outcomes",
    "scenario_names",
    "score_forecasts",
    "score_summary",
    "sensitivity_parameters",
    "signposts_table",
    "skill_summary",
    "spider_table",
    "survival_curve",
    "sweep",
    "sweep_parameters",
    "tornado_table",
    "two_way_sensitivity",
    "update_scenario",
    "watch_table",
]
