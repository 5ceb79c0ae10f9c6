"""What every path is worth: its attributes and each stakeholder's utility.

A path's attribute value is its ``initial`` plus what its branches add
(``combine: sum``), or the last value a branch on it sets (``combine:
last``). A stakeholder's **total** on a path is::

    total_s(path) = value_s(outcome) + sum_a weight_s(a) * attribute_a(path)
                    + sum of payoffs_s - sum of costs_s of the branches it takes

(payoffs and costs may sit on any branch, decision or chance), and their
**utility** is the total itself, or ``R (1 - exp(-total / R))`` with a risk
tolerance ``R`` (exponential utility: risk averse, close to the total when
``|total|`` is small beside ``R``; its certainty equivalent is
``-R ln(1 - EU / R)``).

Every one of these numbers may be a formula over the named parameters, so
:class:`PathValues` computes them for rows of parameter values (one per
draw, or per point of a sweep); at the base case they are computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import QueryError
from ..core.lazy import lazy_module
from ..formats.scenario_file import ScenarioFile
from .formulas import CompiledFormula, ParameterSpace

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = ["PathValues", "build_path_values", "certainty_equivalent"]

_Amount = float | CompiledFormula
# One term of a sum over paths: its amount and where it applies (a 0/±1 vector over paths).
_Term = tuple[_Amount, "np.ndarray"]


def certainty_equivalent(expected_utility, risk_tolerance):
    """Return the sure total worth an expected utility (the identity without a risk tolerance)."""
    if risk_tolerance is None:
        return expected_utility
    value = np.asarray(expected_utility, dtype=float) / risk_tolerance
    with np.errstate(divide="ignore", invalid="ignore"):
        result = -risk_tolerance * np.log1p(-value)
    return result


@dataclass(frozen=True, eq=False)
class PathValues:
    """The paths' attributes and utilities as functions of the parameters.

    Attributes
    ----------
    base_attributes : ndarray, shape (n_paths, n_attributes)
    base_totals, base_utilities : ndarray, shape (n_stakeholders, n_paths)
    depends : frozenset of str
        The parameters some value uses (empty: the values are constants).
    risk_tolerances : tuple
        Per stakeholder: None (risk neutral), a number or a formula.
    """

    space: ParameterSpace = field(repr=False)
    stakeholders: tuple[str, ...]
    attribute_terms: tuple[tuple[np.ndarray, tuple[_Term, ...]], ...] = field(repr=False)
    outcome_terms: tuple[tuple[_Term, ...], ...] = field(repr=False)
    weights: tuple[tuple[tuple[int, _Amount], ...], ...] = field(repr=False)
    branch_terms: tuple[tuple[_Term, ...], ...] = field(repr=False)
    risk_tolerances: tuple[_Amount | None, ...]
    depends: frozenset[str]
    n_paths: int
    base_attributes: np.ndarray = field(default=None, repr=False)
    base_totals: np.ndarray = field(default=None, repr=False)
    base_utilities: np.ndarray = field(default=None, repr=False)

    @property
    def constant(self) -> bool:
        """Whether no value depends on a parameter."""
        return not self.depends

    def risk_tolerance(self, stakeholder: int, parameters: np.ndarray | None = None):
        """Return a stakeholder's risk tolerance (per row), or None when risk neutral."""
        amount = self.risk_tolerances[stakeholder]
        if amount is None:
            return None
        rows = self._rows(parameters)
        return _amount(amount, self.space.mapping(rows), rows.shape[0])

    def attributes(self, parameters: np.ndarray | None = None) -> np.ndarray:
        """Attribute values for rows of parameters: shape ``(rows, n_paths, n_attributes)``."""
        if parameters is None or self.constant:
            return np.broadcast_to(self.base_attributes, self._shape(parameters) +
                                   self.base_attributes.shape)
        return self._attributes(parameters)

    def totals(self, parameters: np.ndarray | None = None) -> np.ndarray:
        """Stakeholders' totals for rows of parameters: ``(rows, n_stakeholders, n_paths)``."""
        if parameters is None or self.constant:
            return np.broadcast_to(self.base_totals, self._shape(parameters) +
                                   self.base_totals.shape)
        return self._totals(parameters, self._attributes(parameters))

    def utilities(self, parameters: np.ndarray | None = None) -> np.ndarray:
        """Stakeholders' utilities for rows of parameters: ``(rows, n_stakeholders, n_paths)``."""
        if parameters is None or self.constant:
            return np.broadcast_to(self.base_utilities, self._shape(parameters) +
                                   self.base_utilities.shape)
        return self._utilities(parameters, self._totals(parameters,
                                                        self._attributes(parameters)))

    def _shape(self, parameters) -> tuple[int]:
        return (1,) if parameters is None else (self._rows(parameters).shape[0],)

    def _rows(self, parameters) -> np.ndarray:
        if parameters is None:
            return self.space.base_values()[None, :]
        rows = np.asarray(parameters, dtype=float)
        return rows[None, :] if rows.ndim == 1 else rows

    def _attributes(self, parameters) -> np.ndarray:
        rows = self._rows(parameters)
        size = rows.shape[0]
        values = self.space.mapping(rows)
        out = np.empty((size, self.n_paths, len(self.attribute_terms)))
        for a, (constant, terms) in enumerate(self.attribute_terms):
            column = np.tile(constant, (size, 1))
            for amount, where in terms:
                column += _amount(amount, values, size)[:, None] * where[None, :]
            out[:, :, a] = column
        return out

    def _totals(self, parameters, attributes: np.ndarray) -> np.ndarray:
        rows = self._rows(parameters)
        size = rows.shape[0]
        values = self.space.mapping(rows)
        out = np.zeros((size, len(self.stakeholders), self.n_paths))
        for s in range(len(self.stakeholders)):
            for amount, where in (*self.outcome_terms[s], *self.branch_terms[s]):
                out[:, s, :] += _amount(amount, values, size)[:, None] * where[None, :]
            for a, weight in self.weights[s]:
                out[:, s, :] += _amount(weight, values, size)[:, None] * attributes[:, :, a]
        return out

    def _utilities(self, parameters, totals: np.ndarray) -> np.ndarray:
        rows = self._rows(parameters)
        out = totals.copy()
        for s, amount in enumerate(self.risk_tolerances):
            if amount is None:
                continue
            tolerance = _amount(amount, self.space.mapping(rows), rows.shape[0])
            if (tolerance <= 0).any():
                row = int(np.argmax(tolerance <= 0))
                raise QueryError(f"{_where(amount)}risk tolerance of {self.stakeholders[s]!r} "
                                 f"is {tolerance[row]:.6g}, expected a positive number"
                                 + ("" if rows.shape[0] == 1 else f" (row {row})"))
            with np.errstate(over="ignore", invalid="ignore"):
                scaled = -totals[:, s, :] / tolerance[:, None]
                out[:, s, :] = tolerance[:, None] * -np.expm1(scaled)
            if not np.isfinite(out[:, s, :]).all():
                row, path = np.argwhere(~np.isfinite(out[:, s, :]))[0]
                raise QueryError(
                    f"{_where(amount)}the exponential utility of {self.stakeholders[s]!r} "
                    f"overflows: a total of {totals[row, s, path]:.6g} is too far below 0 for "
                    f"a risk tolerance of {tolerance[row]:.6g}")
        return out


def _where(amount) -> str:
    return f"{amount.where}: " if isinstance(amount, CompiledFormula) else ""


def _amount(amount: _Amount, values: dict, size: int) -> np.ndarray:
    if isinstance(amount, CompiledFormula):
        return amount.evaluate(values, size)
    return np.full(size, float(amount))


def build_path_values(model: ScenarioFile, tree, space: ParameterSpace
                      ) -> tuple[PathValues | None, list[tuple[tuple, str]]]:
    """Compile the values of ``tree``'s paths (its ``branch_index`` and ``outcome_index``).

    Returns the values, or None and the problems (unknown parameters in
    formulas, values that are not finite at the base case).
    """
    problems: list[tuple[tuple, str]] = []
    depends: set[str] = set()

    def compile_amount(value, loc: tuple) -> _Amount | None:
        if isinstance(value, str):
            formula, message = space.formula(value, loc)
            if message:
                problems.append((loc, message))
                return None
            if formula.expression.is_constant:
                return float(formula.evaluate({}, 1)[0])
            depends.update(formula.expression.names)
            return formula
        return float(value)

    branch_index = tree.branch_index
    n_paths = len(tree.outcome_index)
    attribute_ids = list(model.attributes)
    attribute_terms = []
    for a, (name, attribute) in enumerate(model.attributes.items()):
        setters = [(k, b, branch.attributes[name]) for k, phase in enumerate(model.phases)
                   for b, branch in enumerate(phase.branches.values())
                   if name in branch.attributes]
        constant = np.full(n_paths, float(attribute.initial))
        terms = []
        if attribute.combine == "last":
            last = np.full(n_paths, -1)
            for index, (k, b, _) in enumerate(setters):
                last[branch_index[:, k] == b] = index
            constant[last >= 0] = 0.0
            chosen = [(last == index).astype(float) for index in range(len(setters))]
        else:
            chosen = [(branch_index[:, k] == b).astype(float) for k, b, _ in setters]
        for (k, b, value), where in zip(setters, chosen, strict=True):
            branch_id = list(model.phases[k].branches)[b]
            amount = compile_amount(value, ("phases", k, "branches", branch_id, "attributes",
                                            name))
            if isinstance(amount, float):
                constant = constant + amount * where
            elif amount is not None:
                terms.append((amount, where))
        attribute_terms.append((constant, tuple(terms)))
        del a

    stakeholders = tuple(model.stakeholders)
    outcome_terms, weights, branch_terms, risks = [], [], [], []
    for s in stakeholders:
        utilities = model.utilities.get(s)
        loc = ("utilities", s)
        if utilities is None:
            outcome_terms.append(())
            weights.append(())
            branch_terms.append(())
            risks.append(None)
            continue
        outcome_terms.append(tuple(
            (amount, (tree.outcome_index == o).astype(float))
            for o, outcome in enumerate(model.outcomes)
            if (amount := compile_amount(utilities.outcomes.get(outcome, 0.0),
                                         (*loc, "outcomes", outcome))) is not None))
        weights.append(tuple(
            (attribute_ids.index(name), amount) for name, value in utilities.attributes.items()
            if name in attribute_ids and (amount := compile_amount(
                value, (*loc, "attributes", name))) is not None))
        terms = []
        for k, phase in enumerate(model.phases):
            for b, (branch_id, branch) in enumerate(phase.branches.items()):
                where = (branch_index[:, k] == b).astype(float)
                for kind, sign in (("payoffs", 1.0), ("costs", -1.0)):
                    value = getattr(branch, kind).get(s)
                    if value is None:
                        continue
                    amount = compile_amount(value, ("phases", k, "branches", branch_id, kind, s))
                    if amount is not None:
                        terms.append((amount, sign * where))
        branch_terms.append(tuple(terms))
        risks.append(None if utilities.risk_tolerance is None else compile_amount(
            utilities.risk_tolerance, (*loc, "risk_tolerance")))
    if problems:
        return None, problems
    values = PathValues(space, stakeholders, tuple(attribute_terms), tuple(outcome_terms),
                        tuple(weights), tuple(branch_terms), tuple(risks), frozenset(depends),
                        n_paths)
    try:
        attributes = values._attributes(None)
        totals = values._totals(None, attributes)
        utilities = values._utilities(None, totals)
    except QueryError as exc:
        return None, [((), str(exc))]
    object.__setattr__(values, "base_attributes", attributes[0])
    object.__setattr__(values, "base_totals", totals[0])
    object.__setattr__(values, "base_utilities", utilities[0])
    return values, []
