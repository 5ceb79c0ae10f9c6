"""The ``parameters:`` section of a scenario file, and formulas wherever a number goes.

A named parameter is a number that formulas elsewhere in the file use
(branch probabilities, payoffs and costs, attribute values, utilities). It is
fixed, uncertain with a prior, a formula over other parameters, or one member
of a Dirichlet group:

.. code-block:: yaml

    parameters:
      test_cost: 10                                      # fixed
      prior_oil: {alpha: 2, beta: 8}                     # Beta
      sensitivity: {successes: 45, trials: 50}           # counts: Beta(1 + 45, 1 + 5)
      fee: {low: 10, mode: 20, high: 40}                 # PERT on [low, high]
      price: {distribution: normal, mean: 100, sd: 10}
      share: {distribution: uniform, low: 0.1, high: 0.9}
      delay: {distribution: triangular, low: 1, mode: 2, high: 5}
      volume: {distribution: lognormal, mean: 10, sd: 2}
      site: {dirichlet: {dry: 5, wet: 3, soaking: 2}}    # defines dry, wet and soaking
      positive: "prior_oil * sensitivity + (1 - prior_oil) * (1 - specificity)"

A **formula** (:mod:`analysis.core.expressions`) is text; this module checks
that it parses, where it is written, and keeps the text: the scenario
compiles it (:mod:`analysis.model.formulas`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from ..core.beta import beta_from_counts, beta_from_mean_sd
from ..core.distributions import distribution_mean
from ..core.expressions import REMAINDER, ExpressionError, parse_expression
from ..core.text import short_repr
from .base import ClaimId, Count, Id, Positive, StrictModel, Text

__all__ = [
    "Amount",
    "BetaParameter",
    "CountsParameter",
    "DirichletParameter",
    "FixedParameter",
    "Formula",
    "FormulaParameter",
    "LogNormalParameter",
    "MeanSdParameter",
    "NormalParameter",
    "ParameterPrior",
    "PertParameter",
    "SweepRange",
    "TriangularParameter",
    "UniformParameter",
    "check_formula",
]

_LIMIT = 1e12


def check_formula(text: str) -> str:
    """Return ``text`` if it is a formula that parses (``'#'`` included); else raise ValueError."""
    if text.strip() == REMAINDER:
        return text
    try:
        parse_expression(text)
    except ExpressionError as exc:
        raise ValueError(f"formula {text!r}: {exc}") from None
    return text


Formula = Annotated[
    str,
    AfterValidator(check_formula),
    Field(max_length=1000, description="A formula over named parameters, e.g. "
                                       "'prior * sensitivity'; '^' is a power."),
]
_Real = Annotated[float, Field(allow_inf_nan=False, ge=-_LIMIT, le=_LIMIT)]


def _amount(value: Any) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not (math.isfinite(number) and abs(number) <= _LIMIT):
            raise ValueError(f"got {short_repr(value)}, expected a finite number between "
                             f"{-_LIMIT:g} and {_LIMIT:g}, or a formula")
        return number
    if isinstance(value, str):
        if value.strip() == REMAINDER:
            raise ValueError(f"{REMAINDER!r} (the rest) stands only for a branch probability")
        return check_formula(value)
    raise ValueError(f"got {short_repr(value)} ({type(value).__name__}), expected a number "
                     "or a formula")


#: A number, or a formula over named parameters (text).
Amount = Annotated[
    float | str,
    PlainValidator(_amount),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 1000}],
                    "description": "A number, or a formula over named parameters."}),
]


class SweepRange(StrictModel):
    """The values one-way sensitivity sweeps a parameter across."""

    low: _Real
    high: _Real

    @model_validator(mode="after")
    def _ordered(self) -> SweepRange:
        if not self.low < self.high:
            raise ValueError(f"low == {self.low:g} and high == {self.high:g}, expected low < "
                             "high")
        return self


class _Parameter(StrictModel):
    label: Text | None = Field(default=None, description="Defaults to the id, capitalised.")
    unit: Text = Field(default="", description="Shown on axes, e.g. '$ thousand'.")
    description: Text = ""
    cite: tuple[ClaimId, ...] = Field(
        default=(), description="Claim ids from seeds/ that support this value.")
    rationale: Text | None = Field(default=None, description="One line: why this value.")
    sensitivity: SweepRange | None = Field(
        default=None, description="The range one-way sensitivity sweeps (default: the "
                                  "prior's central interval; a fixed value needs one).")

    kind: ClassVar[str] = ""

    @property
    def numbers(self) -> tuple[float, ...]:
        """The distribution's numbers (see :mod:`analysis.core.distributions`)."""
        return ()

    @property
    def distribution(self) -> str:
        """The distribution's kind in :mod:`analysis.core.distributions`."""
        return self.kind

    @property
    def mean(self) -> float:
        """The distribution's mean."""
        return distribution_mean(self.distribution, self.numbers)

    @property
    def base_value(self) -> float:
        """The value exact evaluation uses: ``base`` if given, else the mean."""
        base = getattr(self, "base", None)
        return self.mean if base is None else float(base)

    def _check_base(self, low: float, high: float) -> None:
        base = getattr(self, "base", None)
        if base is not None and not low <= base <= high:
            raise ValueError(f"base == {base:g}, expected a value the distribution can take, "
                             f"in [{low:g}, {high:g}]")


class FixedParameter(_Parameter):
    """A parameter known exactly (or treated as such)."""

    kind: ClassVar[str] = "fixed"
    value: _Real

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.value,)


class FormulaParameter(_Parameter):
    """A parameter computed from others."""

    kind: ClassVar[str] = "formula"
    formula: Formula

    @property
    def distribution(self) -> str:  # noqa: D102
        return "formula"

    @property
    def mean(self) -> float:  # noqa: D102
        raise ValueError("a formula parameter has no distribution of its own")


_Base = Field(default=None, description="The value exact evaluation uses (default: the mean).")


class BetaParameter(_Parameter):
    """Beta(alpha, beta), a probability."""

    kind: ClassVar[str] = "beta"
    alpha: Positive
    beta: Positive
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> BetaParameter:
        self._check_base(0, 1)
        return self

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.alpha, self.beta)


class CountsParameter(_Parameter):
    """Reference-class counts updating a Beta prior: Beta(a0 + k, b0 + n - k)."""

    kind: ClassVar[str] = "counts"
    successes: Count
    trials: Annotated[Count, Field(ge=1)]
    prior_alpha: Positive = 1
    prior_beta: Positive = 1
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> CountsParameter:
        beta_from_counts(self.successes, self.trials, (self.prior_alpha, self.prior_beta))
        self._check_base(0, 1)
        return self

    @property
    def distribution(self) -> str:  # noqa: D102
        return "beta"

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return beta_from_counts(self.successes, self.trials, (self.prior_alpha, self.prior_beta))


class MeanSdParameter(_Parameter):
    """A probability's mean and sd, matched to a Beta by moments."""

    kind: ClassVar[str] = "mean_sd"
    mean_value: Annotated[_Real, Field(alias="mean")]
    sd: Positive
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> MeanSdParameter:
        if not 0 < self.mean_value < 1:
            raise ValueError(f"mean == {self.mean_value:g} with sd and no distribution is a "
                             "probability's Beta, expected a mean strictly between 0 and 1; "
                             "for another quantity write 'distribution: normal' (or "
                             "lognormal)")
        try:
            beta_from_mean_sd(self.mean_value, self.sd)
        except ValueError as exc:
            raise ValueError(f"{exc}; for a quantity that is not a probability write "
                             "'distribution: normal' (or lognormal)") from None
        self._check_base(0, 1)
        return self

    @property
    def distribution(self) -> str:  # noqa: D102
        return "beta"

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return beta_from_mean_sd(self.mean_value, self.sd)


class PertParameter(_Parameter):
    """An elicited low / most likely / high: a PERT distribution on [low, high]."""

    kind: ClassVar[str] = "pert"
    low: _Real
    mode: _Real
    high: _Real
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> PertParameter:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"low, mode, high == {self.low:g}, {self.mode:g}, {self.high:g}, "
                             "expected low <= mode <= high and low < high")
        self._check_base(self.low, self.high)
        return self

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.low, self.mode, self.high)


class NormalParameter(_Parameter):
    """Normal(mean, sd)."""

    kind: ClassVar[str] = "normal"
    distribution_name: Annotated[Literal["normal"], Field(alias="distribution")]
    mean_value: Annotated[_Real, Field(alias="mean")]
    sd: Annotated[float, Field(gt=0, le=_LIMIT, allow_inf_nan=False)]
    base: _Real | None = _Base

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.mean_value, self.sd)


class UniformParameter(_Parameter):
    """Uniform(low, high)."""

    kind: ClassVar[str] = "uniform"
    distribution_name: Annotated[Literal["uniform"], Field(alias="distribution")]
    low: _Real
    high: _Real
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> UniformParameter:
        if not self.low < self.high:
            raise ValueError(f"low == {self.low:g}, high == {self.high:g}, expected low < high")
        self._check_base(self.low, self.high)
        return self

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.low, self.high)


class TriangularParameter(_Parameter):
    """The triangular distribution on [low, high] with its peak at mode."""

    kind: ClassVar[str] = "triangular"
    distribution_name: Annotated[Literal["triangular"], Field(alias="distribution")]
    low: _Real
    mode: _Real
    high: _Real
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> TriangularParameter:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"low, mode, high == {self.low:g}, {self.mode:g}, {self.high:g}, "
                             "expected low <= mode <= high and low < high")
        self._check_base(self.low, self.high)
        return self

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.low, self.mode, self.high)


class LogNormalParameter(_Parameter):
    """A lognormal quantity, by its own mean and sd (not the logarithm's)."""

    kind: ClassVar[str] = "lognormal"
    distribution_name: Annotated[Literal["lognormal"], Field(alias="distribution")]
    mean_value: Annotated[float, Field(alias="mean", gt=0, le=_LIMIT, allow_inf_nan=False)]
    sd: Annotated[float, Field(gt=0, le=_LIMIT, allow_inf_nan=False)]
    base: _Real | None = _Base

    @model_validator(mode="after")
    def _fits(self) -> LogNormalParameter:
        self._check_base(0, _LIMIT)
        return self

    @property
    def numbers(self) -> tuple[float, ...]:  # noqa: D102
        return (self.mean_value, self.sd)


class DirichletParameter(_Parameter):
    """A Dirichlet group: one parameter per member, sharing 1 between them."""

    kind: ClassVar[str] = "dirichlet"
    dirichlet: Annotated[dict[Id, Positive], Field(min_length=2, max_length=16)] = Field(
        description="Member parameter id -> its concentration; each member is a parameter.")

    @property
    def distribution(self) -> str:  # noqa: D102
        return "dirichlet"

    @property
    def mean(self) -> float:  # noqa: D102
        raise ValueError("a Dirichlet group has one mean per member: see member_means")

    @property
    def member_means(self) -> dict[str, float]:
        """Each member's mean, its concentration over their sum."""
        total = sum(self.dirichlet.values())
        return {member: c / total for member, c in self.dirichlet.items()}


_KEYS = {
    "value": "fixed", "formula": "formula", "alpha": "beta", "beta": "beta",
    "successes": "counts", "trials": "counts", "mean": "mean_sd", "sd": "mean_sd",
    "low": "pert", "mode": "pert", "high": "pert", "dirichlet": "dirichlet",
}
_DISTRIBUTIONS = ("normal", "uniform", "triangular", "lognormal")


def _parameter_kind(value: Any) -> str | None:
    if isinstance(value, _Parameter):
        return f"{value.kind} parameter"
    if isinstance(value, dict):
        named = value.get("distribution")
        if named is not None:
            return f"{named} parameter" if named in _DISTRIBUTIONS else None
        for key, kind in _KEYS.items():
            if key in value:
                return f"{kind} parameter"
    return None


def _shorthand(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"value": value}
    if isinstance(value, str):
        return {"formula": value}
    return value


_ParameterUnion = Annotated[
    Annotated[FixedParameter, Tag("fixed parameter")]
    | Annotated[FormulaParameter, Tag("formula parameter")]
    | Annotated[BetaParameter, Tag("beta parameter")]
    | Annotated[CountsParameter, Tag("counts parameter")]
    | Annotated[MeanSdParameter, Tag("mean_sd parameter")]
    | Annotated[PertParameter, Tag("pert parameter")]
    | Annotated[NormalParameter, Tag("normal parameter")]
    | Annotated[UniformParameter, Tag("uniform parameter")]
    | Annotated[TriangularParameter, Tag("triangular parameter")]
    | Annotated[LogNormalParameter, Tag("lognormal parameter")]
    | Annotated[DirichletParameter, Tag("dirichlet parameter")],
    Discriminator(
        _parameter_kind,
        custom_error_type="parameter_kind",
        custom_error_message=(
            "expected a number, a formula, or a mapping with one of: value; formula; "
            "alpha and beta; successes and trials; mean and sd; low, mode and high; "
            "dirichlet; or distribution (normal, uniform, triangular, lognormal) with "
            "its numbers"),
    ),
]
#: A named parameter: a bare number is a fixed value, bare text a formula.
ParameterPrior = Annotated[_ParameterUnion, BeforeValidator(_shorthand)]
