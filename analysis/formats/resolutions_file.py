"""Resolutions files: what actually happened, as dated and cited answers to questions.

The format is described in ``scenarios/resolutions/README.md``; forecasts and
scores of the questions are in :mod:`analysis.analyses.scoring`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from ..core.errors import ScenarioError
from ..core.paths import project_folder
from .base import ClaimId, Id, LoadedFile, StrictModel, Text, json_schema_text, read_model
from .evidence_file import check_dated_entries

__all__ = [
    "Question",
    "Resolutions",
    "ResolutionsFile",
    "Survival",
    "load_resolutions",
    "resolutions_dir",
    "resolutions_json_schema",
    "resolutions_names",
]


class Survival(StrictModel):
    """A survival question: whether the truce held to ``day`` without reaching ``event``."""

    event: Id | Annotated[list[Id], Field(min_length=1)] = Field(
        description="The outcome(s) that end the truce, e.g. renewed_war.")
    day: Annotated[float, Field(gt=0, le=1e5, allow_inf_nan=False)] = Field(
        description="Days since the file's day_zero.")
    held: bool = Field(description="true: the truce held to that day; false: it had ended.")


class Question(StrictModel):
    """One resolved question: a phase's branch, the outcome, or the truce's survival."""

    id: Id
    question: Text = Field(description="The question, as a reader would ask it.")
    resolved_on: dt.date = Field(description="When the answer became known (YYYY-MM-DD).")
    cite: Annotated[tuple[ClaimId, ...], Field(min_length=1)] = Field(
        description="Claim ids from the sources that show the answer.")
    rationale: Text | None = Field(default=None, description="Why the answer is this.")
    provisional: bool = Field(
        default=False, description="true when the answer may still change (the state as of "
        "resolved_on, not a final result).")
    phase: Id | None = Field(default=None, description="With branch: the phase resolved.")
    branch: Id | None = Field(default=None, description="With phase: the branch it took.")
    outcome: Id | None = Field(default=None, description="The outcome the scenario ended in.")
    survival: Survival | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Question:
        given = [k for k in ("phase", "outcome", "survival") if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError(f"question {self.id!r}: expected exactly one of phase (with "
                             f"branch), outcome or survival; got {found}")
        if (self.phase is None) != (self.branch is None):
            raise ValueError(f"question {self.id!r}: phase and branch go together")
        return self

    @property
    def kind(self) -> str:
        """``'phase'``, ``'outcome'`` or ``'survival'``."""
        return "phase" if self.phase else "outcome" if self.outcome else "survival"


class ResolutionsFile(StrictModel):
    """A dealtree resolutions file: settled questions, in date order."""

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
        """The questions, in date order."""
        return self.model.questions


def resolutions_dir() -> Path:
    """Return the project's ``scenarios/resolutions/`` folder."""
    return project_folder("scenarios", "resolutions")


def resolutions_names() -> list[str]:
    """Return the names of the resolutions files in ``scenarios/resolutions/``."""
    return sorted(p.stem for p in resolutions_dir().glob("*.yaml"))


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
        Listing every problem: the format's keys and values, duplicate ids,
        questions out of date order, unknown claims or claims dated after the
        question's resolution, a survival question without ``day_zero``, or
        one said to have held to a day after it was resolved.
    """
    model, doc, path = read_model(path_or_name, ResolutionsFile, folder=resolutions_dir(),
                                  what="resolutions file", keys="with id, title and questions")
    problems = list(check_dated_entries(model.questions, doc, seeds_dir, section="questions",
                                        date_key="resolved_on"))
    for i, question in enumerate(model.questions):
        if question.survival is None:
            continue
        if model.day_zero is None:
            problems.append(doc.problem(("questions", i, "survival"),
                                        "a survival question needs day_zero (the truce's day "
                                        "0) at the top of the file"))
            continue
        reached = model.day_zero + dt.timedelta(days=question.survival.day)
        if question.survival.held and question.resolved_on < reached:
            problems.append(doc.problem(("questions", i, "resolved_on"), (
                f"resolved on {question.resolved_on}, before day {question.survival.day:g} "
                f"({reached}); expected a date on or after the day the truce is said to "
                "have held to")))
    if problems:
        raise ScenarioError(problems)
    return Resolutions(model, doc, str(path))
