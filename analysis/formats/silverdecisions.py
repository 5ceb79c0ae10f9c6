"""SilverDecisions tree files (``.json``), read and turned into scenario documents.

SilverDecisions (https://silverdecisions.pl) saves a decision tree as JSON:
nodes (decision, chance, terminal) joined by edges that carry a probability
and one or two payoffs, each a number or a math.js expression over variables
defined in code (a global block, and a block per node whose variables apply
below it). This module reads such a file (both layouts: files saved before
0.7.0 keep ``code`` and ``trees`` at the top level, later ones under
``data``) and writes the equivalent scenario document:

- every decision and chance node becomes a phase, in breadth-first order,
  that applies where its parent took the edge leading to it; decision nodes
  are decisions of one decision maker; edges into terminal nodes end the
  path (outcome ``end``, terminals carry no value in SilverDecisions);
- each payoff criterion becomes a stakeholder whose utility is the sum of
  the payoffs along the path (``payoffs:`` on the branches, on decision and
  chance branches alike);
- code becomes named parameters: ``x = 0.3`` a fixed value, ``x = a * b`` a
  formula, ``x = random(a, b)`` (or ``Uniform(a, b)``, ``Normal(m, s)``) a
  distribution whose base value is the draw the file saved; a variable that
  node code redefines lower down gets its own parameter there; functions
  (``f(p) = p^2 / 2``) are expanded where they are called;
- expressions are translated from math.js (``^`` a power, ``#`` a comment),
  ``#`` probabilities stay the rest, shared equally;
- the file's rule becomes the scenario's ``decision_rule`` (table in
  :data:`RULES`).

What cannot be converted raises a :class:`~analysis.core.errors.ScenarioError`
whose problems name the file, its line and the place in the JSON
(``data.trees[0].childEdges[1].probability``). :func:`read_silverdecisions`
refuses what SilverDecisions refuses to open (not JSON, no
``SilverDecisions`` version key); invalid trees are found when the scenario
is checked (:mod:`analysis.delivery.interchange`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Problem, ScenarioError, format_location
from ..core.expressions import EvaluationError, ExpressionError, parse_expression
from .source import MAX_FILE_BYTES, Document, parse_yaml, read_text

__all__ = [
    "RULES",
    "SilverDecisionsFile",
    "TreeImport",
    "convert_tree",
    "read_silverdecisions",
    "slug",
]

#: SilverDecisions rule -> (dealtree rule name, direction, criteria signs or None).
RULES: dict[str, tuple[str, str, tuple[int, int] | None]] = {
    "expected-value-maximization": ("expected_value", "maximize", None),
    "expected-value-minimization": ("expected_value", "minimize", None),
    "maxi-min": ("maximin", "maximize", None),
    "maxi-max": ("maximax", "maximize", None),
    "mini-min": ("maximax", "minimize", None),
    "mini-max": ("maximin", "minimize", None),
    "max-min": ("weighted", "maximize", (1, -1)),
    "max-max": ("weighted", "maximize", (1, 1)),
    "min-min": ("weighted", "maximize", (-1, -1)),
    "min-max": ("weighted", "maximize", (-1, 1)),
}
_RANDOM = re.compile(r"^\s*(random|Uniform|Normal)\s*\(([^()]*)\)\s*$")
_ASSIGN = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*=(?!=)(.*)$")
_FUNCTION = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*\(([^()]*)\)\s*=(?!=)(.*)$")
_MIXED = re.compile(r"^\s*(-?)\s*(\d+)\s+(\d+)\s*/\s*(\d+)\s*$")
_KEYWORDS = {"not", "any_of", "parameters", "path", "probability", "outcome", "end"}


@dataclass(frozen=True)
class SilverDecisionsFile:
    """A SilverDecisions file as read: its data, version, layout, and the lines of values."""

    path: str
    data: dict
    version: str
    layout: str  # "flat" (before 0.7.0) or "data"
    document: Document | None = field(repr=False, default=None)

    @property
    def model(self) -> dict:
        """The part holding ``code``, ``expressionScope`` and ``trees``."""
        return self.data if self.layout == "flat" else self.data.get("data") or {}

    @property
    def prefix(self) -> tuple:
        """Where the model starts in the JSON: ``()`` or ``("data",)``."""
        return () if self.layout == "flat" else ("data",)

    def problem(self, loc: tuple, message: str) -> Problem:
        """Return a problem at ``loc`` in the JSON, with its line when known."""
        line = self.document.line_of(loc) if self.document is not None else None
        return Problem(self.path, line, format_location(loc), message)


def read_silverdecisions(path: str | Path) -> SilverDecisionsFile:
    """Read a SilverDecisions ``.json`` file.

    Raises
    ------
    ScenarioError
        If the file is missing, too large, not JSON (strictly: a raw line
        break inside a string is refused, as SilverDecisions does), not a
        mapping, or has no ``SilverDecisions`` version key.
    """
    path = Path(path)
    name = str(path)
    text = read_text(path, expected="a SilverDecisions .json file", limit=4 * MAX_FILE_BYTES)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        reason = getattr(exc, "msg", str(exc))
        raise ScenarioError([Problem(name, line, "(document)",
                                     f"not a SilverDecisions file: invalid JSON ({reason})")]
                            ) from None
    except RecursionError:
        raise ScenarioError([Problem(name, None, "(document)",
                                     "not a SilverDecisions file: nested too deeply")]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(name, 1, "(document)",
                                     f"not a SilverDecisions file: got a JSON "
                                     f"{type(data).__name__}, expected an object")])
    document = _lines(text, name)
    version = data.get("SilverDecisions")
    if not isinstance(version, str) or not version.strip():
        raise ScenarioError([Problem(name, 1, "(document)", (
            "not a SilverDecisions file: no 'SilverDecisions' version key (SilverDecisions "
            "refuses such files too)"))])
    layout = "flat" if _older(version, "0.7.0") else "data"
    return SilverDecisionsFile(name, data, version, layout, document)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _lines(text: str, name: str) -> Document | None:
    """Return the line of each value (JSON read as YAML), or None if it cannot be read so."""
    try:
        return parse_yaml(text, name)
    except ScenarioError:
        return None


def _older(version: str, than: str) -> bool:
    def parts(v: str) -> list[int]:
        return [int(p) if p.isdigit() else 0 for p in re.split(r"[.\-]", v.strip())[:3]]

    return parts(version) < parts(than)


def slug(text: str, fallback: str) -> str:
    """Return an id made of ``text``: lowercase letters, digits and ``_`` (or ``fallback``)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text or "")
    words = re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")
    if not words:
        return fallback
    if not words[0].isalpha():
        words = f"n_{words}"
    return words[:40].rstrip("_")


@dataclass
class TreeImport:
    """The scenario document made of one tree, and how the tree maps onto it.

    ``phases`` maps each node's path (``""`` for the root, ``"/2:testuj/0:+"``
    below it, as SilverDecisions's tests name nodes) to its phase id;
    ``branches`` maps ``(node path, edge index)`` to the branch id;
    ``origin`` maps a location in the document (``phases[2].branches.x``)
    to the JSON location it came from; ``notes`` say what was approximated.
    """

    document: dict
    phases: dict[str, str] = field(default_factory=dict)
    phase_at: dict[tuple[int, ...], str] = field(default_factory=dict)
    branch_at: dict[tuple[tuple[int, ...], int], str] = field(default_factory=dict)
    branches: dict[tuple[str, int], str] = field(default_factory=dict)
    origin: dict[str, tuple] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    decision_maker: str = ""


class _Scope:
    """SilverDecisions variable names -> parameter ids, as seen at one node."""

    def __init__(self, names: dict[str, str], functions: dict):
        self.names = dict(names)
        self.functions = dict(functions)

    def child(self) -> _Scope:
        return _Scope(self.names, self.functions)


class _Converter:
    def __init__(self, source: SilverDecisionsFile, index: int, title: str | None):
        self.source = source
        self.index = index
        self.title = title
        self.problems: list[Problem] = []
        self.parameters: dict[str, Any] = {}
        self.taken: set[str] = set()
        self.result = TreeImport({})

    # -- expressions

    def expression(self, raw: Any, scope: _Scope, loc: tuple, *, probability: bool = False
                   ) -> float | str | None:
        """Return a number or a translated formula; None (with a problem) if it cannot be."""
        if raw is None:
            return 0.0
        if isinstance(raw, bool):
            self.fail(loc, f"got {raw!r}, expected a number or an expression")
            return None
        if isinstance(raw, int | float):
            if not math.isfinite(raw):
                self.fail(loc, f"got {raw!r}, expected a finite number")
                return None
            return float(raw)
        if not isinstance(raw, str):
            self.fail(loc, f"got {type(raw).__name__}, expected a number or an expression")
            return None
        text = raw.split("#", 1)[0] if raw.strip() != "#" else raw
        if probability and raw.strip() == "#":
            return "#"
        if not text.strip():
            return 0.0
        if "=" in text.replace("==", "").replace("!=", "").replace("<=", "").replace(">=", ""):
            self.fail(loc, f"{raw!r}: an assignment; SilverDecisions takes none in a "
                           "probability or payoff")
            return None
        mixed = _MIXED.match(text)
        if mixed:
            sign, whole, num, den = mixed.groups()
            value = int(whole) + int(num) / int(den)
            return -value if sign else value
        try:
            return self.translate(text, scope, loc)
        except ExpressionError as exc:
            self.fail(loc, f"{raw!r} cannot be converted: {exc}")
            return None

    def translate(self, text: str, scope: _Scope, loc: tuple) -> float | str:
        """Translate a math.js expression to a dealtree formula (or a number)."""
        cleaned = re.sub(r"\btrue\b", "1", re.sub(r"\bfalse\b", "0", text))
        if "?" in cleaned or ":" in cleaned:
            raise ExpressionError("conditional '? :' and ranges are not converted; rewrite "
                                  "with ifelse(condition, a, b)")
        parsed = parse_expression(cleaned, functions=set(scope.functions))
        mapping = {}
        for name in parsed.names:
            if name in scope.names:
                mapping[name] = scope.names[name]
            elif name == "e":
                mapping[name] = "__e"
            else:
                raise ExpressionError(f"unknown variable {name!r}; the code defines: "
                                      f"{', '.join(sorted(scope.names)) or '(none)'}")
        renamed = parsed.rename(mapping)
        if scope.functions:
            renamed = renamed.substitute(scope.functions)
        formula = renamed.to_text().replace("__e", repr(math.e))
        checked = parse_expression(formula)
        if checked.is_constant:
            try:
                return float(checked.evaluate({}, 1)[0])
            except EvaluationError as exc:
                raise ExpressionError(exc.reason) from None
        return formula

    # -- code

    def code(self, text: Any, saved: Any, scope: _Scope, loc: tuple, owner: str) -> _Scope:
        """Run a block of code into ``scope``: assignments become parameters."""
        if not text:
            return scope
        if not isinstance(text, str):
            self.fail(loc, f"got {type(text).__name__}, expected code as text")
            return scope
        saved = saved if isinstance(saved, Mapping) else {}
        for number, line in enumerate(re.split(r"[\n;]", text), start=1):
            line = line.split("#", 1)[0]
            if not line.strip():
                continue
            where = (*loc,)
            function = _FUNCTION.match(line)
            if function:
                name, args, body = function.groups()
                arguments = tuple(a.strip() for a in args.split(",") if a.strip())
                try:
                    inner = _Scope({**scope.names, **{a: a for a in arguments}}, scope.functions)
                    expression = parse_expression(
                        self.translate(body, inner, where) if body.strip() else "0")
                    scope.functions[name] = (arguments, parse_expression(expression.text))
                except ExpressionError as exc:
                    self.fail(where, f"line {number} of the code, {line.strip()!r}: {exc}")
                continue
            assignment = _ASSIGN.match(line)
            if not assignment:
                self.fail(where, f"line {number} of the code, {line.strip()!r}: expected "
                                 "'name = expression' or 'f(x) = expression'")
                continue
            name, body = assignment.groups()
            parameter = self.new_parameter(name, owner)
            random = _RANDOM.match(body)
            if random:
                value = self.random(random, saved.get(name), where, number, line)
            elif re.search(r"\b(random|Uniform|Normal|Triangular|LogNormal|Poisson)\s*\(", body):
                self.fail(where, f"line {number} of the code, {line.strip()!r}: a random draw "
                                 "inside a larger expression cannot be converted; assign the "
                                 "draw to its own variable")
                continue
            else:
                try:
                    value = self.translate(body, scope, where)
                except ExpressionError as exc:
                    self.fail(where, f"line {number} of the code, {line.strip()!r}: {exc}")
                    continue
            if value is None:
                continue
            self.parameters[parameter] = value
            scope.names[name] = parameter
        return scope

    def random(self, match, saved: Any, where: tuple, number: int, line: str):
        function, args = match.groups()
        try:
            numbers = [float(a) for a in args.split(",") if a.strip()]
        except ValueError:
            self.fail(where, f"line {number} of the code, {line.strip()!r}: the arguments of "
                             f"{function}() must be numbers to convert it")
            return None
        if function in ("random", "Uniform"):
            low, high = (0.0, 1.0) if not numbers else (0.0, numbers[0]) if len(
                numbers) == 1 else numbers[:2]
            prior: dict = {"distribution": "uniform", "low": low, "high": high}
        else:
            if len(numbers) != 2 or numbers[1] <= 0:
                self.fail(where, f"line {number} of the code, {line.strip()!r}: expected "
                                 "Normal(mean, sd) with sd > 0")
                return None
            prior = {"distribution": "normal", "mean": numbers[0], "sd": numbers[1]}
        if isinstance(saved, int | float) and not isinstance(saved, bool):
            prior["base"] = float(saved)
            self.result.notes.append(
                f"{format_location(where)}: {line.strip()!r} is a random draw: imported as a "
                f"{prior['distribution']} distribution, evaluated at the draw the file saved "
                f"({float(saved):.6g}), as SilverDecisions shows it when it opens the file")
        return prior

    def new_parameter(self, name: str, owner: str) -> str:
        base = slug(name, "variable")
        if base in _KEYWORDS or base in ("pi",):
            base = f"{base}_value"
        candidate = base
        if candidate in self.taken:
            candidate = f"{base}_{owner}" if owner else base
        counter = 2
        while candidate in self.taken:
            candidate = f"{base}_{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate

    # -- the tree

    def fail(self, loc: tuple, message: str) -> None:
        self.problems.append(self.source.problem(loc, message))

    def run(self) -> TreeImport:
        source = self.source
        model = source.model
        if not isinstance(model, Mapping):
            self.fail(source.prefix, "expected an object with code and trees")
            raise ScenarioError(self.problems)
        trees = model.get("trees")
        tree_loc = (*source.prefix, "trees")
        if not isinstance(trees, list) or not trees:
            self.fail(tree_loc, "no tree: expected a list of at least one root node")
            raise ScenarioError(self.problems)
        if not 0 <= self.index < len(trees):
            self.fail(tree_loc, f"tree {self.index} asked for; the file holds {len(trees)} "
                                f"tree(s), numbered from 0")
            raise ScenarioError(self.problems)
        if len(trees) > 1:
            self.result.notes.append(f"the file holds {len(trees)} independent trees; tree "
                                     f"{self.index} was imported (--tree N for another)")
        scope = self.code(model.get("code"), model.get("expressionScope"), _Scope({}, {}),
                          (*source.prefix, "code"), "")
        criteria = self.criteria(model)
        root = trees[self.index]
        phases = self.walk(root, (*tree_loc, self.index), scope, criteria)
        if self.problems:
            raise ScenarioError(self.problems)
        self.result.document = self.document(phases, criteria, model)
        return self.result

    def criteria(self, model: Mapping) -> list[str]:
        names = model.get("payoffNames") if isinstance(model.get("payoffNames"), list) else []
        rule = self.source.data.get("rule")
        two = (rule in RULES and RULES[rule][2] is not None) or self.source.data.get(
            "viewMode") == "twoCriteria" or self._second_criterion_used(model)
        count = 2 if two else 1
        ids = []
        for k in range(count):
            name = names[k] if k < len(names) and isinstance(names[k], str) else ""
            fallback = "payoff" if count == 1 else f"criterion_{k + 1}"
            candidate = slug(name, fallback)
            if candidate in ids or candidate in _KEYWORDS:
                candidate = f"{candidate}_{k + 1}"
            ids.append(candidate)
        self.result.criteria = ids
        self.labels = [names[k] if k < len(names) and isinstance(names[k], str) and names[k]
                       else ("Payoff" if count == 1 else f"Criterion {k + 1}")
                       for k in range(count)]
        return ids

    def _second_criterion_used(self, model: Mapping) -> bool:
        def visit(node) -> bool:
            edges = node.get("childEdges")
            for edge in edges if isinstance(edges, list) else []:
                if not isinstance(edge, Mapping):
                    continue
                payoff = edge.get("payoff")
                if isinstance(payoff, list) and len(payoff) > 1 and payoff[1] not in (
                        0, "0", "", None):
                    return True
                if isinstance(edge.get("childNode"), Mapping) and visit(edge["childNode"]):
                    return True
            return False

        trees = model.get("trees") or []
        return bool(trees) and isinstance(trees[self.index], Mapping) and visit(
            trees[self.index])

    def walk(self, root: Any, root_loc: tuple, scope: _Scope, criteria: list[str]
             ) -> list[dict]:
        phases: list[dict] = []
        queue = [(root, root_loc, "", scope, None, ())]
        ids: set[str] = set()
        counters = {"decision": 0, "chance": 0}
        while queue:
            node, loc, path, parent_scope, applies, steps = queue.pop(0)
            if not isinstance(node, Mapping):
                self.fail(loc, "expected a node object")
                continue
            kind = node.get("type")
            if kind == "terminal":
                continue
            if kind not in ("decision", "chance"):
                self.fail((*loc, "type"), f"got {kind!r}, expected 'decision', 'chance' or "
                                          "'terminal'")
                continue
            counters[kind] += 1
            name = node.get("name") if isinstance(node.get("name"), str) else ""
            phase_id = slug(name, f"{kind}_{counters[kind]}")
            if phase_id in _KEYWORDS or phase_id in ids or phase_id in self.taken:
                phase_id = f"{phase_id}_{len(phases) + 1}"
            while phase_id in ids:
                phase_id += "_"
            ids.add(phase_id)
            node_scope = self.code(node.get("code"), node.get("expressionScope"),
                                   parent_scope.child(), (*loc, "code"), phase_id)
            edges = node.get("childEdges") or []
            if not isinstance(edges, list):
                self.fail((*loc, "childEdges"), f"got {type(edges).__name__}, expected a list "
                                                "of edges")
                continue
            if not edges:
                self.fail(loc, f"{kind} node {name or phase_id!r} has no branches; "
                               "SilverDecisions refuses such a tree too (incomplete path)")
                continue
            if len(edges) > 16:
                self.fail((*loc, "childEdges"), f"{len(edges)} branches, expected at most 16")
                continue
            self.result.phases[path] = phase_id
            self.result.phase_at[steps] = phase_id
            number = len(phases)
            self.result.origin[f"phases[{number}]"] = loc
            branches: dict[str, dict] = {}
            for e, edge in enumerate(edges):
                eloc = (*loc, "childEdges", e)
                if not isinstance(edge, Mapping):
                    self.fail(eloc, "expected an edge object")
                    continue
                edge_name = edge.get("name") if isinstance(edge.get("name"), str) else ""
                fallback = f"{'option' if kind == 'decision' else 'branch'}_{e + 1}"
                branch_id = slug(edge_name, fallback)
                while branch_id in branches:
                    branch_id += f"_{e + 1}"
                self.result.branches[(path, e)] = branch_id
                self.result.branch_at[(steps, e)] = branch_id
                self.result.origin[f"phases[{number}].branches.{branch_id}"] = eloc
                branch: dict = {}
                if edge_name and edge_name.strip() != branch_id:
                    branch["label"] = " ".join(edge_name.split())[:200]
                if kind == "chance":
                    value = self.expression(edge.get("probability"), node_scope,
                                            (*eloc, "probability"), probability=True)
                    if value is not None:
                        branch["prior"] = value
                payoffs = edge.get("payoff")
                payoffs = payoffs if isinstance(payoffs, list) else [payoffs]
                gains = {}
                for c, criterion in enumerate(criteria):
                    raw = payoffs[c] if c < len(payoffs) else 0
                    value = self.expression(raw, node_scope, (*eloc, "payoff") + (
                        (c,) if isinstance(edge.get("payoff"), list) else ()))
                    if value not in (None, 0.0):
                        gains[criterion] = value
                if gains:
                    branch["payoffs"] = gains
                child = edge.get("childNode")
                child_path = f"{path}/{e}:{edge_name}"
                if isinstance(child, Mapping) and child.get("type") == "terminal":
                    branch["outcome"] = "end"
                    self.result.phases.setdefault(child_path, "")
                elif isinstance(child, Mapping):
                    queue.append((child, (*eloc, "childNode"), child_path, node_scope,
                                  {phase_id: branch_id}, (*steps, e)))
                else:
                    self.fail((*eloc, "childNode"), "expected a node object")
                branches[branch_id] = branch
            if len(branches) < 2 and kind == "decision":
                # A dealtree phase has at least two branches: add one that is never taken.
                branches["no_other_option"] = {"label": "(no other option)", "outcome": "end"}
                self.result.notes.append(f"{format_location(loc)}: decision with one option; "
                                         "a second, 'no_other_option', was added")
            elif len(branches) < 2:
                branches["never"] = {"label": "(never)", "prior": 0.0, "outcome": "end"}
            phase: dict = {"id": phase_id}
            if name:
                phase["label"] = " ".join(name.split())[:200]
            phase["question"] = (" ".join(name.split()) if name else
                                 f"{'Decision' if kind == 'decision' else 'Chance'} node "
                                 f"{phase_id}")[:200]
            if applies:
                phase["applies_when"] = applies
            if kind == "decision":
                phase["decision_maker"] = self.result.decision_maker or criteria[0]
            phase["branches"] = branches
            phases.append(phase)
        if len(phases) > 24:
            self.fail(root_loc, f"the tree has {len(phases)} decision and chance nodes; a "
                                "scenario holds at most 24 phases")
        return phases

    def document(self, phases: list[dict], criteria: list[str], model: Mapping) -> dict:
        source = self.source
        rule_name = source.data.get("rule")
        view = source.data.get("viewMode")
        decision_maker = criteria[0]
        if rule_name in RULES and RULES[rule_name][2] is None and view == "criterion2" \
                and len(criteria) > 1:
            decision_maker = criteria[1]
        for phase in phases:
            if "decision_maker" in phase:
                phase["decision_maker"] = decision_maker
        self.result.decision_maker = decision_maker
        title = self.title or source.data.get("title") or Path(source.path).stem
        document: dict = {
            "schema_version": 1,
            "id": slug(Path(source.path).stem, "imported"),
            "title": str(title)[:200] or "Imported tree",
            "as_of": "2000-01-01",
            "description": (f"Imported from SilverDecisions file {Path(source.path).name} "
                            f"(saved by version {source.version}), tree {self.index}."),
            "outcomes": {"end": {"label": "End", "colour": "#7f7f7f"}},
        }
        if self.parameters:
            document["parameters"] = self.parameters
        document["stakeholders"] = {c: {"label": label}
                                    for c, label in zip(criteria, self.labels, strict=True)}
        document["utilities"] = {c: {"scale": f"SilverDecisions payoff: {label}, summed along "
                                              "the path", "unit": label, "outcomes": {"end": 0}}
                                 for c, label in zip(criteria, self.labels, strict=True)}
        rule = self.rule(rule_name, criteria, model)
        if rule is not None:
            document["decision_rule"] = rule
        document["phases"] = phases
        return document

    def rule(self, name: Any, criteria: list[str], model: Mapping) -> dict | None:
        if name is None:
            return None
        if name not in RULES:
            self.result.notes.append(f"rule {name!r} is unknown; expected value is used")
            return None
        dealtree, direction, signs = RULES[name]
        if signs is None:
            if dealtree == "expected_value" and direction == "maximize":
                return None
            out = {"name": dealtree}
            if direction != "maximize":
                out["direction"] = direction
            return out
        weight = model.get("defaultCriterion1Weight", 1)
        weight = math.inf if weight in ("Infinity", math.inf) else weight
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            weight = 1.0
        if math.isinf(weight):
            weights = {criteria[0]: float(signs[0])}
        else:
            weights = {criteria[0]: signs[0] * weight, criteria[1]: float(signs[1])}
        return {"name": "weighted", "weights": weights}


def convert_tree(source: SilverDecisionsFile, *, tree: int = 0, title: str | None = None
                 ) -> TreeImport:
    """Turn one tree of a read file into a scenario document (see the module docstring).

    Raises
    ------
    ScenarioError
        Listing what cannot be converted, located in the JSON file.
    """
    return _Converter(source, tree, title).run()


