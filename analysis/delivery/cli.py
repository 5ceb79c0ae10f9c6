"""The ``dealtree`` command line.

Exit codes: 0 success, 2 invalid input (a scenario file, an option, a
condition), 1 a report that failed to build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from ..analyses.outcomes import expected_attributes, outcome_distribution
from ..core.arguments import MIN_DRAWS
from ..core.errors import QueryError, ScenarioError, ScenarioWarning
from ..core.version import VERSION as __version__
from ..formats.scenario_file import scenario_json_schema
from ..model.scenario import load_scenario, scenario_names
from .forecasting_cli import COMMANDS, add_forecasting_commands

__all__ = ["main", "run"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
#: Most notebooks ``dealtree report`` runs at once by default (a kernel takes ~300 MB).
_MAX_JOBS = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealtree", description="Scenario-tree decision analysis of phased deals.")
    parser.add_argument("--version", action="version", version=f"dealtree {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", metavar="SCENARIO",
                          help="paths, or names in scenarios/")

    new = commands.add_parser("new", help="write a commented starter scenario to edit")
    new.add_argument("name", metavar="NAME",
                     help="the scenario's id (lowercase letters, digits, underscores)")
    new.add_argument("--output", type=Path, default=None,
                     help="the file to write (default: NAME.yaml in the current folder)")

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

    update = commands.add_parser(
        "update", help="posterior outcome distribution of a scenario after an evidence log")
    update.add_argument("scenario", metavar="SCENARIO", help="a path or a name in scenarios/")
    update.add_argument("evidence", metavar="EVIDENCE",
                        help="a path or a name in scenarios/evidence/")
    update.add_argument("--until", metavar="YYYY-MM-DD",
                        help="use only the items dated on or before this day")
    update.add_argument("--format", choices=["table", "csv", "json"], default="table")

    add_forecasting_commands(commands)

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
    report.add_argument("--jobs", "-j", type=_count, default=None, metavar="N",
                        help="notebooks run at once, each in its own kernel (default: the "
                             f"number of processors, at most {_MAX_JOBS})")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return {"validate": _validate, "summary": _summary, "schema": _schema,
                "report": _report, "update": _update, **COMMANDS,
                "tornado": _tornado, "decide": _decide, "import": _import,
                "export": _export, "sweep": _sweep, "new": _new}[args.command](args)
    except (ScenarioError, QueryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


def _validate(args) -> int:
    status = EXIT_OK
    for file in args.files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            try:
                load_scenario(file)
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


def _parse_ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    ranges = {}
    for item in items:
        key, sep, span = item.partition("=")
        low, colon, high = span.partition(":")
        try:
            if not (sep and colon and key):
                raise ValueError
            ranges[key.strip()] = (float(low), float(high))
        except ValueError:
            raise QueryError(f"--range {item!r}: expected PARAMETER=LOW:HIGH, such as "
                             "test_cost=0:30") from None
    return ranges


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


def _intervals(scenario, given, args) -> tuple[list[str], pd.DataFrame, pd.DataFrame, dict]:
    """Monte Carlo columns (mean, low, median, high) for outcomes and attributes."""
    from ..analyses.uncertainty import attribute_intervals, outcome_intervals
    from ..engines.sampling import sample_outcomes

    interval = 0.9 if args.interval is None else args.interval
    samples = sample_outcomes(scenario, n_draws=args.draws, given=given, rng=args.seed)
    low = _quantile_name((1 - interval) / 2)
    high = _quantile_name((1 + interval) / 2)
    names = ["mean", low, "median", high]

    def columns(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rename(columns={"lower": low, "upper": high})[names]

    meta = {"draws": samples.n_draws, "seed": samples.seed, "interval": interval}
    return (names, columns(outcome_intervals(samples, interval=interval)),
            columns(attribute_intervals(samples, interval=interval)), meta)


def _summary(args) -> int:
    if args.draws is None and (args.seed is not None or args.interval is not None):
        raise QueryError("--seed and --interval go with --draws N (the number of draws of "
                         "the priors)")
    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    outcomes = outcome_distribution(scenario, given=given)
    attributes = expected_attributes(scenario, given=given)
    names: list[str] = []
    meta: dict = {}
    if args.draws is not None:
        names, outcome_mc, attribute_mc, meta = _intervals(scenario, given, args)
        outcomes = pd.concat([outcomes, outcome_mc], axis=1)
        attributes = pd.concat([attributes, attribute_mc], axis=1)
    if args.format == "json":
        payload = {
            "scenario": scenario.id,
            "title": scenario.title,
            "given": given,
            **meta,
            "outcomes": outcomes[["outcome", "label", "probability", *names]]
            .to_dict("records"),
            "attributes": attributes[["attribute", "label", "unit", "expected", "sd", *names]]
            .to_dict("records"),
        }
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        rows = outcomes.assign(kind="outcome", name=outcomes["outcome"], value=outcomes[
            "probability"], unit="probability")
        attrs = attributes.assign(kind="attribute", name=attributes["attribute"],
                                  value=attributes["expected"])
        columns = ["kind", "name", "label", "value", "unit", *names]
        text = rows[columns].to_csv(index=False) + attrs[columns].to_csv(index=False, header=False)
        sys.stdout.write(text)
    else:
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        print(f"{scenario.title}" + (f"  (given {condition})" if condition else ""))
        print()
        percent = "{:.1%}".format
        table = outcomes.assign(**{c: outcomes[c].map(percent)
                                   for c in ["probability", *names]})
        print(table[["label", "probability", *names[1:]]].to_string(index=False))
        if len(attributes):
            print()
            number = "{:.3g}".format
            table = attributes.assign(**{c: attributes[c].map(number)
                                         for c in ["expected", "sd", *names]})
            print(table[["label", "expected", "sd", *names[1:], "unit"]].to_string(index=False))
        if names:
            print()
            print(f"{names[1]}-{names[3]}: the central {meta['interval']:.0%} of "
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
        make = scenario_json_schema
    text = make()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _parse_params(items: list[str]) -> dict:
    import yaml

    parameters = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise QueryError(f"--param {item!r}: expected KEY=VALUE, KEY a parameter's name "
                             "such as SEED")
        try:
            parameters[key] = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise QueryError(f"--param {key}: {text!r} is not a YAML value ({first})") from None
    return parameters


def _report(args) -> int:
    from .report import build_reports  # imports nbconvert: only when asked

    parameters = _parse_params(args.param)
    try:
        results = build_reports(args.notebooks or None, args.output, scenario=args.scenario,
                                parameters=parameters, evidence=args.evidence,
                                resolutions=args.resolutions, show_code=args.show_code,
                                jobs=args.jobs or min(os.cpu_count() or 1, _MAX_JOBS))
    except (ScenarioError, QueryError):
        raise
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(f"failed: {result.error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _update(args) -> int:
    from ..analyses.updating import update_scenario

    prior = load_scenario(args.scenario)
    try:
        posterior = update_scenario(prior, args.evidence, until=args.until)
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise QueryError(f"--until: {exc}") from None
    before = outcome_distribution(prior)
    after = outcome_distribution(posterior)
    table = before[["outcome", "label"]].assign(prior=before["probability"],
                                                posterior=after["probability"])
    items = posterior.evidence.items
    logs = list(dict.fromkeys(a.log.id for a in posterior.evidence.applied))
    if args.format == "json":
        print(json.dumps({
            "scenario": prior.id, "title": prior.title, "evidence": logs,
            "until": args.until,
            "items": [{"id": i.id, "date": i.date.isoformat(), "kind": i.kind,
                       "title": i.title} for i in items],
            "outcomes": table.to_dict("records"),
        }, indent=2))
    elif args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
    else:
        last = f", to {items[-1].date}" if items else ""
        print(prior.title)
        print(f"Updated on {len(items)} evidence item{'s' if len(items) != 1 else ''} of "
              f"{', '.join(logs) or args.evidence}{last}")
        print()
        shown = table.assign(prior=table["prior"].map("{:.1%}".format),
                             posterior=table["posterior"].map("{:.1%}".format))
        print(shown[["label", "prior", "posterior"]].to_string(index=False))
    return EXIT_OK


def _number(value: float, unit: str) -> str:
    return f"{value:.1%}" if unit == "probability" else f"{value:,.4g}"


def _tornado(args) -> int:
    from ..analyses.sensitivity import tornado_table

    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    if args.policy == "fixed" and not args.decision_maker:
        raise QueryError("--policy fixed goes with --for STAKEHOLDER (whose policy is held)")
    ranges = _parse_ranges(args.ranges)
    table = tornado_table(scenario, output=args.output, interval=args.interval, given=given,
                          decision_maker=args.decision_maker, ranges=ranges or None,
                          policy=args.policy)
    if args.top:
        table = table.head(args.top)
    unit, label = table.attrs["unit"], table.attrs["output_label"]
    base = float(table["base"].iloc[0]) if len(table) else float("nan")
    columns = ["parameter", "label", "low", "high", "result_low", "result_high", "base",
               "swing"]
    if args.format == "json":
        payload = {"scenario": scenario.id, "output": args.output, "output_label": label,
                   "unit": unit, "given": given, "decision_maker": args.decision_maker,
                   "interval": args.interval, "base": base,
                   "parameters": table[columns].to_dict("records")}
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        sys.stdout.write(table[columns].to_csv(index=False))
    else:
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        print(f"{scenario.title}: tornado of {label}"
              + (f"  (given {condition})" if condition else ""))
        extra = f"; {table.attrs.get('policy')}" if args.decision_maker else ""
        given_ranges = " (or the range given)" if ranges else ""
        print(f"At the priors' means: {_number(base, unit)}. Each parameter across its prior's "
              f"central {args.interval:.0%} interval{given_ranges}, the others at their base "
              f"values{extra}.")
        print()
        shown = pd.DataFrame({
            "parameter": table["label"],
            "range": [f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(table["low"], table["high"],
                                                                 strict=True)],
            "at low end": [_number(v, unit) for v in table["result_low"]],
            "at high end": [_number(v, unit) for v in table["result_high"]],
            "swing": [_number(v, unit) for v in table["swing"]],
        })
        print(shown.to_string(index=False))
    return EXIT_OK


def _decide(args) -> int:
    from ..analyses.decisions import rollback

    scenario = load_scenario(args.scenario)
    given = _parse_given(args.given)
    rule = None
    if args.rule or args.alpha is not None or args.minimize:
        rule = {"name": args.rule or "expected_value"}
        if args.alpha is not None:
            rule["alpha"] = args.alpha
        if args.minimize:
            rule["direction"] = "minimize"
    result = rollback(scenario, decision_maker=args.decision_maker, given=given, rule=rule)
    values, best = result.option_values, result.best_options
    if args.format == "json":
        def records(frame: pd.DataFrame) -> list[dict]:
            return json.loads(frame.to_json(orient="records"))

        payload = {"scenario": scenario.id, "decision_maker": result.decision_maker,
                   "phase": result.phase, "given": given, "value": result.value,
                   "rule": result.rule, "rule_value": result.rule_value,
                   "certainty_equivalent": result.certainty_equivalent,
                   "policy": records(result.policy), "option_values": records(values),
                   "best_options": records(best),
                   "expected_utilities": records(result.expected_utilities)}
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        columns = ["node", "information", "option", "stakeholder", "unit", "expected_utility",
                   "best", "chosen"]
        sys.stdout.write(values[columns].to_csv(index=False))
    else:
        unit = scenario.model.utilities[result.decision_maker].unit
        label = scenario.model.stakeholders[result.decision_maker].label
        print(f"{scenario.title}: decisions of {label}")
        print(f"Expected utility of the optimal policy for {label}: "
              f"{result.value:,.4g} {unit}")
        if result.rule != "expected value":
            print(f"Decision rule: {result.rule}; the policy's value under it: "
                  f"{result.rule_value:,.4g} {unit}")
        if result.certainty_equivalent != result.value:
            print(f"Certainty equivalent: {result.certainty_equivalent:,.4g} {unit}")
        print()
        by_rule = result.rule != "expected value"
        print("Optimal policy (* chosen, = tied with the best"
              + ("; expected utility, then the value under the rule):" if by_rule else "):"))
        for (phase, info), rows in result.policy.groupby(["phase", "information_label"],
                                                         sort=False):
            print(f"  {phase} | {info}")
            for row in rows.itertuples(index=False):
                mark = "*" if row.chosen else ("=" if row.tie else " ")
                extra = f" {row.rule_value:>10,.4g}" if by_rule else ""
                print(f"    {mark} {row.option_label:<32} {row.expected_utility:>10,.4g}"
                      f"{extra} {unit}")
        for info, rows in values.groupby("information_label", sort=False):
            print()
            print(f"Expected utility of each option at {result.phase} | {info}:")
            table = rows.pivot_table(index="option_label", columns="stakeholder_label",
                                     values="expected_utility", sort=False)
            print(table.map(lambda v: f"{v:,.4g}").to_string())
            picks = best[best["information_label"] == info]
            print("  Best for each: " + "; ".join(
                f"{r.stakeholder_label}: "
                + (f"tie of {r.tied_options.replace(' | ', ', ')}" if r.tie else r.option_label)
                for r in picks.itertuples(index=False)))
    return EXIT_OK


def _import(args) -> int:
    from .interchange import import_silverdecisions

    imported = import_silverdecisions(args.file, tree=args.tree,
                                      name=str(args.output) if args.output else None)
    for note in imported.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.output:
        args.output.write_text(imported.text, encoding="utf-8")
        scenario = imported.scenario
        print(f"{args.output}: {len(scenario.phases)} phases, {scenario.tree.n_paths} paths "
              f"(from {args.file}, tree {args.tree})", file=sys.stderr)
    else:
        sys.stdout.write(imported.text)
    return EXIT_OK


def _export(args) -> int:
    from .interchange import export_silverdecisions

    scenario = load_scenario(args.scenario)
    exported = export_silverdecisions(scenario, decision_maker=args.decision_maker,
                                      output=args.criterion)
    for note in exported.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.output:
        args.output.write_text(exported.to_json(), encoding="utf-8")
    else:
        sys.stdout.write(exported.to_json())
    return EXIT_OK


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
    sweep.add_argument("--satisficing", type=float, metavar="U",
                       help="expected utility an option must reach to satisfice")
    sweep.add_argument("--percentile", type=_share, default=0.9, metavar="P",
                       help="regret percentile to report (default 0.9)")
    sweep.add_argument("--format", choices=["table", "csv", "json"], default="table")


def _sweep(args) -> int:
    import os

    import numpy as np

    from ..analyses.robustness import robustness_table
    from ..analyses.sweep import sweep
    from ..engines.cluster import read_manifest
    from ..engines.rollback import decision_engine

    scenario = load_scenario(args.scenario)
    decision_maker = args.decision_maker
    if decision_maker is None:
        owners = sorted({node.owner for node in decision_engine(scenario).nodes})
        if len(owners) != 1:
            raise QueryError(f"--for: scenario {scenario.id!r} has "
                             + (f"decisions of {', '.join(owners)}; say whose with --for"
                                if owners else "no decision phase"))
        decision_maker = owners[0]
    rng = args.seed
    previous = read_manifest(args.output)
    if rng is None and previous is not None:
        seed = previous["seed"]
        rng = np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]))
    quiet = (os.environ.get("DEALTREE_PROGRESS", "").strip() == "0"
             or os.environ.get("CI", "").strip().lower() not in ("", "0", "false"))
    result = sweep(scenario, decision_maker=decision_maker, n_variants=args.n_variants,
                   rng=rng, design=args.design, method=args.method, n_draws=args.draws,
                   ranges=args.ranges, analysts=None if args.no_analysts else "auto",
                   output=args.output, scheduler=args.scheduler, n_workers=args.workers,
                   chunk_size=args.chunk_size, progress=not quiet)
    table = robustness_table(result, satisficing=args.satisficing, percentile=args.percentile)
    attrs = result.attrs
    level = _quantile_name(args.percentile)
    columns = ["information", "option", "mean_value", "worst_value", "max_regret",
               "percentile_regret", "mean_regret", "share_best", "share_satisficing",
               "n_variants", "minimax_regret"]
    if args.format == "json":
        payload = {"scenario": scenario.id, "decision_maker": decision_maker,
                   "output": str(args.output), "seed": attrs["seed"],
                   "design": attrs["design"], "n_variants": attrs["n_variants"],
                   "analysts": int((result.variants["kind"] == "analyst").sum()),
                   "method": attrs["method"], "n_draws": attrs["n_draws"],
                   "satisficing": args.satisficing, "percentile": args.percentile,
                   "robustness": json.loads(table[columns].to_json(orient="records"))}
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        sys.stdout.write(table[columns].to_csv(index=False))
    else:
        unit = attrs["unit"]
        analysts = result.variants.loc[result.variants["kind"] == "analyst", "name"]
        who = scenario.model.stakeholders[decision_maker].label
        print(f"{scenario.title}: robustness of the options of {who}")
        how = ("each at its priors' means" if attrs["method"] == "exact" else
               f"each by {attrs['n_draws']:,} draws of its priors")
        print(f"{attrs['n_variants']:,} variants ({attrs['design']} design over "
              f"{len(result.parameters)} parameters, seed {attrs['seed']})"
              + (f" and {len(analysts)} analysts ({', '.join(analysts)})" if len(analysts)
                 else "") + f", {how}. Results in {args.output}/")
        for item in attrs["skipped_analysts"]:
            print(f"  analyst {item['file']} left out: {item['reason']}")
        for info, rows in table.groupby("information_label", sort=False):
            print()
            print(f"At {attrs['phase']} | {info} ({unit}; * smallest maximum regret):")
            shown = pd.DataFrame({
                "option": [("* " if m else "  ") + o for o, m in
                           zip(rows["option_label"], rows["minimax_regret"], strict=True)],
                "mean": rows["mean_value"].map("{:,.4g}".format),
                "worst": rows["worst_value"].map("{:,.4g}".format),
                "max regret": rows["max_regret"].map("{:,.4g}".format),
                f"{level} regret": rows["percentile_regret"].map("{:,.4g}".format),
                "best in": rows["share_best"].map("{:.1%}".format),
            })
            if args.satisficing is not None:
                shown[f">= {args.satisficing:g}"] = rows["share_satisficing"].map(
                    "{:.1%}".format)
            print(shown.to_string(index=False))
    return EXIT_OK


def _new(args) -> int:
    from .starter import starter_scenario

    target = args.output if args.output is not None else Path(f"{args.name}.yaml")
    text = starter_scenario(args.name)
    if target.exists():
        raise QueryError(f"{target} exists already; choose another NAME or --output")
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: check it with `dealtree validate {target}`, build its reports "
          f"with `dealtree report --scenario {target} --output reports/{args.name}`")
    return EXIT_OK


def run() -> None:
    """Entry point of the ``dealtree`` console script."""
    sys.exit(main())
