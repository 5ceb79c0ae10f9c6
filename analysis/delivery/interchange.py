"""Interchange with SilverDecisions: import its tree files, export scenarios as tree files.

**Import** (:func:`import_silverdecisions`, ``dealtree import tree.json``)
turns one tree of a SilverDecisions file into a scenario file
(:mod:`analysis.formats.silverdecisions` says how) and checks it like any
scenario: what SilverDecisions would refuse (probabilities that are not
probabilities or do not sum to 1, a node without branches) is refused, each
problem located in the JSON file.

**Export** (:func:`export_silverdecisions`, ``dealtree export SCENARIO
--format silverdecisions``) writes the scenario's tree, node by node, for
one decision maker: their decisions are decision nodes, every other
decision a chance node with probability 1 on its assumed option (as dealtree
evaluates it), options a scenario excludes are left out. Each edge carries
the branch's own payoffs minus costs for the exported criterion; the edge
into a terminal carries the rest of the path's total (the outcome's value,
attribute weights, a ``combine: last`` attribute). Named parameters become
global code, formulas math.js expressions, ``'#'`` stays the rest. What
SilverDecisions cannot express is written at its base value, and said in
the returned notes: priors on probabilities and parameters' distributions
other than uniform and normal (their means), exponential utility (the totals
are exported: SilverDecisions's values are then expected totals), rules
SilverDecisions lacks (Hurwicz, minimax regret: expected value is written).

A decision that does not observe an earlier chance phase cannot be drawn
in that order in SilverDecisions, whose decisions see everything above
them: the tree is then written in the order things become known (the
unobserved phases after the decision), with the probabilities Bayes' rule
gives, as numbers; SilverDecisions's "flip" operation does the same.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

from ..core.errors import Problem, QueryError, ScenarioError, ScenarioWarning
from ..core.expressions import parse_expression
from ..engines.rollback import decision_engine
from ..formats.silverdecisions import convert_tree, read_silverdecisions
from ..formats.source import parse_yaml
from ..model.scenario import Scenario, build_scenario

__all__ = [
    "EXPORT_VERSION",
    "Exported",
    "Imported",
    "export_silverdecisions",
    "import_silverdecisions",
    "scenario_yaml",
]

#: The SilverDecisions version exported files say they were saved by.
EXPORT_VERSION = "1.2.1"
_SD_RULES = {("expected_value", "maximize"): "expected-value-maximization",
             ("expected_value", "minimize"): "expected-value-minimization",
             ("maximin", "maximize"): "maxi-min", ("maximax", "maximize"): "maxi-max",
             ("maximax", "minimize"): "mini-min", ("maximin", "minimize"): "mini-max"}
_SD_PAIRS = {(1, -1): "max-min", (1, 1): "max-max", (-1, -1): "min-min", (-1, 1): "min-max"}
_AUTOMATIC = re.compile(r"^(decision|chance)_\d+$")
_AUTOMATIC_EDGE = re.compile(r"^(option|branch)_\d+$")


@dataclass(frozen=True, eq=False)
class Imported:
    """A SilverDecisions tree as a scenario: its file text, the scenario, and the mapping."""

    text: str
    scenario: Scenario
    phases: dict[tuple[int, ...], str]
    branches: dict[tuple[tuple[int, ...], int], str]
    criteria: list[str]
    decision_maker: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Exported:
    """A scenario as a SilverDecisions file (``data``, JSON-ready), and what was approximated."""

    data: dict
    notes: tuple[str, ...] = ()
    decision_maker: str | None = None
    criteria: tuple[str, ...] = ()
    reordered: bool = False

    def to_json(self) -> str:
        """Return the file's text."""
        return json.dumps(self.data, indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- import


def scenario_yaml(document: Mapping, header: str = "") -> str:
    """Write a scenario document as YAML text, ``header`` lines as comments first."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    first = "# yaml-language-server: $schema=scenario.schema.json\n"
    body = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
    return first + ("\n".join(lines) + "\n" if lines else "") + body


def import_silverdecisions(path: str | Path, *, tree: int = 0, name: str | None = None
                           ) -> Imported:
    """Import one tree of a SilverDecisions file as a scenario.

    Parameters
    ----------
    path : str or Path
        The ``.json`` file.
    tree : int
        Which tree, when the file holds several (from 0).
    name : str, optional
        The file name the scenario's messages should carry (default: the
        JSON file's, with ``.yaml``).

    Raises
    ------
    ScenarioError
        If the file is not a SilverDecisions file, or its tree cannot be
        converted or is invalid; every problem located in the JSON file.
    TypeError
        If ``tree`` is not an integer.
    """
    if isinstance(tree, bool) or not isinstance(tree, int):
        raise TypeError(f"tree: got {tree!r}, expected a tree number (0 for the first)")
    source = read_silverdecisions(path)
    converted = convert_tree(source, tree=tree)
    header = (f"Imported by `dealtree import` from {Path(path).name} (SilverDecisions "
              f"{source.version}), tree {tree}.")
    if converted.notes:
        header += "\nNotes:\n" + "\n".join(f"- {note}" for note in converted.notes)
    text = scenario_yaml(converted.document, header)
    label = name or str(Path(path).with_suffix(".yaml"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            scenario = build_scenario(parse_yaml(text, label), None)
    except ScenarioError as exc:
        raise ScenarioError([_back_to_json(source, converted.origin, problem, label)
                             for problem in exc.problems]) from None
    return Imported(text, scenario, converted.phase_at, converted.branch_at, converted.criteria,
                    converted.decision_maker, tuple(converted.notes))


def _back_to_json(source, origin: dict[str, tuple], problem: Problem, label: str) -> Problem:
    """Return a problem of the converted scenario, located in the JSON file."""
    location, message = problem.location, problem.message
    if problem.file != label and not message.startswith(label):
        return problem
    match = re.match(r"^(.*?):(\d+): ([^:]+): (.*)$", message)
    if problem.location in ("(document)", "") and match and match.group(1) == label:
        location, message = match.group(3), match.group(4)
    best = max((key for key in origin if location == key or location.startswith(key + ".")),
               key=len, default=None)
    if best is None:
        return Problem(source.path, None, location, message + " (in the converted scenario)")
    rest = location[len(best):].lstrip(".")
    extra = f" ({rest})" if rest and rest not in ("prior",) else ""
    loc = origin[best]
    if rest.endswith("prior"):
        loc = (*loc, "probability")
    return source.problem(loc, message + extra)


# ---------------------------------------------------------------------------- export


def export_silverdecisions(scenario: Scenario, *, decision_maker: str | None = None,
                           output: str | None = None) -> Exported:
    """Write a scenario as a SilverDecisions file (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
    decision_maker : str, optional
        Whose decisions are decision nodes; default: the first decision's
        decision maker (none: a chance-only tree).
    output : str, optional
        What the payoffs are: ``"utility:STAKEHOLDER"``, an attribute id or
        an outcome id (its probability: payoff 1 on the paths ending in it).
        Default: the decision maker's utility, and the other stakeholder's as
        the second criterion when there are two (or the two the scenario's
        rule weighs); without decisions, the first stakeholder's utility,
        else the first attribute, else the first outcome.

    Raises
    ------
    QueryError
        For an unknown decision maker or output, or a tree that cannot be
        written (a phase that happens depending on something a decision does
        not observe).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario")
    model, tree = scenario.model, scenario.tree
    notes: list[str] = []
    engine = decision_engine(scenario)
    owners = [model.phases[k].decision_maker for k in engine.decision_phases]
    if decision_maker is None and owners:
        decision_maker = owners[0]
    if decision_maker is not None and decision_maker not in owners:
        raise QueryError(f"decision_maker == {decision_maker!r}, expected one who takes a "
                         f"decision: {', '.join(dict.fromkeys(owners)) or '(none)'}")
    criteria, rule = _criteria(scenario, decision_maker, output, notes)
    values = _path_values(scenario, criteria, notes)
    mine = [k for k in engine.decision_phases if model.phases[k].decision_maker == decision_maker]
    order, reordered = _reveal_order(scenario, mine)
    if reordered:
        notes.append("a decision does not observe every earlier chance phase: the tree is "
                     "written in the order things become known, with the probabilities Bayes' "
                     "rule gives (numbers, not formulas)")
    edges = engine.edges(tree.mean_theta())[0]
    probability = edges.prod(axis=1)
    builder = _Builder(scenario, criteria, values, probability, set(mine), order, reordered,
                       notes)
    root = builder.build()
    code, scope = _code(scenario, notes)
    data = {
        "code": code,
        "expressionScope": scope,
        "trees": [root],
        "texts": [],
        "payoffNames": [_criterion_label(scenario, c) for c in criteria],
        "defaultCriterion1Weight": rule[1],
        "weightLowerBound": 0,
        "weightUpperBound": "Infinity",
    }
    builder.scope = scope
    builder.add_scopes(root)
    document = {
        "SilverDecisions": EXPORT_VERSION,
        "title": model.title,
        "description": model.description,
        "rule": rule[0],
        "viewMode": "twoCriteria" if len(criteria) == 2 else "criterion1",
        "data": data,
        "sensitivityAnalysis": {},
    }
    return Exported(document, tuple(dict.fromkeys(notes)), decision_maker, tuple(criteria),
                    reordered)


def _criterion_label(scenario: Scenario, criterion: str) -> str:
    kind, name = criterion.split(":", 1)
    if kind == "utility":
        return scenario.model.stakeholders[name].label
    if kind == "attribute":
        return scenario.model.attributes[name].label
    return f"P({scenario.model.outcomes[name].label})"


def _criteria(scenario: Scenario, decision_maker: str | None, output: str | None,
              notes: list[str]) -> tuple[list[str], tuple[str, float]]:
    model = scenario.model
    if output is not None:
        if not isinstance(output, str):
            raise TypeError(f"output: got {output!r}, expected a name")
        if output.startswith("utility:") and output[8:] in model.stakeholders:
            criteria = [output]
        elif output in model.attributes:
            criteria = [f"attribute:{output}"]
        elif output in model.outcomes:
            criteria = [f"outcome:{output}"]
        else:
            names = [f"utility:{s}" for s in model.stakeholders] + list(model.attributes) + list(
                model.outcomes)
            raise QueryError(f"output == {output!r}, expected one of: {', '.join(names)}")
    elif decision_maker is not None:
        criteria = [f"utility:{decision_maker}"]
        others = [s for s in model.stakeholders if s != decision_maker]
        if len(model.stakeholders) == 2:  # two criteria, as SilverDecisions shows them
            criteria.append(f"utility:{others[0]}")
    elif model.stakeholders:
        criteria = [f"utility:{next(iter(model.stakeholders))}"]
    elif model.attributes:
        criteria = [f"attribute:{next(iter(model.attributes))}"]
    else:
        criteria = [f"outcome:{next(iter(model.outcomes))}"]
    rule = model.decision_rule
    if rule is None or decision_maker is None:
        return criteria, ("expected-value-maximization", 1)
    if rule.name == "weighted":
        weights = dict(rule.weights)
        names = list(weights)
        if len(names) == 2 and abs(abs(weights[names[1]]) - 1) < 1e-12 and output is None:
            first, second = weights[names[0]], weights[names[1]]
            pair = (1 if first > 0 else -1, 1 if second > 0 else -1)
            return ([f"utility:{names[0]}", f"utility:{names[1]}"],
                    (_SD_PAIRS[pair], abs(first)))
        if len(names) == 1 and output is None:
            sign = 1 if weights[names[0]] > 0 else -1
            return ([f"utility:{names[0]}", f"utility:{names[0]}"],
                    (_SD_PAIRS[(sign, 1)], "Infinity"))
        notes.append("the weighted rule is not SilverDecisions's two-criteria form (weights "
                     "w and +-1): expected value is written")
        return criteria, ("expected-value-maximization", 1)
    name = _SD_RULES.get((rule.name, rule.direction))
    if name is None:
        notes.append(f"SilverDecisions has no rule {rule.name!r}: expected value is written")
        return criteria, ("expected-value-maximization", 1)
    return criteria, (name, 1)


@dataclass
class _Values:
    """For one criterion: each branch's own amount (number or formula) and each path's rest."""

    branch: dict[tuple[int, int], float | str] = field(default_factory=dict)
    rest: np.ndarray | None = None


def _path_values(scenario: Scenario, criteria: list[str], notes: list[str]) -> list[_Values]:
    model, tree = scenario.model, scenario.tree
    out = []
    for criterion in criteria:
        kind, name = criterion.split(":", 1)
        values = _Values()
        if kind == "outcome":
            total = (tree.outcome_index == list(tree.outcomes).index(name)).astype(float)
        elif kind == "attribute":
            a = list(tree.attributes).index(name)
            total = tree.attribute_values[:, a].copy()
        else:
            s = list(model.stakeholders).index(name)
            utilities = model.utilities[name]
            total = np.array(tree.values.base_totals[s], dtype=float)
            if utilities.risk_tolerance is not None:
                notes.append(f"{name}'s exponential utility cannot be written in "
                             "SilverDecisions: the payoffs are totals, so its values are "
                             "expected totals, not expected utilities")
            for k, phase in enumerate(model.phases):
                for b, branch in enumerate(phase.branches.values()):
                    amount = _branch_amount(branch.payoffs.get(name), branch.costs.get(name))
                    if amount is not None:
                        values.branch[(k, b)] = amount
        own = np.zeros(tree.n_paths)
        base = _base_values(scenario)
        for (k, b), amount in values.branch.items():
            number = amount if isinstance(amount, float) else float(
                parse_expression(amount).evaluate(base, 1)[0])
            own += number * (tree.branch_index[:, k] == b)
        values.rest = total - own
        out.append(values)
    return out


def _branch_amount(payoff, cost) -> float | str | None:
    """Return a branch's payoff minus its cost: a number, or a formula if either is one."""
    if payoff is None and cost is None:
        return None
    if not isinstance(payoff, str) and not isinstance(cost, str):
        return float(payoff or 0.0) - float(cost or 0.0)
    if payoff is None:
        formula = f"-({cost})"
    else:
        formula = f"({payoff})" + (f" - ({cost})" if cost is not None else "")
    expression = parse_expression(formula)
    if expression.is_constant:
        return float(expression.evaluate({}, 1)[0])
    return expression.to_text()


def _base_values(scenario: Scenario) -> dict[str, float]:
    space = scenario.tree.space
    if space is None:
        return {}
    return dict(zip(space.names, space.base_values(), strict=True))


def _reveal_order(scenario: Scenario, mine: list[int]) -> tuple[list[int], bool]:
    """Return the order phases become known: what a decision observes comes before it."""
    model = scenario.model
    order: list[int] = []
    pending: list[int] = []
    reordered = False
    for k, phase in enumerate(model.phases):
        if k in mine:
            seen = set(range(k)) if phase.observes is None else {
                j for j in range(k) if model.phases[j].decision_maker is not None
                or model.phases[j].id in phase.observes}
            for j in list(pending):
                if j in seen:
                    order.append(j)
                    pending.remove(j)
            if pending:
                reordered = True
            order.append(k)
        elif phase.decision_maker is not None:
            order.extend(pending)
            pending = []
            order.append(k)
        else:
            pending.append(k)
    order.extend(pending)
    return order, reordered


class _Builder:
    """Build the nested SilverDecisions nodes from the scenario's paths."""

    def __init__(self, scenario, criteria, values, probability, mine, order, reordered, notes):
        self.scenario = scenario
        self.model = scenario.model
        self.tree = scenario.tree
        self.criteria = criteria
        self.values = values
        self.probability = probability
        self.mine = mine
        self.order = order
        self.reordered = reordered
        self.notes = notes
        self.rows = 0
        self.scope: dict = {}
        self.decisions = [k for k, p in enumerate(self.model.phases)
                          if p.decision_maker is not None]
        self.first_option = {k: self._first_allowed(k) for k in self.decisions}

    def _first_allowed(self, k: int) -> int:
        phase = self.model.phases[k]
        limits = self.scenario.option_limits.get(phase.id)
        options = list(phase.branches)
        return options.index(limits[0]) if limits else 0

    def events(self, p: int) -> list[tuple[int, int]]:
        row = self.tree.branch_index[p]
        return [(k, int(row[k])) for k in self.order if row[k] >= 0]

    def build(self) -> dict:
        paths = [p for p in range(self.tree.n_paths) if not self._gated_out(p)]
        sequences = {p: self.events(p) for p in paths}
        return self.node([], list(sequences), sequences, 0)

    def _gated_out(self, p: int) -> bool:
        """Whether the path is the version of a phase that a parameter comparison rules out.

        A chance phase whose ``applies_when`` compares parameters has both
        versions of its paths; at the base case one of them has a gate of 0.
        """
        theta = self.tree.mean_theta()
        for number, pset in enumerate(self.tree.sets):
            if pset.select is None or all(source != "zero" for _, source in pset.select):
                continue
            start = int(self.tree.offsets[number])
            entries = set(range(start, start + len(pset.branches)))
            for entry in self.tree.edge_index[p]:
                if int(entry) in entries and pset.base is not None and \
                        pset.base[int(entry) - start] == 0 and theta[int(entry)] == 0:
                    return True
        return False

    def mass(self, paths: list[int], known: set[int]) -> float:
        """Return P(the events so far), one option at each decision not among them."""
        total = 0.0
        for p in paths:
            row = self.tree.branch_index[p]
            if all(row[d] < 0 or row[d] == self.first_option[d] for d in self.decisions
                   if d not in known):
                total += self.probability[p]
        return total

    def node(self, prefix: list[tuple[int, int]], paths: list[int], sequences: dict,
             depth: int) -> dict:
        position = len(prefix)
        ended = [p for p in paths if len(sequences[p]) == position]
        going = [p for p in paths if len(sequences[p]) > position]
        self.rows += 1
        location = {"x": 60 + 180 * depth, "y": 40 + 60 * self.rows}
        if ended and going:
            raise QueryError("the scenario cannot be written as a SilverDecisions tree: after "
                             f"{_words(self.model, prefix)}, some paths end and others go on "
                             "depending on a phase the decision maker does not observe")
        if not going:
            return {"type": "terminal", "name": "", "code": "", "childEdges": [],
                    "location": location}
        phases = {sequences[p][position][0] for p in going}
        if len(phases) > 1:
            names = ", ".join(self.model.phases[k].id for k in sorted(phases))
            raise QueryError("the scenario cannot be written as a SilverDecisions tree: after "
                             f"{_words(self.model, prefix)} the next phase is one of {names} "
                             "depending on a phase the decision maker does not observe")
        k = phases.pop()
        phase = self.model.phases[k]
        decision = k in self.mine
        node = {"type": "decision" if decision else "chance", "name": self._name(phase),
                "code": "", "childEdges": [], "location": location}
        known = {j for j, _ in prefix}
        before = self.mass(going, known) if not decision else 1.0
        limits = self.scenario.option_limits.get(phase.id)
        children = []
        for b, (branch_id, branch) in enumerate(phase.branches.items()):
            below = [p for p in going if sequences[p][position][1] == b]
            if not below:
                continue
            if decision and limits is not None and branch_id not in limits:
                continue
            children.append((b, branch_id, branch, below))
        probabilities = self._probabilities(k, phase, prefix, children, known, before,
                                            decision)
        for (b, branch_id, branch, below), probability_text in zip(children, probabilities,
                                                                   strict=True):
            child_prefix = [*prefix, (k, b)]
            edge: dict = {"name": self._edge_name(branch_id, branch)}
            if not decision:
                edge["probability"] = probability_text
            child = self.node(child_prefix, below, sequences, depth + 1)
            edge["payoff"] = self._payoffs(k, b, below, child)
            edge["childNode"] = child
            node["childEdges"].append(edge)
        return node

    def _probabilities(self, k, phase, prefix, children, known, before, decision) -> list:
        if decision:
            return [None] * len(children)
        if phase.decision_maker is not None:  # another stakeholder's decision: its assumed option
            assumed = phase.assumed or next(iter(phase.branches))
            texts = ["0"] * len(children)
            for i, (_, branch_id, _, _) in enumerate(children):
                if branch_id == assumed:
                    texts[i] = "#"
            return texts
        numbers = []
        for _, _, _, below in children:
            numbers.append(self.mass(below, known | {k}) / before if before > 0 else 0.0)
        formulas = self._formulas(k, prefix, children) if not self.reordered else None
        texts = [formulas[i] if formulas and formulas[i] is not None else _probability(x)
                 for i, x in enumerate(numbers)]
        if "#" not in texts and children and not _sums_to_one(texts, numbers):
            texts[int(np.argmax(numbers))] = "#"
        return texts

    def _formulas(self, k, prefix, children) -> list | None:
        """Return the set's own formulas and '#' at this node, in natural order (or None)."""
        path = children[0][3][0]
        entry = int(self.tree.edge_index[path, k])
        for number, pset in enumerate(self.tree.sets):
            start = int(self.tree.offsets[number])
            if start <= entry < start + len(pset.branches):
                break
        else:
            return None
        if pset.kind in ("beta", "dirichlet"):
            self.notes.append("priors on probabilities (Beta, Dirichlet) are written at "
                              "their means")
            return None
        if pset.select is not None:
            self.notes.append("rules that compare parameters are written as the "
                              "probabilities that apply at the base case")
            return None
        texts = []
        for b, _, _, _ in children:
            prior = pset.priors[b]
            if prior is None or getattr(prior, "kind", None) == "rest":
                texts.append("#")
            elif getattr(prior, "kind", None) == "formula":
                texts.append(parse_expression(prior.formula).to_text("mathjs"))
            elif getattr(prior, "kind", None) == "fixed":
                texts.append(_number(prior.value))
            else:
                texts.append(None)
        return texts

    def _payoffs(self, k: int, b: int, below: list[int], child: dict) -> list:
        out = []
        for values in self.values:
            amount = values.branch.get((k, b), 0.0)
            text = (parse_expression(amount).to_text("mathjs") if isinstance(amount, str)
                    else amount)
            if child["type"] == "terminal":
                rest = float(values.rest[below[0]])
                if isinstance(text, str):
                    text = f"{text} + {_number(rest)}" if rest else text
                else:
                    text = text + rest
            out.append(text if isinstance(text, str) else _number(text))
        return out

    def _name(self, phase) -> str:
        if phase.label:
            return phase.label
        return "" if _AUTOMATIC.match(phase.id) else phase.id

    def _edge_name(self, branch_id: str, branch) -> str:
        if branch.label:
            return branch.label
        return "" if _AUTOMATIC_EDGE.match(branch_id) else branch_id

    def add_scopes(self, node: dict) -> None:
        """Save the base values on every node, as SilverDecisions does when it saves."""
        node["expressionScope"] = dict(self.scope)
        for edge in node.get("childEdges", []):
            self.add_scopes(edge["childNode"])


def _sums_to_one(texts: list[str], numbers: list[float]) -> bool:
    """Whether SilverDecisions will find these probabilities summing to exactly 1."""
    if all(re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?|\d+/\d+", t) for t in texts):
        return sum(Fraction(t) for t in texts) == 1
    return math.fsum(numbers) == 1.0


def _words(model, prefix) -> str:
    return " > ".join(f"{model.phases[k].id}={list(model.phases[k].branches)[b]}"
                      for k, b in prefix) or "the start"


def _probability(value: float) -> str:
    """Write a probability as SilverDecisions reads it exactly.

    A ratio of small whole numbers that no decimal ends (1/11, 2/3) as that
    ratio: SilverDecisions computes in fractions, and reads a long repeating
    decimal such as 0.0909090909091 as a nearby fraction, so that a '#'
    beside it would not make the sum 1. Any other value with 12 significant
    digits: fraction.js keeps numerators in doubles, so 17 digits are not exact.
    """
    ratio = Fraction(float(value)).limit_denominator(10_000)
    denominator = ratio.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator > 1 and abs(float(ratio) - float(value)) < 1e-15:
        return f"{ratio.numerator}/{ratio.denominator}"
    return _number(float(f"{float(value):.12g}"))


def _number(value: float) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise QueryError(f"a value of {value} cannot be written")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _code(scenario: Scenario, notes: list[str]) -> tuple[str, dict]:
    space = scenario.tree.space
    lines, scope = [], {}
    for named in space.parameters if space is not None else ():
        scope[named.name] = float(named.base)
        if named.expression is not None:
            lines.append(f"{named.name} = {named.expression.to_text('mathjs')}")
        elif named.distribution == "uniform":
            low, high = named.numbers
            lines.append(f"{named.name} = random({_number(low)}, {_number(high)})")
        elif named.distribution == "normal":
            mean, sd = named.numbers
            lines.append(f"{named.name} = Normal({_number(mean)}, {_number(sd)})")
        else:
            if named.uncertain:
                notes.append(f"parameter {named.name!r} ({named.distribution}) is written at "
                             "its base value: SilverDecisions has no such distribution")
            lines.append(f"{named.name} = {_number(named.base)}")
    return "\n".join(lines), scope
