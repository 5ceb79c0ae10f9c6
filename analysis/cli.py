"""The ``dealtree`` command line.

Exit codes: 0 success, 2 invalid input (a scenario file, an option, a
condition), 1 a report that failed to build.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import QueryError, ScenarioError, ScenarioWarning
from .evaluate import expected_attributes, outcome_distribution
from .scenario import load_scenario, scenario_names
from .schema import scenario_json_schema

__all__ = ["main", "run"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealtree", description="Scenario-tree decision analysis of phased deals.")
    parser.add_argument("--version", action="version", version=f"dealtree {__version__}")
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

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--output", type=Path, help="write to this file instead of stdout")

    report = commands.add_parser("report", help="execute notebooks and export offline HTML")
    report.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="default: every notebook in notebooks/")
    report.add_argument("--scenario", default=None,
                        help="run every notebook on this scenario (default: each its own)")
    report.add_argument("--output", type=Path, default=None, help="default: reports/")
    report.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return {"validate": _validate, "summary": _summary, "schema": _schema,
                "report": _report}[args.command](args)
    except (ScenarioError, QueryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


def _validate(args) -> int:
    status = EXIT_OK
    for file in args.files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            try:
                load_scenario(Path(file))
            except ScenarioError as exc:
                status = EXIT_INVALID
                print(f"{file}: {len(exc.problems)} problem(s)")
                for problem in exc.problems:
                    print(f"  {problem}")
                continue
        for warning in caught:
            print(f"  warning: {warning.message}")
        print(f"{file}: ok")
    return status


def _parse_given(items: list[str]) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    for item in items:
        phase, sep, branches = item.partition("=")
        if not sep or not phase or not branches:
            raise QueryError(f"--given {item!r}: expected PHASE=BRANCH (or PHASE=A|B)")
        given.setdefault(phase.strip(), []).extend(b.strip() for b in branches.split("|"))
    return given


def _summary(args) -> int:
    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    outcomes = outcome_distribution(scenario, given=given)
    attributes = expected_attributes(scenario, given=given)
    if args.format == "json":
        payload = {
            "scenario": scenario.id,
            "title": scenario.title,
            "given": given,
            "outcomes": outcomes[["outcome", "label", "probability"]].to_dict("records"),
            "attributes": attributes[["attribute", "label", "unit", "expected", "sd"]]
            .to_dict("records"),
        }
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        rows = outcomes.assign(kind="outcome", name=outcomes["outcome"], value=outcomes[
            "probability"], unit="probability")
        attrs = attributes.assign(kind="attribute", name=attributes["attribute"],
                                  value=attributes["expected"])
        columns = ["kind", "name", "label", "value", "unit"]
        text = rows[columns].to_csv(index=False) + attrs[columns].to_csv(index=False, header=False)
        sys.stdout.write(text)
    else:
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        print(f"{scenario.title}" + (f"  (given {condition})" if condition else ""))
        print()
        table = outcomes.assign(probability=outcomes["probability"].map("{:.1%}".format))
        print(table[["label", "probability"]].to_string(index=False))
        if len(attributes):
            print()
            table = attributes.assign(expected=attributes["expected"].map("{:.3g}".format),
                                      sd=attributes["sd"].map("{:.3g}".format))
            print(table[["label", "expected", "sd", "unit"]].to_string(index=False))
    return EXIT_OK


def _schema(args) -> int:
    text = scenario_json_schema()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _report(args) -> int:
    from .report import build_reports  # imports nbconvert: only when asked

    results = build_reports(args.notebooks or None, args.output, scenario=args.scenario,
                            show_code=args.show_code)
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(f"failed: {result.error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def run() -> None:
    """Entry point of the ``dealtree`` console script."""
    sys.exit(main())
