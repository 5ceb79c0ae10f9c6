"""Readers' table and computed text for base rates from several reference classes."""

from __future__ import annotations

import pandas as pd

from .outcomes import md
from .prose import Prose, bullets, percent
from .table import ReaderTable, reader_table

__all__ = ["reference_classes_summary", "reference_classes_table"]


def reference_classes_table(rates: pd.DataFrame) -> ReaderTable:
    """Tabulate each class's counts, weight and base rate, and their combination."""
    level = rates.attrs.get("interval", 0.9)
    shown = rates.assign(range=[f"{percent(lo)} to {percent(hi)}" for lo, hi in
                                zip(rates["lower"], rates["upper"], strict=True)])
    return reader_table(shown, {"label": ("Reference class", "text"),
                                "share_of_weight": ("Weight", "percent"),
                                "cases": ("Cases with a known answer", "integer"),
                                "events": ("Ended within the horizon", "integer"),
                                "left_out": ("Still open, left out", "integer"),
                                "rate": ("Base rate", "percent"),
                                "range": (f"{level:.0%} interval", "text"),
                                "rationale": ("Why this class", "text")},
                        nowrap=(f"{level:.0%} interval",))


def reference_classes_summary(rates: pd.DataFrame, by_class: pd.DataFrame) -> Prose:
    """Say what the weighted base rate is, and how far the choice of class moves it.

    ``rates`` is :func:`analysis.reference_class_rates`, ``by_class``
    :func:`analysis.base_rate_by_class` of the same file.
    """
    horizon = rates.attrs.get("horizon_days")
    level = rates.attrs.get("interval", 0.9)
    within = f"within {horizon:g} days" if horizon else "within the horizon"
    classes = rates[rates["basis"] != "combined"]
    combined = rates[rates["basis"] == "combined"].iloc[0]
    alone = by_class[by_class["kind"] == "alone"]
    low, high = alone.loc[alone["rate"].idxmin()], alone.loc[alone["rate"].idxmax()]
    lines = [f"**Weighted over {len(classes)} reference class"
             f"{'es' if len(classes) != 1 else ''}, {percent(combined['rate'])} of comparable "
             f"cases ended {within}** ({level:.0%} interval {percent(combined['lower'])} to "
             f"{percent(combined['upper'])})."]
    if len(alone) > 1:
        lines.append(f"Taken alone, the classes range from {percent(low['rate'])} "
                     f"({md(low['label'].removesuffix(' alone'))}) to {percent(high['rate'])} "
                     f"({md(high['label'].removesuffix(' alone'))}): the choice of class moves "
                     f"the base rate by {abs(high['rate'] - low['rate']) * 100:.0f} points.")
    equal = by_class[by_class["kind"] == "equal"]
    if len(equal):
        lines.append(f"With equal weights instead of the file's: {percent(equal['rate'].iloc[0])}.")
    without = by_class[by_class["kind"] == "without"]
    if len(without):
        top = without.loc[without["change"].abs().idxmax()]
        lines.append(f"Leaving one class out moves it most when it is "
                     f"{md(top['label'].removeprefix('Without '))}: to {percent(top['rate'])} "
                     f"({top['change'] * 100:+.0f} points).")
    smallest = classes.loc[classes["cases"].idxmin()]
    lines.append(f"The smallest class, {md(smallest['label'])}, has {int(smallest['cases'])} "
                 f"case{'s' if smallest['cases'] != 1 else ''} with a known answer: its rate is "
                 "little more than a guess, which its interval shows.")
    if int(combined["left_out"]):
        lines.append(f"{int(combined['left_out'])} case"
                     f"{'s are' if combined['left_out'] != 1 else ' is'} still open short of "
                     "the horizon and left out of the counts.")
    lines.append("The weights are a judgement; published rates that count recurrence over "
                 "other horizons are only rough guides to this one.")
    return bullets(lines)
