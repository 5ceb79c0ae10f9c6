"""Decision rules: how a decision maker compares options, beyond expected value.

=================  ====================================================================
rule               the decision maker chooses the policy that
=================  ====================================================================
expected_value     maximises the expected value (the default; backward induction)
maximin            maximises the worst value it can lead to (backward induction: a
                   chance node is worth its worst possible branch)
maximax            maximises the best value it can lead to
hurwicz            maximises ``alpha * best + (1 - alpha) * worst`` over the values a
                   policy can lead to (``alpha``: optimism); over whole policies
minimax_regret     minimises the largest regret over the states of nature: the regret of
                   a policy in a state is what the best policy for that state would
                   have given, minus what it gives; over whole policies
weighted           maximises the expected value of ``sum_s weight_s * value_s`` over
                   several stakeholders' values: multiple criteria
=================  ====================================================================

Any rule may take ``weights``: it then compares the weighted sum of several
stakeholders' values instead of the decision maker's own (``weighted`` is
expected value with weights).

``direction: minimize`` turns values into costs: the rule then minimises
(``maximin`` minimises the largest cost, SilverDecisions's ``mini-max``).
"Possible" means reached with positive probability. A state of nature
assigns a branch to every chance phase; it is possible when some path
consistent with it has positive probability. Hurwicz and minimax regret
enumerate the decision maker's policies (at most :data:`MAX_POLICIES`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from pydantic import TypeAdapter, ValidationError

from ..core.errors import QueryError
from ..formats.scenario_file import DECISION_RULES, DecisionRule

__all__ = [
    "MAX_POLICIES",
    "MAX_STATES",
    "Rule",
    "enumerate_policies",
    "resolve_rule",
    "state_matrix",
]

#: At most this many policies are enumerated by the rules that compare whole policies.
MAX_POLICIES = 100_000
#: At most this many states of nature are enumerated for minimax regret.
MAX_STATES = 4096
_ADAPTER = TypeAdapter(DecisionRule)


@dataclass(frozen=True)
class Rule:
    """A checked decision rule (see the module docstring)."""

    name: str = "expected_value"
    direction: str = "maximize"
    alpha: float | None = None
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def sign(self) -> float:
        """+1 to maximise, -1 to minimise."""
        return 1.0 if self.direction == "maximize" else -1.0

    @property
    def by_policy(self) -> bool:
        """Whether the rule compares whole policies (not solvable node by node)."""
        return self.name in ("hurwicz", "minimax_regret")

    def describe(self) -> str:
        """Return the rule in words, for tables and charts: ``"Hurwicz (alpha = 0.3)"``."""
        criteria = ", ".join(f"{w:g} x {s}" for s, w in self.weights.items())
        words = {"expected_value": "expected value", "maximin": "maximin (best worst case)",
                 "maximax": "maximax (best best case)", "minimax_regret": "minimax regret",
                 "hurwicz": f"Hurwicz (alpha = {self.alpha:g})" if self.alpha is not None
                 else "Hurwicz", "weighted": "expected value"}[self.name]
        if self.weights:
            words += f" of weighted criteria ({criteria})"
        if self.direction == "minimize":
            words += ", minimising"
        return words

    def as_dict(self) -> dict:
        """Return the rule as the file's ``decision_rule:`` writes it."""
        out: dict = {"name": self.name}
        if self.direction != "maximize":
            out["direction"] = self.direction
        if self.alpha is not None:
            out["alpha"] = self.alpha
        if self.weights:
            out["weights"] = dict(self.weights)
        return out


def resolve_rule(rule: object, default: DecisionRule | None,
                 stakeholders: list[str]) -> Rule:
    """Return the rule ``rule`` names (None: the scenario's ``decision_rule``, or expected value).

    ``rule`` is a name (``"maximin"``) or a mapping as the file's
    ``decision_rule:`` takes (``{"name": "hurwicz", "alpha": 0.3}``).

    Raises
    ------
    TypeError
        If ``rule`` is neither.
    QueryError
        For an unknown rule, a missing or stray ``alpha`` or ``weights``, or
        weights that name no stakeholder.
    """
    if rule is None:
        model = default or DecisionRule()
    else:
        if isinstance(rule, Rule):
            rule = rule.as_dict()
        if isinstance(rule, str):
            rule = {"name": rule}
        if not isinstance(rule, Mapping):
            raise TypeError(f"rule: got {type(rule).__name__}, expected a rule name such as "
                            "'maximin' or a mapping such as {'name': 'hurwicz', 'alpha': 0.3}")
        try:
            model = _ADAPTER.validate_python(dict(rule))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "literal_error" and where == "name":
                message = (f"unknown rule {dict(rule).get('name')!r}; expected one of: "
                           f"{', '.join(DECISION_RULES)}")
            raise QueryError(f"rule{'.' + where if where else ''}: {message}") from None
    for name in model.weights:
        if name not in stakeholders:
            raise QueryError(f"rule.weights: unknown stakeholder {name!r}; expected some of: "
                             f"{', '.join(stakeholders)}")
    return Rule(model.name, model.direction, model.alpha, dict(model.weights))


def enumerate_policies(options: list[np.ndarray]) -> np.ndarray:
    """Every combination of one allowed option per node: shape ``(n_policies, n_nodes)``.

    ``options[n]`` lists node ``n``'s allowed options.

    Raises
    ------
    QueryError
        If there are more than :data:`MAX_POLICIES`.
    """
    count = int(np.prod([len(o) for o in options], dtype=float)) if options else 1
    if count > MAX_POLICIES:
        raise QueryError(f"the decision maker has {count} policies, expected at most "
                         f"{MAX_POLICIES} for a rule that compares whole policies: use "
                         "expected_value, maximin or maximax, or fewer decisions")
    if not options:
        return np.zeros((1, 0), dtype=np.int64)
    return np.array(list(itertools.product(*options)), dtype=np.int64).reshape(count,
                                                                               len(options))


def state_matrix(branch_index: np.ndarray, chance: list[int], sizes: list[int]
                 ) -> np.ndarray:
    """For each state of nature (a branch per chance phase), the paths consistent with it.

    Returns a boolean array ``(n_states, n_paths)``: a path is consistent
    with a state when every chance phase it reaches took the state's branch.

    Raises
    ------
    QueryError
        If there are more than :data:`MAX_STATES` states.
    """
    count = int(np.prod(sizes, dtype=float)) if sizes else 1
    if count > MAX_STATES:
        raise QueryError(f"{count} states of nature (one branch per chance phase), expected at "
                         f"most {MAX_STATES} for minimax regret")
    consistent = np.ones((count, branch_index.shape[0]), dtype=bool)
    for s, state in enumerate(itertools.product(*[range(n) for n in sizes])):
        for k, b in zip(chance, state, strict=True):
            column = branch_index[:, k]
            consistent[s] &= (column < 0) | (column == b)
    return consistent
