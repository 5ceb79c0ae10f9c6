"""Evidence logs: dated reports about a scenario's phases, each citing claims.

The format is described in ``scenarios/evidence/README.md``; what an item does
to a scenario is in :mod:`analysis.analyses.updating`. This module reads and
checks a log on its own: keys and values, duplicate ids, date order, unknown
claims and claims dated after the item that cites them
(:func:`check_dated_entries`, shared with resolutions files).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from ..core.errors import Problem, ScenarioError
from ..core.paths import project_folder
from .base import (
    ClaimId,
    Count,
    Id,
    LoadedFile,
    StrictModel,
    Text,
    Title,
    json_schema_text,
    read_model,
)
from .seeds import load_seeds, unknown_claim
from .source import Document

__all__ = [
    "AppliedEvidence",
    "EvidenceFile",
    "EvidenceItem",
    "EvidenceLog",
    "check_dated_entries",
    "evidence_dir",
    "evidence_json_schema",
    "evidence_names",
    "load_evidence",
]

Likelihood = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]
Observed = Annotated[
    dict[Id, Id | Annotated[list[Id], Field(min_length=1)]],
    Field(min_length=1, description="Phase id -> the branch it took (or a list: one of them)."),
]


class EvidenceItem(StrictModel):
    """One dated piece of evidence: an observation, a report's likelihoods, or counts."""

    id: Id
    date: dt.date = Field(description="When the evidence became known (YYYY-MM-DD).")
    title: Title = Field(description="A short headline, shown in tables and charts.")
    cite: Annotated[tuple[ClaimId, ...], Field(min_length=1)] = Field(
        description="Claim ids from the sources that the item rests on.")
    rationale: Text | None = Field(default=None, description="Why these numbers.")
    observed: Observed | None = Field(
        default=None, description="Hard evidence: phase -> the branch it took.")
    phase: Id | None = Field(
        default=None, description="The phase that likelihoods or counts are about.")
    likelihoods: Annotated[dict[Id, Likelihood], Field(min_length=1)] | None = Field(
        default=None, description="Soft evidence: branch -> how likely the report is on paths "
        "taking it, relative to 1 for branches not listed.")
    otherwise: Likelihood | None = Field(
        default=None, description="With likelihoods: the report's likelihood on paths that "
        "skip the phase or end before it (default 1).")
    rule: Id | None = Field(
        default=None, description="With counts: the rule whose probabilities the counts "
        "update (default: the phase's own priors).")
    counts: Annotated[dict[Id, Count], Field(min_length=1)] | None = Field(
        default=None, description="Count evidence: branch -> comparable cases that ended on it.")

    @model_validator(mode="after")
    def _one_kind(self) -> EvidenceItem:
        given = [k for k in ("observed", "likelihoods", "counts") if getattr(self, k) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError(f"item {self.id!r}: expected exactly one of observed, likelihoods "
                             f"or counts; got {found}")
        kind = given[0]
        if kind == "observed" and self.phase is not None:
            raise ValueError(f"item {self.id!r}: an observation names its phases inside "
                             "observed; remove phase")
        if kind != "observed" and self.phase is None:
            raise ValueError(f"item {self.id!r}: {kind} need a phase; add phase")
        if self.otherwise is not None and kind != "likelihoods":
            raise ValueError(f"item {self.id!r}: otherwise goes only with likelihoods")
        if self.rule is not None and kind != "counts":
            raise ValueError(f"item {self.id!r}: rule goes only with counts")
        if kind == "counts" and not any(self.counts.values()):
            raise ValueError(f"item {self.id!r}: every count is 0, expected at least one case")
        return self

    @property
    def kind(self) -> str:
        """``'observation'``, ``'likelihood'`` or ``'counts'``."""
        if self.observed is not None:
            return "observation"
        return "likelihood" if self.likelihoods is not None else "counts"


class EvidenceFile(StrictModel):
    """A dealtree evidence log: dated items, in date order."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    description: Text = ""
    items: Annotated[tuple[EvidenceItem, ...], Field(min_length=1, max_length=10_000)]


def evidence_json_schema() -> str:
    """Return the JSON Schema of evidence logs, as formatted JSON text."""
    return json_schema_text(EvidenceFile, "dealtree evidence log")


class EvidenceLog(LoadedFile):
    """A validated evidence log: the model, and the document for locating problems."""

    section: ClassVar[str] = "items"

    @property
    def items(self) -> tuple:
        """The items, in date order."""
        return self.model.items


def evidence_dir() -> Path:
    """Return the project's ``scenarios/evidence/`` folder."""
    return project_folder("scenarios", "evidence")


def evidence_names() -> list[str]:
    """Return the names of the evidence logs in ``scenarios/evidence/``."""
    return sorted(p.stem for p in evidence_dir().glob("*.yaml"))


def load_evidence(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                  ) -> EvidenceLog:
    """Load and validate an evidence log.

    Parameters
    ----------
    path_or_name : str or Path
        A path to a YAML file, or the name of a log in ``scenarios/evidence/``
        (``"gaza_2025"``).
    seeds_dir : str or Path, optional
        Where cited claims live; default: the project's ``seeds/``.

    Returns
    -------
    EvidenceLog

    Raises
    ------
    ScenarioError
        Listing every problem (file, line, location, message): the format's
        keys and values, duplicate item ids, items out of date order, unknown
        claims, and claims dated after the item that cites them.
    """
    model, doc, path = read_model(path_or_name, EvidenceFile, folder=evidence_dir(),
                                  what="evidence log", keys="with id, title and items")
    problems = list(check_dated_entries(model.items, doc, seeds_dir, section="items",
                                        date_key="date"))
    if problems:
        raise ScenarioError(problems)
    return EvidenceLog(model, doc, str(path))


def _claim_dates(seeds_dir: str | Path | None) -> dict[str, str | None]:
    return {c.id: c.date for d in load_seeds(seeds_dir).values() for c in d.claims}


def _period_start(text: str) -> dt.date:
    """``2026-06`` -> 2026-06-01; ``2026-06-15`` -> itself."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def check_dated_entries(items, doc: Document, seeds_dir, *, section: str, date_key: str
                ) -> Iterable[Problem]:
    """Yield the problems a list of dated, cited entries can have on its own.

    Duplicate ids, entries out of date order, unknown claims and claims dated
    after the entry that cites them. Shared with resolutions files.
    """
    claims = _claim_dates(seeds_dir)
    seen: dict[str, int] = {}
    previous: dt.date | None = None
    for i, item in enumerate(items):
        if item.id in seen:
            yield doc.problem((section, i, "id"),
                              f"duplicate id {item.id!r} (also {section}[{seen[item.id]}])")
        seen.setdefault(item.id, i)
        when = getattr(item, date_key)
        if previous is not None and when < previous:
            yield doc.problem((section, i, date_key),
                              f"date {when} is before the previous entry's {previous}; expected "
                              "entries in date order")
        previous = max(previous, when) if previous else when
        for c, claim in enumerate(item.cite):
            if claim not in claims:
                yield doc.problem((section, i, "cite", c),
                                  unknown_claim(claim, claims, seeds_dir))
            elif claims[claim] and _period_start(claims[claim]) > when:
                yield doc.problem((section, i, "cite", c),
                                  f"claim {claim!r} is dated {claims[claim]}, after this "
                                  f"entry's {when}; expected claims known by then")


@dataclass(frozen=True)
class AppliedEvidence:
    """One item as applied to a posterior: the log it came from and its index there."""

    log: EvidenceLog
    index: int

    @property
    def item(self) -> EvidenceItem:
        """The item."""
        return self.log.items[self.index]
