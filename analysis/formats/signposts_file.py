"""Watchlists: signposts written before the evidence arrives, each with likelihoods.

The format is described in ``scenarios/signposts/README.md``; how far each
signpost would move a scenario's outcomes is in
:mod:`analysis.analyses.signposts`. A signpost carries the same likelihoods
as a soft evidence item (:mod:`analysis.analyses.updating`): how many times
likelier it is to be seen on a path taking each branch of its phase. Evidence
items point to the signpost they resolve with ``signpost:``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ..core.errors import Problem, ScenarioError
from ..core.paths import project_folder
from ..core.text import did_you_mean
from .base import ClaimId, Id, LoadedFile, StrictModel, Text, Title, json_schema_text, read_model
from .evidence_file import EvidenceItem, EvidenceLog, check_dated_entries

__all__ = [
    "Signpost",
    "SignpostsFile",
    "Watchlist",
    "load_signposts",
    "signpost_link_problems",
    "signposts_dir",
    "signposts_json_schema",
    "signposts_names",
]

_Ratio = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]


class Signpost(StrictModel):
    """One indicator to watch, and how much likelier it is on each branch of its phase."""

    id: Id
    watch: Title = Field(description="What to watch for, as a short headline.")
    indicator: Text | None = Field(
        default=None, description="How it is measured: the threshold and the source.")
    written: dt.date = Field(description="When the signpost was written (YYYY-MM-DD), before "
                             "the evidence it anticipates.")
    phase: Id = Field(description="The phase it bears on.")
    likelihoods: Annotated[dict[Id, _Ratio], Field(min_length=1)] = Field(
        description="Branch -> how likely the signpost is to be seen on paths taking it, "
        "relative to 1 for branches not listed.")
    otherwise: _Ratio | None = Field(
        default=None, description="Its likelihood on paths that skip the phase or end before "
        "it (default 1).")
    cite: Annotated[tuple[ClaimId, ...], Field(min_length=1)] = Field(
        description="Claim ids, dated no later than written, that the judgement rests on.")
    rationale: Text = Field(description="Which branch it favours and why.")

    def as_evidence(self) -> EvidenceItem:
        """Return the signpost as the soft evidence item it would be if seen."""
        return EvidenceItem(id=self.id, date=self.written, title=self.watch, cite=self.cite,
                            rationale=self.rationale, phase=self.phase,
                            likelihoods=self.likelihoods, otherwise=self.otherwise)


class SignpostsFile(StrictModel):
    """A dealtree watchlist: signposts, in the order they were written."""

    schema_version: Literal[1] = 1
    id: Id
    title: Text
    description: Text = ""
    signposts: Annotated[tuple[Signpost, ...], Field(min_length=1, max_length=1000)]


def signposts_json_schema() -> str:
    """Return the JSON Schema of watchlists, as formatted JSON text."""
    return json_schema_text(SignpostsFile, "dealtree signposts")


class Watchlist(LoadedFile):
    """A validated watchlist: the model, and the document for locating problems."""

    section: ClassVar[str] = "signposts"

    @property
    def signposts(self) -> tuple:
        """The signposts, in file order."""
        return self.model.signposts


def signposts_dir() -> Path:
    """Return the project's ``scenarios/signposts/`` folder."""
    return project_folder("scenarios", "signposts")


def signposts_names() -> list[str]:
    """Return the names of the watchlists in ``scenarios/signposts/``."""
    return sorted(p.stem for p in signposts_dir().glob("*.yaml"))


def load_signposts(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                   ) -> Watchlist:
    """Load and validate a watchlist.

    Parameters
    ----------
    path_or_name : str or Path
        A path, or the name of a file in ``scenarios/signposts/`` (``"gaza_2025"``).
    seeds_dir : str or Path, optional
        Where cited claims live; default: the project's ``seeds/``.

    Raises
    ------
    ScenarioError
        Listing every problem: the format's keys and values, duplicate ids,
        signposts out of date order, unknown claims and claims dated after
        the signpost was written.
    """
    model, doc, path = read_model(path_or_name, SignpostsFile, folder=signposts_dir(),
                                  what="watchlist", keys="with id, title and signposts")
    problems = list(check_dated_entries(model.signposts, doc, seeds_dir, section="signposts",
                                        date_key="written"))
    if problems:
        raise ScenarioError(problems)
    return Watchlist(model, doc, str(path))


def signpost_link_problems(log: EvidenceLog, watchlist: Watchlist) -> Iterable[Problem]:
    """Yield the problems of an evidence log's ``signpost:`` links against a watchlist.

    A link must name a signpost of the watchlist, and the signpost must have
    been written no later than the item (else it is hindsight, not a signpost).
    """
    signposts = {s.id: s for s in watchlist.signposts}
    for i, item in enumerate(log.items):
        if item.signpost is None:
            continue
        signpost = signposts.get(item.signpost)
        if signpost is None:
            yield log.problem(i, "signpost", message=(
                f"unknown signpost {item.signpost!r}{did_you_mean(item.signpost, signposts)} "
                f"in watchlist {watchlist.id!r}; expected one of: {', '.join(signposts)}"))
        elif signpost.written > item.date:
            yield log.problem(i, "signpost", message=(
                f"signpost {item.signpost!r} was written on {signpost.written}, after this "
                f"item ({item.date}); expected a signpost written before the evidence"))
