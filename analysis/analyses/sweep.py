"""Sweeps: a decision maker's options under thousands of variants of the priors.

Analysts rarely agree on priors. A sweep asks which option holds up across
everything one might reasonably believe: it evaluates the scenario under
many **variants**, each a value for every uncertain parameter inside its
plausible range (:mod:`analysis.model.ranges`):

- a space-filling **design** over the box of ranges: ``n_variants`` points of
  a scrambled Sobol' sequence (default) or a Latin hypercube
  (:mod:`analysis.engines.design`);
- every **analyst's** priors (those the scenario file names) applied to the
  scenario, as extra variants.

Each variant is solved for the decision maker (:mod:`analysis.engines.sweep`),
exactly at its means or by Monte Carlo over its priors, on Dask, chunk by
chunk, each chunk kept in Parquet as it finishes (:mod:`analysis.engines.cluster`),
so an interrupted sweep resumes. :func:`sweep` returns a :class:`SweepResult`
of tidy frames; :func:`analysis.robustness_table` and
:func:`analysis.discover_scenarios` analyse it.

Examples
--------
>>> import analysis
>>> mediation = analysis.load_scenario("mediation")
>>> result = analysis.sweep(mediation, decision_maker="mediators", n_variants=256, rng=1,
...                         scheduler="synchronous")
>>> len(result.variants)
259
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.arguments import MEMORY_BUDGET, check_budget, check_count
from ..core.errors import QueryError, ScenarioError
from ..core.rng import RNGLike, seed_of, seed_sequence
from ..core.text import display_label
from ..core.version import VERSION
from ..engines.cluster import chunk_files, read_manifest, run_chunks
from ..engines.design import check_design, unit_design
from ..engines.rollback import check_decision_maker, decision_engine
from ..engines.sweep import BLOCK, ExtraVariant, SweepPlan, check_method
from ..formats.ranges_file import RangesFile, load_ranges
from ..formats.source import read_yaml
from ..model.ranges import parameter_space
from ..model.scenario import Scenario, load_scenario

__all__ = ["MAX_VARIANTS", "PROGRESS_MIN_VARIANTS", "SweepResult", "load_sweep", "sweep",
           "sweep_parameters"]

#: A sweep with ``progress=None`` shows a bar from this many variants on.
PROGRESS_MIN_VARIANTS = 20_000
_MANIFEST_FORMAT = 1
#: The most variants of one sweep's design (a larger design: several sweeps, other seeds).
MAX_VARIANTS = 2**24
_VERSIONED = ("numpy", "scipy", "pandas", "dask", "distributed", "pyarrow")


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A sweep's results, as tidy frames (all carry the sweep's ``attrs``).

    Attributes
    ----------
    parameters : DataFrame
        One row per swept parameter: ``parameter``, ``label``, ``meaning``
        (``probability`` or ``share of the rest``), ``low``, ``high``
        (its plausible range), ``centre`` (its prior mean) and ``source``.
    variants : DataFrame
        One row per variant: ``variant`` (its number), ``kind`` (``design``
        or ``analyst``), ``name`` (the analyst's), ``optimal_value`` (the
        decision maker's expected utility under their optimal policy) and
        one column per parameter (its value in the variant).
    values : DataFrame
        One row per variant, information state of the decision maker's
        first decision, and option: ``variant``, ``kind``, ``node``,
        ``information``, ``information_label``, ``reach_probability`` (of
        the state, under the optimal policy), ``option``, ``option_label``,
        ``value`` (the decision maker's expected utility of the option,
        given the state is reached) and ``value_se`` (Monte Carlo standard
        error; 0 when exact).
    outcomes : DataFrame
        One row per variant, policy and outcome: ``variant``, ``kind``,
        ``policy`` (``optimal``, or an option taken in every state of the
        first decision), ``policy_label``, ``outcome``, ``label``,
        ``colour``, ``probability``.
    """

    parameters: pd.DataFrame = field(repr=False)
    variants: pd.DataFrame = field(repr=False)
    values: pd.DataFrame = field(repr=False)
    outcomes: pd.DataFrame = field(repr=False)
    attrs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        a = self.attrs
        return (f"SweepResult(scenario={a.get('scenario')!r}, decision_maker="
                f"{a.get('decision_maker')!r}, variants={len(self.variants)}, "
                f"method={a.get('method')!r})")


def sweep_parameters(scenario: Scenario, *, ranges=None, interval: float | None = None
                     ) -> pd.DataFrame:
    """Return the parameters a sweep of ``scenario`` varies, and their plausible ranges.

    Parameters
    ----------
    scenario : Scenario
    ranges : str, Path, mapping or RangesFile, optional
        A ranges file (a path), or a mapping of parameter names to
        ``(low, high)``: these ranges replace the priors' intervals.
    interval : float, optional
        Central interval of each prior for the other ranges (default 0.9).

    Returns
    -------
    DataFrame
        As :attr:`SweepResult.parameters`.
    """
    space = parameter_space(scenario, ranges=_ranges(ranges), interval=interval)
    return _parameter_frame(space.parameters)


def sweep(
    scenario: Scenario,
    *,
    decision_maker: str,
    n_variants: int = 1024,
    rng: RNGLike = None,
    design: str = "sobol",
    method: str = "exact",
    n_draws: int = 1000,
    ranges=None,
    interval: float | None = None,
    analysts="auto",
    output: str | Path | None = None,
    scheduler=None,
    n_workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> SweepResult:
    """Evaluate every option of ``decision_maker`` under many variants of the priors.

    See the module docstring. The same ``rng`` gives bit-identical results
    whatever ``scheduler``, ``n_workers`` and ``chunk_size``.

    Parameters
    ----------
    scenario : Scenario
        A scenario with decisions of ``decision_maker`` and uncertain priors.
    decision_maker : str
        Whose options, and whose utility.
    n_variants : int
        Points of the design (the analysts' variants come on top).
    rng : None, int, SeedSequence or Generator
        Seed of the design and the Monte Carlo draws.
    design : {"sobol", "latin_hypercube"}
    method : {"exact", "monte_carlo"}
        Each variant at its priors' means, or ``n_draws`` draws of its priors.
    n_draws : int
        Draws per variant (``method="monte_carlo"`` only).
    ranges : str, Path, mapping or RangesFile, optional
        Plausible ranges replacing the priors' central intervals (a ranges
        file: :mod:`analysis.formats.ranges_file`).
    interval : float, optional
        Central interval of the priors that gives the other ranges (0.9).
    analysts : "auto", str, Path, sequence or None
        Analysts' variants to add: ``"auto"`` takes those the scenario file
        names (``notebooks: {analysts: [...]}``) whose priors the scenario
        has (the others are listed in ``attrs["skipped_analysts"]``); a folder or a list of
        files takes those, and a file that does not fit is an error; None
        takes none.
    output : str or Path, optional
        Folder for the manifest and the Parquet chunks; running the same
        sweep into it again resumes. Default: a temporary folder, removed
        once the results are read.
    scheduler : None, str or distributed.Client
        None: a local Dask cluster; ``"tcp://HOST:PORT"``: an existing
        one; ``"synchronous"``: this process, without Dask.
    n_workers : int, optional
        Worker processes of the local cluster (default: one per core).
    chunk_size : int, optional
        Variants per chunk, rounded to whole blocks of 64; never changes the
        results. Default: 2048 (exact) or 64 (Monte Carlo).
    progress : bool, optional
        Show a progress bar; default: for sweeps of at least 20,000
        variants, with the rules of :func:`analysis.sample_outcomes`.

    Returns
    -------
    SweepResult

    Raises
    ------
    QueryError
        For a stakeholder who takes no decision, a bad design, method,
        range or scheduler, or an output folder holding another sweep.
    """
    plan, manifest = _plan(scenario, decision_maker=decision_maker, n_variants=n_variants,
                           rng=rng, design=design, method=method, n_draws=n_draws,
                           ranges=ranges, interval=interval, analysts=analysts)
    size = (2048 if method == "exact" else BLOCK) if chunk_size is None else check_count(
        chunk_size, "chunk_size")
    bar = _progress(progress, plan.n_variants, scenario.id)
    with tempfile.TemporaryDirectory(prefix="dealtree-sweep-") as scratch:
        folder = Path(output) if output is not None else Path(scratch)
        try:
            run_chunks(plan, folder, manifest=manifest, chunk_size=size, scheduler=scheduler,
                       n_workers=n_workers, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        return load_sweep(folder)


def _ranges(ranges):
    if ranges is None or isinstance(ranges, RangesFile | Mapping):
        return ranges
    if isinstance(ranges, str | Path):
        return load_ranges(ranges)
    raise TypeError(f"ranges: got {type(ranges).__name__}, expected a path to a ranges "
                    "file or a mapping of parameter names to (low, high)")


def _plan(scenario: Scenario, *, decision_maker, n_variants, rng, design, method, n_draws,
          ranges, interval, analysts) -> tuple[SweepPlan, dict]:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                        "(see analysis.load_scenario)")
    check_decision_maker(scenario, decision_maker)
    n_variants = check_count(n_variants, "n_variants", minimum=0)
    if n_variants > MAX_VARIANTS:
        raise QueryError(f"n_variants == {n_variants:,}, expected at most {MAX_VARIANTS:,} "
                         "(split a larger design into sweeps with different seeds)")
    design, method = check_design(design), check_method(method)
    n_draws = check_count(n_draws, "n_draws", minimum=2) if method == "monte_carlo" else 0
    if n_draws:  # each variant's draws are held at once on its worker
        tree = scenario.tree
        check_budget(n_draws, what=f"each variant of scenario {scenario.id!r}",
                     bytes_per_draw=8.0 * tree.n_paths * (len(tree.phases) + 1))
    space = parameter_space(scenario, ranges=_ranges(ranges), interval=interval)
    if design == "latin_hypercube" and n_variants * 8 * len(space.parameters) > MEMORY_BUDGET:
        most = MEMORY_BUDGET // (8 * max(1, len(space.parameters)))
        raise QueryError(f"n_variants == {n_variants:,}: a Latin hypercube of "
                         f"{len(space.parameters)} parameters is held in memory at once; "
                         f"expected at most {most:,} variants (or design='sobol')")
    sequence = seed_sequence(rng)
    extras, skipped = _analyst_variants(scenario, space, analysts)
    points = (unit_design(design, n_points=n_variants, n_dims=len(space.parameters),
                          seed=sequence) if design == "latin_hypercube" and n_variants else None)
    plan = SweepPlan(space, decision_maker, design, n_variants, sequence, method, n_draws,
                     tuple(extras), points)
    layout = plan.layout()
    engine = decision_engine(scenario)
    model = scenario.model
    phase = model.phases[layout["phase"]]
    manifest = {
        "format": _MANIFEST_FORMAT,
        "scenario": scenario.id,
        "scenario_title": scenario.title,
        "scenario_digest": hashlib.sha256(model.model_dump_json().encode()).hexdigest(),
        "changes": list(scenario.changes),
        "decision_maker": decision_maker,
        "unit": model.utilities[decision_maker].unit,
        "phase": phase.id,
        "nodes": [{"information": engine.information(n),
                   "information_label": engine.information_label(n)} for n in layout["nodes"]],
        "options": [{"option": o, "label": display_label(o, phase.branches[o].label)}
                    for o in layout["options"]],
        "outcomes": [{"outcome": o, "label": model.outcomes[o].label,
                      "colour": model.outcomes[o].colour} for o in layout["outcomes"]],
        "design": design,
        "n_variants": n_variants,
        "seed": _json_seed(sequence),
        "method": method,
        "n_draws": n_draws,
        "parameters": _parameter_frame(space.parameters).to_dict("records"),
        "analysts": [{"name": e.name, "values": [float(v) for v in e.values]} for e in extras],
        "skipped_analysts": skipped,
        "versions": _versions(),
    }
    return plan, manifest


def _json_seed(sequence: np.random.SeedSequence) -> dict:
    seed = seed_of(sequence)
    return {"entropy": seed if isinstance(seed, int) else list(seed),
            "spawn_key": [int(k) for k in sequence.spawn_key]}


def _versions() -> dict:
    versions = {"dealtree": VERSION, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - a core dependency
            versions[name] = None
    return versions


def _parameter_frame(parameters) -> pd.DataFrame:
    return pd.DataFrame([{"parameter": p.name, "label": p.label, "meaning": p.meaning,
                          "low": p.low, "high": p.high, "centre": p.centre,
                          "source": p.source} for p in parameters],
                        columns=["parameter", "label", "meaning", "low", "high", "centre",
                                 "source"])


def _analyst_variants(scenario: Scenario, space, analysts) -> tuple[list[ExtraVariant], list]:
    """Apply each analyst's priors to ``scenario``: the extra variants, and the files skipped."""
    if analysts is None or analysts is False:
        return [], []
    strict = not (isinstance(analysts, str) and analysts == "auto")
    if not strict:
        paths = [Path(scenario.find_file(name, "analysts"))
                 for name in scenario.model.notebooks.analysts]
    elif isinstance(analysts, str | Path):
        folder = Path(analysts)
        if not folder.is_dir():
            raise QueryError(f"analysts == {str(analysts)!r}, expected 'auto', a folder of "
                             "analysts' files, a list of files, or None")
        paths = sorted(folder.glob("*.yaml"))
    elif isinstance(analysts, Sequence):
        paths = [Path(p) for p in analysts]
    else:
        raise TypeError(f"analysts: got {type(analysts).__name__}, expected 'auto', a folder, "
                        "a list of files, or None")
    extras, skipped = [], []
    for path in paths:
        try:
            variant = _apply_analyst(scenario, path)
        except (ScenarioError, QueryError) as exc:
            if strict:
                raise
            skipped.append({"file": path.name, "reason": str(exc).splitlines()[-1].strip()})
            continue
        values, priors = space.values_of(variant)
        extras.append(ExtraVariant(path.stem, values, priors))
    return extras, skipped


def _apply_analyst(scenario: Scenario, path: Path) -> Scenario:
    """Return ``scenario`` with the priors of the analyst's file ``path``."""
    doc = read_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    if "extends" in data:
        priors = data.get("priors")
        if not isinstance(priors, Mapping):
            raise QueryError(f"{path}: expected a 'priors:' mapping")
        return scenario.with_priors(priors)
    return load_scenario(path)


def _progress(progress: bool | None, total: int, name: str):
    """Return a progress callback drawing a tqdm bar, or None."""
    if progress is None:
        setting = os.environ.get("DEALTREE_PROGRESS", "").strip()
        ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
        progress = (setting == "1" or (setting != "0" and not ci
                                       and total >= PROGRESS_MIN_VARIANTS))
    if not progress:
        return None
    from tqdm.auto import tqdm  # a widget in notebooks, text in a terminal

    bar = tqdm(total=total, unit="variant", unit_scale=True, dynamic_ncols=True,
               desc=f"Sweeping {name}")

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    update.close = bar.close
    return update


# ---------------------------------------------------------------------------- reading


def load_sweep(folder: str | Path) -> SweepResult:
    """Read a finished sweep from its folder (``dealtree sweep --output FOLDER``).

    Raises
    ------
    QueryError
        If the folder holds no sweep, or the sweep is unfinished (run it
        again to resume).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise QueryError(f"{folder} holds no sweep (no manifest.json)")
    total = manifest["n_variants"] + len(manifest["analysts"])
    chunks = chunk_files(folder)
    covered = np.zeros(total, dtype=bool)
    for start, stop, _ in chunks:
        covered[start:stop] = True
    if not covered.all():
        raise QueryError(f"{folder}: the sweep is unfinished ({int(covered.sum())} of {total} "
                         "variants); run it again with the same arguments to resume")
    table = pa.concat_tables([pq.read_table(path) for _, _, path in chunks])
    wide = table.to_pandas().sort_values("variant", kind="stable").reset_index(drop=True)
    return _frames(wide, manifest, folder)


def _frames(wide: pd.DataFrame, manifest: dict, folder: Path) -> SweepResult:
    names = [p["parameter"] for p in manifest["parameters"]]
    options = manifest["options"]
    nodes = manifest["nodes"]
    attrs = {"scenario": manifest["scenario"], "changes": manifest["changes"],
             "decision_maker": manifest["decision_maker"], "unit": manifest["unit"],
             "phase": manifest["phase"], "design": manifest["design"],
             "n_variants": manifest["n_variants"], "seed": manifest["seed"]["entropy"],
             "method": manifest["method"], "n_draws": manifest["n_draws"],
             "skipped_analysts": manifest["skipped_analysts"], "folder": str(folder),
             "versions": manifest["versions"]}
    kind = pd.Categorical(wide["kind"], categories=["design", "analyst"])
    variants = pd.DataFrame({"variant": wide["variant"].to_numpy(), "kind": kind,
                             "name": wide["name"].to_numpy(),
                             "optimal_value": wide["optimal_value"].to_numpy()})
    variants = pd.concat([variants, pd.DataFrame(
        {name: wide[f"x:{name}"].to_numpy() for name in names})], axis=1)
    blocks = []
    for j, node in enumerate(nodes):
        for option in options:
            blocks.append(pd.DataFrame({
                "variant": wide["variant"].to_numpy(), "kind": kind, "node": j,
                "information": node["information"],
                "information_label": node["information_label"],
                "reach_probability": wide[f"reach:{j}"].to_numpy(),
                "option": option["option"], "option_label": option["label"],
                "value": wide[f"value:{j}:{option['option']}"].to_numpy(),
                "value_se": wide[f"value_se:{j}:{option['option']}"].to_numpy()}))
    values = pd.concat(blocks, ignore_index=True).sort_values(
        ["variant", "node"], kind="stable").reset_index(drop=True)
    for column, order in (("information", [x["information"] for x in nodes]),
                          ("information_label", [x["information_label"] for x in nodes]),
                          ("option", [o["option"] for o in options]),
                          ("option_label", [o["label"] for o in options])):
        values[column] = pd.Categorical(values[column], categories=list(dict.fromkeys(order)))
    policies = [("optimal", "Optimal policy")] + [(o["option"], o["label"]) for o in options]
    rows = []
    for policy, policy_label in policies:
        for outcome in manifest["outcomes"]:
            rows.append(pd.DataFrame({
                "variant": wide["variant"].to_numpy(), "kind": kind, "policy": policy,
                "policy_label": policy_label, "outcome": outcome["outcome"],
                "label": outcome["label"], "colour": outcome["colour"],
                "probability": wide[f"outcome:{policy}:{outcome['outcome']}"].to_numpy()}))
    outcomes = pd.concat(rows, ignore_index=True).sort_values(
        ["variant"], kind="stable").reset_index(drop=True)
    for column in ("policy", "policy_label", "outcome", "label", "colour"):
        outcomes[column] = pd.Categorical(outcomes[column],
                                          categories=list(dict.fromkeys(outcomes[column])))
    parameters = pd.DataFrame(manifest["parameters"])
    for frame in (parameters, variants, values, outcomes):
        frame.attrs = dict(attrs)
    return SweepResult(parameters, variants, values, outcomes, dict(attrs))
