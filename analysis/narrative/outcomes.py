"""Readers' tables and text for the outcomes notebook (exact evaluation at the priors' means)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..analyses.outcomes import outcome_distribution
from ..core.text import escape_markdown
from ..model.scenario import Scenario
from .prose import Prose, listing, percent
from .table import ReaderTable, format_number, reader_table

__all__ = [
    "attributes_table",
    "comparison_table",
    "conditional_outcomes",
    "conditional_table",
    "informative_phase",
    "introduction",
    "marginals_table",
    "md",
    "outcomes_summary",
    "outcomes_table",
    "prior_label",
    "priors_table",
    "titled",
    "tornado_reader_table",
]

_KIND_WORDS = {
    "fixed": "fixed value",
    "beta": "Beta distribution",
    "range": "elicited range",
    "mean_sd": "mean and spread",
    "counts": "reference-class counts",
    "dirichlet": "share of several branches",
    "rest": "the rest",
}


def md(text: object) -> str:
    """Return scenario text for Markdown: shown as written, never as markup or HTML.

    The narrative's name for :func:`analysis.core.text.escape_markdown`;
    every piece of a user's file that enters computed text goes through it.
    """
    return escape_markdown(text)


def _phase_label(scenario: Scenario, phase_id: str) -> str:
    phase = next(p for p in scenario.model.phases if p.id == phase_id)
    return phase.label or phase_id.replace("_", " ").capitalize()


def _branch_label(scenario: Scenario, phase_id: str, branch_id: str) -> str:
    phase = next(p for p in scenario.model.phases if p.id == phase_id)
    branch = phase.branches[branch_id]
    return branch.label or branch_id.replace("_", " ")


def prior_label(scenario: Scenario, phase: str, branch: str, rule: str = "") -> str:
    """``'Ceasefire: Holds'``, with ``' (after partial exchange)'`` for a rule's prior."""
    text = f"{_phase_label(scenario, phase)}: {_branch_label(scenario, phase, branch)}"
    return text + (f" ({rule.replace('_', ' ')})" if rule else "")


def introduction(scenario: Scenario) -> Prose:
    """Say what the scenario is: its title, date, description, phases and outcomes."""
    model = scenario.model
    lines = [f"**{md(model.title)}** ({md(scenario.id)}, file {md(scenario.file_name)}), "
             f"judged as of {model.as_of.isoformat()}."]
    if model.description:
        lines += ["", md(model.description)]
    if scenario.changes:
        lines += ["", "Changed from the file for this run: "
                  + "; ".join(md(c) for c in scenario.changes) + "."]
    lines += ["", f"The scenario has {len(model.phases)} phase"
              f"{'s' if len(model.phases) != 1 else ''}, asked in order:", ""]
    for number, phase in enumerate(model.phases, start=1):
        who = (f" (decided by {md(model.stakeholders[phase.decision_maker].label)})"
               if phase.decision_maker else "")
        lines.append(f"{number}. **{md(_phase_label(scenario, phase.id))}**{who}: "
                     f"{md(phase.question)}")
    lines += ["", f"Every path through them ends in one of {len(model.outcomes)} outcomes:", ""]
    for outcome in model.outcomes.values():
        detail = f": {md(outcome.description)}" if outcome.description else ""
        lines.append(f"- **{md(outcome.label)}**{detail}")
    return Prose("\n".join(lines))


def priors_table(scenario: Scenario) -> ReaderTable:
    """Every branch probability the tree uses: how it is set, its mean, its 90% range, why."""
    table = scenario.priors_table()
    table = table.assign(
        prior=[prior_label(scenario, p, b, r) for p, b, r in
               zip(table["phase"], table["branch"], table["rule"], strict=True)],
        how=table["kind"].map(_KIND_WORDS),
        range=[("" if kind == "fixed" else f"{percent(lo)} to {percent(hi)}")
               for kind, lo, hi in zip(table["kind"], table["p05"], table["p95"], strict=True)],
        sources=[len([c for c in cite.split(", ") if c]) or None for cite in table["cite"]],
    )
    return reader_table(table, {"prior": ("Branch probability", "text"),
                                "how": ("Set as", "text"),
                                "mean": ("Mean", "percent"),
                                "range": ("90% range", "text"),
                                "sources": ("Sources cited", "integer"),
                                "rationale": ("Why", "text")},
                        nowrap=("90% range",))


def outcomes_table(outcomes: pd.DataFrame) -> ReaderTable:
    """Return the outcome distribution, in the scenario's order, in percent."""
    return reader_table(outcomes, {"label": ("Outcome", "text"),
                                   "probability": ("Probability", "percent")}, colour="colour")


def marginals_table(marginals: pd.DataFrame) -> ReaderTable:
    """How each phase ends: overall, and given that the phase is reached."""
    shown = marginals.assign(phase_label=marginals["phase_label"].where(
        marginals["phase"] != marginals["phase"].shift(), ""))
    return reader_table(shown, {"phase_label": ("Phase", "text"), "label": ("Result", "text"),
                                "probability": ("Probability", "percent"),
                                "conditional": ("If the phase is reached", "percent")})


def attributes_table(attributes: pd.DataFrame) -> ReaderTable:
    """Return the expected attributes, with their spread over the paths."""
    return reader_table(attributes, {"label": ("Attribute", "text"),
                                     "expected": ("Expected", "number"),
                                     "sd": ("Spread over paths (sd)", "number"),
                                     "unit": ("Unit", "text")})


def informative_phase(scenario: Scenario) -> str | None:
    """Return the chance phase whose result moves the outcome distribution most, or None.

    For each chance phase before the last with two or more branches that do
    not end the scenario, the outcome distribution given each of those
    branches; the phase whose branches' distributions are furthest apart
    (largest difference in any outcome's probability) is returned. (A branch
    that ends the scenario, or the last phase, would say only what it decides.)
    """
    best, best_spread = None, 0.0
    phases = scenario.model.phases
    candidates = [p for p in phases[:-1] if not p.decision_maker
                  and sum(b.outcome is None for b in p.branches.values()) >= 2]
    for phase in candidates or [p for p in phases if not p.decision_maker]:
        if len(phase.branches) < 2:
            continue
        columns = []
        for branch, spec in phase.branches.items():
            if candidates and spec.outcome is not None:
                continue
            try:
                columns.append(outcome_distribution(scenario, given={phase.id: branch})
                               ["probability"].to_numpy())
            except ValueError:  # a branch no path can take
                continue
        if len(columns) < 2:
            continue
        frame = pd.DataFrame(columns)
        spread = float((frame.max() - frame.min()).max())
        if spread > best_spread + 1e-12:
            best, best_spread = phase.id, spread
    return best


def conditional_outcomes(scenario: Scenario, phase: str) -> pd.DataFrame:
    """Return the outcome distribution given each branch of ``phase``, and unconditionally.

    Returns a frame as :func:`analysis.compare_outcomes` does, its ``scenario``
    column naming the condition (``"If ceasefire: Holds"``, ``"Overall"``).
    """
    parts = []
    for branch in next(p for p in scenario.model.phases if p.id == phase).branches:
        try:
            part = outcome_distribution(scenario, given={phase: branch})
        except ValueError:
            continue
        parts.append(part.assign(scenario=f"If {_branch_label(scenario, phase, branch)}"))
    parts.append(outcome_distribution(scenario).assign(scenario="Overall"))
    frame = pd.concat(parts, ignore_index=True)
    label = _phase_label(scenario, phase)
    frame.attrs = {**scenario.metadata(), "phase": phase, "phase_label": label,
                   "chart_title": f"Outcomes by how the phase {label} ends",
                   "series_title": label}
    return frame[["scenario", "outcome", "label", "colour", "probability"]]


def _by_column(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    order = list(pd.unique(frame[column]))
    wide = frame.pivot_table(index=["outcome"], columns=column, values="probability",
                             sort=False)[order]
    first = frame.drop_duplicates("outcome").set_index("outcome")
    wide = wide.loc[list(first.index)]
    wide.insert(0, "label", first["label"])
    wide.insert(1, "colour", first["colour"])
    return wide.reset_index(drop=True), order


def conditional_table(conditional: pd.DataFrame) -> ReaderTable:
    """Outcomes by the result of one phase, side by side."""
    wide, order = _by_column(conditional, "scenario")
    columns = {"label": ("Outcome", "text"), **{o: (o, "percent") for o in order}}
    caption = f"Given the result of the phase {conditional.attrs.get('phase_label', '')}"
    return reader_table(wide, columns, colour="colour", caption=caption)


def comparison_table(comparison: pd.DataFrame) -> ReaderTable:
    """Outcomes of several scenarios, side by side."""
    wide, order = _by_column(comparison, "scenario")
    return reader_table(wide, {"label": ("Outcome", "text"), **{o: (o, "percent")
                                                                 for o in order}},
                        colour="colour")


def tornado_reader_table(tornado: pd.DataFrame, *, top: int = 6) -> ReaderTable:
    """Return the priors that move an output most: the range swept and the output at each end."""
    unit = tornado.attrs.get("unit")
    kind = "percent" if unit == "probability" else "decimal1"
    rows = tornado.head(top).assign(
        range=[f"{percent(lo)} to {percent(hi)}" for lo, hi in
               zip(tornado["low"].head(top), tornado["high"].head(top), strict=True)])
    label = tornado.attrs.get("output_label", "the output")
    return reader_table(rows, {"label": ("Prior", "text"),
                               "range": ("Swept over", "text"),
                               "result_low": ("At the low end", kind),
                               "result_high": ("At the high end", kind),
                               "swing": ("Swing", kind)}, nowrap=("Swept over",),
                        caption=f"{label}, with each prior at either end of its 90% range")


def titled(frame: pd.DataFrame, scenarios: Iterable[Scenario], column: str = "scenario", *,
           series: str | None = None) -> pd.DataFrame:
    """Return ``frame`` with the scenarios in ``column`` named by their titles, not their ids.

    Readers know a scenario, an analyst's view or a variant by its title;
    values that are no scenario's id (``"linear pool"``) are kept. ``series``
    names them all in charts' legends (default: "Scenario").
    """
    names = {s.id: s.title for s in scenarios}
    shown = frame.assign(**{column: frame[column].map(lambda v: names.get(v, v))})
    shown.attrs = {**frame.attrs, **({"series_title": series} if series else {})}
    return shown


def outcomes_summary(scenario: Scenario, outcomes: pd.DataFrame, *,
                     conditional: pd.DataFrame | None = None,
                     tornado: pd.DataFrame | None = None,
                     attributes: pd.DataFrame | None = None) -> Prose:
    """Say what the outcome tables show, with their numbers."""
    ranked = outcomes.sort_values("probability", ascending=False, kind="stable")
    first = ranked.iloc[0]
    lines = []
    if len(ranked) > 1:
        second = ranked.iloc[1]
        lead = first["probability"] - second["probability"]
        lines.append(f"**{md(first['label'])} is the most likely outcome**, at "
                     f"{percent(first['probability'])}, ahead of {md(second['label'])} at "
                     f"{percent(second['probability'])} (a lead of {100 * lead:.1f} points).")
        rest = ranked.iloc[2:]
        if len(rest):
            lines.append("The others: " + listing(f"{md(r.label)} {percent(r.probability)}"
                                                  for r in rest.itertuples()) + ".")
    else:
        lines.append(f"Every path ends in {md(first['label'])}.")
    if conditional is not None and len(conditional):
        phase = conditional.attrs.get("phase_label", "")
        target = first["outcome"]
        rows = conditional[(conditional["outcome"] == target)
                           & (conditional["scenario"] != "Overall")]
        if len(rows) >= 2:
            low = rows.loc[rows["probability"].idxmin()]
            high = rows.loc[rows["probability"].idxmax()]
            lines.append(f"**The phase {md(phase)} tells the most.** {md(first['label'])} "
                         f"has {percent(high['probability'])} "
                         f"{md(high['scenario'][0].lower() + high['scenario'][1:])}, "
                         f"{percent(low['probability'])} "
                         f"{md(low['scenario'][0].lower() + low['scenario'][1:])}.")
    if tornado is not None and len(tornado):
        top = tornado.iloc[0]
        label = tornado.attrs.get("output_label", "")
        fmt = percent if tornado.attrs.get("unit") == "probability" else format_number
        lines.append(f"**The prior that matters most for {md(label)}** is "
                     f"{md(top['label'])}: across its 90% range, {md(label)} goes from "
                     f"{fmt(top['result_low'])} to {fmt(top['result_high'])}.")
    if attributes is not None and len(attributes):
        parts = [f"{md(r.label)} {format_number(r.expected)}"
                 + ((md(r.unit) if r.unit.startswith("%") else f" {md(r.unit)}")
                    if r.unit else "") for r in attributes.itertuples()]
        lines.append("Expected values over the paths: " + listing(parts) + ".")
    lines.append("These numbers are at the priors' means; the uncertainty around them is "
                 "the subject of the uncertainty report.")
    return Prose("\n".join(f"- {line}" for line in lines))
