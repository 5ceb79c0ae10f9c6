"""Risk over time in words: the collapse curve, and how it compares with earlier cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.scenario import Scenario
from .outcomes import md
from .prose import Prose, listing, percent
from .table import ReaderTable, reader_table

__all__ = ["collapse_summary", "collapse_table", "event_label", "hazards_reader_table",
           "reference_gap_summary"]


def collapse_table(collapse: pd.DataFrame, days: list[float],
                   gap: pd.DataFrame | None = None) -> ReaderTable:
    """Return the probability of collapse at a few days, its interval and the earlier cases'.

    The part from open states' hazards is shown when the scenario has any.
    """
    rows = collapse.set_index("day").loc[days].reset_index()
    rows["date"] = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d")
    rows["band"] = [f"{percent(lo)} to {percent(hi)}" for lo, hi in
                    zip(rows["lower"], rows["upper"], strict=True)]
    interval = collapse.attrs.get("interval", 0.9)
    columns = {"day": ("Day", "integer"), "date": ("Date", "text"),
               "probability": ("Collapsed by then", "percent"),
               "band": (f"{interval:.0%} interval", "text")}
    if collapse.attrs.get("hazards"):
        columns["by_hazards"] = ("Of which from open states", "percent")
    if gap is not None and len(gap):
        at = gap.set_index("day")
        known = [d in at.index for d in rows["day"]]
        rows["reference"] = [at.loc[d, "reference"] if k else np.nan
                             for d, k in zip(rows["day"], known, strict=True)]
        rows["reference_band"] = [
            f"{percent(at.loc[d, 'reference_lower'])} to {percent(at.loc[d, 'reference_upper'])}"
            if k else "" for d, k in zip(rows["day"], known, strict=True)]
        columns["reference"] = ("Earlier cases (Kaplan–Meier)", "percent")
        columns["reference_band"] = ("Their band", "text")
    return reader_table(rows, columns, nowrap=tuple(label for label, _ in columns.values()
                                                    if "band" in label or "interval" in label))


def hazards_reader_table(hazards: pd.DataFrame) -> ReaderTable:
    """Return the open outcomes' rates of collapse, piece by piece, with their intervals."""
    rows = hazards.copy()
    rows["when"] = [f"from day {a:,.0f}" + ("" if np.isinf(b) else f" to day {b:,.0f}")
                    for a, b in zip(rows["from_day"], rows["until_day"], strict=True)]
    rows["rate"] = [f"{m:.2f} a {unit[:-1]} ({lo:.2f} to {hi:.2f})" for m, lo, hi, unit in
                    zip(rows["mean"], rows["lower"], rows["upper"], rows["unit"], strict=True)]
    rows["sources"] = [", ".join(c) for c in rows["cite"]]
    interval = hazards.attrs.get("interval", 0.9)
    return reader_table(rows, {"label": ("State", "text"), "when": ("When", "text"),
                               "rate": (f"Rate of collapse (mean, {interval:.0%} interval)",
                                        "text"),
                               "rationale": ("Why", "text"),
                               "sources": ("Sources", "text")})


def event_label(scenario: Scenario, collapse: pd.DataFrame) -> str:
    """Return the event's outcomes in the scenario's words: ``"Renewed war"``."""
    events = collapse.attrs.get("event") or list(scenario.collapse_outcomes)
    return listing((scenario.model.outcomes[e].label if e in scenario.model.outcomes else e
                    for e in events), conjunction="or")


def collapse_summary(collapse: pd.DataFrame, scenario: Scenario, *, days: list[float]) -> Prose:
    """Say how likely collapse is by a few dates, and what never collapses."""
    at = collapse.set_index("day")
    label = event_label(scenario, collapse)
    parts = [f"{percent(at.loc[d, 'probability'])} by day {d:,.0f} "
             f"({pd.Timestamp(at.loc[d, 'date']):%Y-%m-%d}; interval "
             f"{percent(at.loc[d, 'lower'])} to {percent(at.loc[d, 'upper'])})"
             for d in days if d in at.index]
    lines = [f"**{md(label)}**: the model gives " + listing(parts) + "."]
    hazards = collapse.attrs.get("hazards") or []
    if hazards:
        names = listing(md(scenario.model.outcomes[h].label) for h in hazards)
        lines.append(f"Paths ending in {names} may still collapse later, at the rate their "
                     f"hazard gives: {percent(at['by_hazards'].iloc[-1])} of the paths have "
                     f"done so by day {at.index[-1]:,.0f}.")
    never = collapse.attrs.get("never")
    if never is not None:
        lines.append(f"The deal never collapses with probability {percent(never)} (the "
                     "outcomes that complete it, and open ones without a hazard): the curve "
                     f"cannot rise above {percent(1 - never)}.")
    return Prose("\n".join(f"- {line}" for line in lines))


def _runs(days: np.ndarray, flags: np.ndarray) -> list[tuple[float, float]]:
    """Return the first and last day of each run of consecutive flagged days."""
    runs, start = [], None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(flags) - 1):
            end = i if flag else i - 1
            runs.append((days[start], days[end]))
            start = None
    return runs


def _points(p: float) -> str:
    return f"{100 * abs(p):.0f} points"


def reference_gap_summary(gap: pd.DataFrame, collapse: pd.DataFrame,
                          scenario: Scenario) -> Prose:
    """Say where the model's collapse curve lies against the earlier cases' band, and why.

    Parameters
    ----------
    gap : DataFrame
        :func:`analysis.reference_gap` output.
    collapse : DataFrame
        :func:`analysis.collapse_by_date` output (for the routes to collapse).
    scenario : Scenario
        For the event's name in its own words.
    """
    if not len(gap):
        return Prose("- No day of the model's curve falls within the earlier cases' record.")
    days, values = gap["day"].to_numpy(), gap["gap"].to_numpy()
    cases, events = gap.attrs.get("cases"), gap.attrs.get("events")
    level = gap.attrs.get("reference_interval") or 0.95
    last = gap.iloc[-1]
    lines = [f"**Earlier cases**: {cases} cases, {events} of which ended; their Kaplan–Meier "
             f"estimate has {percent(last['reference'])} ended by day {last['day']:,.0f} "
             f"({level:.0%} band {percent(last['reference_lower'])} to "
             f"{percent(last['reference_upper'])}); the model gives "
             f"{md(event_label(scenario, collapse).lower())} by then "
             f"{percent(last['model'])}."]
    outside = values != 0
    if not outside.any():
        focus = gap.iloc[int(np.argmax(np.abs(gap["model"] - gap["reference"])))]
        difference = focus["model"] - focus["reference"]
        lines.append(f"The model's curve stays inside the earlier cases' band on every day "
                     f"compared (days {days[0]:,.0f} to {days[-1]:,.0f}); it is furthest from "
                     f"their estimate on day {focus['day']:,.0f}, {_points(difference)} "
                     f"{'above' if difference > 0 else 'below'} it.")
    else:
        parts = []
        for side, flags in (("below", values < 0), ("above", values > 0)):
            for first, end in _runs(days, flags):
                span = gap[(gap["day"] >= first) & (gap["day"] <= end)]
                worst = span.loc[span["gap"].abs().idxmax()]
                parts.append(f"{side} it from day {first:,.0f} to day {end:,.0f} (by up to "
                             f"{_points(worst['gap'])}, on day {worst['day']:,.0f}: the model "
                             f"{percent(worst['model'])}, the band "
                             f"{percent(worst['reference_lower'])} to "
                             f"{percent(worst['reference_upper'])})")
        lines.append(f"The model's curve lies outside the earlier cases' band on "
                     f"{percent(outside.mean())} of the days compared: " + listing(parts) + ".")
        focus = gap.loc[gap["gap"].abs().idxmax()]
        difference = focus["gap"]
    route = collapse.set_index("day").loc[focus["day"]]
    lines.append(
        f"**Where the difference comes from, on day {focus['day']:,.0f}**: of the model's "
        f"{percent(route['probability'])}, {percent(route['by_branches'])} comes from branches "
        f"that end the deal as the phases resolve and {percent(route['by_hazards'])} from the "
        "hazards of states that have not ended (their rates of collapse); the earlier cases "
        "count every ending alike. The model's phases "
        f"{'end the deal sooner' if difference > 0 else 'end the deal later or less often'} "
        "than the earlier truces ended by that day.")
    overlap = gap["overlap"].to_numpy()
    lines.append(f"The model's own interval meets the band on {percent(overlap.mean())} of "
                 f"the days: with {cases} earlier cases the band is wide, and a gap inside "
                 "both intervals is not evidence that either is wrong.")
    return Prose("\n".join(f"- {line}" for line in lines))
