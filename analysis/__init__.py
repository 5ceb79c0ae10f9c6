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
from .priors import beta_from_mean_sd, beta_from_range
from .scenario import Scenario, load_scenario, scenario_names
from .sensitivity import (
    most_influential,
    one_way_sensitivity,
    sensitivity_parameters,
    tornado_table,
)

try:
    __version__ = _metadata.version("dealtree")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Problem",
    "QueryError",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "__version__",
    "attribute_distribution",
    "beta_from_mean_sd",
    "beta_from_range",
    "claims_table",
    "compare_outcomes",
    "expected_attributes",
    "load_scenario",
    "load_seeds",
    "most_influential",
    "one_way_sensitivity",
    "outcome_distribution",
    "path_table",
    "phase_marginals",
    "scenario_names",
    "sensitivity_parameters",
    "tornado_table",
]
