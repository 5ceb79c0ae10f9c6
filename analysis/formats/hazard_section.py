"""The hazard of collapse an open outcome may carry: rates per unit of time, with gamma priors.

A scenario's outcome without a role (a state that has not ended the deal)
may say how fast it collapses: a constant rate, or piecewise-constant rates
in time since day 0, each with a prior (:class:`RatePrior`). The engine's
use of them is in :mod:`analysis.engines.durations`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ClaimId, Count, Positive, StrictModel, Text

__all__ = ["HAZARD_UNITS", "Hazard", "HazardPiece", "RatePrior"]


#: Days in each unit a hazard's rate and pieces may be written in (a year is 365.25 days).
HAZARD_UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}


class RatePrior(StrictModel):
    """A prior on a rate of collapse (events per the hazard's unit), a gamma distribution.

    Written as a known ``value``; a ``mean`` and ``sd`` (a gamma matched by
    moments: shape ``(mean / sd)**2``, rate ``mean / sd**2``); or ``events``
    counted over an ``exposure`` (in the hazard's unit), which update a
    Gamma(``prior_shape``, ``prior_rate``) prior (default 0.5 and 0, Jeffreys'
    prior for a Poisson rate) into Gamma(shape + events, rate + exposure).
    """

    value: Annotated[float, Field(ge=0, le=1e4, allow_inf_nan=False)] | None = None
    mean: Annotated[float, Field(gt=0, le=1e4, allow_inf_nan=False)] | None = None
    sd: Positive | None = None
    events: Count | None = Field(default=None, description="Events counted in the exposure.")
    exposure: Positive | None = Field(
        default=None, description="Time at risk in which the events were counted, in unit.")
    prior_shape: Positive = Field(default=0.5, description="The gamma prior's shape (0.5).")
    prior_rate: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = Field(
        default=0, description="The gamma prior's rate, in unit (0).")
    cite: tuple[ClaimId, ...] = Field(
        default=(), description="Claim ids from the sources that support this rate.")
    rationale: Text | None = Field(default=None, description="One line: why this rate.")

    @model_validator(mode="after")
    def _one_form(self) -> RatePrior:
        forms = {"value": self.value is not None,
                 "mean and sd": self.mean is not None or self.sd is not None,
                 "events and exposure": self.events is not None or self.exposure is not None}
        given = [name for name, present in forms.items() if present]
        if len(given) != 1:
            raise ValueError(f"a rate takes one of: value; mean and sd; events and exposure; "
                             f"got {', '.join(given) or 'none'}")
        if forms["mean and sd"] and (self.mean is None or self.sd is None):
            raise ValueError("a rate's mean goes with its sd (a gamma by moments): give both")
        if forms["events and exposure"] and (self.events is None or self.exposure is None):
            raise ValueError("events go with the exposure they were counted in: give both")
        return self

    @property
    def gamma_parameters(self) -> tuple[float, float] | None:
        """The gamma's (shape, rate), rate in the hazard's unit; None for a known value."""
        if self.value is not None:
            return None
        if self.mean is not None:
            return (self.mean / self.sd) ** 2, self.mean / self.sd**2
        return self.prior_shape + self.events, self.prior_rate + self.exposure

    @property
    def rate_mean(self) -> float:
        """The prior's mean rate, per the hazard's unit."""
        gamma = self.gamma_parameters
        return float(self.value) if gamma is None else gamma[0] / gamma[1]


class HazardPiece(StrictModel):
    """One piece of a piecewise-constant hazard: its rate, until a time since day 0."""

    until: Annotated[float, Field(gt=0, le=1e4, allow_inf_nan=False)] | None = Field(
        default=None, description="Where the piece ends, in the hazard's unit since day 0; "
        "omit on the last piece (it lasts for ever).")
    rate: RatePrior


class Hazard(StrictModel):
    """A hazard of collapse for a state that has not ended the deal.

    A path ending in the outcome at day T collapses at T plus a waiting time
    with this hazard (constant, or piecewise constant in time since day 0).
    """

    unit: Literal["days", "weeks", "months", "years"] = Field(
        default="years", description="Rates are events per unit; pieces end in unit since day 0.")
    rate: RatePrior | None = Field(default=None, description="A constant rate (or give pieces).")
    pieces: Annotated[tuple[HazardPiece, ...], Field(min_length=1, max_length=24)] | None = (
        Field(default=None, description="Piecewise-constant rates, in order of time."))

    @model_validator(mode="after")
    def _rate_or_pieces(self) -> Hazard:
        if (self.rate is None) == (self.pieces is None):
            raise ValueError("a hazard takes either rate: (constant) or pieces: (piecewise), "
                             "not both or neither")
        if self.pieces is not None:
            ends = [p.until for p in self.pieces]
            if ends[-1] is not None:
                raise ValueError(f"the last piece ends at {ends[-1]:g}; expected no 'until' on "
                                 "the last piece (it lasts for ever)")
            if any(e is None for e in ends[:-1]):
                raise ValueError("every piece but the last needs 'until'")
            inner = ends[:-1]
            if any(b <= a for a, b in zip(inner, inner[1:], strict=False)):
                raise ValueError(f"pieces end at {', '.join(f'{e:g}' for e in inner)}; "
                                 "expected increasing times")
        return self

    @property
    def breaks_days(self) -> tuple[float, ...]:
        """Where the pieces change, in days since day 0 (empty for a constant rate)."""
        if self.pieces is None:
            return ()
        return tuple(p.until * HAZARD_UNITS[self.unit] for p in self.pieces[:-1])

    @property
    def rates(self) -> tuple[RatePrior, ...]:
        """One rate prior per piece, in order."""
        return (self.rate,) if self.rate is not None else tuple(p.rate for p in self.pieces)

    @property
    def days_per_unit(self) -> float:
        """Days in the hazard's unit: divide a rate by it for a rate per day."""
        return HAZARD_UNITS[self.unit]
