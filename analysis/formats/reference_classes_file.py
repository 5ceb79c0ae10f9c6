"""Reference-class files: several classes of earlier cases, weighted into one base rate.

A base rate depends on which earlier cases count as comparable. A
reference-class file names the question (did the case end within so many
days?), and several classes, each with a weight::

    id: gaza_truces
    title: How often do truces like this one end in war within a year?
    horizon_days: 365
    classes:
      - id: all_truces
        label: All Israel-Gaza truces since 2008
        weight: 2
        cases: [ceasefire-facts.truce-2008-06, ...]   # reference-class claims
        rationale: The widest local class.
      - id: phased_exchanges
        label: Phased exchange truces
        weight: 2
        where: {phased_exchange: true}    # reference-class claims whose data match
      - id: recurrence_studies
        label: Conflict recurrence (UCDP)
        weight: 1
        published: {events: 159, cases: 259}   # a published rate, with its counts
        cite: [ceasefire-facts.study-gates-2016]
        rationale: Any recurrence over the study's follow-up: an upper reference.

Each class takes earlier cases from the sources' claims tagged
``reference-class`` (with ``days`` and ``ended``/``ended_in_war``), by id
(``cases``) or by matching data (``where``), or a published count
(``published``). Weights need not sum to 1. Checked when the file loads:
every cited claim exists and was known by ``as_of`` when one is given.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from ..core.errors import ScenarioError
from ..core.paths import project_folder
from .base import ClaimId, Id, StrictModel, Text, json_schema_text, read_model
from .seeds import claim_dates, known_by, late_claim, load_seeds, unknown_claim

__all__ = ["PublishedRate", "ReferenceClass", "ReferenceClassesFile", "load_reference_classes",
           "reference_classes_dir", "reference_classes_json_schema"]


class PublishedRate(StrictModel):
    """A published base rate as counts: ``events`` of ``cases`` ended."""

    events: Annotated[int, Field(ge=0)]
    cases: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _at_most_cases(self) -> PublishedRate:
        if self.events > self.cases:
            raise ValueError(f"events == {self.events} is above cases == {self.cases}, "
                             "expected events <= cases")
        return self


class ReferenceClass(StrictModel):
    """One class of comparable cases and the weight the analyst gives it."""

    id: Id
    label: Text
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="Relative weight in the combined base rate (any positive number).")
    cases: tuple[ClaimId, ...] = Field(
        default=(), description="Reference-class claims that are the class's cases.")
    where: dict[str, float | bool | str] = Field(
        default_factory=dict,
        description="Take every reference-class claim whose data has these values.")
    published: PublishedRate | None = Field(
        default=None, description="A published rate as counts, instead of cases.")
    cite: tuple[ClaimId, ...] = ()
    rationale: Text = ""

    @model_validator(mode="after")
    def _one_source(self) -> ReferenceClass:
        given = [k for k in ("cases", "where", "published") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"class {self.id!r} gives {', '.join(given) or 'none'}; "
                             "expected exactly one of cases, where or published")
        return self


class ReferenceClassesFile(StrictModel):
    """A reference-class file (see the module docstring)."""

    schema_version: Annotated[int, Field(ge=1, le=1)] = 1
    id: Id
    title: Text
    description: Text = ""
    as_of: dt.date | None = Field(
        default=None, description="If given, every cited claim must be dated by then.")
    horizon_days: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="The question: did a case end within this many days?")
    classes: Annotated[tuple[ReferenceClass, ...], Field(min_length=1, max_length=64)]


def reference_classes_json_schema() -> str:
    """Return the JSON Schema of reference-class files, as formatted JSON text."""
    return json_schema_text(ReferenceClassesFile, "dealtree reference classes")


def reference_classes_dir() -> Path:
    """Return the folder where named reference-class files live."""
    return project_folder("scenarios") / "reference_classes"


def load_reference_classes(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                           ) -> ReferenceClassesFile:
    """Load and validate a reference-class file (a path, or a name in that folder).

    Raises
    ------
    ScenarioError
        Listing every problem with file, line and place: the format, duplicate
        class ids, unknown claims, claims dated after ``as_of``.
    """
    model, doc, _ = read_model(path_or_name, ReferenceClassesFile,
                               folder=reference_classes_dir(), what="reference-class file",
                               keys="with id, title, horizon_days and classes")
    dates = claim_dates(seeds_dir)
    cases = {c.id for d in load_seeds(seeds_dir).values() for c in d.claims
             if "reference-class" in c.topics and "days" in c.data
             and isinstance(c.data.get("ended", c.data.get("ended_in_war")), bool)}
    problems = []
    seen: set[str] = set()
    for i, klass in enumerate(model.classes):
        if klass.id in seen:
            problems.append(doc.problem(("classes", i, "id"),
                                        f"duplicate class id {klass.id!r}"))
        seen.add(klass.id)
        for key in ("cases", "cite"):
            for c, claim in enumerate(getattr(klass, key)):
                where = ("classes", i, key, c)
                if claim not in dates:
                    problems.append(doc.problem(where, unknown_claim(claim, dates, seeds_dir)))
                elif model.as_of is not None and not known_by(dates[claim], model.as_of):
                    problems.append(doc.problem(where, late_claim(
                        claim, dates[claim], model.as_of, "the file's as_of")))
                elif key == "cases" and claim not in cases:
                    problems.append(doc.problem(where, (
                        f"claim {claim!r} is not an earlier case; expected a claim tagged "
                        "reference-class whose data has days and ended (or ended_in_war)")))
    if problems:
        raise ScenarioError(problems)
    return model
