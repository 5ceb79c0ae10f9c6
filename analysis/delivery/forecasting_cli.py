"""The forecasting commands of ``dealtree``: ``score`` (questions, skill) and ``watch`` (signposts).

Kept apart from :mod:`analysis.delivery.cli`, which registers them with
:func:`add_forecasting_commands` and runs them through :data:`COMMANDS`.
"""

from __future__ import annotations

import json

from ..core.errors import QueryError, ScenarioError
from ..model.scenario import load_scenario
from .console import out, print_frame_csv, print_json

__all__ = ["COMMANDS", "add_forecasting_commands"]

_DASH = "—"


def add_forecasting_commands(commands, *, draws, seed) -> None:
    """Add ``score`` and ``watch`` to the ``dealtree`` sub-command parsers.

    ``draws`` and ``seed`` are the command line's checked argument types.
    """
    score = commands.add_parser(
        "score", help="scores of a scenario's forecasts of resolved questions, with skill "
                      "against naive baselines")
    score.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    score.add_argument("resolutions", metavar="RESOLUTIONS", nargs="?", default=None,
                       help="a path or a name in scenarios/resolutions/ (default: the one the "
                            "scenario names under notebooks.resolutions)")
    score.add_argument("--evidence", metavar="LOG", default=None,
                       help="also score each question over its life, re-scored after each "
                            "item of this evidence log (a path or a name)")
    score.add_argument("--marginal", action="store_true",
                       help="score marginal forecasts, not each given the earlier answers")
    score.add_argument("--exclude-provisional", action="store_true",
                       help="leave out the questions whose answer is provisional")
    score.add_argument("--include-provisional", action="store_true",
                       help="count provisional answers in the overall scores and skill "
                            "(by default they are listed but left out)")
    score.add_argument("--draws", type=draws, default=20_000, metavar="N",
                       help="draws of the durations for survival questions (default 20000)")
    score.add_argument("--seed", type=seed, default=0, metavar="S",
                       help="seed of those draws (default 0)")
    score.add_argument("--format", choices=["table", "csv", "json"], default="table")

    watch = commands.add_parser(
        "watch", help="a watchlist's signposts, ranked by how far each would move the outcomes")
    watch.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    watch.add_argument("--signposts", metavar="WATCHLIST", default=None,
                       help="a path or a name in scenarios/signposts/ (default: the one the "
                            "scenario names under notebooks.signposts)")
    watch.add_argument("--evidence", metavar="LOG", default=None,
                       help="apply this evidence log first and mark the signposts it resolves")
    watch.add_argument("--top", type=_positive, default=None, metavar="N",
                       help="show only the N signposts that move the outcomes most")
    watch.add_argument("--format", choices=["table", "csv", "json"], default="table")


def _resolutions(scenario, value):
    from ..formats.resolutions_file import load_resolutions

    value = value if value is not None else scenario.model.notebooks.resolutions
    if value is None:
        raise QueryError(f"no resolutions for {scenario.id}: give RESOLUTIONS, or name a file "
                         "under notebooks.resolutions in the scenario file")
    return load_resolutions(scenario.find_file(value, "resolutions"),
                            seeds_dir=scenario.seeds_dir)


def _evidence(scenario, value):
    from ..formats.evidence_file import load_evidence

    return load_evidence(scenario.find_file(value, "evidence"), seeds_dir=scenario.seeds_dir)


def _positive(text: str) -> int:
    from argparse import ArgumentTypeError

    try:
        value = int(text)
    except ValueError:
        raise ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise ArgumentTypeError(f"expected a whole number from 1 to 10000, got {text}")
    return value


def _plain(payload: dict) -> dict:
    """Dates and other values as JSON would write them (``str``), missing values as null."""
    return json.loads(json.dumps(payload, default=str).replace("NaN", "null"))


def _number(value, digits: int = 3) -> str:
    import pandas as pd

    return _DASH if value is None or pd.isna(value) else f"{value:.{digits}f}"


def _score(args) -> int:
    from ..analyses.scoring import forecast_resolutions, score_forecasts, score_summary
    from ..analyses.skill import (
        BASELINES,
        baseline_scores,
        brier_over_time,
        calibration_table,
        skill_summary,
    )

    scenario = load_scenario(args.scenario)
    resolutions = _resolutions(scenario, args.resolutions)
    log = _evidence(scenario, args.evidence) if args.evidence else None
    try:
        forecasts = forecast_resolutions(
            scenario, resolutions, sequential=not args.marginal,
            include_provisional=not args.exclude_provisional, include_open=True,
            n_draws=args.draws, rng=args.seed)
        over_time = (brier_over_time(scenario, resolutions, log,
                                     include_provisional=not args.exclude_provisional,
                                     n_draws=args.draws, rng=args.seed)
                     if log is not None else None)
    except ValueError as exc:
        if isinstance(exc, ScenarioError | QueryError):
            raise
        raise QueryError(f"--draws or --seed: {exc}") from None
    scores = score_forecasts(forecasts)
    include = args.include_provisional
    summary = score_summary(scores, include_provisional=include).iloc[0]
    baselines = baseline_scores(scenario, resolutions, scores, seeds_dir=scenario.seeds_dir)
    skill = skill_summary(baselines, include_provisional=include)
    calibration = calibration_table(forecasts)
    wide = baselines.pivot(index="question", columns="baseline", values="baseline_brier")
    table = scores.copy()
    for baseline in BASELINES:
        table[f"brier_{baseline}"] = table["question"].map(
            wide[baseline] if baseline in wide.columns else {})
    if over_time is not None:
        averages = over_time.drop_duplicates("question").set_index("question")["time_averaged"]
        table["brier_time_averaged"] = table["question"].map(averages)
    open_rows = forecasts[forecasts["status"] == "open"]
    scored = int(summary["questions"]) > 0
    overall = {"questions": int(summary["questions"]),
               "brier": float(summary["brier"]) if scored else None,
               "log_score": float(summary["log_score"]) if scored else None,
               "log_score_total": float(summary["log_score_total"]) if scored else None,
               "provisional_left_out": int(summary["provisional"])}
    if over_time is not None:
        kept = table if include else table[~table["provisional"]]
        overall["brier_time_averaged"] = (float(kept["brier_time_averaged"].mean())
                                          if len(kept) else None)
    columns = ["question", "resolved_on", "kind", "observed", "probability", "brier",
               "log_score", *[c for c in table.columns if c.startswith("brier_")], "provisional"]
    if args.format == "json":
        records = table[columns].assign(resolved_on=table["resolved_on"].astype(str))
        records = records.astype(object).where(records.notna(), None)
        print_json(_plain({
            "scenario": scenario.id, "resolutions": resolutions.id,
            "sequential": not args.marginal, "seed": args.seed,
            "evidence": log.id if log is not None else None,
            "questions": records.to_dict("records"), "overall": overall,
            "skill": skill.drop(columns="scenario").to_dict("records"),
            "calibration": {"questions": calibration.attrs["questions"],
                            "min_questions": calibration.attrs["min_questions"],
                            "shown": bool(calibration.attrs["enough"]),
                            "table": (calibration.drop(columns="scenario").to_dict("records")
                                      if calibration.attrs["enough"] else [])},
            "open": [{"question": q, "forecast": dict(zip(part["category"],
                                                          part["probability"], strict=True))}
                     for q, part in open_rows.groupby("question", sort=False)],
        }))
    elif args.format == "csv":
        # a score that does not apply (no evidence: no average over the question's life)
        # is an empty cell, not NaN
        print_frame_csv(table.astype(object).where(table.notna(), None), ["scenario", *columns])
    else:
        _print_scores(scenario, resolutions, args, table, overall, skill, calibration, open_rows)
    return 0


def _print_scores(scenario, resolutions, args, table, overall, skill, calibration, open_rows):
    import pandas as pd

    mode = "marginal" if args.marginal else "each given the answers known before it"
    out(f"{scenario.title}: forecasts of {resolutions.id} ({mode})")
    out()
    shown = pd.DataFrame({
        "question": [q + (" *" if p else "") for q, p in
                     zip(table["question"], table["provisional"], strict=True)],
        "resolved_on": table["resolved_on"], "observed": table["observed"],
        "forecast": table["probability"].map("{:.1%}".format),
        "brier": table["brier"].map(_number), "log_score": table["log_score"].map(_number),
        "base rate": table["brier_base_rate"].map(_number),
        "uniform": table["brier_uniform"].map(_number),
        "persistence": table["brier_persistence"].map(_number)})
    if "brier_time_averaged" in table.columns:
        shown["over its life"] = table["brier_time_averaged"].map(_number)
    out(shown.to_string(index=False))
    out("(base rate, uniform, persistence: the Brier scores of the naive forecasts)")
    out()
    rule = ("provisional answers counted" if args.include_provisional else
            f"{overall['provisional_left_out']} provisional answer(s) left out")
    if overall["brier"] is None:
        out(f"Overall: no final answer to score ({rule}).")
    else:
        out(f"Overall: {overall['questions']} questions ({rule}), mean Brier "
              f"{overall['brier']:.3f} (0 best, 2 worst), mean log score "
              f"{overall['log_score']:.3f}, total {overall['log_score_total']:.3f} "
              "(-ln p, 0 best)")
    if overall.get("brier_time_averaged") is not None:
        out(f"Brier averaged over each question's life (evidence {args.evidence}): "
              f"{overall['brier_time_averaged']:.3f}")
    for row in skill.itertuples(index=False):
        out(f"Skill against {row.baseline.replace('_', ' ')}: {row.skill:+.2f} over "
              f"{row.questions} question(s) (Brier {row.brier:.3f} against "
              f"{row.baseline_brier:.3f}; 1 perfect, 0 no better, below 0 worse)")
    if calibration.attrs["enough"]:
        out("Calibration (forecast probability -> how often it happened):")
        for row in calibration.itertuples(index=False):
            out(f"  {row.lower:.1f}-{row.upper:.1f}: {row.forecasts} forecasts, mean "
                  f"{row.mean_probability:.1%}, happened {row.observed_frequency:.1%}")
    else:
        out(f"Calibration not shown: {calibration.attrs['questions']} final answer(s), "
              f"fewer than the {calibration.attrs['min_questions']} it needs.")
    if table["provisional"].any():
        out("* provisional: the answer may still change")
    if len(open_rows):
        out()
        out("Open questions (current forecast):")
        for question, part in open_rows.groupby("question", sort=False):
            text = ", ".join(f"{label} {p:.1%}" for label, p in
                             zip(part["label"], part["probability"], strict=True)
                             if part["category"].iloc[0] is not None)
            out(f"  {question}: {text}")


def _watch(args) -> int:
    import pandas as pd

    from ..analyses.signposts import watch_table
    from ..formats.signposts_file import load_signposts

    scenario = load_scenario(args.scenario)
    value = args.signposts if args.signposts is not None else scenario.model.notebooks.signposts
    if value is None:
        raise QueryError(f"no watchlist for {scenario.id}: give --signposts, or name one under "
                         "notebooks.signposts in the scenario file")
    if args.top is not None and args.top < 1:
        raise QueryError(f"--top {args.top}: expected a whole number of at least 1")
    watchlist = load_signposts(scenario.find_file(value, "signposts"),
                               seeds_dir=scenario.seeds_dir)
    log = _evidence(scenario, args.evidence) if args.evidence else None
    table = watch_table(scenario, watchlist, evidence=log)
    if args.top is not None:
        table = table[table["rank"] <= args.top]
    if args.format == "json":
        signposts = []
        for _, part in table.groupby("rank", sort=True):
            first = part.iloc[0]
            signposts.append({
                "rank": int(first["rank"]), "signpost": first["signpost"],
                "watch": first["watch"], "phase": first["phase"],
                "favours": first["favours"], "written": str(first["written"]),
                "largest": float(first["largest"]), "seen_in": first["seen_in"],
                "outcomes": [{"outcome": r.outcome, "label": r.label, "before": r.before,
                              "after": r.after, "change": r.change}
                             for r in part.itertuples(index=False)]})
        print_json(_plain({"scenario": scenario.id, "signposts": watchlist.id,
                           "evidence": log.id if log is not None else None,
                           "watchlist": signposts}))
    elif args.format == "csv":
        print_frame_csv(table, [c for c in table.columns if c != "colour"])
    else:
        when = f" after evidence {log.id}" if log is not None else ""
        out(f"{scenario.title}: signposts of {watchlist.id}, by how far each would move "
              f"the outcomes if seen{when}")
        out()
        outcomes = list(dict.fromkeys(table["label"]))
        before = table.drop_duplicates("outcome")
        out("Now: " + ", ".join(f"{r.label} {r.before:.1%}"
                                  for r in before.itertuples(index=False)))
        out()
        rows = []
        for _, part in table.groupby("rank", sort=True):
            first = part.iloc[0]
            row = {"#": int(first["rank"]), "signpost": first["signpost"],
                   "phase": first["phase"], "favours": first["favours"] or _DASH}
            row |= {label: f"{100 * change:+.1f}" for label, change in
                    zip(part["label"], part["change"], strict=True)}
            if log is not None:
                row["seen in"] = first["seen_in"] or _DASH
            rows.append(row)
        out(pd.DataFrame(rows, columns=[*rows[0].keys()] if rows else outcomes)
              .to_string(index=False))
        out()
        out("Changes in percentage points of each outcome's probability, if the signpost "
              "were seen.")
    return 0


#: Command name -> function taking the parsed arguments and returning the exit code.
COMMANDS = {"score": _score, "watch": _watch}
