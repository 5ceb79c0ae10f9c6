"""The scenario file format, as pydantic models.

These models check a file's structure: keys, types and the ranges of single
values. Checks that need the whole scenario (references between phases,
sibling sums, every path reaching an outcome) live in :mod:`analysis.model.checks`.
``scenario_json_schema()`` exports the format for editors.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from ..core.beta import beta_from_counts, beta_from_mean_sd, beta_from_range, beta_mean
from .base import (
    ClaimId,
    Colour,
    Count,
    Id,
    Positive,
    Printable,
    Probability,
    StrictModel,
    Text,
    json_schema_text,
)
from .hazard_section import Hazard
from .parameter_section import Amount, Formula, ParameterPrior

__all__ = [
    "Attribute",
    "BetaPrior",
    "Branch",
    "CONDITION_KEYWORDS",
    "ConcentrationPrior",
    "Condition",
    "CountsPrior",
    "DECISION_RULES",
    "DecisionRule",
    "DURATION_UNITS",
    "Duration",
    "FixedPrior",
    "FormulaPrior",
    "MAX_ATTRIBUTE",
    "MeanSdPrior",
    "NotebookSettings",
    "Outcome",
    "OutcomeRule",
    "Phase",
    "Prior",
    "PRIOR_KINDS",
    "OUTCOME_ROLES",
    "RangePrior",
    "Rule",
    "ScenarioFile",
    "ScenarioVariant",
    "Stakeholder",
    "Utilities",
    "scenario_json_schema",
]

#: Keys of a condition that are not phase ids.
CONDITION_KEYWORDS = ("not", "any_of", "parameters")

Condition = Annotated[
    dict[Id, Any],
    Field(
        min_length=1,
        description="All entries must hold. Earlier phase id -> the branch it took, a list of "
        "branches (any of them), or {not: branch or list} (reached, and took none of them). "
        "'not: CONDITION' negates a condition, 'any_of: [CONDITION, ...]' holds when one of "
        "them does, 'parameters: FORMULA' compares parameters ('fee > 10'). A skipped phase "
        "matches nothing.",
        json_schema_extra={"additionalProperties": {}},
    ),
]


class _Cited(StrictModel):
    cite: tuple[ClaimId, ...] = Field(
        default=(), description="Claim ids from the sources that support this prior."
    )
    rationale: Text | None = Field(default=None, description="One line: why this value.")


class FixedPrior(_Cited):
    """A probability known exactly (or treated as such)."""

    kind: ClassVar[str] = "fixed"
    value: Probability

    @property
    def mean(self) -> float:  # noqa: D102
        return self.value


class BetaPrior(_Cited):
    """A Beta(alpha, beta) prior on one branch of a two-branch question."""

    kind: ClassVar[str] = "beta"
    alpha: Positive
    beta: Positive

    @property
    def mean(self) -> float:  # noqa: D102
        return beta_mean(self.alpha, self.beta)

    @property
    def beta_parameters(self) -> tuple[float, float]:  # noqa: D102
        return self.alpha, self.beta


class RangePrior(_Cited):
    """An elicited low / most likely / high range, read as a PERT Beta."""

    kind: ClassVar[str] = "range"
    low: Probability
    mode: Probability
    high: Probability

    @model_validator(mode="after")
    def _fits(self) -> RangePrior:
        beta_from_range(self.low, self.mode, self.high)  # raises ValueError
        return self

    @property
    def beta_parameters(self) -> tuple[float, float]:  # noqa: D102
        return beta_from_range(self.low, self.mode, self.high)

    @property
    def mean(self) -> float:  # noqa: D102
        return beta_mean(*self.beta_parameters)


class MeanSdPrior(_Cited):
    """A mean and standard deviation, matched to a Beta by moments."""

    kind: ClassVar[str] = "mean_sd"
    mean_value: Annotated[Probability, Field(alias="mean")]
    sd: Positive

    @model_validator(mode="after")
    def _fits(self) -> MeanSdPrior:
        beta_from_mean_sd(self.mean_value, self.sd)  # raises ValueError
        return self

    @property
    def beta_parameters(self) -> tuple[float, float]:  # noqa: D102
        return beta_from_mean_sd(self.mean_value, self.sd)

    @property
    def mean(self) -> float:  # noqa: D102
        return self.mean_value


class CountsPrior(_Cited):
    """Reference-class counts: ``successes`` of ``trials`` cases, updating a Beta prior."""

    kind: ClassVar[str] = "counts"
    successes: Count = Field(description="Cases where the event happened.")
    trials: Annotated[Count, Field(ge=1)] = Field(description="Cases in the reference class.")
    prior_alpha: Positive = Field(default=1, description="The Beta prior's alpha (default 1).")
    prior_beta: Positive = Field(default=1, description="The Beta prior's beta (default 1).")

    @model_validator(mode="after")
    def _fits(self) -> CountsPrior:
        beta_from_counts(self.successes, self.trials, (self.prior_alpha, self.prior_beta))
        return self

    @property
    def beta_parameters(self) -> tuple[float, float]:  # noqa: D102
        return beta_from_counts(self.successes, self.trials, (self.prior_alpha, self.prior_beta))

    @property
    def mean(self) -> float:  # noqa: D102
        return beta_mean(*self.beta_parameters)


class ConcentrationPrior(_Cited):
    """One branch's concentration in a Dirichlet over all sibling branches."""

    kind: ClassVar[str] = "dirichlet"
    concentration: Positive


class FormulaPrior(_Cited):
    """A probability given by a formula over named parameters, or ``'#'``: the rest.

    Several ``'#'`` branches of one set share the rest equally.
    """

    formula: Formula

    @property
    def kind(self) -> str:  # noqa: D102
        return "rest" if self.formula.strip() == "#" else "formula"

    @property
    def mean(self) -> float:  # noqa: D102
        raise ValueError("a formula's value needs the scenario's parameters")


#: The tag of each prior kind, as the discriminator reports it.
PRIOR_KINDS = {
    "value": "fixed",
    "formula": "formula",
    "alpha": "beta",
    "beta": "beta",
    "low": "range",
    "mode": "range",
    "high": "range",
    "mean": "mean_sd",
    "sd": "mean_sd",
    "successes": "counts",
    "trials": "counts",
    "prior_alpha": "counts",
    "prior_beta": "counts",
    "concentration": "dirichlet",
}


def _prior_kind(value: Any) -> str | None:
    if isinstance(value, FormulaPrior):
        return "formula prior"
    if isinstance(value, _Cited):
        return f"{value.kind} prior"
    if isinstance(value, dict):
        for key, kind in PRIOR_KINDS.items():
            if key in value:
                return f"{kind} prior"
    return None


def _number_as_fixed(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"value": value}
    if isinstance(value, str):
        return {"formula": value}
    return value


_PriorUnion = Annotated[
    Annotated[FixedPrior, Tag("fixed prior")]
    | Annotated[BetaPrior, Tag("beta prior")]
    | Annotated[RangePrior, Tag("range prior")]
    | Annotated[MeanSdPrior, Tag("mean_sd prior")]
    | Annotated[CountsPrior, Tag("counts prior")]
    | Annotated[ConcentrationPrior, Tag("dirichlet prior")]
    | Annotated[FormulaPrior, Tag("formula prior")],
    Discriminator(
        _prior_kind,
        custom_error_type="prior_kind",
        custom_error_message=(
            "expected a probability in [0, 1], a formula, '#' (the rest) or a mapping with "
            "one of: value; alpha and beta; low, mode and high; mean and sd; successes and "
            "trials; concentration; formula"
        ),
    ),
]
Prior = Annotated[_PriorUnion, BeforeValidator(_number_as_fixed)]


#: What an outcome means for the deal: it ended it (``collapse``) or completed it (``success``).
OUTCOME_ROLES = ("collapse", "success")


class Outcome(StrictModel):
    """A category that every path of the tree ends in."""

    label: Text
    colour: Colour
    description: Text = ""
    role: Literal["collapse", "success"] | None = Field(
        default=None, description="collapse: the deal has ended (e.g. renewed war); success: "
        "it is complete. Omit for a state that has not ended (it may carry a hazard).")
    hazard: Hazard | None = Field(
        default=None, description="For an outcome without a role: its hazard of collapse "
        "after the path ends in it.")

    @model_validator(mode="after")
    def _hazard_on_open(self) -> Outcome:
        if self.hazard is not None and self.role is not None:
            raise ValueError(f"an outcome with role {self.role!r} has ended the deal and "
                             "carries no hazard; expected a hazard only on an outcome "
                             "without a role")
        return self


#: The largest size of an attribute's value: sums of 24 of them, their squares and their
#: utilities stay far inside floating point, so no path or summary overflows.
MAX_ATTRIBUTE = 1e12  # as a value or a formula's bound (parameter_section)
_AttributeValue = Annotated[float, Field(ge=-MAX_ATTRIBUTE, le=MAX_ATTRIBUTE, allow_inf_nan=False)]


class Attribute(StrictModel):
    """A number carried by paths, built from the values its branches give it."""

    label: Text
    unit: Text = Field(description="Unit shown on axes, e.g. 'people' or 'months'.")
    description: Text = ""
    combine: Literal["sum", "last"] = Field(
        default="sum",
        description="'sum': a path's value is the sum of its branches' values (counts, costs); "
        "'last': the last value a branch on the path sets (a state, e.g. territory held).",
    )
    initial: _AttributeValue = Field(
        default=0, description="The value before any branch adds to it or sets it."
    )


#: Days in each unit a duration may be written in (a month is 365.25 / 12 days).
DURATION_UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}
_Span = Annotated[float, Field(ge=0, le=1e5, allow_inf_nan=False)]


class Duration(_Cited):
    """How long a phase takes when it resolves on this branch.

    ``fixed`` always takes ``mean``; ``exponential`` has sd equal to its mean;
    ``gamma`` and ``lognormal`` take the duration's own mean and sd (not the
    logarithm's).
    """

    distribution: Literal["fixed", "exponential", "gamma", "lognormal"] = Field(
        description="fixed (no spread), exponential (sd = mean), gamma or lognormal (give sd)."
    )
    mean: _Span = Field(description="Mean duration, in unit; only a fixed duration may be 0.")
    sd: _Span | None = Field(
        default=None, description="Standard deviation, in unit: for gamma and lognormal only."
    )
    unit: Literal["days", "weeks", "months"] = Field(
        default="days", description="days, weeks or months (365.25 / 12 days)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Duration:
        spread = self.distribution in ("gamma", "lognormal")
        if spread and not self.sd:
            raise ValueError(f"distribution {self.distribution!r} needs sd > 0 (its standard "
                             f"deviation in {self.unit}); got {self.sd}")
        if not spread and self.sd is not None:
            why = "its sd equals its mean" if self.distribution == "exponential" else (
                "it does not vary")
            raise ValueError(f"distribution {self.distribution!r} takes no sd ({why}); remove sd, "
                             "or use gamma or lognormal")
        if self.distribution != "fixed" and self.mean <= 0:
            raise ValueError(f"mean == {self.mean}: only a fixed duration may be 0, expected "
                             "a positive mean")
        return self

    @property
    def mean_days(self) -> float:
        """The mean, in days."""
        return self.mean * DURATION_UNITS[self.unit]

    @property
    def sd_days(self) -> float:
        """The standard deviation, in days."""
        if self.distribution == "fixed":
            return 0.0
        if self.distribution == "exponential":
            return self.mean_days
        return float(self.sd) * DURATION_UNITS[self.unit]


class Branch(StrictModel):
    """One answer to a phase's question."""

    label: Text | None = Field(default=None, description="Defaults to the id, capitalised.")
    description: Text = ""
    prior: Prior | None = Field(
        default=None,
        description="Default probability. A branch left without one takes the rest.",
    )
    outcome: Id | None = Field(
        default=None, description="If set, taking this branch ends the scenario in this outcome."
    )
    attributes: dict[Id, Amount] = Field(
        default_factory=dict,
        description="Attribute id -> value added to the path (or set, for 'combine: last'); "
        "a number or a formula.",
    )
    duration: Duration | None = Field(
        default=None,
        description="How long the phase takes when it resolves on this branch. Give every "
        "branch of a phase a duration, or none (the phase then takes no time).",
    )
    costs: dict[Id, Amount] = Field(
        default_factory=dict,
        description="Stakeholder id -> cost on that stakeholder's scale, subtracted on every "
        "path that takes the branch (a decision's option or a chance branch).",
    )
    payoffs: dict[Id, Amount] = Field(
        default_factory=dict,
        description="Stakeholder id -> gain on that stakeholder's scale, added on every path "
        "that takes the branch.",
    )


class Rule(StrictModel):
    """Branch probabilities that apply where ``when`` holds, instead of the defaults."""

    id: Id
    when: Condition
    priors: Annotated[dict[Id, Prior], Field(min_length=1)] = Field(
        description="Branch id -> prior; at most one branch may be left out: it takes the rest."
    )


class Phase(StrictModel):
    """One question of the scenario, with named branches."""

    id: Id
    label: Text | None = Field(default=None, description="Defaults to the id, capitalised.")
    question: Text
    description: Text = ""
    applies_when: Condition | None = Field(
        default=None, description="The phase is skipped on paths where this does not hold."
    )
    branches: Annotated[dict[Id, Branch], Field(min_length=2, max_length=16)]
    rules: Annotated[tuple[Rule, ...], Field(max_length=64)] = ()
    decision_maker: Id | None = Field(
        default=None,
        description="Makes the phase a decision: this stakeholder chooses among the branches "
        "(its options), which then take no priors.",
    )
    assumed: Id | None = Field(
        default=None,
        description="On a decision: the option that evaluations without optimisation use "
        "(outcome distributions, sampling, sensitivity); default: the first option.",
    )
    observes: Annotated[tuple[Id, ...], Field(max_length=24)] | None = Field(
        default=None,
        description="On a decision: the earlier chance phases whose results are known when "
        "deciding (default: every earlier phase). Earlier decisions are always known.",
    )
    after: Annotated[tuple[Id, ...], Field(max_length=24)] | None = Field(
        default=None,
        description="The earlier phases this one starts after (it starts when all have "
        "ended); [] starts it on day 0. Default: the phase before it.",
    )

    @model_validator(mode="after")
    def _durations_on_all_or_none(self) -> Phase:
        timed = [b for b, branch in self.branches.items() if branch.duration is not None]
        if timed and len(timed) < len(self.branches):
            untimed = [b for b in self.branches if b not in timed]
            raise ValueError(f"phase {self.id!r}: branches with a duration: {', '.join(timed)}; "
                             f"without: {', '.join(untimed)}; expected a duration on every "
                             "branch of the phase, or on none")
        return self


class OutcomeRule(StrictModel):
    """The outcome of paths that pass every phase without a branch ending them."""

    when: Condition | None = Field(default=None, description="Omit for 'in every other case'.")
    outcome: Id




class Stakeholder(StrictModel):
    """A party whose preferences over the outcomes are modelled."""

    label: Text
    description: Text = ""


class Utilities(StrictModel):
    """One stakeholder's utilities: a value for every outcome, optional attribute weights.

    A path's total is its outcome's value, plus each attribute's weight
    times the path's value of it, plus the payoffs and minus the costs of the
    branches it takes; with a ``risk_tolerance`` R its utility is
    ``R (1 - exp(-total / R))``, else the total itself.
    """

    scale: Text = Field(
        description="What the numbers mean. Convention: '0 = worst outcome for them, "
        "100 = best'; a textbook problem may use money instead."
    )
    unit: Annotated[Printable, StringConstraints(min_length=1, max_length=40)] = Field(
        default="points", description="Shown on chart axes, e.g. 'points' or '$ thousand'."
    )
    outcomes: dict[Id, Amount] = Field(description="Outcome id -> value, for every outcome.")
    attributes: dict[Id, Amount] = Field(
        default_factory=dict, description="Attribute id -> utility per unit of the attribute."
    )
    risk_tolerance: Amount | None = Field(
        default=None,
        description="If set, the stakeholder is risk averse: a path's total x counts as the "
        "exponential utility R (1 - exp(-x / R)), R the risk tolerance (in unit).",
    )
    rationale: Text | None = Field(default=None, description="Why these values.")


#: The decision rules :func:`analysis.rollback` knows.
DECISION_RULES = ("expected_value", "maximin", "maximax", "hurwicz", "minimax_regret",
                  "weighted")


class DecisionRule(StrictModel):
    """How a decision maker compares options: by default, their expected value."""

    name: Literal["expected_value", "maximin", "maximax", "hurwicz", "minimax_regret",
                  "weighted"] = Field(
        default="expected_value",
        description="expected_value; maximin (the best worst case); maximax (the best best "
        "case); hurwicz (alpha times the best case plus 1 - alpha times the worst); "
        "minimax_regret (the smallest largest regret); weighted (the expected value of a "
        "weighted sum of several stakeholders' values: multiple criteria).",
    )
    direction: Literal["maximize", "minimize"] = Field(
        default="maximize", description="minimize for costs: the worst case is then the largest.")
    alpha: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="hurwicz only: the weight of the best case (optimism).")
    weights: dict[Id, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Stakeholder id -> weight: the rule compares the weighted sum of their "
        "values instead of the decision maker's own (multiple criteria); 'weighted' is "
        "expected value with weights.")

    @model_validator(mode="after")
    def _complete(self) -> DecisionRule:
        if self.name == "hurwicz" and self.alpha is None:
            raise ValueError("rule 'hurwicz' needs alpha, the weight of the best case in [0, 1]")
        if self.name != "hurwicz" and self.alpha is not None:
            raise ValueError(f"alpha goes with rule 'hurwicz', not {self.name!r}")
        if self.name == "weighted" and not self.weights:
            raise ValueError("rule 'weighted' needs weights: stakeholder id -> weight")
        return self


FileRef = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class NotebookSettings(StrictModel):
    """What the notebooks and reports use beside the scenario, unless given as parameters.

    Names resolve in the folders beside the scenario file (``evidence/``,
    ``resolutions/``, the scenario's own folder); a path is relative to the file.
    """

    @model_validator(mode="before")
    @classmethod
    def _no_event(cls, data: Any) -> Any:
        if isinstance(data, dict) and "event" in data:
            raise ValueError("notebooks.event is replaced by the outcomes' roles: remove it "
                             "and write 'role: collapse' on the outcome(s) that end the deal")
        return data

    evidence: FileRef | None = Field(
        default=None, description="An evidence log: a name in evidence/ or a path.")
    resolutions: FileRef | None = Field(
        default=None, description="What happened: a name in resolutions/ or a path.")
    signposts: FileRef | None = Field(
        default=None, description="A watchlist of signposts: a name in signposts/ or a path.")
    analysts: Annotated[tuple[FileRef, ...], Field(max_length=16)] = Field(
        default=(), description="Analysts' variants of this scenario to pool and score "
        "(names in analysts/ or paths).")
    compare: Annotated[tuple[FileRef, ...], Field(max_length=16)] = Field(
        default=(), description="Other scenarios to compare with (names beside it or paths).")
    decision_maker: Id | None = Field(
        default=None, description="Whose decisions the decisions notebook optimises "
        "(default: the first decision's).")
    reference_classes: FileRef | None = Field(
        default=None, description="Reference classes weighted into a base rate: a name in "
        "reference_classes/ or a path.")


class ScenarioFile(StrictModel):
    """A dealtree scenario file."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    description: Text = ""
    as_of: dt.date = Field(description="The date the priors reflect (ISO, YYYY-MM-DD).")
    day_zero: dt.date | None = Field(
        default=None, description="The calendar date of day 0, where durations start "
        "(default: as_of).")
    outcomes: Annotated[dict[Id, Outcome], Field(min_length=1, max_length=32)]
    attributes: Annotated[dict[Id, Attribute], Field(max_length=32)] = Field(default_factory=dict)
    phases: Annotated[tuple[Phase, ...], Field(min_length=1, max_length=24)]
    outcome_rules: Annotated[tuple[OutcomeRule, ...], Field(max_length=64)] = ()
    stakeholders: Annotated[dict[Id, Stakeholder], Field(max_length=16)] = Field(
        default_factory=dict, description="Parties whose utilities are modelled; id -> label."
    )
    utilities: Annotated[dict[Id, Utilities], Field(max_length=16)] = Field(
        default_factory=dict, description="Stakeholder id -> that stakeholder's utilities."
    )
    parameters: Annotated[dict[Id, ParameterPrior], Field(max_length=256)] = Field(
        default_factory=dict,
        description="Named parameters that formulas use: id -> a number, a prior, a formula "
        "or a Dirichlet group.",
    )
    decision_rule: DecisionRule | None = Field(
        default=None, description="How decisions compare options (default: expected value).")
    sources: FileRef | None = Field(
        default=None, description="The folder of source digests that 'cite:' names, "
        "relative to this file (default: sources/ beside it, else the project's seeds/).")
    notebooks: NotebookSettings = Field(
        default_factory=NotebookSettings,
        description="Files and choices the notebooks use unless given as parameters.")


class ScenarioVariant(StrictModel):
    """A scenario written as another scenario with some priors replaced."""

    schema_version: Literal[1] = 1
    extends: Annotated[Printable, StringConstraints(min_length=1, max_length=300)] = Field(
        description="The base scenario: a name in scenarios/, or a path relative to this "
        "file that stays in its folder or in scenarios/."
    )
    id: Id
    title: Text
    description: Text = ""
    as_of: dt.date | None = Field(default=None, description="Defaults to the base's date.")
    priors: Annotated[dict[str, Prior], Field(max_length=256)] = Field(
        default_factory=dict,
        description="'phase.branch' or 'phase.rule.branch' -> the prior that replaces the base's."
    )
    notebooks: NotebookSettings | None = Field(
        default=None, description="Replaces the base's notebook settings.")
    parameters: Annotated[dict[Id, ParameterPrior], Field(max_length=256)] = Field(
        default_factory=dict,
        description="Named parameter id -> the value, prior or formula that replaces the base's.",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> ScenarioVariant:
        if not self.priors and not self.parameters:
            raise ValueError("a variant changes something: expected 'priors:' or 'parameters:'")
        return self


def scenario_json_schema() -> str:
    """Return the JSON Schema of scenario files (full or variant), as formatted JSON text."""
    return json_schema_text(ScenarioFile | ScenarioVariant, "dealtree scenario")
