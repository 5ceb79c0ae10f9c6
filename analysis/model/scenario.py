"""Loading scenarios, and deriving changed ones that say what changed.

A scenario file is checked in three passes, and every problem of a pass is
reported at once: the YAML itself (:mod:`analysis.formats.source`), the
structure (:mod:`analysis.formats.scenario_file`), then what needs the whole
scenario (:mod:`analysis.model.checks` and :mod:`analysis.model.tree`):
references between phases, branches, outcomes, attributes and claims; sibling
probabilities; every path reaching an outcome.

A :class:`Scenario` is immutable. :meth:`Scenario.with_priors` and
:meth:`Scenario.with_decisions` return new scenarios on the same paths, and
each derived scenario records what changed (:attr:`Scenario.changes`), so that
tables, charts and reports never pass a changed scenario off as its file.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.arguments import check_keys
from ..core.errors import Problem, ScenarioError, ScenarioWarning, format_location
from ..core.paths import project_folder, resolve_named_file
from ..core.text import did_you_mean, short_repr
from ..formats.base import validate_document
from ..formats.scenario_file import ScenarioFile, ScenarioVariant
from ..formats.source import Document, read_yaml
from .checks import check_scenario, check_variant_citations, role_warnings
from .formulas import Locate, plain_locate
from .overrides import (
    describe_prior,
    override_decisions,
    override_parameters,
    override_priors,
    parse_priors,
)
from .tree import CompiledTree, check_tree, compile_tree

if TYPE_CHECKING:  # pandas takes half a second to import: only tables need it
    import pandas as pd

__all__ = [
    "EvidenceUpdate",
    "Scenario",
    "build_scenario",
    "check_scenario_file",
    "document_locate",
    "load_scenario",
    "resolve_scenario_path",
    "scenario_names",
    "sources_beside",
    "scenarios_dir",
]

#: How many files a chain of ``extends`` may hold.
MAX_EXTENDS = 8
_SCENARIO_KEYS = "of scenario keys (id, title, phases, ...)"
#: What reading a file may say about it without quoting it.
_FILE_REASONS = ("file not found", "file is ", "not a regular file", "cannot read the file")


def scenarios_dir() -> Path:
    """Return the project's ``scenarios/`` folder."""
    return project_folder("scenarios")


def scenario_names() -> list[str]:
    """Return the names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


@dataclass(frozen=True, eq=False)
class EvidenceUpdate:
    """The evidence a scenario was updated on (see :func:`analysis.update_scenario`).

    Attributes
    ----------
    prior : Scenario
        The scenario before any evidence.
    applied : tuple
        The items applied, in order (:class:`~analysis.formats.evidence_file.AppliedEvidence`).
    update : callable
        Applies the same items to another prior: what :meth:`Scenario.with_priors`
        and :meth:`Scenario.with_decisions` of an updated scenario do.
    """

    prior: Scenario
    applied: tuple
    update: Callable[[Scenario], Scenario] = field(repr=False)

    @property
    def items(self) -> tuple:
        """The applied items, in order."""
        return tuple(a.item for a in self.applied)

    def describe(self) -> str:
        """Say in words what was applied: ``"evidence gaza_2025: 12 items to 2025-11-21"``."""
        logs = ", ".join(dict.fromkeys(a.log.id for a in self.applied)) or "(none)"
        count = len(self.applied)
        last = f" to {self.applied[-1].item.date}" if self.applied else ""
        return f"evidence {logs}: {count} item{'s' if count != 1 else ''}{last}"


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated, immutable scenario and its compiled tree.

    Build one with :func:`load_scenario`; derive changed ones with
    :meth:`with_priors` and :meth:`with_decisions`, or with evidence
    (:func:`analysis.update_scenario`).

    Attributes
    ----------
    model : ScenarioFile
        The scenario as its file states it (with any changes written in).
    tree : CompiledTree
        Its paths as arrays; with evidence, weighted by the evidence's likelihood.
    source : str
        The file it came from.
    prior_overrides, decision_overrides : mapping
        The priors and assumed options changed in memory since the file,
        as :meth:`with_priors` and :meth:`with_decisions` took them.
    evidence : EvidenceUpdate or None
        The evidence the scenario was updated on.
    folder : Path or None
        The folder of the file it was loaded from: where the names in its
        ``notebooks:`` settings resolve.
    """

    model: ScenarioFile
    tree: CompiledTree = field(repr=False)
    source: str
    seeds_dir: Path | None = field(default=None, repr=False)
    prior_overrides: Mapping[str, Any] = field(default_factory=dict, repr=False)
    decision_overrides: Mapping[str, str] = field(default_factory=dict, repr=False)
    evidence: EvidenceUpdate | None = field(default=None, repr=False)
    option_limits: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    locate: Locate | None = field(default=None, repr=False, compare=False)
    folder: Path | None = field(default=None, repr=False)

    @property
    def file_name(self) -> str:
        """The name of the file it was loaded from (never a full path), e.g. ``baseline.yaml``."""
        return Path(self.source.split(" (", 1)[0]).name

    @property
    def id(self) -> str:
        """The scenario's id, as its file gives it."""
        return self.model.id

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.model.title

    @property
    def phases(self) -> tuple[str, ...]:
        """Phase ids, in order."""
        return self.tree.phases

    @property
    def collapse_outcomes(self) -> tuple[str, ...]:
        """The outcomes that end the deal (``role: collapse``), in file order."""
        return tuple(o for o, v in self.model.outcomes.items() if v.role == "collapse")

    @property
    def success_outcomes(self) -> tuple[str, ...]:
        """The outcomes that complete the deal (``role: success``), in file order."""
        return tuple(o for o, v in self.model.outcomes.items() if v.role == "success")

    @property
    def open_outcomes(self) -> tuple[str, ...]:
        """The outcomes without a role: states that have not ended (they may carry a hazard)."""
        return tuple(o for o, v in self.model.outcomes.items() if v.role is None)

    @property
    def day_zero(self):
        """The calendar date of day 0: the file's ``day_zero``, else its ``as_of``."""
        return self.model.day_zero or self.model.as_of

    @property
    def changes(self) -> tuple[str, ...]:
        """What differs from the file, one line each: priors, assumed options, evidence."""
        lines = [f"{key} = {describe_prior(value)}" for key, value in
                 self.prior_overrides.items()]
        lines += [f"{phase} = {option} (assumed)" for phase, option in
                  self.decision_overrides.items()]
        for phase, allowed in self.option_limits.items():
            options = list(self.model.phases[self.phases.index(phase)].branches)
            if len(allowed) == 1:
                lines.append(f"{phase} = {allowed[0]} (forced)")
            else:
                lines.append(f"{phase}: not {', '.join(o for o in options if o not in allowed)}")
        if self.evidence is not None:
            lines.append(self.evidence.describe())
        return tuple(lines)

    @property
    def name(self) -> str:
        """The id, followed by what changed when something did: for legends and titles."""
        changes = self.changes
        if not changes:
            return self.id
        shown = "; ".join(changes) if len(changes) <= 2 else f"{len(changes)} changes"
        return f"{self.id} ({shown})"

    def metadata(self) -> dict:
        """Return the ``attrs`` every result frame of this scenario carries."""
        return {"scenario": self.id, "changes": list(self.changes)}

    def find_file(self, value: str | Path, subfolder: str = ".") -> str | Path:
        """Return where a file this scenario names lives: as given, or beside the scenario.

        ``value`` is a path, or a name looked up as ``FOLDER/value``,
        ``FOLDER/subfolder/value.yaml`` and ``FOLDER/value.yaml`` (``FOLDER``:
        the scenario file's folder); otherwise it is returned unchanged, for a
        loader to look up in the project's folders.
        """
        path = Path(value)
        if path.is_file():
            return path
        if self.folder is not None:
            for candidate in (self.folder / path, self.folder / subfolder / f"{value}.yaml",
                              self.folder / f"{value}.yaml"):
                if candidate.is_file():
                    return candidate
        return value

    def decision_maker_attrs(self, decision_maker: str | None) -> dict:
        """Return ``decision_maker`` (an id) and its stakeholder's label, for ``attrs``."""
        stakeholder = self.model.stakeholders.get(decision_maker) if decision_maker else None
        return {"decision_maker": decision_maker,
                "decision_maker_label": stakeholder.label if stakeholder else None}

    def __repr__(self) -> str:
        changed = f", changes={len(self.changes)}" if self.changes else ""
        return (f"Scenario(id={self.id!r}, source={self.source!r}, phases={len(self.phases)}, "
                f"paths={self.tree.n_paths}{changed})")

    def with_priors(self, overrides: Mapping[str, Any]) -> Scenario:
        """Return a new scenario with some priors replaced; this one is unchanged.

        Parameters
        ----------
        overrides : mapping
            Keys name a named parameter (``"sensitivity"``: any value the
            ``parameters:`` section takes) or a branch's prior:
            ``"phase.branch"`` for the phase's default probabilities,
            ``"phase.rule.branch"`` for a rule's.
            Values are anything a scenario file accepts as a prior: a
            probability, or a mapping such as ``{"alpha": 8, "beta": 2}``,
            ``{"low": .5, "mode": .7, "high": .9}``, ``{"mean": .6, "sd": .1}``,
            ``{"successes": 8, "trials": 9}`` or ``{"concentration": 4}``. In a
            two-branch question, setting one branch makes the other take the rest.
            An updated scenario's original priors are changed and its evidence
            applied again.

        Raises
        ------
        TypeError
            If ``overrides`` is not a mapping of text keys.
        ScenarioError
            If a key names no prior, or the new scenario is invalid.

        Examples
        --------
        >>> baseline = load_scenario("baseline")
        >>> hopeful = baseline.with_priors({"ceasefire.holds": 0.9})
        >>> hopeful.changes
        ('ceasefire.holds = 0.9',)
        """
        overrides = _check_mapping(overrides, "overrides")
        if self.evidence is not None:
            return self.evidence.update(self.evidence.prior.with_priors(overrides))
        if not overrides:
            return self
        doc = Document(dict(overrides), "<with_priors>")
        priors, problems = parse_priors(overrides, doc)
        model, naming = override_priors(self.model, priors)
        problems += [doc.problem((key,), message) for key, message in naming]
        if problems:
            raise ScenarioError(problems)
        return self._rebuilt(model, f"{self.source} (with_priors)",
                             prior_overrides={**self.prior_overrides, **overrides})

    def with_decisions(self, choices: Mapping[str, str]) -> Scenario:
        """Return a new scenario whose decisions assume other options; this one is unchanged.

        The assumed option of a decision phase is the one that evaluations
        without optimisation use (:func:`analysis.outcome_distribution`,
        sampling, one-way sensitivity...). :func:`analysis.rollback` ignores it
        for the decision maker's own decisions: to force or exclude their
        options, use :meth:`with_options`.

        Parameters
        ----------
        choices : mapping
            Decision phase id -> the option to assume there.

        Raises
        ------
        TypeError
            If ``choices`` is not a mapping of phase ids to option ids.
        ScenarioError
            If a key is not a decision phase or a value not one of its options.

        Examples
        --------
        >>> mediation = load_scenario("mediation")
        >>> no_force = mediation.with_decisions({"international_presence": "no_presence"})
        """
        choices = _check_mapping(choices, "choices")
        if self.evidence is not None:
            return self.evidence.update(self.evidence.prior.with_decisions(choices))
        if not choices:
            return self
        doc = Document(dict(choices), "<with_decisions>")
        model, naming = override_decisions(self.model, choices)
        if naming:
            raise ScenarioError([doc.problem((key,), message) for key, message in naming])
        return self._rebuilt(model, f"{self.source} (with_decisions)",
                             decision_overrides={**self.decision_overrides, **choices})

    def with_options(self, *, force: Mapping[str, str] | None = None,
                     exclude: Mapping[str, str | list[str]] | None = None) -> Scenario:
        """Return a new scenario whose decisions may take fewer options; this one is unchanged.

        Every analysis that optimises (:func:`analysis.rollback`, sensitivity
        with a decision maker, thresholds, the value of information) then
        chooses only among the options left, and evaluations without
        optimisation assume a forced option.

        Parameters
        ----------
        force : mapping, optional
            Decision phase id -> the only option left.
        exclude : mapping, optional
            Decision phase id -> an option, or a list of options, taken away.

        Raises
        ------
        TypeError
            If ``force`` or ``exclude`` is not a mapping.
        ScenarioError
            If a key is not a decision, an option unknown, or no option is left.

        Examples
        --------
        >>> mediation = load_scenario("mediation")
        >>> no_force = mediation.with_options(exclude={"international_presence":
        ...                                            "stabilization_force"})
        """
        force = _check_mapping(force or {}, "force")
        exclude = _check_mapping(exclude or {}, "exclude")
        if self.evidence is not None:
            return self.evidence.update(self.evidence.prior.with_options(force=force,
                                                                         exclude=exclude))
        limits = dict(self.option_limits)
        decisions = {p.id: list(p.branches) for p in self.model.phases
                     if p.decision_maker is not None}
        problems = []
        doc = Document({**force, **exclude}, "<with_options>")
        for kind, items in (("force", force), ("exclude", exclude)):
            for phase, chosen in items.items():
                wanted = [chosen] if isinstance(chosen, str) else list(chosen)
                naming = [m for w in wanted for m in override_decisions(self.model,
                                                                        {phase: w})[1]]
                if naming or not wanted:
                    problems += [doc.problem((phase,), m) for _, m in naming] or [
                        doc.problem((phase,), "expected at least one option")]
                    continue
                allowed = limits.get(phase, tuple(decisions[phase]))
                kept = (tuple(o for o in allowed if o in wanted) if kind == "force"
                        else tuple(o for o in allowed if o not in wanted))
                if not kept:
                    problems.append(doc.problem((phase,), (
                        f"no option of decision {phase!r} would be left ({kind} "
                        f"{', '.join(wanted)}; allowed so far: {', '.join(allowed)})")))
                    continue
                limits[phase] = kept
        if problems:
            raise ScenarioError(problems)
        assumed = {phase: allowed[0] for phase, allowed in limits.items()
                   if (self.model.phases[self.phases.index(phase)].assumed
                       or decisions[phase][0]) not in allowed}
        model, _ = override_decisions(self.model, assumed)
        return self._rebuilt(model, f"{self.source} (with_options)", option_limits=limits)

    def with_evidence(self, tree: CompiledTree, model: ScenarioFile, evidence: EvidenceUpdate,
                      *, source: str) -> Scenario:
        """Return this scenario updated on evidence: used by :func:`analysis.update_scenario`."""
        return replace(self, model=model, tree=tree, evidence=evidence, source=source)

    def _rebuilt(self, model: ScenarioFile, where: str, **changes: Any) -> Scenario:
        """Return the same paths with ``model``'s probabilities, checked like a file."""
        problems = list(check_scenario(model, self.seeds_dir))
        if not problems:
            tree, problems = self.tree.with_model(model, self.locate or plain_locate(where))
        if problems:
            raise ScenarioError([Problem(where, None, format_location(loc), message)
                                 for loc, message in problems])
        return replace(self, model=model, tree=tree, **changes)

    def priors_table(self) -> pd.DataFrame:
        """Return one row per branch probability the tree uses.

        Columns: ``key`` (what :meth:`with_priors` takes), ``phase``, ``rule``,
        ``branch``, ``kind`` (fixed, beta, range, mean_sd, counts, dirichlet or rest),
        ``mean``, ``p05`` and ``p95`` (the 90% central interval of the
        branch's marginal Beta), ``cite`` and ``rationale``.
        """
        rows = []
        for pset in self.tree.sets:
            if pset.select is not None:  # chooses among the sets listed
                continue
            means = pset.means()
            lows, highs = pset.intervals(0.9)
            for b, (branch, prior) in enumerate(zip(pset.branches, pset.priors, strict=True)):
                rows.append({
                    "key": f"{pset.key}.{branch}",
                    "phase": pset.phase,
                    "rule": pset.rule or "",
                    "branch": branch,
                    "kind": "rest" if prior is None else prior.kind,
                    "mean": means[b],
                    "p05": lows[b],
                    "p95": highs[b],
                    "cite": ", ".join(prior.cite) if prior else "",
                    "rationale": (prior.rationale or "") if prior else "",
                })
        import pandas as pd

        frame = pd.DataFrame(rows)
        frame.attrs = self.metadata()
        return frame


def _check_mapping(value: object, name: str) -> Mapping:
    if name == "choices":
        value = check_keys(value, name, example="{'phase': 'option'}")
        for key, option in value.items():
            if not isinstance(option, str):
                raise TypeError(f"choices: {key!r} == {short_repr(option)} "
                                f"({type(option).__name__}), expected one option id (text)")
        return value
    return check_keys(value, name, example="{'phase.branch': 0.9}")


def load_scenario(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                  ) -> Scenario:
    """Load and validate a scenario file.

    A file with ``extends: BASE`` is a variant: the base scenario with the
    priors listed under ``priors:`` replaced (see :meth:`Scenario.with_priors`).

    Parameters
    ----------
    path_or_name : str or Path
        A path to a YAML file, or the name of a file in ``scenarios/``
        (``"baseline"`` for ``scenarios/baseline.yaml``).
    seeds_dir : str or Path, optional
        Where the claims that priors cite live; default: ``seeds/`` beside
        the scenario's folder if there is one, else the project's.

    Raises
    ------
    ScenarioError
        Listing every problem, each with file, line, location, value and
        what was expected.
    """
    path = resolve_scenario_path(path_or_name)
    scenario = _load(path, Path(seeds_dir) if seeds_dir else None)
    return replace(scenario, folder=path.resolve().parent)


def sources_beside(path: str | Path) -> Path | None:
    """Return the claims folder a scenario file cites by default, or None for the project's.

    ``sources/`` beside the file if there is one, else ``seeds/`` beside its
    folder (the project's layout: ``scenarios/`` next to ``seeds/``).
    """
    folder = Path(path).resolve().parent
    for candidate in (folder / "sources", folder.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


def resolve_scenario_path(path_or_name: str | Path) -> Path:
    """Return the file a path or scenario name refers to."""
    return resolve_named_file(path_or_name, scenarios_dir(), "scenario")


def check_scenario_file(path_or_name: str | Path, *, seeds_dir: str | Path | None = None
                        ) -> list[str]:
    """Check a scenario file exactly as :func:`load_scenario` does, without building it.

    Every problem is found (the format, the whole-scenario checks, the
    expansion of the tree, variants and their bases), but the tree's arrays
    are not built: this is ``dealtree validate``, which never imports numpy.

    Returns
    -------
    list of str
        The warnings that loading would give (an outcome no path reaches, a
        rule that applies nowhere), each starting with its file.

    Raises
    ------
    ScenarioError
        As :func:`load_scenario`.
    """
    path = resolve_scenario_path(path_or_name)
    return _load(path, Path(seeds_dir) if seeds_dir else None, build=False).warnings


@dataclass(frozen=True)
class _Checked:
    """A scenario checked but not built: its model, its warnings, where it came from."""

    model: ScenarioFile
    warnings: list[str]
    source: str
    seeds_dir: Path | None


def _load(path: Path, seeds_dir: Path | None, *, build: bool = True) -> Scenario | _Checked:
    """Load (or only check) a scenario file, following its chain of ``extends``.

    The chain is read first (every link checked: where it may point, its
    length, cycles), then built from the full scenario up, so that a problem
    in a base is reported once, in the base's file.
    """
    docs = [read_yaml(path)]
    paths = [path]
    variants: list[ScenarioVariant] = []
    while _is_variant(docs[-1].data):
        doc = docs[-1]
        variant = validate_document(doc, ScenarioVariant, keys=_SCENARIO_KEYS)
        variants.append(variant)
        base_path = _base_path(doc, paths[-1], variant.extends)
        members = [p.resolve() for p in paths]
        if base_path.resolve() in members:
            loop = members[members.index(base_path.resolve()):] + [base_path.resolve()]
            cycle = " -> ".join(_shown(p) for p in loop)
            raise ScenarioError([doc.problem(("extends",), (
                f"'extends' makes a cycle: {cycle}; expected a chain that ends in a full "
                "scenario"))])
        if len(paths) >= MAX_EXTENDS:
            raise ScenarioError([docs[0].problem(("extends",), (
                f"more than {MAX_EXTENDS} files in the chain of 'extends' ("
                + " -> ".join(_shown(p) for p in (*paths, base_path)) + "), expected fewer"))])
        try:
            base_doc = read_yaml(base_path)
        except ScenarioError as exc:
            raise _base_failed(doc, variant.extends, base_path, exc, readable=False) from None
        if not _looks_like_scenario(base_doc.data):
            raise ScenarioError([doc.problem(("extends",), (
                f"base {_named(variant.extends, base_path)} is not a scenario file: "
                f"expected a mapping {_SCENARIO_KEYS}; its content is not shown"))])
        docs.append(base_doc)
        paths.append(base_path)
    try:
        sources = sources_beside(paths[-1])
        scenario = (build_scenario(docs[-1], seeds_dir, default_sources=sources) if build
                    else _check(docs[-1], seeds_dir, sources))
    except ScenarioError as exc:
        if not variants:
            raise
        raise _base_failed(docs[-2], variants[-1].extends, paths[-1], exc, readable=True
                           ) from None
    for doc, variant in zip(reversed(docs[:-1]), reversed(variants), strict=True):
        scenario = _apply_variant(doc, variant, scenario, seeds_dir)
    return scenario


def _is_variant(data: object) -> bool:
    return isinstance(data, dict) and "extends" in data


def _looks_like_scenario(data: object) -> bool:
    """Whether a base file is a scenario at all (else none of its lines is ever shown)."""
    return isinstance(data, dict) and "id" in data and ("phases" in data or "extends" in data)


def _shown(path: Path) -> str:
    return path.name


def _named(extends: str, path: Path) -> str:
    """``'baseline' (baseline.yaml)``, or ``'base.yaml'`` when that says it all."""
    return repr(extends) + ("" if extends == path.name else f" ({path.name})")


def _base_path(doc: Document, path: Path, extends: str) -> Path:
    """Return the file ``extends`` names: a scenario by name, or a path it may reach.

    A name (no folder, no ``.yaml``) is a file of ``scenarios/``; a path is
    relative to the variant's file and must stay inside the variant's folder
    or ``scenarios/`` (symbolic links resolved), and end in ``.yaml`` or ``.yml``.
    """
    def refuse(why: str) -> ScenarioError:
        return ScenarioError([doc.problem(("extends",), (
            f"{extends!r} {why}; expected the name of a scenario in scenarios/ "
            f"({', '.join(scenario_names()) or 'none'}) or a path to a .yaml file relative to "
            "this file, in its folder or in scenarios/"))])

    if "/" not in extends and "\\" not in extends and not extends.endswith((".yaml", ".yml")):
        if extends.startswith(".") or not extends.strip():
            raise refuse("is not a scenario name")
        named = scenarios_dir() / f"{extends}.yaml"
        if not named.is_file():
            raise refuse("names no scenario in scenarios/" + did_you_mean(extends,
                                                                         scenario_names()))
        return named
    if Path(extends).is_absolute() or extends.startswith("~"):
        raise refuse("is an absolute path")
    if not extends.endswith((".yaml", ".yml")):
        raise refuse("does not end in .yaml")
    target = path.parent / extends
    try:
        real = target.resolve()
        inside = [folder.resolve() for folder in (path.parent, scenarios_dir())]
    except (OSError, RuntimeError):  # a symlink loop
        raise refuse("cannot be resolved") from None
    if not any(real.is_relative_to(folder) for folder in inside):
        raise refuse("leads outside this file's folder and scenarios/")
    if not target.is_file():
        raise refuse("is not a file")
    return target


def _base_failed(doc: Document, extends: str, base_path: Path, error: ScenarioError, *,
                 readable: bool) -> ScenarioError:
    """One line in the variant naming its base, then the base's own problems (once)."""
    head = doc.problem(("extends",), f"base scenario {_named(extends, base_path)} could not be "
                                     "loaded:")
    if not readable:  # not even YAML: say why without quoting the file
        reasons = "; ".join(dict.fromkeys(
            p.message if p.message.startswith(_FILE_REASONS) else
            f"not a valid YAML document (line {p.line or '?'})" for p in error.problems))
        return ScenarioError([Problem(head.file, head.line, head.location,
                                      f"{head.message} {reasons}")])
    return ScenarioError([head, *error.problems])


def _apply_variant(doc: Document, variant: ScenarioVariant, base: Scenario | _Checked,
                   seeds_dir: Path | None) -> Scenario | _Checked:
    as_of = variant.as_of or base.model.as_of
    late = [doc.problem(loc, message) for loc, message in check_variant_citations(
        variant.priors, variant.parameters, as_of, seeds_dir or base.seeds_dir)]
    if late:
        raise ScenarioError(late)
    model, naming = override_priors(base.model, variant.priors)
    model, named = override_parameters(model, variant.parameters)
    if naming or named:
        raise ScenarioError([doc.problem(("priors", key), message) for key, message in naming]
                            + [doc.problem(("parameters", key), message)
                               for key, message in named])
    model = model.model_copy(update={"id": variant.id, "title": variant.title,
                                     "description": variant.description,
                                     "as_of": as_of,
                                     "notebooks": variant.notebooks or base.model.notebooks})
    source = f"{doc.file} (extends {base.source})"
    if isinstance(base, _Checked):  # what _rebuilt checks, without building the tree
        seeds = seeds_dir or base.seeds_dir
        _raise_problems(model, seeds, source)
        problems, _ = check_tree(model, document_locate(doc))
        if problems:
            raise ScenarioError([Problem(source, None, format_location(loc), message)
                                 for loc, message in problems])
        return _Checked(model, base.warnings, source, seeds)
    variant_of_base = replace(base, source=source, seeds_dir=seeds_dir or base.seeds_dir,
                              locate=document_locate(doc))
    return variant_of_base._rebuilt(model, source)


def _raise_problems(model: ScenarioFile, seeds_dir: Path | None, where: str) -> None:
    """Raise the whole-scenario problems of a changed model (not located in a file)."""
    problems = list(check_scenario(model, seeds_dir))
    if problems:
        raise ScenarioError([Problem(where, None, format_location(loc), message)
                             for loc, message in problems])


def _checked_model(doc: Document, seeds_dir: Path | None, default_sources: Path | None
                   ) -> tuple[ScenarioFile, Path | None]:
    """Validate a full scenario's document and its whole-scenario checks; return its sources."""
    model = validate_document(doc, ScenarioFile, keys=_SCENARIO_KEYS)
    if seeds_dir is None and model.sources is not None:
        seeds_dir = Path(doc.file).resolve().parent / model.sources
        if not seeds_dir.is_dir():
            raise ScenarioError([doc.problem(("sources",), f"no folder {str(seeds_dir)!r}; "
                                             "expected a folder of source digests, relative "
                                             "to this file")])
    elif seeds_dir is None:
        seeds_dir = default_sources
    problems = [doc.problem(loc, message) for loc, message in check_scenario(model, seeds_dir)]
    if problems:
        raise ScenarioError(problems)
    return model, seeds_dir


def _check(doc: Document, seeds_dir: Path | None, default_sources: Path | None) -> _Checked:
    """Check a full scenario's document as :func:`build_scenario` does."""
    model, seeds_dir = _checked_model(doc, seeds_dir, default_sources)
    problems, messages = check_tree(model, document_locate(doc))
    if problems:
        raise ScenarioError([_located(doc, loc, message) for loc, message in problems])
    return _Checked(model, [f"{doc.file}: {message}" for message in messages], doc.file,
                    seeds_dir)


def build_scenario(doc: Document, seeds_dir: Path | None, *,
                   default_sources: Path | None = None) -> Scenario:
    """Validate a read document as a scenario file and compile its tree.

    Claims are looked up in ``seeds_dir`` if given, else in the file's own
    ``sources:`` folder (relative to the file), else in ``default_sources``,
    else in the project's ``seeds/``.

    Raises
    ------
    ScenarioError
        Listing every problem, located in ``doc``.
    """
    model, seeds_dir = _checked_model(doc, seeds_dir, default_sources)
    locate = document_locate(doc)
    tree, tree_problems, tree_warnings = compile_tree(model, locate)
    if tree is None:
        raise ScenarioError([_located(doc, loc, message) for loc, message in tree_problems])
    for message in tree_warnings:
        warnings.warn(f"{doc.file}: {message}", ScenarioWarning, stacklevel=3)
    for loc, message in role_warnings(model):
        warnings.warn(f"{locate(loc)}: {message}", ScenarioWarning, stacklevel=3)
    return Scenario(model, tree, doc.file, seeds_dir, locate=locate)


def document_locate(doc: Document) -> Locate:
    """Return a :data:`~analysis.model.formulas.Locate` for a read document."""
    def locate(loc: tuple) -> str:
        line = doc.line_of(loc)
        where = f"{doc.file}:{line}" if line else doc.file
        return f"{where}: {format_location(loc)}"

    return locate


def _located(doc: Document, loc: tuple, message: str) -> Problem:
    """Return the problem at ``loc`` (one found at evaluation names its place: kept as is)."""
    if loc == () and message.startswith(doc.file):
        where, _, rest = message.partition(": ")
        line = where.rsplit(":", 1)[-1]
        location, _, text = rest.partition(": ")
        return Problem(doc.file, int(line) if line.isdigit() else None, location, text)
    return doc.problem(loc, message)
