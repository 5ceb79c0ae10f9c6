"""A scenario's named parameters and its formulas, compiled for vectorised evaluation.

The ``parameters:`` section (:mod:`analysis.formats.parameter_section`)
becomes a :class:`ParameterSpace`: one column per parameter (Dirichlet
members one each), in an order where every formula parameter comes after
the parameters it uses. A row of values for the uncertain and fixed
parameters (one row per draw, or per point of a sweep) is completed by
:meth:`ParameterSpace.complete`, which computes the formula parameters.

Every other formula of the file (branch probabilities, payoffs, costs,
attribute values, utilities) is compiled by :meth:`ParameterSpace.formula`,
which checks its names and remembers where it is written, so that an error
at evaluation time names the file, the line, the formula and the draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.distributions import distribution_quantiles, draw_distribution
from ..core.errors import QueryError
from ..core.expressions import FUNCTIONS, EvaluationError, Expression, parse_expression
from ..core.lazy import lazy_module
from ..core.text import did_you_mean, display_label
from ..formats.parameter_section import DirichletParameter, FormulaParameter
from ..formats.scenario_file import ScenarioFile

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = [
    "CompiledFormula",
    "Locate",
    "NamedParameter",
    "ParameterSpace",
    "build_parameter_space",
    "plain_locate",
]

#: Turns a location inside the file into the text that starts a message: ``file:line: loc``.
Locate = Callable[[tuple], str]


def plain_locate(source: str) -> Locate:
    """Return a :data:`Locate` without line numbers (for scenarios changed in memory)."""
    from ..core.errors import format_location

    return lambda loc: f"{source}: {format_location(loc)}"


@dataclass(frozen=True)
class NamedParameter:
    """One column of the parameter space.

    ``kind`` is the prior's kind as written (``fixed``, ``formula``, ``beta``,
    ``counts``, ``mean_sd``, ``pert``, ``normal``, ``uniform``, ``triangular``,
    ``lognormal``, ``dirichlet``); ``distribution`` the distribution drawn
    (see :mod:`analysis.core.distributions`, plus ``formula`` and
    ``dirichlet``); ``group`` the Dirichlet group of a member.
    """

    name: str
    kind: str
    distribution: str
    numbers: tuple[float, ...]
    base: float
    mean: float
    label: str
    unit: str
    location: tuple
    group: str | None = None
    concentration: float | None = None
    expression: Expression | None = field(default=None, compare=False)
    sweep: tuple[float, float] | None = None
    cite: tuple[str, ...] = ()
    rationale: str | None = None

    @property
    def uncertain(self) -> bool:
        """Whether the parameter has a distribution (is neither fixed nor a formula)."""
        return self.distribution not in ("fixed", "formula")

    def interval(self, level: float) -> tuple[float, float]:
        """Return the central ``level`` interval of the prior (a fixed value: the value twice)."""
        if not self.uncertain:
            return self.base, self.base
        tails = [(1 - level) / 2, (1 + level) / 2]
        if self.distribution == "dirichlet":
            total = self.numbers[1]
            low, high = distribution_quantiles("beta", (self.concentration,
                                                        total - self.concentration), tails)
        else:
            low, high = distribution_quantiles(self.distribution, self.numbers, tails)
        return float(low), float(high)


@dataclass(frozen=True)
class CompiledFormula:
    """A formula of the file and where it is written (``where``: ``file:line: location``)."""

    expression: Expression
    where: str

    def evaluate(self, values: Mapping[str, np.ndarray | float], size: int,
                 row_text: Callable[[int], str] | None = None) -> np.ndarray:
        """Evaluate for ``size`` rows; an error names the file, the formula and the row.

        Raises
        ------
        QueryError
            If the value is not a finite number in some row.
        """
        try:
            return self.expression.evaluate(values, size)
        except EvaluationError as exc:
            raise QueryError(f"{self.where}: formula {self.expression.text!r}: {exc.reason}, "
                             f"{_row_words(exc.row, size, values, self.expression, row_text)}"
                             ) from None


def _row_words(row: int, size: int, values: Mapping, expression: Expression,
               row_text: Callable[[int], str] | None) -> str:
    where = row_text(row) if row_text else ("at the base case" if size == 1 else f"in row {row}")
    shown = []
    for name in sorted(expression.names):
        value = np.broadcast_to(np.asarray(values[name], dtype=float), (size,))[row]
        shown.append(f"{name} = {value:.6g}")
    return where + (f" ({', '.join(shown)})" if shown else "")


@dataclass(frozen=True, eq=False)
class ParameterSpace:
    """The named parameters of a scenario, as columns (see the module docstring)."""

    parameters: tuple[NamedParameter, ...]
    locate: Locate = field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in column order."""
        return tuple(p.name for p in self.parameters)

    @property
    def size(self) -> int:
        """Number of columns."""
        return len(self.parameters)

    @property
    def uncertain(self) -> tuple[NamedParameter, ...]:
        """The parameters with a distribution."""
        return tuple(p for p in self.parameters if p.uncertain)

    def index(self, name: str) -> int:
        """Return the column of a parameter."""
        return self.names.index(name)

    def base_values(self) -> np.ndarray:
        """Return every parameter at its base value (formulas computed), shape ``(size,)``."""
        return np.array([p.base for p in self.parameters], dtype=float)

    def complete(self, columns: np.ndarray, row_text: Callable[[int], str] | None = None
                 ) -> np.ndarray:
        """Recompute the formula parameters of each row of ``columns`` (in place; returned).

        Raises
        ------
        QueryError
            If a formula's value is not a finite number in some row.
        """
        size = columns.shape[0]
        for j, parameter in enumerate(self.parameters):
            if parameter.expression is not None:
                formula = CompiledFormula(parameter.expression,
                                          self.locate(parameter.location))
                columns[:, j] = formula.evaluate(self.mapping(columns), size, row_text)
        return columns

    def mapping(self, columns: np.ndarray) -> dict[str, np.ndarray]:
        """Return ``name -> column`` views of ``columns`` (shape ``(rows, size)``)."""
        return {name: columns[:, j] for j, name in enumerate(self.names)}

    def formula(self, text: str, location: tuple) -> tuple[CompiledFormula | None, str | None]:
        """Compile a formula written at ``location``; return it, or a problem message."""
        expression = parse_expression(text)  # checked when the file was read
        unknown = sorted(expression.names - set(self.names))
        if unknown:
            return None, (f"formula {text!r}: unknown parameter {unknown[0]!r}"
                          f"{did_you_mean(unknown[0], self.names)}; expected one of: "
                          f"{', '.join(self.names) or '(none: declare it under parameters:)'}")
        return CompiledFormula(expression, self.locate(location)), None

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Return ``size`` rows of every parameter: uncertain ones drawn, formulas computed."""
        columns = np.tile(self.base_values(), (size, 1))
        done: set[str] = set()
        for j, parameter in enumerate(self.parameters):
            if not parameter.uncertain or parameter.name in done:
                continue
            if parameter.distribution == "dirichlet":
                members = [k for k, p in enumerate(self.parameters)
                           if p.group == parameter.group]
                shares = rng.dirichlet([self.parameters[k].concentration for k in members],
                                       size=size)
                columns[:, members] = shares
                done |= {self.parameters[k].name for k in members}
            else:
                columns[:, j] = draw_distribution(parameter.distribution, parameter.numbers,
                                                  rng, size)
        return self.complete(columns)


def build_parameter_space(model: ScenarioFile, locate: Locate
                          ) -> tuple[ParameterSpace, list[tuple[tuple, str]]]:
    """Compile the ``parameters:`` section; return the space and the problems found."""
    problems: list[tuple[tuple, str]] = []
    entries: dict[str, NamedParameter] = {}
    formulas: dict[str, Expression] = {}
    reserved = set(FUNCTIONS) | {"pi"}
    for name, prior in model.parameters.items():
        loc = ("parameters", name)
        common = {"label": display_label(name, prior.label), "unit": prior.unit,
                  "cite": tuple(prior.cite), "rationale": prior.rationale,
                  "sweep": (prior.sensitivity.low, prior.sensitivity.high)
                  if prior.sensitivity else None}
        if name in reserved:
            problems.append((loc, f"parameter {name!r} has the name of a function or constant, "
                                  "expected another name"))
            continue
        if isinstance(prior, DirichletParameter):
            total = float(sum(prior.dirichlet.values()))
            for member, concentration in prior.dirichlet.items():
                if member in model.parameters or member in entries or member in reserved:
                    problems.append(((*loc, "dirichlet", member), (
                        f"member {member!r} of Dirichlet group {name!r} is already a parameter "
                        "name, expected a new name")))
                    continue
                share = concentration / total
                entries[member] = NamedParameter(
                    member, "dirichlet", "dirichlet", (concentration, total), share, share,
                    location=(*loc, "dirichlet", member), group=name,
                    concentration=float(concentration),
                    **{**common, "label": display_label(member, None)})
            continue
        if isinstance(prior, FormulaParameter):
            formulas[name] = parse_expression(prior.formula)
            entries[name] = NamedParameter(name, "formula", "formula", (), np.nan, np.nan,
                                           location=loc, expression=formulas[name], **common)
            continue
        entries[name] = NamedParameter(name, prior.kind, prior.distribution,
                                       tuple(float(v) for v in prior.numbers),
                                       float(prior.base_value), float(prior.mean),
                                       location=loc, **common)
    known = set(entries)
    for name, expression in formulas.items():
        unknown = sorted(expression.names - known)
        if unknown:
            problems.append((("parameters", name), (
                f"formula {expression.text!r}: unknown parameter {unknown[0]!r}"
                f"{did_you_mean(unknown[0], known - {name})}; expected one of: "
                f"{', '.join(sorted(known - {name})) or '(none)'}")))
    if problems:
        return ParameterSpace((), locate), problems
    order, cycle = _order(entries, formulas)
    if cycle:
        return ParameterSpace((), locate), [(("parameters", cycle[0]), (
            f"formulas refer to each other in a cycle: {' -> '.join(cycle)}; expected each "
            "formula to use only parameters that do not depend on it"))]
    space = ParameterSpace(tuple(entries[name] for name in order), locate)
    if not space.parameters:  # nothing to compute (and `dealtree validate` needs no numpy)
        return space, []
    columns = space.base_values()[None, :]
    try:
        space.complete(columns)
    except QueryError as exc:
        return ParameterSpace((), locate), [((), str(exc))]
    completed = tuple(
        p if p.expression is None else _with_base(p, float(columns[0, j]))
        for j, p in enumerate(space.parameters))
    return ParameterSpace(completed, locate), []


def _with_base(parameter: NamedParameter, value: float) -> NamedParameter:
    from dataclasses import replace

    return replace(parameter, base=value, mean=value)


def _order(entries: dict[str, NamedParameter], formulas: dict[str, Expression]
           ) -> tuple[list[str], list[str]]:
    """Order the parameters so that formulas follow what they use; or return a cycle."""
    order = [name for name in entries if name not in formulas]
    state: dict[str, int] = {}  # 1: visiting, 2: done
    stack: list[str] = []

    def visit(name: str) -> list[str]:
        if state.get(name) == 2 or name not in formulas:
            return []
        if state.get(name) == 1:
            return [*stack[stack.index(name):], name]
        state[name] = 1
        stack.append(name)
        for used in sorted(formulas[name].names):
            cycle = visit(used)
            if cycle:
                return cycle
        stack.pop()
        state[name] = 2
        order.append(name)
        return []

    for name in formulas:
        cycle = visit(name)
        if cycle:
            return order, cycle
    return order, []
