"""Named outputs of a scenario: what a sensitivity or variance analysis measures.

An output is a weighted sum over paths, so its value for any path
distribution ``p`` is ``p @ weights`` (when the weights are formulas of named
parameters, :meth:`Output.row_weights` gives them for rows of ``theta``):

- an outcome id: its probability (weights 1 on the paths that end in it);
- an attribute id: its expected value (weights: each path's value);
- ``"utility:STAKEHOLDER"``: that stakeholder's expected utility (weights:
  each path's utility, :mod:`analysis.model.stakeholders`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import QueryError
from ..core.lazy import lazy_module
from ..core.text import did_you_mean
from .scenario import Scenario
from .stakeholders import path_utilities

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = ["NEUTRAL_COLOUR", "UTILITY_PREFIX", "Output", "resolve_outputs"]

#: Outputs named ``"utility:STAKEHOLDER"`` are a stakeholder's expected utility.
UTILITY_PREFIX = "utility:"
#: The colour of outputs that are not outcomes (attributes, utilities).
NEUTRAL_COLOUR = "#7f7f7f"


@dataclass(frozen=True, eq=False)
class Output:
    """One named output: its words, colour, unit and weights over the paths (base case)."""

    name: str
    label: str
    colour: str
    unit: str
    weights: np.ndarray
    varying: Callable[[np.ndarray], np.ndarray] | None = None

    def row_weights(self, theta: np.ndarray) -> np.ndarray:
        """Weights for rows of (derived) ``theta``: ``(rows, n_paths)``."""
        if self.varying is None:
            return np.broadcast_to(self.weights, (theta.shape[0], len(self.weights)))
        return self.varying(theta)


def resolve_outputs(scenario: Scenario, output: str | Sequence[str] | None = None
                    ) -> list[Output]:
    """Return the outputs named (default: every outcome), in the order given.

    Raises
    ------
    QueryError
        For a name that is no outcome, attribute or ``"utility:STAKEHOLDER"``.
    """
    tree, model = scenario.tree, scenario.model
    table = {o: Output(o, model.outcomes[o].label, model.outcomes[o].colour, "probability",
                       (tree.outcome_index == k).astype(float))
             for k, o in enumerate(tree.outcomes)}
    values = tree.values
    varies = values is not None and not values.constant
    part = tree.parameter_slice

    def attribute_of(a: int):
        return (lambda theta: values.attributes(theta[:, part])[:, :, a]) if varies else None

    def utility_of(s: int):
        return (lambda theta: values.utilities(theta[:, part])[:, s, :]) if varies else None

    for a, name in enumerate(tree.attributes):
        attribute = model.attributes[name]
        table.setdefault(name, Output(name, f"{attribute.label} ({attribute.unit})",
                                      NEUTRAL_COLOUR, attribute.unit,
                                      tree.attribute_values[:, a], attribute_of(a)))
    utilities = path_utilities(model, tree)
    for s, name in enumerate(model.stakeholders):
        unit = model.utilities[name].unit
        table[f"{UTILITY_PREFIX}{name}"] = Output(
            f"{UTILITY_PREFIX}{name}",
            f"{model.stakeholders[name].label}: expected utility ({unit})", NEUTRAL_COLOUR,
            unit, utilities[s], utility_of(s))
    names = list(tree.outcomes) if output is None else (
        [output] if isinstance(output, str) else list(output))
    for name in names:
        if not isinstance(name, str) or name not in table:
            raise QueryError(f"unknown output {name!r}{did_you_mean(str(name), table)}; "
                             "expected an outcome, an attribute or 'utility:STAKEHOLDER': "
                             f"{', '.join(table)}")
    return [table[name] for name in names]
