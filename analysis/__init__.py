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
imports plotly, and ``import analysis`` does not import it. The names are
imported on first use (PEP 562), so that ``import analysis`` and the command
line's quick commands load only what they use: pandas alone takes about half
a second to import.
"""

from importlib import import_module as _import_module

#: Where each public name lives: module -> names.
_EXPORTS = {
    ".analyses.decisions": ("RollbackResult", "best_options", "expected_utilities", "rollback"),
    ".analyses.discovery": ("ScenarioDiscovery", "discover_scenarios"),
    ".analyses.global_sensitivity": ("global_sensitivity", "parameter_groups"),
    ".analyses.outcomes": ("attribute_distribution", "compare_outcomes", "expected_attributes",
                           "outcome_distribution", "path_steps", "path_table",
                           "phase_marginals"),
    ".analyses.pooling": ("analyst_disagreement", "load_analysts", "pool_comparison",
                          "pool_outcomes", "pool_paths"),
    ".analyses.reference_classes": ("base_rate_by_class", "reference_class_rates"),
    ".analyses.robustness": ("regret_table", "robustness_table"),
    ".analyses.rules": ("compare_rules",),
    ".analyses.scoring": ("forecast_resolutions", "resolutions_table", "score_forecasts",
                          "score_summary"),
    ".analyses.sensitivity": ("most_influential", "one_way_sensitivity",
                              "sensitivity_parameters", "spider_table", "tornado_table",
                              "two_way_sensitivity"),
    ".analyses.signposts": ("signposts_table", "watch_table"),
    ".analyses.skill": ("baseline_scores", "brier_over_time", "calibration_table",
                        "skill_summary"),
    ".analyses.sweep": ("SweepResult", "load_sweep", "sweep", "sweep_parameters"),
    ".analyses.thresholds": ("find_switches", "find_threshold"),
    ".analyses.timing": ("collapse_by_date", "completion_curve", "hazard_table",
                         "kaplan_meier", "phase_completion", "reference_gap",
                         "reference_truces", "survival_curve"),
    ".analyses.uncertainty": ("attribute_ecdf", "attribute_intervals", "exceedance_probabilities",
                              "outcome_comparisons", "outcome_histogram", "outcome_intervals",
                              "outcome_ranks", "prior_densities", "prior_marginals"),
    ".analyses.updating": ("belief_timeline", "evidence_table", "update_scenario"),
    ".analyses.value_of_information": ("evpi", "evppi"),
    ".core.beta": ("beta_from_counts", "beta_from_mean_sd", "beta_from_quantiles",
                   "beta_from_range", "beta_mean"),
    ".core.errors": ("Problem", "QueryError", "ScenarioError", "ScenarioWarning"),
    ".engines.sampling": ("OutcomeSamples", "sample_outcomes"),
    ".formats.evidence_file": ("load_evidence",),
    ".formats.reference_classes_file": ("load_reference_classes",),
    ".formats.resolutions_file": ("load_resolutions",),
    ".formats.seeds": ("claims_table", "load_seeds"),
    ".formats.signposts_file": ("load_signposts",),
    ".model.scenario": ("Scenario", "load_scenario", "scenario_names"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
_LAYERS = ("analyses", "core", "delivery", "engines", "formats", "interactive", "model",
           "narrative", "plotting")

__all__ = sorted([*_WHERE, "__version__"], key=lambda n: (not n[0].isupper(), n))


def __getattr__(name: str):
    """Import a public name (or a layer) on first use, then keep it."""
    if name == "__version__":
        value = _import_module(".core.version", __name__).VERSION
    elif name in _WHERE:
        value = getattr(_import_module(_WHERE[name], __name__), name)
    elif name in _LAYERS:
        value = _import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
