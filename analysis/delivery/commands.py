"""The command line's commands that run an analysis, convert a file or build reports.

Each takes the parsed arguments and returns the exit code; every mistake in
the input raises :class:`~analysis.core.errors.ScenarioError`,
:class:`~analysis.core.errors.QueryError` or
:class:`~analysis.delivery.files.OutputError`, which :mod:`analysis.delivery.cli`
turns into one message and exit code 2. Heavy libraries (pandas, numba,
Dask, nbconvert) are imported inside the command that needs them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..core.errors import QueryError, ScenarioError
from ..model.scenario import load_scenario
from .console import (
    error,
    finite,
    number,
    out,
    parse_given,
    parse_params,
    parse_ranges,
    print_csv,
    print_frame_csv,
    print_json,
    quantile_name,
    records,
    text_table,
)
from .files import output_folder, write_file

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "MAX_JOBS",
    "decide_command",
    "export_command",
    "import_command",
    "new_command",
    "report_command",
    "sweep_command",
    "tornado_command",
    "update_command",
]

EXIT_OK, EXIT_FAILED = 0, 1
#: Most notebooks ``dealtree report`` runs at once by default (a kernel takes ~300 MB).
MAX_JOBS = 4


def report_command(args) -> int:
    """``dealtree report``: check everything, then run the notebooks and write the reports."""
    parameters = parse_params(args.param)
    from .report import build_reports  # imports nbconvert's helpers: only when asked

    results = build_reports(args.notebooks or None, args.output, scenario=args.scenario,
                            parameters=parameters, evidence=args.evidence,
                            resolutions=args.resolutions, show_code=args.show_code,
                            jobs=args.jobs or min(os.cpu_count() or 1, MAX_JOBS),
                            force=args.force)
    failed = [r for r in results if not r.ok]
    for result in failed:
        error(f"failed: {result.error}")
    return EXIT_FAILED if failed else EXIT_OK


def update_command(args) -> int:
    """``dealtree update``: the outcome distribution before and after an evidence log."""
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
        print_json({"scenario": prior.id, "title": prior.title, "evidence": logs,
               "until": args.until,
               "items": [{"id": i.id, "date": i.date.isoformat(), "kind": i.kind,
                          "title": i.title} for i in items],
               "outcomes": records(table)})
    elif args.format == "csv":
        print_csv(list(table), list(zip(*table.values(), strict=True)))
    else:
        last = f", to {items[-1].date}" if items else ""
        out(prior.title)
        out(f"Updated on {len(items)} evidence item{'s' if len(items) != 1 else ''} of "
             f"{', '.join(logs) or args.evidence}{last}")
        out()
        finite(table)
        out(text_table({"label": table["label"],
                     "prior": [f"{v:.1%}" for v in table["prior"]],
                     "posterior": [f"{v:.1%}" for v in table["posterior"]]}))
    return EXIT_OK


def tornado_command(args) -> int:
    """``dealtree tornado``: each parameter's swing of an output, largest first."""
    from ..analyses.sensitivity import tornado_table

    scenario = load_scenario(args.scenario)
    given = parse_given(args.given)
    if args.policy == "fixed" and not args.decision_maker:
        raise QueryError("--policy fixed goes with --for STAKEHOLDER (whose policy is held)")
    ranges = parse_ranges(args.ranges)
    table = tornado_table(scenario, output=args.output, interval=args.interval, given=given,
                          decision_maker=args.decision_maker, ranges=ranges or None,
                          policy=args.policy)
    if args.top:
        table = table.head(args.top)
    unit, label = table.attrs["unit"], table.attrs["output_label"]
    base = float(table.attrs["base"])
    columns = ["parameter", "label", "low", "high", "result_low", "result_high", "base",
               "swing"]
    if args.format == "json":
        print_json({"scenario": scenario.id, "output": args.output, "output_label": label,
                    "unit": unit, "given": given, "decision_maker": args.decision_maker,
                    "interval": args.interval, "base": base,
                    "parameters": table[columns].to_dict("records")})
    elif args.format == "csv":
        print_frame_csv(table, columns)
    else:
        finite({"base": base, "rows": table[columns[2:]].to_numpy().tolist()}, "tornado")
        condition = ", ".join(f"{p}={'|'.join(b)}" for p, b in given.items())
        out(f"{scenario.title}: tornado of {label}"
            + (f"  (given {condition})" if condition else ""))
        extra = f"; {table.attrs.get('policy')}" if args.decision_maker else ""
        given_ranges = " (or the range given)" if ranges else ""
        out(f"At the priors' means: {number(base, unit)}. Each parameter across its prior's "
            f"central {args.interval:.0%} interval{given_ranges}, the others at their base "
            f"values{extra}.")
        out()
        if len(table):
            out(text_table({
                "parameter": list(table["label"]),
                "range": [f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(table["low"], table["high"],
                                                                     strict=True)],
                "at low end": [number(v, unit) for v in table["result_low"]],
                "at high end": [number(v, unit) for v in table["result_high"]],
                "swing": [number(v, unit) for v in table["swing"]]}))
        else:
            out("(no uncertain parameter: every value is fixed)")
    return EXIT_OK


def decide_command(args) -> int:
    """``dealtree decide``: a decision maker's optimal policy and everyone's best option."""
    from ..analyses.decisions import rollback

    scenario = load_scenario(args.scenario)
    given = parse_given(args.given)
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
        def frame_records(frame) -> list[dict]:
            return json.loads(frame.to_json(orient="records"))

        print_json({"scenario": scenario.id, "decision_maker": result.decision_maker,
                    "phase": result.phase, "given": given, "value": result.value,
                    "rule": result.rule, "rule_value": result.rule_value,
                    "certainty_equivalent": result.certainty_equivalent,
                    "policy": frame_records(result.policy),
                    "option_values": frame_records(values),
                    "best_options": frame_records(best),
                    "expected_utilities": frame_records(result.expected_utilities)})
    elif args.format == "csv":
        print_frame_csv(values, ["node", "information", "option", "stakeholder", "unit",
                                 "expected_utility", "best", "chosen"])
    else:
        finite({"value": result.value, "values": values["expected_utility"].tolist()},
               "decisions")
        unit = scenario.model.utilities[result.decision_maker].unit
        label = scenario.model.stakeholders[result.decision_maker].label
        out(f"{scenario.title}: decisions of {label}")
        out(f"Expected utility of the optimal policy for {label}: "
            f"{result.value:,.4g} {unit}")
        if result.rule != "expected value":
            out(f"Decision rule: {result.rule}; the policy's value under it: "
                f"{result.rule_value:,.4g} {unit}")
        if result.certainty_equivalent != result.value:
            out(f"Certainty equivalent: {result.certainty_equivalent:,.4g} {unit}")
        out()
        by_rule = result.rule != "expected value"
        out("Optimal policy (* chosen, = tied with the best"
            + ("; expected utility, then the value under the rule):" if by_rule else "):"))
        for (phase, info), rows in result.policy.groupby(["phase", "information_label"],
                                                         sort=False):
            out(f"  {phase} | {info}")
            for row in rows.itertuples(index=False):
                mark = "*" if row.chosen else ("=" if row.tie else " ")
                extra = f" {row.rule_value:>10,.4g}" if by_rule else ""
                out(f"    {mark} {row.option_label:<32} {row.expected_utility:>10,.4g}"
                    f"{extra} {unit}")
        for info, rows in values.groupby("information_label", sort=False):
            out()
            out(f"Expected utility of each option at {result.phase} | {info}:")
            table = rows.pivot_table(index="option_label", columns="stakeholder_label",
                                     values="expected_utility", sort=False)
            out(table.map(lambda v: f"{v:,.4g}").to_string())
            picks = best[best["information_label"] == info]
            out("  Best for each: " + "; ".join(
                f"{r.stakeholder_label}: "
                + (f"tie of {r.tied_options.replace(' | ', ', ')}" if r.tie else r.option_label)
                for r in picks.itertuples(index=False)))
    return EXIT_OK


#: The first line of a scenario ``dealtree import`` wrote (after the schema comment).
_IMPORTED_MARK = "# Imported by `dealtree import` from "


def _is_imported(path: Path) -> bool:
    """Whether ``path`` is a scenario file that ``dealtree import`` wrote (it may be replaced)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(line.startswith(_IMPORTED_MARK) for line in head.splitlines()[:3])


def import_command(args) -> int:
    """``dealtree import``: a SilverDecisions tree as a scenario file."""
    from .interchange import import_silverdecisions

    imported = import_silverdecisions(args.file, tree=args.tree,
                                      name=str(args.output) if args.output else None)
    for note in imported.notes:
        _print_note(note)
    if args.output:
        write_file(args.output, imported.text, what="an imported scenario",
                   owned=_is_imported, force=args.force)
        scenario = imported.scenario
        _note(f"{args.output}: {len(scenario.phases)} phases, {scenario.tree.n_paths} paths "
              f"(from {args.file}, tree {args.tree})")
    else:
        sys.stdout.write(imported.text)
    return EXIT_OK


def export_command(args) -> int:
    """``dealtree export``: a scenario as a SilverDecisions file."""
    from .interchange import export_silverdecisions

    scenario = load_scenario(args.scenario)
    _refuse_existing(args.output, args.force)
    try:
        exported = export_silverdecisions(scenario, decision_maker=args.decision_maker,
                                          output=args.criterion)
    except QueryError as exc:  # name the options, not the function's arguments
        raise QueryError(str(exc).replace("decision_maker == ", "--for ")
                         .replace("output == ", "--criterion ")) from None
    for note in exported.notes:
        _print_note(note)
    if args.output:
        write_file(args.output, exported.to_json(), what="a SilverDecisions file",
                   force=True)
    else:
        sys.stdout.write(exported.to_json())
    return EXIT_OK


def _print_note(note: str) -> None:
    """Print ``note: ...`` to standard error (what a conversion approximated)."""
    _note(f"note: {note}")


def _note(text: str) -> None:
    from ..core.text import escape_controls

    sys.stderr.write(escape_controls(text) + "\n")


def sweep_command(args) -> int:
    """``dealtree sweep``: a decision maker's options under many variants, on Dask."""
    from ..engines.cluster import check_scheduler, read_manifest

    try:
        check_scheduler(args.scheduler)
    except QueryError as exc:
        raise QueryError(str(exc).replace("scheduler == ", "--scheduler ")) from None
    scenario = load_scenario(args.scenario)
    folder = output_folder(args.output, what="sweep folder")
    if args.ranges is not None and not args.ranges.is_file():
        raise QueryError(f"--ranges {args.ranges}: "
                         + ("is a folder, expected a ranges file" if args.ranges.is_dir()
                            else "no such file"))
    import numpy as np

    from ..analyses.robustness import robustness_table
    from ..analyses.sweep import sweep
    from ..engines.rollback import decision_engine

    decision_maker = args.decision_maker
    if decision_maker is None:
        owners = sorted({node.owner for node in decision_engine(scenario).nodes})
        if len(owners) != 1:
            raise QueryError(f"--for: scenario {scenario.id!r} has "
                             + (f"decisions of {', '.join(owners)}; say whose with --for"
                                if owners else "no decision phase"))
        decision_maker = owners[0]
    rng = args.seed
    previous = read_manifest(folder)
    if rng is None and previous is not None:
        seed = previous.get("seed") if isinstance(previous, dict) else None
        try:
            rng = np.random.SeedSequence(seed["entropy"], spawn_key=tuple(seed["spawn_key"]))
        except (TypeError, KeyError, ValueError):
            raise QueryError(f"{folder}: its manifest.json has no valid seed; give --seed, or "
                             "choose another folder") from None
    quiet = (os.environ.get("DEALTREE_PROGRESS", "").strip() == "0"
             or os.environ.get("CI", "").strip().lower() not in ("", "0", "false"))
    try:
        result = sweep(scenario, decision_maker=decision_maker, n_variants=args.n_variants,
                       rng=rng, design=args.design, method=args.method, n_draws=args.draws,
                       ranges=args.ranges, analysts=None if args.no_analysts else "auto",
                       output=folder, scheduler=args.scheduler, n_workers=args.workers,
                       chunk_size=args.chunk_size, progress=not quiet)
    except QueryError as exc:  # name the options, not the function's arguments
        raise QueryError(str(exc).replace("n_variants == ", "--n ")
                         .replace("n_draws == ", "--draws ")
                         .replace("scheduler == ", "--scheduler ")) from None
    table = robustness_table(result, satisficing=args.satisficing, percentile=args.percentile)
    _show_sweep(args, scenario, decision_maker, result, table)
    return EXIT_OK


def _show_sweep(args, scenario, decision_maker: str, result, table) -> None:
    attrs = result.attrs
    level = quantile_name(args.percentile)
    columns = ["information", "option", "mean_value", "worst_value", "max_regret",
               "percentile_regret", "mean_regret", "share_best", "share_satisficing",
               "n_variants", "minimax_regret"]
    if args.format == "json":
        print_json({"scenario": scenario.id, "decision_maker": decision_maker,
                    "output": str(args.output), "seed": attrs["seed"],
                    "design": attrs["design"], "n_variants": attrs["n_variants"],
                    "analysts": int((result.variants["kind"] == "analyst").sum()),
                    "method": attrs["method"], "n_draws": attrs["n_draws"],
                    "satisficing": args.satisficing, "percentile": args.percentile,
                    "robustness": json.loads(table[columns].to_json(orient="records"))})
        return
    if args.format == "csv":
        print_frame_csv(table, columns)
        return
    unit = attrs["unit"]
    analysts = result.variants.loc[result.variants["kind"] == "analyst", "name"]
    who = scenario.model.stakeholders[decision_maker].label
    out(f"{scenario.title}: robustness of the options of {who}")
    how = ("each at its priors' means" if attrs["method"] == "exact" else
           f"each by {attrs['n_draws']:,} draws of its priors")
    out(f"{attrs['n_variants']:,} variants ({attrs['design']} design over "
        f"{len(result.parameters)} parameters, seed {attrs['seed']})"
        + (f" and {len(analysts)} analysts ({', '.join(analysts)})" if len(analysts)
           else "") + f", {how}. Results in {args.output}/")
    for item in attrs["skipped_analysts"]:
        out(f"  analyst {item['file']} left out: {item['reason']}")
    for info, rows in table.groupby("information_label", sort=False):
        out()
        out(f"At {attrs['phase']} | {info} ({unit}; * smallest maximum regret):")
        finite(rows[["mean_value", "worst_value", "max_regret", "percentile_regret"]]
               .to_numpy().tolist(), "robustness")
        shown = {
            "option": [("* " if m else "  ") + o for o, m in
                       zip(rows["option_label"], rows["minimax_regret"], strict=True)],
            "mean": [f"{v:,.4g}" for v in rows["mean_value"]],
            "worst": [f"{v:,.4g}" for v in rows["worst_value"]],
            "max regret": [f"{v:,.4g}" for v in rows["max_regret"]],
            f"{level} regret": [f"{v:,.4g}" for v in rows["percentile_regret"]],
            "best in": [f"{v:.1%}" for v in rows["share_best"]],
        }
        if args.satisficing is not None:
            shown[f">= {args.satisficing:g}"] = [f"{v:.1%}" for v in rows["share_satisficing"]]
        out(text_table(shown))


def new_command(args) -> int:
    """``dealtree new``: a commented starter scenario to edit."""
    from .starter import starter_scenario

    text = starter_scenario(args.name)
    target = args.output if args.output is not None else Path(f"{args.name}.yaml")
    _refuse_existing(target, args.force, "choose another NAME or --output")
    write_file(target, text, what="a starter scenario", force=True)
    out(f"wrote {target}: check it with `dealtree validate {target}`, build its reports "
        f"with `dealtree report --scenario {target} --output reports/{args.name}`")
    return EXIT_OK


def _refuse_existing(target: Path | None, force: bool,
                     instead: str = "choose another --output") -> None:
    """Refuse to replace an existing regular file without ``--force`` (a device is written)."""
    if target is not None and not force and target.is_file():
        raise QueryError(f"{target} exists already; refusing to replace it ({instead}, or use "
                         "--force to replace it)")
