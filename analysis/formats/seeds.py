"""Source digests: the documents a scenario's priors cite, and their claims.

Each YAML file in a sources folder summarises one source document in the
analyst's own words: what it is, when, and the claims it makes, each with a
stable id that priors, evidence items and resolutions cite
(``cite: [ceasefire-facts.truce-2008-06]``). The project's own are in
``seeds/``; a scenario cites another folder with ``sources:`` or a
``sources/`` folder beside it. The format is described in ``seeds/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints

from ..core.errors import Problem, ScenarioError
from ..core.paths import project_folder
from ..core.text import did_you_mean
from .base import ClaimId, Printable, StrictModel, validate_document
from .source import read_yaml

if TYPE_CHECKING:  # pandas takes half a second to import: only the table needs it
    import pandas as pd

__all__ = ["Claim", "SeedDocument", "claim_dates", "claims_table", "default_seeds_dir",
           "known_by", "late_claim", "load_seeds", "unknown_claim"]

DocId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
#: A free tag; ``reference-class`` marks the cases :func:`analysis.reference_truces` reads.
Topic = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)]


class Claim(StrictModel):
    """One claim a source document makes, in the project's words.

    ``date`` is when what it says became known (``YYYY-MM`` or ``YYYY-MM-DD``):
    priors may cite it only if it is no later than the scenario's ``as_of``,
    evidence items and resolutions only if no later than their own date.
    ``note`` holds the analyst's own commentary, kept apart from the claim.
    """

    id: ClaimId
    statement: Printable
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                      description="When what the claim says became known: YYYY, YYYY-MM or "
                                  "YYYY-MM-DD.")
    topics: tuple[Topic, ...] = ()
    sources: tuple[Printable, ...] = ()
    confidence: Literal["weak"] | None = None
    data: dict[str, float | bool | str] = Field(default_factory=dict)
    note: str = ""


class SeedDocument(StrictModel):
    """A source document's digest: what it is, when, and its claims."""

    id: DocId
    title: Printable
    kind: Annotated[Printable, StringConstraints(min_length=1, max_length=60)] = "document"
    source_file: Printable | None = None
    url: Printable | None = None
    published: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    date_context: Printable = ""
    claims: Annotated[tuple[Claim, ...], Field(min_length=1)]


def default_seeds_dir() -> Path:
    """Return the project's ``seeds/`` folder."""
    return project_folder("seeds")


def unknown_claim(claim: str, claims: Iterable[str], folder: str | Path | None) -> str:
    """Return the message for a citation of no claim, naming the sources folder in use.

    ``"unknown claim 'a.b' (did you mean 'a.c'?); expected a claim id from the
    sources in sources/ (analysis.claims_table('sources') lists them)"``; the
    project's folder is named ``seeds/``, another by its path from the working
    folder when it is under it.
    """
    claims = list(claims)
    if folder is None or Path(folder).resolve() == default_seeds_dir().resolve():
        where, listed = "seeds/", "analysis.claims_table()"
    else:
        path = Path(folder).resolve()
        try:
            shown = str(path.relative_to(Path.cwd().resolve()))
        except ValueError:
            shown = str(path)
        where, listed = f"{shown}/", f"analysis.claims_table({shown!r})"
    found = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}" if claims else "no claims"
    return (f"unknown claim {claim!r}{did_you_mean(claim, claims)}; expected a claim id from "
            f"the sources in {where} ({found}; {listed} lists them)")


def claim_dates(folder: str | Path | None = None) -> dict[str, str]:
    """Return each claim's date by claim id, for the sources in ``folder``."""
    return {c.id: c.date for d in load_seeds(folder).values() for c in d.claims}


def _period_start(text: str) -> dt.date:
    """``2026`` -> 2026-01-01; ``2026-06`` -> 2026-06-01; ``2026-06-15`` -> itself."""
    return dt.date.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))


def known_by(claim_date: str, limit: dt.date) -> bool:
    """Return whether a claim dated ``claim_date`` was known on ``limit``.

    A month or year counts from its first day: a claim dated ``2025-10`` may
    be cited on 2025-10-01 or later.
    """
    return _period_start(claim_date) <= limit


def late_claim(claim: str, claim_date: str, limit: dt.date, what: str) -> str:
    """Return the message for a citation of a claim dated after ``limit``.

    ``what`` names the limit: ``"the scenario's as_of"``, ``"this item's date"``.
    """
    return (f"claim {claim!r} is dated {claim_date}, after {what} {limit.isoformat()}; "
            "expected a claim known by then (cite it from evidence or resolutions dated "
            "later, or correct the claim's date)")


def load_seeds(folder: str | Path | None = None) -> dict[str, SeedDocument]:
    """Load and validate every ``*.yaml`` digest in ``folder`` (default: ``seeds/``).

    Raises
    ------
    ScenarioError
        If a file is invalid, its name differs from its id, a claim id does
        not start with its document's id, or a claim id repeats.
    """
    folder = Path(folder) if folder is not None else default_seeds_dir()
    return _load_seeds_cached(folder.resolve())


@cache
def _load_seeds_cached(folder: Path) -> dict[str, SeedDocument]:
    documents: dict[str, SeedDocument] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = read_yaml(path)
        try:
            seed = validate_document(doc, SeedDocument, keys="with id, title and claims")
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if seed.id != path.stem:
            problems.append(doc.problem(("id",), f"id {seed.id!r} differs from the file "
                                                  f"name, expected {path.stem!r}"))
        for index, claim in enumerate(seed.claims):
            loc = ("claims", index, "id")
            if not claim.id.startswith(seed.id + "."):
                problems.append(doc.problem(loc, f"claim id {claim.id!r} expected to start "
                                                 f"with {seed.id + '.'!r}"))
            if claim.id in seen:
                problems.append(doc.problem(loc, f"duplicate claim id {claim.id!r} "
                                                 f"(also in {seen[claim.id]})"))
            seen[claim.id] = path.name
        documents[seed.id] = seed
    if problems:
        raise ScenarioError(problems)
    return documents


def claims_table(folder: str | Path | None = None) -> pd.DataFrame:
    """Return every claim as a row: id, document, date, statement, sources, confidence, note."""
    import pandas as pd

    rows = [
        {
            "claim": claim.id,
            "document": doc.id,
            "date": claim.date,
            "statement": claim.statement,
            "sources": "; ".join(claim.sources),
            "confidence": claim.confidence or "",
            "note": claim.note,
        }
        for doc in load_seeds(folder).values()
        for claim in doc.claims
    ]
    return pd.DataFrame(rows, columns=["claim", "document", "date", "statement", "sources",
                                       "confidence", "note"])
