"""The ``dealtree`` command line.

Exit codes: 0 success; 2 invalid input (a scenario file, an option, a
condition, an output path), with a message and never a traceback; 1 a report
that failed to build, or an internal error; 130 interrupted; 141 standard
output closed early (``dealtree ... | head``), quietly.

Quick commands import little: ``validate`` checks a tree without building
its arrays (:func:`analysis.model.scenario.check_scenario_file`: no numpy),
an exact ``summary`` loads neither pandas nor numba, scipy, plotly or
nbconvert; every other command imports what it needs when it runs. Everything printed goes through one
writer that escapes control characters, and JSON never holds ``NaN`` or
``Infinity``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import signal
import sys
from pathlib import Path

from ..core.arguments import MIN_DRAWS
from ..core.errors import QueryError, ScenarioError
from ..core.text import escape_controls
from ..model.scenario import load_scenario, scenario_names
from .files import OutputError, write_file

__all__ = ["main", "run"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
EXIT_INTERRUPTED, EXIT_PIPE_CLOSED, EXIT_TERMINATED = 130, 141, 143


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealtree", description="Scenario-tree decision analysis of phased deals.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version of dealtree and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", metavar="FILE")

    summary = commands.add_parser(
        "summary", help="outcome distribution and expected attributes of a scenario")
    summary.add_argument("scenario", metavar="SCENARIO",
                         help=f"a path or a name in scenarios/ ({', '.join(scenario_names())})")
    summary.add_argument("--given", action="append", default=[], metavar="PHASE=BRANCH",
                         help="condition on a phase's branch (repeatable; BRANCH may be a|b)")
    summary.add_argument("--format", choices=["table", "csv", "json"], default="table")
    summary.add_argument("--draws", type=_draws, metavar="N",
                         help="also draw the priors N times and add credible intervals "
                              "(columns such as p05, median, p95)")
    summary.add_argument("--seed", type=_seed, metavar="S",
                         help="seed of the draws (default: fresh; the output says which)")
    summary.add_argument("--interval", type=_share, metavar="P",
                         help="central interval to report with --draws (default 0.9)")

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("kind", nargs="?", default="scenario",
                        choices=["scenario", "evidence", "resolutions"],
                        help="which file format (default: scenario)")
    schema.add_argument("--output", type=Path, help="write to this file instead of stdout")
    schema.add_argument("--force", action="store_true",
                        help="replace --output even if it is not a schema dealtree wrote")

    update = commands.add_parser(
        "update", help="posterior outcome distribution of a scenario after an evidence log")
    update.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    update.add_argument("evidence", metavar="EVIDENCE",
                        help="a path or a name in scenarios/evidence/")
    update.add_argument("--until", metavar="YYYY-MM-DD",
                        help="use only the items dated on or before this day")
    update.add_argument("--format", choices=["table", "csv", "json"], default="table")

    score = commands.add_parser(
        "score", help="Brier and log scores of a scenario's forecasts of resolved questions")
    score.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    score.add_argument("resolutions", metavar="RESOLUTIONS",
                       help="a path or a name in scenarios/resolutions/")
    score.add_argument("--marginal", action="store_true",
                       help="score marginal forecasts, not each given the earlier answers")
    score.add_argument("--exclude-provisional", action="store_true",
                       help="leave out the questions marked provisional")
    score.add_argument("--draws", type=_draws, default=20_000, metavar="N",
                       help="Monte Carlo draws of the durations for survival questions")
    score.add_argument("--seed", type=_seed, default=0, metavar="S",
                       help="seed of those draws (default 0, so that runs repeat)")
    score.add_argument("--format", choices=["table", "csv", "json"], default="table")

    tornado = commands.add_parser(
        "tornado", help="one-way sensitivity of an output to each prior, largest swing first")
    tornado.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    tornado.add_argument("--output", required=True, metavar="OUTPUT",
                         help="an outcome, an attribute, or utility:STAKEHOLDER")
    tornado.add_argument("--given", action="append", default=[], metavar="PHASE=BRANCH",
                         help="condition on a phase's branch (repeatable; BRANCH may be a|b)")
    tornado.add_argument("--for", dest="decision_maker", metavar="STAKEHOLDER",
                         help="re-optimise this stakeholder's decisions at every value")
    tornado.add_argument("--interval", type=_share, default=0.9, metavar="P",
                         help="central interval each prior is swept across (default 0.9)")
    tornado.add_argument("--top", type=_count, metavar="N", help="show the N largest swings")
    tornado.add_argument("--format", choices=["table", "csv", "json"], default="table")

    decide = commands.add_parser(
        "decide", help="optimal policy of a decision maker and every stakeholder's best option")
    decide.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    decide.add_argument("--for", dest="decision_maker", required=True, metavar="STAKEHOLDER",
                        help="the stakeholder whose decisions are optimised")
    decide.add_argument("--given", action="append", default=[], metavar="PHASE=BRANCH",
                        help="condition on a chance phase before the decision (repeatable)")
    decide.add_argument("--format", choices=["table", "csv", "json"], default="table")

    report = commands.add_parser("report", help="execute notebooks and export offline HTML")
    report.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="default: every notebook in notebooks/")
    report.add_argument("--scenario", default=None,
                        help="run every notebook on this scenario (default: each its own)")
    report.add_argument("--output", type=Path, default=None, help="default: reports/")
    report.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    report.add_argument("--force", action="store_true",
                        help="replace files in --output named like a report or index.html even "
                             "if dealtree did not write them")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Every mistake in the input (a file, an option, an output path) prints
    one message to standard error and returns 2; nothing prints a traceback
    unless the environment variable ``DEALTREE_DEBUG`` is ``1``.
    """
    try:
        args = _parser().parse_args(argv)
        code = _COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the one error path
        return code
    except (ScenarioError, QueryError, OutputError) as exc:
        _error(str(exc))
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        _error("out of memory; ask for fewer draws or a smaller scenario")
        return EXIT_FAILED
    except Exception as exc:  # a bug: say so in one line, the traceback on request
        if os.environ.get("DEALTREE_DEBUG") == "1":
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (please report it; run with "
               "DEALTREE_DEBUG=1 for the traceback)")
        return EXIT_FAILED


def _error(message: str) -> None:
    try:
        sys.stderr.write(escape_controls(f"error: {message}") + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # standard error closed too: nothing left to tell
        pass


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _out(text: str = "") -> None:
    """Print one line of text for a reader, control characters escaped."""
    sys.stdout.write(escape_controls(text) + "\n")


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (it costs 30 ms)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from ..core.version import VERSION

        sys.stdout.write(f"dealtree {VERSION}\n")
        parser.exit()


def _validate(args) -> int:
    from ..model.scenario import check_scenario_file  # the checks without the arrays

    status = EXIT_OK
    for file in args.files:
        try:
            found = check_scenario_file(Path(file))
        except ScenarioError as exc:
            status = EXIT_INVALID
            _out(f"{file}: {len(exc.problems)} problem(s)")
            for problem in exc.problems:
                _out(f"  {problem}")
            continue
        for message in found:
            _out(f"  warning: {message}")
        _out(f"{file}: ok")
    return status


def _parse_given(items: list[str]) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    for item in items:
        phase, sep, branches = item.partition("=")
        if not sep or not phase or not branches:
            raise QueryError(f"--given {item!r}: expected PHASE=BRANCH (or PHASE=A|B)")
        given.setdefault(phase.strip(), []).extend(b.strip() for b in branches.split("|"))
    return given


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}, expected at least 1")
    return value


def _draws(text: str) -> int:
    value = _count(text)
    if value < MIN_DRAWS:
        raise argparse.ArgumentTypeError(f"got {value}, expected at least {MIN_DRAWS}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}, expected 0 or more")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a number such as 0.9"
                                         ) from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"got {value}, expected a probability strictly "
                                         "between 0 and 1 (0.9 for a 90% interval)")
    return value


def _quantile_name(level: float) -> str:
    """``0.05`` -> ``'p05'``, ``0.975`` -> ``'p97.5'``."""
    percent = f"{100 * level:.6g}"
    return "p" + (percent.zfill(2) if "." not in percent else percent.zfill(3))


def _intervals(scenario, given, args) -> tuple[list[str], dict, dict, dict]:
    """Monte Carlo columns (mean, low, median, high) for outcomes and attributes."""
    from ..engines.sampling import sample_outcomes

    interval = 0.9 if args.interval is None else args.interval
    samples = sample_outcomes(scenario, n_draws=args.draws, given=given, rng=args.seed)
    from ..analyses.uncertainty import attribute_intervals, outcome_intervals  # pandas
    low = _quantile_name((1 - interval) / 2)
    high = _quantile_name((1 + interval) / 2)
    names = ["mean", low, "median", high]

    def columns(frame) -> dict[str, list[float]]:
        frame = frame.rename(columns={"lower": low, "upper": high})
        return {name: [float(v) for v in frame[name]] for name in names}

    meta = {"draws": samples.n_draws, "seed": samples.seed, "interval": interval}
    return (names, columns(outcome_intervals(samples, interval=interval)),
            columns(attribute_intervals(samples, interval=interval)), meta)


def _summary(args) -> int:
    from ..engines.exact import attribute_moments, outcome_probabilities

    if args.draws is None and (args.seed is not None or args.interval is not None):
        raise QueryError("--seed and --interval go with --draws N (the number of draws of "
                         "the priors)")
    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    model = scenario.model
    probabilities = outcome_probabilities(scenario, given)
    expected, sd = attribute_moments(scenario, given)
    outcomes = {"outcome": list(model.outcomes),
                "label": [o.label for o in model.outcomes.values()],
                "probability": [float(v) for v in probabilities]}
    attributes = {"attribute": list(model.attributes),
                  "label": [a.label for a in model.attributes.values()],
                  "unit": [a.unit for a in model.attributes.values()],
                  "expected": [float(v) for v in expected], "sd": [float(v) for v in sd]}
    names: list[str] = []
    meta: dict = {}
    if args.draws is not None:
        names, outcome_mc, attribute_mc, meta = _intervals(scenario, given, args)
        outcomes.update(outcome_mc)
        attributes.update(attribute_mc)
    if args.format == "json":
        _json({"scenario": scenario.id, "title": scenario.title, "given": given, **meta,
               "outcomes": _records(outcomes), "attributes": _records(attributes)})
    elif args.format == "csv":
        rows = [["outcome", o, label, p, "probability", *(outcomes[n][k] for n in names)]
                for k, (o, label, p) in enumerate(zip(outcomes["outcome"], outcomes["label"],
                                                      outcomes["probability"], strict=True))]
        rows += [["attribute", a, label, e, unit, *(attributes[n][k] for n in names)]
                 for k, (a, label, e, unit) in enumerate(zip(
                     attributes["attribute"], attributes["label"], attributes["expected"],
                     attributes["unit"], strict=True))]
        _csv(["kind", "name", "label", "value", "unit", *names], rows)
    else:
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        _out(f"{scenario.title}" + (f"  (given {condition})" if condition else ""))
        _out()
        percent = "{:.1%}".format
        _out(_table({"label": outcomes["label"],
                     **{c: [percent(v) for v in outcomes[c]]
                        for c in ["probability", *names[1:]]}}))
        if attributes["attribute"]:
            _out()
            number = "{:.3g}".format
            _out(_table({"label": attributes["label"],
                         **{c: [number(v) for v in attributes[c]]
                            for c in ["expected", "sd", *names[1:]]},
                         "unit": attributes["unit"]}))
        if names:
            _out()
            _out(f"{names[1]}-{names[3]}: the central {meta['interval']:.0%} of "
                 f"{meta['draws']:,} draws of the priors (seed {meta['seed']}); probability "
                 "and expected: at the priors' means.")
    return EXIT_OK


def _records(columns: dict[str, list]) -> list[dict]:
    """Turn columns into rows: ``{"a": [1, 2], "b": [3, 4]}`` -> ``[{"a": 1, "b": 3}, ...]``."""
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _table(columns: dict[str, list[str]]) -> str:
    """Return a plain text table, every column right-aligned under its name (as pandas)."""
    widths = {name: max([len(name), *(len(str(v)) for v in values)])
              for name, values in columns.items()}
    lines = [" ".join(name.rjust(widths[name]) for name in columns)]
    lines += [" ".join(str(v).rjust(widths[name]) for name, v in zip(columns, row, strict=True))
              for row in zip(*columns.values(), strict=True)]
    return "\n".join(lines)


def _finite(value, where: str = "output"):
    """Return ``value`` (nested dicts and lists) with NumPy numbers as plain Python ones.

    Raises
    ------
    QueryError
        Naming where a number is not finite: no ``NaN`` or ``Infinity`` is ever written.
    """
    if isinstance(value, dict):
        return {k: _finite(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise QueryError(f"the result {where} is {value}, not a finite number: the scenario's "
                         "numbers are too extreme for it; nothing was written")
    return value


def _json(payload: dict) -> None:
    """Print ``payload`` as JSON (ASCII, so control characters are escaped; never NaN)."""
    sys.stdout.write(json.dumps(_finite(payload), indent=2, allow_nan=False) + "\n")


def _csv(header: list[str], rows: list[list]) -> None:
    """Print rows as CSV (after the same finiteness check as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(_finite([list(row) for row in rows]))
    sys.stdout.write(escape_controls(buffer.getvalue()))


def _frame_csv(frame, columns: list[str]) -> None:
    _csv(columns, frame[columns].itertuples(index=False, name=None))


def _schema(args) -> int:
    if args.kind == "evidence":
        from ..formats.evidence_file import evidence_json_schema as make
    elif args.kind == "resolutions":
        from ..formats.resolutions_file import resolutions_json_schema as make
    else:
        from ..formats.scenario_file import scenario_json_schema as make
    text = make()
    if args.output:
        write_file(args.output, text, what="a JSON Schema", owned=_is_schema, force=args.force)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _is_schema(path: Path) -> bool:
    """Whether ``path`` holds a JSON Schema that dealtree wrote (so it may be replaced)."""
    try:
        if path.stat().st_size > 10_000_000:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    title = str(data.get("title", "")) if isinstance(data, dict) else ""
    return (isinstance(data, dict) and "$schema" in data
            and (title.startswith("dealtree ") or title in _OLD_SCHEMA_TITLES))


#: The titles of the schemas that dealtree 0.1 wrote before they said "dealtree".
_OLD_SCHEMA_TITLES = {"EvidenceFile", "ResolutionsFile"}


def _report(args) -> int:
    from .report import build_reports  # imports nbconvert: only when asked

    results = build_reports(args.notebooks or None, args.output, scenario=args.scenario,
                            show_code=args.show_code, force=args.force)
    failed = [r for r in results if not r.ok]
    for result in failed:
        _error(f"failed: {result.error}")
    return EXIT_FAILED if failed else EXIT_OK


def _update(args) -> int:
    from ..analyses.updating import update_scenario
    from ..engines.exact import outcome_probabilities

    prior = load_scenario(args.scenario)
    try:
        posterior = update_scenario(prior, args.evidence, until=args.until)
    except ValueError as exc:
        if isinstance(exc, ScenarioError | QueryError):
            raise
        raise QueryError(f"--until: {exc}") from None
    model = prior.model
    table = {"outcome": list(model.outcomes),
             "label": [o.label for o in model.outcomes.values()],
             "prior": [float(v) for v in outcome_probabilities(prior)],
             "posterior": [float(v) for v in outcome_probabilities(posterior)]}
    items = posterior.evidence.items
    logs = list(dict.fromkeys(a.log.id for a in posterior.evidence.applied))
    if args.format == "json":
        _json({"scenario": prior.id, "title": prior.title, "evidence": logs,
               "until": args.until,
               "items": [{"id": i.id, "date": i.date.isoformat(), "kind": i.kind,
                          "title": i.title} for i in items],
               "outcomes": _records(table)})
    elif args.format == "csv":
        _csv(list(table), list(zip(*table.values(), strict=True)))
    else:
        last = f", to {items[-1].date}" if items else ""
        _out(prior.title)
        _out(f"Updated on {len(items)} evidence item{'s' if len(items) != 1 else ''} of "
             f"{', '.join(logs) or args.evidence}{last}")
        _out()
        _finite(table)
        _out(_table({"label": table["label"],
                     "prior": [f"{v:.1%}" for v in table["prior"]],
                     "posterior": [f"{v:.1%}" for v in table["posterior"]]}))
    return EXIT_OK


def _score(args) -> int:
    from ..analyses.scoring import forecast_resolutions, score_forecasts, score_summary

    scenario = load_scenario(args.scenario)
    forecasts = forecast_resolutions(
        scenario, args.resolutions, sequential=not args.marginal,
        include_provisional=not args.exclude_provisional, n_draws=args.draws, rng=args.seed)
    scores = score_forecasts(forecasts)
    summary = score_summary(scores).iloc[0]
    overall = _finite({"questions": int(summary["questions"]), "brier": float(summary["brier"]),
                       "log_score": float(summary["log_score"]),
                       "log_score_total": float(summary["log_score_total"])}, "overall")
    columns = ["question", "resolved_on", "kind", "observed", "probability", "brier",
               "log_score", "provisional"]
    if args.format == "json":
        records = scores[columns].assign(resolved_on=scores["resolved_on"].astype(str))
        _json({"scenario": scenario.id, "resolutions": forecasts.attrs["resolutions"],
               "sequential": not args.marginal, "seed": args.seed,
               "questions": records.to_dict("records"), "overall": overall})
    elif args.format == "csv":
        _frame_csv(scores, ["scenario", *columns])
    else:
        _finite(scores[["probability", "brier", "log_score"]].to_numpy().tolist(), "scores")
        mode = "marginal" if args.marginal else "each given the answers known before it"
        _out(f"{scenario.title}: forecasts of {forecasts.attrs['resolutions']} ({mode})")
        _out()
        _out(_table({
            "question": [q + (" *" if p else "") for q, p in
                         zip(scores["question"], scores["provisional"], strict=True)],
            "resolved_on": [str(d) for d in scores["resolved_on"]],
            "observed": list(scores["observed"]),
            "forecast": [f"{v:.1%}" for v in scores["probability"]],
            "brier": [f"{v:.3f}" for v in scores["brier"]],
            "log_score": [f"{v:.3f}" for v in scores["log_score"]]}))
        _out()
        _out(f"Overall: {overall['questions']} questions, mean Brier {overall['brier']:.3f} "
             f"(0 best, 2 worst), mean log score {overall['log_score']:.3f}, total "
             f"{overall['log_score_total']:.3f} (-ln p, 0 best)")
        if scores["provisional"].any():
            _out("* provisional: the answer may still change")
    return EXIT_OK


def _number(value: float, unit: str) -> str:
    return f"{value:.1%}" if unit == "probability" else f"{value:,.4g}"


def _tornado(args) -> int:
    from ..analyses.sensitivity import tornado_table

    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    table = tornado_table(scenario, output=args.output, interval=args.interval, given=given,
                          decision_maker=args.decision_maker)
    if args.top:
        table = table.head(args.top)
    unit, label = table.attrs["unit"], table.attrs["output_label"]
    base = float(table.attrs["base"])
    columns = ["parameter", "label", "low", "high", "result_low", "result_high", "base",
               "swing"]
    if args.format == "json":
        _json({"scenario": scenario.id, "output": args.output, "output_label": label,
               "unit": unit, "given": given, "decision_maker": args.decision_maker,
               "interval": args.interval, "base": base,
               "parameters": table[columns].to_dict("records")})
    elif args.format == "csv":
        _frame_csv(table, columns)
    else:
        _finite({"base": base, "rows": table[columns[2:]].to_numpy().tolist()}, "tornado")
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        _out(f"{scenario.title}: tornado of {label}"
             + (f"  (given {condition})" if condition else ""))
        extra = (f"; {args.decision_maker}'s decisions re-optimised at each value"
                 if args.decision_maker else "")
        _out(f"At the priors' means: {_number(base, unit)}. Each prior across its central "
             f"{args.interval:.0%} interval, the others at their means{extra}.")
        _out()
        if len(table):
            _out(_table({
                "prior": list(table["label"]),
                "interval": [f"{lo:.3f}-{hi:.3f}" for lo, hi in zip(table["low"], table["high"],
                                                                      strict=True)],
                "at low end": [_number(v, unit) for v in table["result_low"]],
                "at high end": [_number(v, unit) for v in table["result_high"]],
                "swing": [_number(v, unit) for v in table["swing"]]}))
        else:
            _out("(no uncertain prior: every probability is fixed)")
    return EXIT_OK


def _decide(args) -> int:
    from ..analyses.decisions import rollback

    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    result = rollback(scenario, decision_maker=args.decision_maker, given=given)
    values, best = result.option_values, result.best_options
    if args.format == "json":
        def records(frame) -> list[dict]:
            return json.loads(frame.to_json(orient="records"))

        _json({"scenario": scenario.id, "decision_maker": result.decision_maker,
               "phase": result.phase, "given": given, "value": result.value,
               "policy": records(result.policy), "option_values": records(values),
               "best_options": records(best),
               "expected_utilities": records(result.expected_utilities)})
    elif args.format == "csv":
        _frame_csv(values, ["node", "information", "option", "stakeholder", "unit",
                            "expected_utility", "best", "chosen"])
    else:
        _finite({"value": result.value, "values": values["expected_utility"].tolist()},
                "decisions")
        unit = scenario.model.utilities[result.decision_maker].unit
        label = scenario.model.stakeholders[result.decision_maker].label
        _out(f"{scenario.title}: decisions of {label}")
        _out(f"Expected utility of the optimal policy for {label}: "
             f"{result.value:,.4g} {unit}")
        _out()
        _out("Optimal policy (* chosen, = tied with the best):")
        for (phase, info), rows in result.policy.groupby(["phase", "information_label"],
                                                         sort=False):
            _out(f"  {phase} | {info}")
            for row in rows.itertuples(index=False):
                mark = "*" if row.chosen else ("=" if row.tie else " ")
                _out(f"    {mark} {row.option_label:<32} {row.expected_utility:>10,.4g} {unit}")
        for info, rows in values.groupby("information_label", sort=False):
            _out()
            _out(f"Expected utility of each option at {result.phase} | {info}:")
            table = rows.pivot_table(index="option_label", columns="stakeholder_label",
                                     values="expected_utility", sort=False)
            _out(table.map(lambda v: f"{v:,.4g}").to_string())
            picks = best[best["information_label"] == info]
            _out("  Best for each: " + "; ".join(
                f"{r.stakeholder_label}: "
                + (f"tie of {r.tied_options.replace(' | ', ', ')}" if r.tie else r.option_label)
                for r in picks.itertuples(index=False)))
    return EXIT_OK


_COMMANDS = {"validate": _validate, "summary": _summary, "schema": _schema, "report": _report,
             "update": _update, "score": _score, "tornado": _tornado, "decide": _decide}


def _terminate(signum, frame) -> None:
    """SIGTERM unwinds like an exit, so that temporary files and kernels are cleaned up."""
    raise SystemExit(EXIT_TERMINATED)


def run() -> None:
    """Entry point of the ``dealtree`` console script (and of ``python -m analysis``).

    Every command but ``report`` leaves at once when it is done: its output
    is flushed, no file or thread is open, and tearing down the interpreter's
    modules one by one would add about a tenth of a second to every command.
    It also skips pydantic's search of every installed package for plugins
    (``PYDANTIC_DISABLE_PLUGINS``, unless set): dealtree uses none, and the
    search costs tens of milliseconds.
    """
    signal.signal(signal.SIGTERM, _terminate)
    quick = sys.argv[1:2] != ["report"]
    if quick:
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main()
    if quick:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # the reader went away after all
            code = EXIT_PIPE_CLOSED
        os._exit(code)
    sys.exit(code)
