"""Resolutions files: forecast questions with resolution criteria, and their answers.

The format is described in ``scenarios/resolutions/README.md``; forecasts and
scores of the questions are in :mod:`analysis.analyses.scoring`. Like the
questions of forecasting platforms (Metaculus, Good Judgment Open), each states
what counts (``criteria``), who or what settles it (``resolver``), when it
opens and its deadline; its ``answer`` is absent while it is open.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from ..core.errors import ScenarioError
from ..core.paths import project_folder
from .base import (
    ClaimId,
    Id,
    LoadedFile,
    Probability,
    StrictModel,
    Text,
    json_schema_text,
    read_model,
)
from .evidence_file import check_dated_entries
from .seeds import load_seeds

__all__ = [
    "Answer",
    "BaseRate",
    "Question",
    "Resolutions",
    "ResolutionsFile",
    "Survival",
    "load_resolutions",
    "resolutions_dir",
    "resolutions_json_schema",
    "resolutions_names",
]

Day = Annotated[float, Field(gt=0, le=1e5, allow_inf_nan=False)]


class Survival(StrictModel):
    """A survival target: whether the deal lasts to ``day`` without collapsing."""

    event: Id | Annotated[list[Id], Field(min_length=1)] | None = Field(
        default=None, description="The outcome(s) that end the deal; default: the "
        "scenario's collapse outcomes (role: collapse), with its hazards.")
    day: Day | None = Field(
        default=None, description="Days since the file's day_zero (default: the deadline's).")

    @property
    def events(self) -> list[str]:
        """The event outcome(s) named here, as a list (empty: the scenario's collapse)."""
        if self.event is None:
            return []
        return [self.event] if isinstance(self.event, str) else list(self.event)


class Answer(StrictModel):
    """How a question resolved: the value, when, and the claims that show it."""

    value: Id = Field(description="A branch (phase questions), an outcome (outcome: all), "
                      "yes or no (outcome: [list]), held or ended (survival).")
    resolved_on: dt.date = Field(description="When the answer became known (YYYY-MM-DD).")
    cite: Annotated[tuple[ClaimId, ...], Field(min_length=1)] = Field(
        description="Claim ids from the sources that show the answer.")
    rationale: Text | None = Field(default=None, description="Why the answer is this.")
    provisional: bool = Field(
        default=False, description="true when the answer may still change (the state as of "
        "resolved_on, not a final result); provisional answers are scored apart.")


class BaseRate(StrictModel):
    """The naive base-rate forecast of a question: stated, or counted from reference cases."""

    value: Id = Field(description="The answer the rate is for (e.g. held).")
    probability: Probability | None = Field(
        default=None, description="The stated rate; the other answers share the rest equally.")
    cases: Annotated[tuple[ClaimId, ...], Field(min_length=1)] | None = Field(
        default=None, description="Reference-class claims whose data give days (and "
        "ended_in_war): the rate is the share (Kaplan-Meier) lasting beyond day.")
    day: Day | None = Field(
        default=None, description="With cases: the day counted to (default: the survival "
        "target's day).")
    cite: tuple[ClaimId, ...] = Field(default=(), description="Claims behind a stated rate.")
    rationale: Text | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BaseRate:
        if (self.probability is None) == (self.cases is None):
            raise ValueError("base_rate: expected exactly one of probability (a stated rate) "
                             "or cases (reference-class claims)")
        if self.probability is not None and not self.cite:
            raise ValueError("base_rate: a stated probability needs cite (the claims it "
                             "rests on)")
        if self.day is not None and self.cases is None:
            raise ValueError("base_rate: day goes only with cases")
        return self


class Question(StrictModel):
    """One forecast question: its target, resolution criteria, dates and (once known) answer.

    The target is exactly one of ``phase`` (which branch the phase takes),
    ``outcome`` (``all``: which outcome the scenario ends in; a list: whether
    it ends in one of them) or ``survival`` (whether the truce lasts to a day).
    """

    id: Id
    question: Text = Field(description="The question, as a reader would ask it.")
    criteria: Text = Field(description="What counts: how each answer is told apart, in "
                           "observable terms (deaths, declared operations, dates).")
    resolver: Text = Field(description="Who or what source settles the question.")
    opens: dt.date = Field(description="When forecasting opens (YYYY-MM-DD).")
    deadline: dt.date = Field(description="The date the question is about (it resolves as "
                              "things stand then).")
    phase: Id | None = Field(default=None, description="Target: which branch this phase takes.")
    outcome: Literal["all"] | Annotated[list[Id], Field(min_length=1)] | None = Field(
        default=None, description="Target: 'all' (which outcome) or a list (yes if the "
        "scenario ends in one of them).")
    survival: Survival | None = Field(
        default=None, description="Target: whether the truce lasts to a day.")
    status_quo: Id | None = Field(
        default=None, description="The answer if things stay as they are at opening (the "
        "persistence forecast); default held for survival questions.")
    base_rate: BaseRate | None = None
    answer: Answer | None = Field(default=None, description="Absent while the question is open.")

    @model_validator(mode="after")
    def _check(self) -> Question:
        given = [k for k in ("phase", "outcome", "survival") if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError(f"question {self.id!r}: expected exactly one target, phase, "
                             f"outcome or survival; got {found}")
        fixed = self.fixed_values
        for key, value in (("status_quo", self.status_quo),
                           ("base_rate.value", self.base_rate and self.base_rate.value),
                           ("answer.value", self.answer and self.answer.value)):
            if fixed and value is not None and value not in fixed:
                raise ValueError(f"question {self.id!r}: {key} {value!r}, expected one of: "
                                 f"{', '.join(fixed)}")
        return self

    @property
    def kind(self) -> str:
        """``'phase'``, ``'outcome'``, ``'outcomes'`` (a yes/no list) or ``'survival'``."""
        if self.phase:
            return "phase"
        if self.outcome is not None:
            return "outcome" if self.outcome == "all" else "outcomes"
        return "survival"

    @property
    def fixed_values(self) -> tuple[str, ...]:
        """The possible answers when they do not depend on the scenario."""
        return {"outcomes": ("yes", "no"), "survival": ("held", "ended")}.get(self.kind, ())

    @property
    def is_open(self) -> bool:
        """True while there is no answer."""
        return self.answer is None

    @property
    def persistence(self) -> str | None:
        """The status-quo answer: ``status_quo``, else ``held`` for survival questions."""
        return self.status_quo or ("held" if self.kind == "survival" else None)


class ResolutionsFile(StrictModel):
    """A dealtree resolutions file: forecast questions and, once settled, their answers."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    description: Text = ""
    day_zero: dt.date | None = Field(
        default=None, description="Day 0 of survival questions (the truce's first day).")
    questions: Annotated[tuple[Question, ...], Field(min_length=1, max_length=10_000)]


def resolutions_json_schema() -> str:
    """Return the JSON Schema of resolutions files, as formatted JSON text."""
    return json_schema_text(ResolutionsFile, "dealtree resolutions")


class Resolutions(LoadedFile):
    """A validated resolutions file: the model, and the document for locating problems."""

    section: ClassVar[str] = "questions"

    @property
    def questions(self) -> tuple:
        """The questions, in file order."""
        return self.model.questions

    @property
    def day_zero(self) -> dt.date | None:
        """Day 0 of survival questions."""
        return self.model.day_zero

    def survival_day(self, question: Question) -> float:
        """Return the day a survival question counts to."""
        if question.survival.day is not None:
            return question.survival.day
        return float((question.deadline - self.model.day_zero).days)


def resolutions_dir() -> Path:
    """Return the project's ``scenarios/resolutions/`` folder."""
    return project_folder("scenarios", "resolutions")


def resolutions_names() -> list[str]:
    """Return the names of the resolutions files in ``scenarios/resolutions/``."""
    return sorted(p.stem for p in resolutions_dir().glob("*.yaml"))


class _AnswerDocument:
    """Relocates problems of the answers' list into ``questions[i].answer``."""

    def __init__(self, document, rows: list[int]):
        self.document, self.rows = document, rows

    def problem(self, path, message):
        _, j, *rest = path
        return self.document.problem(("questions", self.rows[j], "answer", *rest), message)


def load_resolutions(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                     ) -> Resolutions:
    """Load and validate a resolutions file.

    Parameters
    ----------
    path_or_name : str or Path
        A path, or the name of a file in ``scenarios/resolutions/`` (``"gaza_2025"``).
    seeds_dir : str or Path, optional
        Where cited claims live; default: the project's ``seeds/``.

    Raises
    ------
    ScenarioError
        Listing every problem: the format's keys and values (a question
        without exactly one target, a deadline before it opens, an answer
        that is not one of the possible values or resolved before it opens),
        duplicate ids, unknown claims or claims dated after the answer, base
        rates whose cases carry no ``days``, a survival question without
        ``day_zero``, one said to have held to a day after it was resolved.
    """
    model, doc, path = read_model(path_or_name, ResolutionsFile, folder=resolutions_dir(),
                                  what="resolutions file", keys="with id, title and questions")
    problems = []
    seen: dict[str, int] = {}
    for i, question in enumerate(model.questions):
        if question.deadline < question.opens:
            problems.append(doc.problem(("questions", i, "deadline"), (
                f"deadline {question.deadline} is before the question opens "
                f"({question.opens}); expected a later deadline")))
        if question.answer is not None and question.answer.resolved_on < question.opens:
            problems.append(doc.problem(("questions", i, "answer", "resolved_on"), (
                f"resolved on {question.answer.resolved_on}, before the question opens "
                f"({question.opens}); expected a later date")))
        if question.id in seen:
            problems.append(doc.problem(("questions", i, "id"), (
                f"duplicate id {question.id!r} (also questions[{seen[question.id]}])")))
        seen.setdefault(question.id, i)
    answered = sorted((q.answer.resolved_on, i) for i, q in enumerate(model.questions)
                      if q.answer is not None)
    entries = [SimpleNamespace(id=str(i), cite=model.questions[i].answer.cite, resolved_on=d)
               for d, i in answered]
    problems += check_dated_entries(entries, _AnswerDocument(doc, [i for _, i in answered]),
                                    seeds_dir, section="answers", date_key="resolved_on")
    rated = [(i, q) for i, q in enumerate(model.questions) if q.base_rate is not None]
    entries = [SimpleNamespace(id=str(i), cite=(*q.base_rate.cite, *(q.base_rate.cases or ())),
                               opens=q.opens) for i, q in rated]
    rates = _BaseRateDocument(doc, [i for i, _ in rated],
                              [len(q.base_rate.cite) for _, q in rated])
    problems += [p for p in check_dated_entries(entries, rates, seeds_dir, section="rates",
                                                date_key="opens")
                 if "before the previous entry" not in p.message]
    problems += _case_problems(model, doc, seeds_dir)
    for i, question in enumerate(model.questions):
        if question.survival is None:
            continue
        if model.day_zero is None:
            problems.append(doc.problem(("questions", i, "survival"),
                                        "a survival question needs day_zero (the truce's day "
                                        "0) at the top of the file"))
            continue
        day = question.survival.day or (question.deadline - model.day_zero).days
        if day <= 0:
            problems.append(doc.problem(("questions", i, "deadline"), (
                f"deadline {question.deadline} is not after day_zero {model.day_zero}; "
                "expected a later deadline or survival.day")))
            continue
        answer = question.answer
        reached = model.day_zero + dt.timedelta(days=day)
        if answer is not None and answer.value == "held" and answer.resolved_on < reached:
            problems.append(doc.problem(("questions", i, "answer", "resolved_on"), (
                f"resolved on {answer.resolved_on}, before day {day:g} ({reached}); expected "
                "a date on or after the day the truce is said to have held to")))
    if problems:
        raise ScenarioError(problems)
    return Resolutions(model, doc, str(path))


class _BaseRateDocument(_AnswerDocument):
    """Relocates problems of the base rates' claims (cite, then cases)."""

    def __init__(self, document, rows: list[int], n_cite: list[int]):
        super().__init__(document, rows)
        self.n_cite = n_cite

    def problem(self, path, message):
        _, j, *rest = path
        if rest[:1] == ["cite"] and rest[1] >= self.n_cite[j]:
            rest = ["cases", rest[1] - self.n_cite[j]]
        return self.document.problem(("questions", self.rows[j], "base_rate", *rest), message)


def _case_problems(model: ResolutionsFile, doc, seeds_dir) -> list:
    claims = {c.id: c for d in load_seeds(seeds_dir).values() for c in d.claims}
    problems = []
    for i, q in enumerate(model.questions):
        rate = q.base_rate
        if rate is None or rate.cases is None:
            continue
        if rate.day is None and q.survival is None:
            problems.append(doc.problem(("questions", i, "base_rate"), (
                "cases need day (the day counted to) unless the question is a survival one")))
        for c, claim in enumerate(rate.cases):
            data = claims[claim].data if claim in claims else None
            if data is not None and not isinstance(data.get("days"), int | float):
                problems.append(doc.problem(("questions", i, "base_rate", "cases", c), (
                    f"claim {claim!r} has no numeric data.days; expected a reference case "
                    "with its length in days")))
    return problems
