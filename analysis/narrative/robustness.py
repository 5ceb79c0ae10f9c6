"""Readers' tables and computed text for a sweep's robustness and scenario discovery."""

from __future__ import annotations

import pandas as pd

from .outcomes import md
from .prose import Prose, listing, percent
from .table import ReaderTable, reader_table

__all__ = [
    "analyst_picks_table",
    "discovered_box_table",
    "discovery_summary",
    "ranges_table",
    "robustness_reader_table",
    "robustness_summary",
]


def _state(label: object) -> str:
    """Return the last step of an information state: what the decision maker just saw."""
    return str(label).split(" → ")[-1]


def _percentile_header(level: float) -> str:
    value = 100 * level
    return f"{value:.0f}th-percentile regret" if value == round(value) else f"{value:g}% regret"


def ranges_table(parameters: pd.DataFrame) -> ReaderTable:
    """Tabulate each swept parameter's plausible range and where its prior is centred."""
    return reader_table(parameters, {"label": ("Parameter", "text"),
                                     "meaning": ("What varies", "text"),
                                     "low": ("Low", "decimal3"),
                                     "centre": ("Prior mean", "decimal3"),
                                     "high": ("High", "decimal3"),
                                     "source": ("Range from", "text")})


def robustness_reader_table(table: pd.DataFrame, *, satisficing: float | None) -> ReaderTable:
    """Tabulate each option in each situation: values, regrets, how often best or enough."""
    shown = table.assign(state=table["information_label"].map(_state),
                         option=[("★ " if m else "") + str(o) for o, m in
                                 zip(table["option_label"], table["minimax_regret"],
                                     strict=True)])
    columns = {"state": ("Situation", "text"), "option": ("Option", "text"),
               "mean_value": ("Mean value", "decimal1"),
               "worst_value": ("Worst value", "decimal1"),
               "max_regret": ("Largest regret", "decimal1"),
               "percentile_regret": (_percentile_header(table.attrs.get("percentile", 0.9)),
                                     "decimal1"),
               "share_best": ("Best in", "percent")}
    if satisficing is not None:
        columns["share_satisficing"] = (f"At least {satisficing:g}", "percent")
    unit = table.attrs.get("unit", "")
    return reader_table(shown, columns, caption=(
        f"Values and regrets in {unit}; ★ the smallest largest regret in each situation"))


def analyst_picks_table(regrets: pd.DataFrame, variants: pd.DataFrame, *,
                        titles: dict[str, str] | None = None) -> ReaderTable | Prose:
    """Tabulate the best option under each analyst's priors, situation by situation.

    ``titles`` maps an analyst's file name to the words shown (default: the name).
    """
    picked = regrets[(regrets["kind"] == "analyst") & regrets["best"]].merge(
        variants[["variant", "name"]], on="variant")
    picked["name"] = picked["name"].map(lambda name: (titles or {}).get(name, name))
    if picked.empty:
        return Prose("No analyst's priors were swept with this scenario.")
    picked = picked.assign(state=picked["information_label"].map(_state))
    wide = (picked.groupby(["name", "state"], sort=False)["option_label"]
            .agg(lambda options: " or ".join(map(str, options))).unstack("state")
            .reset_index())
    columns = {"name": ("Analyst", "text")}
    columns.update({state: (state, "text") for state in wide.columns if state != "name"})
    return reader_table(wide, columns)


def discovered_box_table(box: pd.DataFrame) -> ReaderTable | Prose:
    """Tabulate the box of parameter ranges where the outcome of interest is likely."""
    if box.empty:
        return Prose("No box restricts any parameter significantly.")
    return reader_table(box, {"label": ("Parameter", "text"), "low": ("Box low", "decimal3"),
                              "high": ("Box high", "decimal3"),
                              "range_low": ("Range low", "decimal3"),
                              "range_high": ("Range high", "decimal3"),
                              "p_value": ("Quasi-p-value", "decimal3")})


def robustness_summary(table: pd.DataFrame, *, who: str, satisficing: float | None) -> Prose:
    """Say, situation by situation, which option holds up and how clearly."""
    lines = []
    unit = md(table.attrs.get("unit", ""))
    for _, rows in table.groupby("node", sort=False):
        robust = rows[rows["minimax_regret"]].iloc[0]
        others = rows[~rows["minimax_regret"]]
        state = md(_state(robust["information_label"]))
        line = (f"**{state}: {md(robust['option_label'])} holds up best**, with a largest "
                f"regret of {robust['max_regret']:.1f} {unit}")
        if len(others):
            line += (" against " + listing(f"{r.max_regret:.1f} for {md(r.option_label)}"
                                           for r in others.itertuples()))
        line += f"; it is the best option in {percent(robust['share_best'])} of the variants"
        spread = rows["max_regret"].max() - rows["max_regret"].min()
        if spread < 0.25 * max(rows["max_regret"].max(), 1e-9):
            line += ", but every option's largest regret is close: none clearly dominates"
        if satisficing is not None:
            line += (f", and reaches {satisficing:g} {unit} in "
                     f"{percent(robust['share_satisficing'])} of them")
        lines.append(line + ".")
    n = int(table["n_variants"].iloc[0]) if len(table) else 0
    head = f"Across {n:,} variants of the priors, for {md(who)}:"
    return Prose(head + "\n\n" + "\n".join(f"- {line}" for line in lines))


def discovery_summary(found) -> Prose:
    """Say where the outcome of interest concentrates, in the chosen box's words."""
    attrs = found.attrs
    label = md(attrs.get("outcome_label", attrs.get("outcome", "")))
    share = attrs["n_of_interest"] / max(attrs["n_variants"], 1)
    text = (f"{label} is above {percent(attrs['threshold'])} in {attrs['n_of_interest']:,} of "
            f"{attrs['n_variants']:,} variants ({percent(share)}), even under the optimal "
            "policy.")
    if found.box.empty:
        return Prose(text + " No range of the parameters singles those variants out.")
    limits = listing(f"{md(r.label)} between {r.low:.2f} and {r.high:.2f}"
                     for r in found.box.itertuples())
    return Prose(text + f" They concentrate where {limits}: {percent(attrs['box_density'])} "
                 f"of the variants there are such cases, and the box holds "
                 f"{percent(attrs['box_coverage'])} of all of them.")
