"""Readers' tables and text for forecasting: skill, scores over time, calibration, signposts."""

from __future__ import annotations

import pandas as pd

from ..model.scenario import Scenario
from .outcomes import md
from .prose import Prose, listing, percent
from .table import ReaderTable, reader_table

__all__ = [
    "calibration_summary",
    "life_scores_table",
    "skill_reader_table",
    "skill_summary_text",
    "watchlist_summary",
    "watchlist_table",
]

_BASELINE_WORDS = {"base_rate": "The base rate", "uniform": "A uniform forecast (1/k)",
                   "persistence": "Persistence (the status quo holds)"}


def skill_reader_table(skill: pd.DataFrame) -> ReaderTable:
    """Return each forecaster's Brier skill against each naive baseline."""
    rows = skill.assign(baseline=skill["baseline"].map(lambda b: _BASELINE_WORDS.get(b, b)))
    return reader_table(rows, {"scenario": ("Forecaster", "text"),
                               "baseline": ("Against", "text"),
                               "questions": ("Questions", "integer"),
                               "brier": ("Brier (forecast)", "decimal3"),
                               "baseline_brier": ("Brier (baseline)", "decimal3"),
                               "skill": ("Skill", "decimal2")},
                        caption="Brier skill score, 1 − Brier / Brier of the baseline: 1 is "
                                "perfect, 0 no better than the baseline, below 0 worse")


def skill_summary_text(scenario: Scenario, summary: pd.DataFrame, skill: pd.DataFrame,
                       baselines: pd.DataFrame) -> Prose:
    """Say how the scenario's forecasts scored, and what that is worth against the baselines.

    The frames may name the scenario by its id, name or title (:func:`titled`).
    """
    known = {scenario.id, scenario.name, scenario.title}
    name = next((n for n in summary["scenario"] if n in known), scenario.name)
    row = summary[summary["scenario"] == name]
    lines = []
    if row.empty or int(row["questions"].iloc[0]) == 0:
        return Prose("- No final answer to score yet: every question is open or provisional.")
    row = row.iloc[0]
    left_out = int(row["provisional"])
    lines.append(f"**{md(name)}**: mean Brier score {row['brier']:.3f} over "
                 f"{int(row['questions'])} final answer{'s' if row['questions'] != 1 else ''}"
                 + (f" ({left_out} provisional left out)" if left_out else "") + ".")
    mine = skill[skill["scenario"] == name].set_index("baseline")
    for baseline, words in _BASELINE_WORDS.items():
        if baseline in mine.index:
            s = mine.loc[baseline]
            verdict = ("better than" if s["skill"] > 0.05 else
                       "worse than" if s["skill"] < -0.05 else "about as good as")
            lines.append(f"Against {words[0].lower() + words[1:]}: skill {s['skill']:+.2f}, "
                         f"{verdict} it, over {int(s['questions'])} question"
                         f"{'s' if s['questions'] != 1 else ''}.")
            continue
        covered = baselines[(baselines["scenario"] == name) & (baselines["baseline"] == baseline)
                            & ~baselines["provisional"]]
        if len(covered):
            lines.append(f"Against {words[0].lower() + words[1:]}: no skill score, because "
                         "it was right with certainty on each of its "
                         f"{len(covered)} question{'s' if len(covered) != 1 else ''}.")
    lines.append("A handful of questions, several about the same deal, is a small and "
                 "correlated record: these scores compare forecasts more than they measure "
                 "skill.")
    return Prose("\n".join(f"- {line}" for line in lines))


def life_scores_table(over_time: pd.DataFrame, resolutions=None) -> ReaderTable:
    """Return each question's Brier score at opening, at its close and averaged over its life."""
    rows = []
    texts = {q.id: q.question for q in resolutions.questions} if resolutions is not None else {}
    for question, part in over_time.groupby("question", sort=False):
        rows.append({"question": texts.get(question, question),
                     "opens": part["start"].iloc[0], "closes": part["end"].iloc[-1],
                     "changes": len(part) - 1, "first": part["brier"].iloc[0],
                     "last": part["brier"].iloc[-1],
                     "average": part["time_averaged"].iloc[0],
                     "provisional": bool(part["provisional"].iloc[0])})
    frame = pd.DataFrame(rows, columns=["question", "opens", "closes", "changes", "first",
                                        "last", "average", "provisional"])
    return reader_table(frame, {"question": ("Question", "text"), "opens": ("Opens", "date"),
                                "closes": ("Closes", "date"),
                                "changes": ("Forecast changes", "integer"),
                                "first": ("Brier at opening", "decimal3"),
                                "last": ("Brier at close", "decimal3"),
                                "average": ("Brier over its life", "decimal3"),
                                "provisional": ("Provisional", "yes")},
                        caption="The forecast re-scored after each evidence item, averaged "
                                "over the days each stood (0 best, 2 worst)")


def calibration_summary(calibration: pd.DataFrame) -> Prose:
    """Say whether there are enough answered questions to judge calibration."""
    n, needed = calibration.attrs.get("questions", 0), calibration.attrs.get("min_questions")
    if not calibration.attrs.get("enough"):
        return Prose(f"- Calibration is not shown: {n} final answer{'s' if n != 1 else ''}, "
                     f"fewer than the {needed} needed before the share of forecasts of, say, "
                     "70% that came true says anything.")
    worst = calibration.loc[(calibration["mean_probability"]
                             - calibration["observed_frequency"]).abs().idxmax()]
    return Prose(f"- Over {n} final answers, the largest gap is in the forecasts of "
                 f"{percent(worst['lower'])} to {percent(worst['upper'])}: on average "
                 f"{percent(worst['mean_probability'])}, and {percent(worst['observed_frequency'])}"
                 f" came true ({int(worst['forecasts'])} forecasts).")


def _branch_words(scenario: Scenario) -> tuple[dict, dict]:
    phases = {p.id: p.label or p.id.replace("_", " ").capitalize() for p in scenario.model.phases}
    branches = {(p.id, b): spec.label or b.replace("_", " ")
                for p in scenario.model.phases for b, spec in p.branches.items()}
    return phases, branches


def watchlist_table(scenario: Scenario, watch: pd.DataFrame) -> ReaderTable:
    """Return the signposts, largest move first, with each outcome's change in points."""
    phases, branches = _branch_words(scenario)
    labels = list(dict.fromkeys(watch["label"]))
    rows = []
    for _, part in watch.groupby("rank", sort=True):
        first = part.iloc[0]
        favours = [branches.get((first["phase"], b), b)
                   for b in first["favours"].split(", ") if b]
        row = {"watch": first["watch"], "phase": phases.get(first["phase"], first["phase"]),
               "favours": listing(favours, conjunction="or") if favours else "—",
               "seen": first["seen_in"]}
        row |= dict(zip(part["label"], part["change"], strict=True))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["watch", "phase", "favours", "seen", *labels])
    columns = {"watch": ("Signpost", "text"), "phase": ("Phase", "text"),
               "favours": ("Favours", "text"),
               **{label: (label, "points") for label in labels}}
    if watch["seen_in"].astype(bool).any():
        columns["seen"] = ("Seen in", "text")
    return reader_table(frame, columns,
                        caption="Change in each outcome's probability if the signpost were "
                                "seen, in percentage points")


def watchlist_summary(scenario: Scenario, watch: pd.DataFrame,
                      later: pd.DataFrame | None = None) -> Prose:
    """Say which signposts would move the outcomes most, and in which direction.

    ``later``: the same watchlist after an evidence log (:func:`analysis.watch_table`
    with ``evidence=``), to say what it would still change.
    """
    if watch.empty:
        return Prose("- The watchlist is empty.")
    before = watch.drop_duplicates("outcome").set_index("outcome")
    lines = [f"{watch['signpost'].nunique()} signposts; now "
             + listing(f"{md(r.label)} {percent(r.before)}"
                       for r in before.itertuples()) + "."]
    for rank in (1, 2):
        part = watch[watch["rank"] == rank]
        if part.empty:
            break
        big = part.loc[part["change"].abs().idxmax()]
        lines.append(f"{'The largest' if rank == 1 else 'The next'} move would come from "
                     f"**{md(big['watch'].rstrip('.'))}**: if seen, {md(big['label'])} would "
                     f"go from {percent(big['before'])} to {percent(big['after'])} "
                     f"({100 * big['change']:+.1f} points).")
    likeliest = before["before"].idxmax()
    moves = watch[watch["outcome"] == likeliest]["change"]
    rises, falls = int((moves >= 0.005).sum()), int((moves <= -0.005).sum())
    flat = len(moves) - rises - falls
    lines.append(f"For {md(before.loc[likeliest, 'label'])}, now the likeliest outcome: "
                 f"{rises} signpost{'s' if rises != 1 else ''} would raise it and {falls} "
                 f"lower it by half a point or more"
                 + (f"; {flat} would barely move it." if flat else "."))
    if later is not None and not later.empty:
        top = later[later["rank"] == 1]
        big = top.loc[top["change"].abs().idxmax()]
        seen = later.drop_duplicates("signpost")["seen_in"].astype(bool).sum()
        lines.append(f"After the evidence ({md(later.attrs.get('evidence') or 'the log')}), "
                     f"the largest move left would come from **{md(big['watch'].rstrip('.'))}**"
                     f": {md(big['label'])} from {percent(big['before'])} to "
                     f"{percent(big['after'])} ({100 * big['change']:+.1f} points)"
                     + (f"; {seen} signpost{'s' if seen != 1 else ''} marked seen by the log."
                        if seen else "."))
    lines.append("The moves are exact given the likelihoods written for each signpost, which "
                 "are judgements: a signpost is worth watching for the direction and rough "
                 "size of its move, not its decimals.")
    return Prose("\n".join(f"- {line}" for line in lines))
