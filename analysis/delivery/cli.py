"""The ``dealtree`` command line.

Exit codes: 0 success; 2 invalid input (a scenario file, an option, a
condition, an output path), with a message and never a traceback; 1 a report
that failed to build, or an internal error; 130 interrupted; 141 standard
output closed early (``dealtree ... | head``), quietly.

Quick commands import little: ``validate`` checks a tree without building
its arrays (:func:`analysis.model.scenario.check_scenario_file`: no numpy),
an exact ``summary`` loads neither pandas nor numba, scipy, plotly or
nbconvert; every other command imports what it needs when it runs
(:mod:`analysis.delivery.commands`). Everything printed goes through one
writer that escapes control characters, and JSON never holds ``NaN`` or
``Infinity`` (:mod:`analysis.delivery.console`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from pathlib import Path

from ..core.arguments import MIN_DRAWS
from ..core.errors import QueryError, ScenarioError
from ..model.scenario import load_scenario, scenario_names
from .commands import (
    EXIT_FAILED,
    EXIT_OK,
    MAX_JOBS,
    decide_command,
    export_command,
    import_command,
    new_command,
    report_command,
    sweep_command,
    tornado_command,
    update_command,
)
from .console import (
    error,
    out,
    parse_given,
    print_csv,
    print_json,
    quantile_name,
    records,
    silence_stdout,
    text_table,
)
from .files import OutputError, write_file
from .forecasting_cli import COMMANDS as FORECASTING_COMMANDS
from .forecasting_cli import add_forecasting_commands

__all__ = ["main", "run"]

EXIT_INVALID = 2
EXIT_INTERRUPTED, EXIT_PIPE_CLOSED, EXIT_TERMINATED = 130, 141, 143


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealtree", description="Scenario-tree decision analysis of phased deals.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version of dealtree and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", metavar="SCENARIO",
                          help="paths, or names in scenarios/")

    new = commands.add_parser("new", help="write a commented starter scenario to edit")
    new.add_argument("name", metavar="NAME",
                     help="the scenario's id (lowercase letters, digits, underscores)")
    new.add_argument("--output", type=Path, default=None,
                     help="the file to write (default: NAME.yaml in the current folder)")
    new.add_argument("--force", action="store_true", help="replace --output if it exists")

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
                        choices=["scenario", "evidence", "resolutions", "signposts",
                                 "reference-classes"],
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

    add_forecasting_commands(commands, draws=_draws, seed=_seed)

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
    tornado.add_argument("--range", action="append", default=[], metavar="PARAMETER=LOW:HIGH",
                         dest="ranges", help="sweep this parameter across LOW..HIGH instead of "
                                             "its prior's interval (repeatable; how a fixed "
                                             "value, a payoff or a cost is swept)")
    tornado.add_argument("--policy", choices=["optimal", "fixed"], default="optimal",
                         help="with --for: re-optimise the decisions at every value "
                              "(default) or hold the base-case optimal policy fixed")
    tornado.add_argument("--format", choices=["table", "csv", "json"], default="table")

    decide = commands.add_parser(
        "decide", help="optimal policy of a decision maker and every stakeholder's best option")
    decide.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    decide.add_argument("--for", dest="decision_maker", required=True, metavar="STAKEHOLDER",
                        help="the stakeholder whose decisions are optimised")
    decide.add_argument("--given", action="append", default=[], metavar="PHASE=BRANCH",
                        help="condition on a chance phase before the decision (repeatable)")
    decide.add_argument("--rule", metavar="RULE",
                        help="decision rule: expected_value, maximin, maximax, hurwicz, "
                             "minimax_regret (default: the scenario's, else expected value)")
    decide.add_argument("--alpha", type=_share_or_end, metavar="A",
                        help="with --rule hurwicz: the weight of the best case, in [0, 1]")
    decide.add_argument("--minimize", action="store_true",
                        help="the values are costs: minimise them")
    decide.add_argument("--format", choices=["table", "csv", "json"], default="table")

    imports = commands.add_parser(
        "import", help="convert a SilverDecisions tree file (.json) into a scenario file")
    imports.add_argument("file", type=Path, metavar="FILE.json")
    imports.add_argument("--tree", type=_whole, default=0, metavar="N",
                         help="which tree of the file, from 0 (default 0)")
    imports.add_argument("--output", type=Path, metavar="SCENARIO.yaml",
                         help="write the scenario here (default: print it)")
    imports.add_argument("--force", action="store_true",
                         help="replace --output even if `dealtree import` did not write it")

    export = commands.add_parser(
        "export", help="write a scenario in another tool's format (SilverDecisions)")
    export.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    export.add_argument("--format", choices=["silverdecisions"], required=True)
    export.add_argument("--for", dest="decision_maker", metavar="STAKEHOLDER",
                        help="whose decisions are decision nodes (default: the first "
                             "decision's)")
    export.add_argument("--criterion", metavar="OUTPUT",
                        help="what the payoffs are: utility:STAKEHOLDER, an attribute or an "
                             "outcome (default: the decision maker's utility)")
    export.add_argument("--output", type=Path, metavar="FILE.json",
                        help="write the file here (default: print it)")
    export.add_argument("--force", action="store_true", help="replace --output if it exists")

    _add_sweep(commands)

    report = commands.add_parser("report", help="execute notebooks and export offline HTML")
    report.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="default: every notebook in notebooks/")
    report.add_argument("--scenario", default=None,
                        help="run every notebook on this scenario, a path or a name in "
                             "scenarios/ (default: each notebook's own)")
    report.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="set a notebook parameter (repeatable), VALUE in YAML: "
                             "--param SEED=3 --param 'PRIOR_OVERRIDES={ceasefire.holds: 0.9}'")
    report.add_argument("--evidence", default=None,
                        help="an evidence log, a path or a name in scenarios/evidence/ "
                             "(default: the one the scenario file names)")
    report.add_argument("--resolutions", default=None,
                        help="what happened, a path or a name in scenarios/resolutions/ "
                             "(default: the one the scenario file names)")
    report.add_argument("--output", type=Path, default=None, help="default: reports/")
    report.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    report.add_argument("--force", action="store_true",
                        help="replace files in --output named like a report or index.html even "
                             "if dealtree did not write them")
    report.add_argument("--jobs", "-j", type=_count, default=None, metavar="N",
                        help="notebooks run at once, each in its own kernel (default: the "
                             f"number of processors, at most {MAX_JOBS})")
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
        error(str(exc))
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        silence_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        error("out of memory; ask for fewer draws or a smaller scenario")
        return EXIT_FAILED
    except Exception as exc:  # a bug: say so in one line, the traceback on request
        if os.environ.get("DEALTREE_DEBUG") == "1":
            raise
        error(f"internal error: {type(exc).__name__}: {exc} (please report it; run with "
               "DEALTREE_DEBUG=1 for the traceback)")
        return EXIT_FAILED


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
            found = check_scenario_file(file)
        except ScenarioError as exc:
            status = EXIT_INVALID
            out(f"{file}: {len(exc.problems)} problem(s)")
            for problem in exc.problems:
                out(f"  {problem}")
            continue
        for message in found:
            out(f"  warning: {message}")
        out(f"{file}: ok")
    return status


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}, expected at least 1")
    return value


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}, expected 0 or more")
    return value


def _share_or_end(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a number in [0, 1]") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"got {value}, expected a number in [0, 1]")
    return value


def _finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"got {value}, expected a finite number")
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


def _intervals(scenario, given, args) -> tuple[list[str], dict, dict, dict]:
    """Monte Carlo columns (mean, low, median, high) for outcomes and attributes."""
    from ..engines.sampling import sample_outcomes

    interval = 0.9 if args.interval is None else args.interval
    samples = sample_outcomes(scenario, n_draws=args.draws, given=given, rng=args.seed)
    from ..analyses.uncertainty import attribute_intervals, outcome_intervals  # pandas
    low = quantile_name((1 - interval) / 2)
    high = quantile_name((1 + interval) / 2)
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
    given = parse_given(args.given)
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
        print_json({"scenario": scenario.id, "title": scenario.title, "given": given, **meta,
               "outcomes": records(outcomes), "attributes": records(attributes)})
    elif args.format == "csv":
        rows = [["outcome", o, label, p, "probability", *(outcomes[n][k] for n in names)]
                for k, (o, label, p) in enumerate(zip(outcomes["outcome"], outcomes["label"],
                                                      outcomes["probability"], strict=True))]
        rows += [["attribute", a, label, e, unit, *(attributes[n][k] for n in names)]
                 for k, (a, label, e, unit) in enumerate(zip(
                     attributes["attribute"], attributes["label"], attributes["expected"],
                     attributes["unit"], strict=True))]
        print_csv(["kind", "name", "label", "value", "unit", *names], rows)
    else:
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        out(f"{scenario.title}" + (f"  (given {condition})" if condition else ""))
        out()
        percent = "{:.1%}".format
        out(text_table({"label": outcomes["label"],
                     **{c: [percent(v) for v in outcomes[c]]
                        for c in ["probability", *names[1:]]}}))
        if attributes["attribute"]:
            out()
            number = "{:.3g}".format
            out(text_table({"label": attributes["label"],
                         **{c: [number(v) for v in attributes[c]]
                            for c in ["expected", "sd", *names[1:]]},
                         "unit": attributes["unit"]}))
        if names:
            out()
            out(f"{names[1]}-{names[3]}: the central {meta['interval']:.0%} of "
                 f"{meta['draws']:,} draws of the priors (seed {meta['seed']}); probability "
                 "and expected: at the priors' means.")
    return EXIT_OK


def _schema(args) -> int:
    if args.kind == "evidence":
        from ..formats.evidence_file import evidence_json_schema as make
    elif args.kind == "resolutions":
        from ..formats.resolutions_file import resolutions_json_schema as make
    elif args.kind == "signposts":
        from ..formats.signposts_file import signposts_json_schema as make
    elif args.kind == "reference-classes":
        from ..formats.reference_classes_file import reference_classes_json_schema as make
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


_COMMANDS = {"validate": _validate, "summary": _summary, "schema": _schema,
             "report": report_command, "update": update_command, **FORECASTING_COMMANDS,
             "tornado": tornado_command, "decide": decide_command, "import": import_command,
             "export": export_command, "sweep": sweep_command, "new": new_command}


def _terminate(signum, frame) -> None:
    """SIGTERM unwinds like an exit, so that temporary files and kernels are cleaned up."""
    raise SystemExit(EXIT_TERMINATED)


def _add_sweep(commands) -> None:
    sweep = commands.add_parser(
        "sweep", help="evaluate a decision maker's options under many variants of the priors, "
                      "on Dask, and summarise their robustness")
    sweep.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    sweep.add_argument("--output", required=True, type=Path, metavar="DIR",
                       help="folder of the manifest and the Parquet chunks; running the same "
                            "sweep into it again resumes")
    sweep.add_argument("--n", dest="n_variants", type=_count, default=1024, metavar="N",
                       help="points of the design (default 1024; the analysts' variants come "
                            "on top)")
    sweep.add_argument("--seed", type=_seed, metavar="S",
                       help="seed of the design and the draws (default: the one in DIR's "
                            "manifest when resuming, else fresh)")
    sweep.add_argument("--for", dest="decision_maker", metavar="STAKEHOLDER",
                       help="whose options (default: the scenario's only decision maker)")
    sweep.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="an existing Dask scheduler (default: a local cluster)")
    sweep.add_argument("--workers", type=_count, metavar="N",
                       help="worker processes of the local cluster (default: one per core)")
    sweep.add_argument("--design", choices=["sobol", "latin_hypercube"], default="sobol")
    sweep.add_argument("--method", choices=["exact", "monte_carlo"], default="exact")
    sweep.add_argument("--draws", type=_draws, default=1000, metavar="N",
                       help="draws of each variant's priors with --method monte_carlo")
    sweep.add_argument("--ranges", type=Path, metavar="FILE",
                       help="a ranges file replacing the priors' 90%% intervals")
    sweep.add_argument("--no-analysts", action="store_true",
                       help="leave out the variants of scenarios/analysts/")
    sweep.add_argument("--chunk-size", type=_count, metavar="N",
                       help="variants per chunk (default 2048 exact, 64 Monte Carlo)")
    sweep.add_argument("--satisficing", type=_finite_number, metavar="U",
                       help="expected utility an option must reach to satisfice")
    sweep.add_argument("--percentile", type=_share, default=0.9, metavar="P",
                       help="regret percentile to report (default 0.9)")
    sweep.add_argument("--format", choices=["table", "csv", "json"], default="table")


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
