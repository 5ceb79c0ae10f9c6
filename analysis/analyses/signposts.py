"""Signposts: how far each indicator on a watchlist would move the outcomes if seen.

A **watchlist** (``scenarios/signposts/NAME.yaml``; the format is described in
``scenarios/signposts/README.md`` and read by
:mod:`analysis.formats.signposts_file`) lists indicators written before the
evidence arrives, each with likelihoods for the branches of one phase, with
the semantics of a soft evidence item (:mod:`analysis.analyses.updating`).
Seeing signpost ``s`` multiplies each path's probability by its likelihood
``L_s(path)``; the outcome probabilities after it are exact:

    ``P(outcome | s) = sum over paths ending in it of P(path) L_s(path) / sum P L_s``

from the scenario's current probabilities (its posterior, if it has been
updated). :func:`watch_table` ranks the signposts by the largest change they
would make to any outcome: a mediator's early-warning list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import Problem, ScenarioError
from ..core.text import did_you_mean
from ..formats.evidence_file import EvidenceLog
from ..formats.signposts_file import Watchlist, load_signposts, signpost_link_problems
from ..model.scenario import Scenario
from .updating import evidence_likelihood, update_scenario

__all__ = ["signposts_table", "watch_table"]


def _watchlist(signposts) -> Watchlist:
    if isinstance(signposts, Watchlist):
        return signposts
    if isinstance(signposts, str | Path):
        return load_signposts(signposts)
    raise TypeError(f"signposts: got {type(signposts).__name__}, expected a Watchlist (see "
                    "analysis.load_signposts), a path or a watchlist's name")


def _problems(scenario: Scenario, watchlist: Watchlist) -> Iterable[Problem]:
    phases = list(scenario.phases)
    for i, signpost in enumerate(watchlist.signposts):
        if signpost.phase not in phases:
            yield watchlist.problem(i, "phase", message=(
                f"unknown phase {signpost.phase!r}{did_you_mean(signpost.phase, phases)} in "
                f"scenario {scenario.id!r}; expected one of: {', '.join(phases)}"))
            continue
        known = list(scenario.model.phases[phases.index(signpost.phase)].branches)
        for branch in signpost.likelihoods:
            if branch not in known:
                yield watchlist.problem(i, "likelihoods", branch, message=(
                    f"phase {signpost.phase!r} has no branch {branch!r}"
                    f"{did_you_mean(branch, known)}; expected one of: {', '.join(known)}"))


def _favours(signpost) -> str:
    ratios = dict(signpost.likelihoods)
    top = max(ratios.values())
    return ", ".join(b for b, v in ratios.items() if v == top) if top > 1 else ""


def signposts_table(signposts: Watchlist | str | Path) -> pd.DataFrame:
    """Return one row per signpost of a watchlist, in file order.

    Columns: ``signpost``, ``watch``, ``indicator``, ``written``, ``phase``,
    ``likelihoods`` (in words), ``favours`` (the branches with the largest
    ratio, if above 1), ``cite``, ``rationale``.
    """
    watchlist = _watchlist(signposts)
    rows = [{"signpost": s.id, "watch": s.watch, "indicator": s.indicator or "",
             "written": s.written, "phase": s.phase,
             "likelihoods": ", ".join(f"{b} ×{v:g}" for b, v in s.likelihoods.items())
             + ", other branches ×1"
             + (f", phase not reached ×{s.otherwise:g}" if s.otherwise is not None else ""),
             "favours": _favours(s), "cite": ", ".join(s.cite), "rationale": s.rationale}
            for s in watchlist.signposts]
    frame = pd.DataFrame(rows, columns=["signpost", "watch", "indicator", "written", "phase",
                                        "likelihoods", "favours", "cite", "rationale"])
    frame.attrs = {"signposts": watchlist.id}
    return frame


def watch_table(scenario: Scenario, signposts: Watchlist | str | Path, *,
                evidence: EvidenceLog | str | Path | None = None) -> pd.DataFrame:
    """Return how far each signpost would move each outcome's probability if seen.

    Parameters
    ----------
    scenario : Scenario
        The current probabilities (a prior, or a scenario already updated).
    signposts : Watchlist, str or Path
        A watchlist, or its path or name (see :func:`analysis.load_signposts`).
    evidence : EvidenceLog, str or Path, optional
        Apply this log first (the probabilities as of its last item), and
        mark the signposts its items resolve (``signpost:`` links).

    Returns
    -------
    DataFrame
        One row per signpost and outcome, signposts ranked by the largest
        change they make to any outcome: ``rank``, ``signpost``, ``watch``,
        ``phase``, ``favours``, ``written``, ``outcome``, ``label``,
        ``colour``, ``before``, ``after``, ``change`` (``after - before``),
        ``largest`` (the signpost's largest absolute change), ``seen_in``
        (the evidence items that resolved it, comma-separated; empty if
        none). ``attrs``: the scenario's metadata, ``signposts``,
        ``evidence``.

    Raises
    ------
    ScenarioError
        A signpost naming a phase or branch the scenario lacks; an evidence
        link to an unknown signpost or to one written after the item.
    """
    watchlist = _watchlist(signposts)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    seen: dict[str, list[str]] = {}
    log_id = ""
    if evidence is not None:
        scenario = update_scenario(scenario, evidence)
        logs = list(dict.fromkeys(a.log for a in scenario.evidence.applied))
        problems = [p for log in logs for p in signpost_link_problems(log, watchlist)]
        if problems:
            raise ScenarioError(problems)
        for entry in scenario.evidence.applied:
            if entry.item.signpost:
                seen.setdefault(entry.item.signpost, []).append(entry.item.id)
        log_id = ", ".join(log.id for log in logs)
    problems = list(_problems(scenario, watchlist))
    if problems:
        raise ScenarioError(problems)
    tree, model = scenario.tree, scenario.model
    outcomes = list(model.outcomes)
    paths = tree.path_probabilities()
    before = np.bincount(tree.outcome_index, weights=paths, minlength=len(outcomes))
    blocks = []
    for signpost in watchlist.signposts:
        weighted = paths * evidence_likelihood(scenario, signpost.as_evidence())
        after = np.bincount(tree.outcome_index, weights=weighted / weighted.sum(),
                            minlength=len(outcomes))
        change = after - before
        change[np.abs(change) < 1e-12] = 0.0  # rounding noise where the signpost is moot
        blocks.append((float(np.abs(change).max()), signpost, after, change))
    blocks.sort(key=lambda block: -block[0])  # stable: file order among equals
    rows = []
    for rank, (largest, signpost, after, change) in enumerate(blocks, start=1):
        for o, outcome_id in enumerate(outcomes):
            outcome = model.outcomes[outcome_id]
            rows.append({"rank": rank, "signpost": signpost.id, "watch": signpost.watch,
                         "phase": signpost.phase, "favours": _favours(signpost),
                         "written": signpost.written, "outcome": outcome_id,
                         "label": outcome.label, "colour": outcome.colour,
                         "before": float(before[o]), "after": float(after[o]),
                         "change": float(change[o]), "largest": largest,
                         "seen_in": ", ".join(seen.get(signpost.id, []))})
    frame = pd.DataFrame(rows, columns=["rank", "signpost", "watch", "phase", "favours",
                                        "written", "outcome", "label", "colour", "before",
                                        "after", "change", "largest", "seen_in"])
    frame.attrs = {**scenario.metadata(), "signposts": watchlist.id, "evidence": log_id}
    return frame
