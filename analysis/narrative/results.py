"""Readers' tables and text for the uncertainty, decisions, evidence and timing notebooks."""

from __future__ import annotations

import pandas as pd

from ..model.scenario import Scenario
from .outcomes import md, prior_label
from .prose import Prose, listing, percent
from .table import ReaderTable, format_number, reader_table

__all__ = [
    "attribute_intervals_table",
    "completion_table",
    "decisions_summary",
    "disagreement_table",
    "evidence_items_table",
    "evidence_summary",
    "global_sensitivity_table",
    "intervals_table",
    "options_table",
    "pairwise_table",
    "policy_table",
    "pools_table",
    "prior_distributions_table",
    "ranks_table",
    "resolutions_reader_table",
    "scores_table",
    "stakeholder_best_table",
    "survival_table",
    "switches_table",
    "timeline_table",
    "timing_summary",
    "uncertainty_summary",
    "value_of_information_table",
]


def _wide(frame: pd.DataFrame, index: str, column: str, value: str,
          first: dict[str, str] | None = None) -> tuple[pd.DataFrame, list]:
    order = list(pd.unique(frame[column]))
    wide = frame.pivot_table(index=index, columns=column, values=value, sort=False)[order]
    keep = frame.drop_duplicates(index).set_index(index)
    wide = wide.loc[list(keep.index)]
    for position, name in enumerate(first or {}):
        wide.insert(position, name, keep[name])
    return wide.reset_index(), order


# ------------------------------------------------------------------ uncertainty


def prior_distributions_table(scenario: Scenario, priors: pd.DataFrame) -> ReaderTable:
    """Return each uncertain branch probability's Beta distribution and central interval."""
    interval = priors.attrs.get("interval", 0.9)
    rows = priors.assign(label=[prior_label(scenario, p, b, r) for p, b, r in
                                zip(priors["phase"], priors["branch"], priors["rule"],
                                    strict=True)],
                         range=[f"{percent(lo)} to {percent(hi)}" for lo, hi in
                                zip(priors["lower"], priors["upper"], strict=True)])
    return reader_table(rows, {"label": ("Branch probability", "text"),
                               "detail": ("As written", "text"),
                               "alpha": ("Beta α", "decimal2"), "beta": ("Beta β", "decimal2"),
                               "mean": ("Mean", "percent"),
                               "range": (f"{interval:.0%} range", "text")},
                        nowrap=(f"{interval:.0%} range",))


def intervals_table(intervals: pd.DataFrame) -> ReaderTable:
    """Return each outcome's probability at the means, over the draws, and its intervals."""
    levels = sorted(pd.unique(intervals["interval"]))
    first = intervals[intervals["interval"] == levels[0]].set_index("outcome")
    rows = first[["label", "colour", "at_means", "mean", "median"]].copy()
    columns = {"label": ("Outcome", "text"), "at_means": ("At the priors' means", "percent"),
               "mean": ("Mean of the draws", "percent"), "median": ("Median", "percent")}
    for level in levels:
        part = intervals[intervals["interval"] == level].set_index("outcome")
        rows[f"i{level}"] = [f"{percent(lo)} to {percent(hi)}" for lo, hi in
                             zip(part["lower"], part["upper"], strict=True)]
        columns[f"i{level}"] = (f"{level:.0%} interval", "text")
    return reader_table(rows.reset_index(drop=True), columns, colour="colour",
                        nowrap=tuple(h for h, _ in columns.values() if "interval" in h))


def pairwise_table(comparisons: pd.DataFrame) -> ReaderTable:
    """Return the share of draws in which the row's outcome is likelier than the column's."""
    wide, order = _wide(comparisons, "outcome", "other_label", "probability", {"label": ""})
    rows = list(wide["label"])  # the scenario's order, for the columns too
    order = [o for o in rows if o in order] + [o for o in order if o not in rows]
    return reader_table(wide, {"label": ("More likely than →", "text"),
                               **{o: (o, "percent") for o in order}})


def ranks_table(ranks: pd.DataFrame) -> ReaderTable:
    """Return how often each outcome is the most likely, the second, and so on."""
    wide, order = _wide(ranks, "outcome", "rank", "probability", {"label": "", "colour": ""})
    names = {1: "Most likely", 2: "Second", 3: "Third"}
    return reader_table(wide, {"label": ("Outcome", "text"),
                               **{r: (names.get(r, f"{r}th"), "percent") for r in order}},
                        colour="colour")


def attribute_intervals_table(attributes: pd.DataFrame) -> ReaderTable:
    """Return each attribute's expectation at the means and its interval over the draws."""
    interval = float(attributes["interval"].iloc[0]) if len(attributes) else 0.9
    rows = attributes.assign(range=[f"{format_number(lo)} to {format_number(hi)}" for lo, hi
                                    in zip(attributes["lower"], attributes["upper"],
                                           strict=True)])
    return reader_table(rows, {"label": ("Attribute", "text"),
                               "at_means": ("At the priors' means", "number"),
                               "median": ("Median", "number"),
                               "range": (f"{interval:.0%} interval", "text"),
                               "unit": ("Unit", "text")}, nowrap=(f"{interval:.0%} interval",))


def uncertainty_summary(intervals: pd.DataFrame, comparisons: pd.DataFrame,
                        ranks: pd.DataFrame, attributes: pd.DataFrame, *, interval: float,
                        n_draws: int, seed: object) -> Prose:
    """Say how wide the intervals are and how stable the ranking of outcomes is."""
    table = intervals[intervals["interval"] == interval].set_index("outcome")
    ordered = table.sort_values("at_means", ascending=False, kind="stable")
    lines = []
    first = ordered.index[0]
    widest = (table["upper"] - table["lower"]).idxmax()
    lines.append(f"**{md(table.loc[widest, 'label'])} is the most uncertain**: its "
                 f"{interval:.0%} interval runs from {percent(table.loc[widest, 'lower'])} to "
                 f"{percent(table.loc[widest, 'upper'])} "
                 f"(at the priors' means, {percent(table.loc[widest, 'at_means'])}).")
    top = ranks[(ranks["outcome"] == first) & (ranks["rank"] == 1)]
    share = float(top["probability"].iloc[0]) if len(top) else 0.0
    lines.append(f"**{md(table.loc[first, 'label'])}**, the most likely outcome at the "
                 f"priors' means ({percent(table.loc[first, 'at_means'])}), is the most "
                 f"likely in {percent(share)} of the draws.")
    if len(ordered) > 1:
        second = ordered.index[1]
        pair = comparisons[(comparisons["outcome"] == first) & (comparisons["other"] == second)]
        if len(pair):
            lines.append(f"It is more likely than {md(table.loc[second, 'label'])} in "
                         f"{percent(pair['probability'].iloc[0])} of the draws; overlapping "
                         "intervals do not mean the order is a toss-up, because the "
                         "outcomes share the priors and move together.")
    for row in attributes.itertuples():
        lines.append(f"Expected {md(row.label.lower() if row.label else row.attribute)}: "
                     f"{format_number(row.at_means)} at the priors' means, "
                     f"{interval:.0%} interval {format_number(row.lower)} to "
                     f"{format_number(row.upper)}" + (f" {md(row.unit)}" if row.unit else "")
                     + ".")
    lines.append(f"From {n_draws:,} draws of the priors (seed {seed}); narrower priors "
                 "(more reference cases, or evidence) would narrow every interval.")
    return Prose("\n".join(f"- {line}" for line in lines))


# ------------------------------------------------------------------- decisions


def options_table(scenario: Scenario) -> ReaderTable:
    """Return each stakeholder's utility of each outcome (rows: outcomes, in the file's order)."""
    model = scenario.model
    rows = pd.DataFrame({"label": [o.label for o in model.outcomes.values()],
                         "colour": [o.colour for o in model.outcomes.values()],
                         **{model.stakeholders[s].label: [u.outcomes[o] for o in model.outcomes]
                            for s, u in model.utilities.items()}})
    return reader_table(rows, {"label": ("Outcome", "text"),
                               **{model.stakeholders[s].label:
                                  (model.stakeholders[s].label, "number")
                                  for s in model.utilities}}, colour="colour",
                        caption="Utility of each outcome (0 = the worst for that stakeholder, "
                                "100 = the best)")


def policy_table(policy: pd.DataFrame, *, unit: str) -> ReaderTable:
    """Return the decision maker's options in each situation, the chosen one marked."""
    rows = policy.assign(
        situation=policy["information_label"].where(
            policy["information_label"] != policy["information_label"].shift(), ""),
        mark=["chosen" if c else ("tied" if t else "") for c, t in
              zip(policy["chosen"], policy["tie"], strict=True)])
    return reader_table(rows, {"situation": ("Situation when deciding", "text"),
                               "reach_probability": ("Chance of being there", "percent"),
                               "option_label": ("Option", "text"),
                               "expected_utility": (f"Expected utility ({unit})", "decimal1"),
                               "mark": ("", "text")})


def stakeholder_best_table(best: pd.DataFrame) -> ReaderTable:
    """Return each stakeholder's best option in each situation, side by side."""
    labels = dict(zip(best["option"], best["option_label"], strict=True))
    frame = best.assign(situation=best["information_label"].str.split(" → ").str[-1],
                        choice=[" or ".join(labels.get(o, o) for o in tied.split(" | "))
                                for tied in best["tied_options"]])
    wide = frame.pivot_table(index="stakeholder_label", columns="situation", values="choice",
                             aggfunc="first", sort=False)
    wide = wide.reset_index()
    return reader_table(wide, {"stakeholder_label": ("Stakeholder", "text"),
                               **{c: (c, "text") for c in wide.columns[1:]}})


def switches_table(switches: pd.DataFrame, scenario: Scenario | None = None, *,
                   top: int = 10) -> ReaderTable:
    """Return where a prior's value would switch the optimal option, closest first.

    With ``scenario``, options are named by their labels.
    """
    labels = ({b: spec.label or b.replace("_", " ").capitalize()
               for p in scenario.model.phases if p.decision_maker
               for b, spec in p.branches.items()} if scenario is not None else {})
    rows = switches.head(top).assign(
        change=[f"{labels.get(a, a)} → {labels.get(b, b)}"
                for a, b in zip(switches["from_option"].head(top),
                                switches["to_option"].head(top), strict=True)],
        range=[f"{percent(lo)} to {percent(hi)}" for lo, hi in
               zip(switches["interval_low"].head(top), switches["interval_high"].head(top),
                   strict=True)])
    return reader_table(rows, {"label": ("Prior", "text"), "state": ("Situation", "text"),
                               "change": ("Best option switches", "text"),
                               "mean": ("Prior mean", "percent"),
                               "threshold": ("Switch point", "percent"),
                               "range": ("90% range", "text")}, nowrap=("90% range",))


def global_sensitivity_table(drivers: pd.DataFrame) -> ReaderTable:
    """Return each phase's share of the output's variance, alone and with interactions."""
    return reader_table(drivers, {"label": ("Priors of", "text"),
                                  "first_order": ("Share alone", "percent"),
                                  "total_order": ("Share with interactions", "percent")})


def value_of_information_table(frame: pd.DataFrame, *, unit: str) -> ReaderTable:
    """Return what learning each group of priors before deciding would be worth."""
    return reader_table(frame, {"label": ("Learning", "text"),
                                "evppi": (f"Worth ({unit})", "decimal2"),
                                "standard_error": ("± (s.e.)", "decimal2"),
                                "share_of_evpi": ("Share of all information", "percent")})


def decisions_summary(result, *, who: str, unit: str, best: pd.DataFrame,
                      switches: pd.DataFrame, n_priors: int, evpi: pd.Series | None,
                      by_group: pd.DataFrame | None) -> Prose:
    """Say what the decision maker should do, who agrees, and what it hinges on."""
    chosen = result.policy[result.policy["chosen"]]
    lines = []
    options = list(pd.unique(chosen["option_label"]))
    whose = md(who) + ("'" if who.endswith("s") else "'s")
    if len(options) == 1:
        lines.append(f"**{whose} best option is {md(options[0])} in every situation** "
                     f"(expected utility {result.value:.1f} {md(unit)}).")
    else:
        parts = [f"{md(r.option_label)} after {md(r.information_label.split(' → ')[-1])}"
                 for r in chosen.itertuples()]
        lines.append(f"**{whose} best option depends on the situation**: "
                     + ("; ".join(parts[:-1]) + "; and " + parts[-1] if len(parts) > 1
                        else "".join(parts))
                     + f" (expected utility {result.value:.1f} {md(unit)}).")
    agree = best.groupby("stakeholder_label", sort=False)["agrees"].all()
    if len(agree):
        lines.append("Want the same in every situation: " + (listing(md(s) for s in
                                                                     agree[agree].index)
                                                             or "nobody") + "; "
                     + "want something else somewhere: "
                     + (listing(md(s) for s in agree[~agree].index) or "nobody") + ".")
    inside = int(switches["in_interval"].sum()) if len(switches) else 0
    lines.append(f"{len(switches)} of {n_priors} priors could switch the best option; "
                 f"{inside} of them within their 90% range.")
    if evpi is not None:
        lines.append(f"Perfect knowledge of every prior would be worth "
                     f"{evpi['evpi']:.2f} {md(unit)} (± {evpi['standard_error']:.2f}) "
                     f"to {md(who)}.")
    if by_group is not None and len(by_group):
        top = by_group.sort_values("evppi", ascending=False, kind="stable").iloc[0]
        lines.append(f"The priors most worth learning: {md(top['label'])} "
                     f"({percent(top['share_of_evpi'])} of that value).")
    return Prose("\n".join(f"- {line}" for line in lines))


# -------------------------------------------------------------------- evidence


def _labels(scenario: Scenario) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Phase id -> label, and (phase, branch) -> label, as the reader sees them."""
    phases = {p.id: p.label or p.id.replace("_", " ").capitalize() for p in scenario.model.phases}
    branches = {(p.id, b): spec.label or b.replace("_", " ")
                for p in scenario.model.phases for b, spec in p.branches.items()}
    return phases, branches


def _weighs(item, phases: dict, branches: dict) -> str:
    """Return an evidence item's effect in words: ``Exchanges: Complete``, ``Holds ×1.2, ...``."""
    def branch(phase: str, b: str) -> str:
        return branches.get((phase, b), b)

    if item.kind == "observation":
        return "; ".join(
            f"{phases.get(p, p)}: "
            + (branch(p, b) if isinstance(b, str) else " or ".join(branch(p, x) for x in b))
            for p, b in item.observed.items())
    where = phases.get(item.phase, item.phase)
    if item.kind == "likelihood":
        text = ", ".join(f"{branch(item.phase, b)} ×{v:g}" for b, v in item.likelihoods.items())
        text += ", other results ×1"
        if item.otherwise is not None:
            text += f", phase not reached ×{item.otherwise:g}"
        return f"{where}: {text}"
    counts = ", ".join(f"{branch(item.phase, b)} {n:g}" for b, n in item.counts.items())
    return f"{where}: earlier cases, {counts}"


_ITEM_KINDS = {"observation": "what happened", "likelihood": "a report",
               "counts": "earlier cases"}


def evidence_items_table(scenario: Scenario, log) -> ReaderTable:
    """Return the evidence log, one item per row, in the scenario's words."""
    phases, branches = _labels(scenario)
    rows = pd.DataFrame([{"date": item.date, "title": item.title,
                          "kind": _ITEM_KINDS.get(item.kind, item.kind),
                          "detail": _weighs(item, phases, branches)} for item in log.items],
                        columns=["date", "title", "kind", "detail"])
    return reader_table(rows, {"date": ("Date", "date"), "title": ("Report", "text"),
                               "kind": ("Kind", "text"), "detail": ("How it weighs", "text")})


def timeline_table(timeline: pd.DataFrame) -> ReaderTable:
    """Return the probability of each outcome after each item of evidence."""
    wide, order = _wide(timeline, "step", "label", "probability", {"date": "", "title": ""})
    wide["title"] = wide["title"].where(wide["step"] > 0, "Before any evidence (the priors)")
    return reader_table(wide, {"date": ("Date", "date"), "title": ("After", "text"),
                               **{o: (o, "percent") for o in order}})


def _answer(question, scenario: Scenario, phases: dict, branches: dict) -> str:
    """Return a resolved question's answer in words: ``Ceasefire: Holds``, ``held to day 265``."""
    if question.kind == "phase":
        return f"{phases.get(question.phase, question.phase)}: " \
            f"{branches.get((question.phase, question.branch), question.branch)}"
    if question.kind == "outcome":
        outcome = scenario.model.outcomes.get(question.outcome)
        return f"Outcome: {outcome.label if outcome else question.outcome}"
    survival = question.survival
    events = [survival.event] if isinstance(survival.event, str) else list(survival.event)
    names = listing((scenario.model.outcomes[e].label if e in scenario.model.outcomes else e)
                    for e in events)
    return (f"{'held' if survival.held else 'ended'} to day {survival.day:,.0f}"
            f" ({'no' if survival.held else 'reached'} {names})")


def resolutions_reader_table(scenario: Scenario, resolutions) -> ReaderTable:
    """Return what happened: each resolved question and its answer, in the scenario's words."""
    phases, branches = _labels(scenario)
    rows = pd.DataFrame([{"resolved_on": q.resolved_on, "text": q.question,
                          "answer": _answer(q, scenario, phases, branches),
                          "provisional": q.provisional} for q in resolutions.questions],
                        columns=["resolved_on", "text", "answer", "provisional"])
    return reader_table(rows, {"resolved_on": ("Resolved on", "date"),
                               "text": ("Question", "text"),
                               "answer": ("Answer", "text"),
                               "provisional": ("Provisional", "yes")})


def scores_table(scores: pd.DataFrame, resolutions=None) -> ReaderTable:
    """Return each forecaster's Brier score on each question (0 best, 2 worst).

    With ``resolutions``, questions are shown by their text.
    """
    order = list(pd.unique(scores["scenario"]))
    wide, _ = _wide(scores, "question", "scenario", "brier")
    if resolutions is not None:
        texts = {q.id: q.question for q in resolutions.questions}
        wide["question"] = wide["question"].map(lambda q: texts.get(q, q))
    return reader_table(wide, {"question": ("Question", "text"),
                               **{s: (s, "decimal3") for s in order if s in wide.columns}},
                        caption="Brier score of each forecast (0 is a certain, right "
                                "forecast; 2 a certain, wrong one)")


def pools_table(pools: pd.DataFrame) -> ReaderTable:
    """Return each analyst's outcome distribution and the two pools."""
    wide, order = _wide(pools, "outcome", "scenario", "probability",
                        {"label": "", "colour": ""})
    return reader_table(wide, {"label": ("Outcome", "text"),
                               **{o: (o, "percent") for o in order}}, colour="colour")


def disagreement_table(disagreement: pd.DataFrame, *, top: int = 6) -> ReaderTable:
    """Return the branch probabilities the analysts disagree on most."""
    wide, order = _wide(disagreement[disagreement["rank"] <= top], "key", "analyst", "mean",
                        {"label": "", "spread": ""})
    return reader_table(wide, {"label": ("Branch probability", "text"),
                               **{o: (o, "percent") for o in order},
                               "spread": ("Spread", "percent")})


def evidence_summary(timeline: pd.DataFrame, summary: pd.DataFrame | None) -> Prose:
    """Say how the evidence moved the outcomes, and who forecast best."""
    first, last = timeline["step"].min(), timeline["step"].max()
    start = timeline[timeline["step"] == first].set_index("outcome")
    end = timeline[timeline["step"] == last].set_index("outcome")
    lines = []
    items = timeline[timeline["step"] > 0].drop_duplicates("step")
    if len(items):
        lines.append(f"{len(items)} items of evidence, from {items['date'].iloc[0]} to "
                     f"{items['date'].iloc[-1]}.")
    for outcome in start.index:
        before, after = start.loc[outcome, "probability"], end.loc[outcome, "probability"]
        moves = timeline[(timeline["outcome"] == outcome) & (timeline["step"] > 0)]
        text = (f"**{md(start.loc[outcome, 'label'])}**: {percent(before)} before the "
                f"evidence, {percent(after)} after it")
        if len(moves):
            big = moves.loc[moves["change"].abs().idxmax()]
            text += (f"; the largest single move, {100 * big['change']:+.1f} points, came "
                     f"on {big['date']} ({md(big['title'])})")
        lines.append(text + ".")
    if summary is not None and len(summary) > 1:
        ranked = summary.sort_values("log_score_total", kind="stable")
        lines.append(f"Against what happened, **{md(ranked['scenario'].iloc[0])}** forecast "
                     f"best (total log score {ranked['log_score_total'].iloc[0]:.2f}) and "
                     f"{md(ranked['scenario'].iloc[-1])} worst "
                     f"({ranked['log_score_total'].iloc[-1]:.2f}), over "
                     f"{int(ranked['questions'].iloc[0])} questions: a small record that "
                     "compares forecasts more than it measures skill.")
    return Prose("\n".join(f"- {line}" for line in lines))


# ---------------------------------------------------------------------- timing


def completion_table(completion: pd.DataFrame) -> ReaderTable:
    """Return when each phase completes, on the paths where it does."""
    return reader_table(completion, {"label": ("Phase", "text"),
                                     "probability": ("Chance it completes", "percent"),
                                     "mean": ("Mean (days)", "decimal1"),
                                     "p05": ("5th percentile", "decimal1"),
                                     "median": ("Median", "decimal1"),
                                     "p95": ("95th percentile", "decimal1")})


def survival_table(curve: pd.DataFrame, days: list[float],
                   reference: pd.DataFrame | None = None) -> ReaderTable:
    """Return the survival curve and its band at a few days (and the reference class's)."""
    rows = curve.set_index("day").loc[days, ["survival", "lower", "upper"]].reset_index()
    rows["band"] = [f"{percent(lo)} to {percent(hi)}" for lo, hi in
                    zip(rows["lower"], rows["upper"], strict=True)]
    columns = {"day": ("Day", "integer"), "survival": ("Still holding", "percent"),
               "band": ("90% band", "text")}
    if reference is not None and len(reference):
        steps = reference.set_index("day")["survival"]
        rows["reference"] = [steps[steps.index <= d].iloc[-1] if (steps.index <= d).any()
                             else 1.0 for d in days]
        columns["reference"] = ("Earlier cases (Kaplan–Meier)", "percent")
    return reader_table(rows, columns, nowrap=("90% band",))


def timing_summary(curve: pd.DataFrame, *, event_label: str, days: list[float]) -> Prose:
    """Say how likely the deal is to last to a few days, and its floor."""
    at = curve.set_index("day")["survival"]
    parts = [f"{percent(at.loc[d])} to day {d:,.0f}" for d in days if d in at.index]
    lines = [f"**Before {md(event_label.lower())}**: the model gives the deal "
             + listing(parts) + ".",
             f"{md(event_label)} never comes with probability {percent(curve.attrs['never'])}: "
             "the paths that end in another outcome, where the curve levels off."]
    return Prose("\n".join(f"- {line}" for line in lines))
