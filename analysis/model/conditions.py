"""Conditions: where rules, ``applies_when`` and outcome rules hold.

A condition is a mapping whose entries must all hold:

``phase: branch`` / ``phase: [a, b]``
    the phase took that branch (one of those branches);
``phase: {not: branch}`` / ``phase: {not: [a, b]}``
    the phase was reached and took none of them;
``not: CONDITION``
    the condition does not hold;
``any_of: [CONDITION, ...]``
    at least one of them holds;
``parameters: FORMULA``
    a comparison of parameters holds (``"fee > 10"``): true where the
    formula is not 0.

A phase the path skipped, or has not reached, takes no branch: a test of it
fails (and its ``not`` holds). :func:`parse_condition` checks a written
condition and returns a :class:`Condition`; :meth:`Condition.on_path`
evaluates it on a partial path, leaving the parameter comparisons as a
formula when there are some.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.expressions import Expression
from ..core.text import did_you_mean, short_repr, unknown_name
from ..formats.scenario_file import CONDITION_KEYWORDS
from .formulas import CompiledFormula, ParameterSpace

__all__ = ["Condition", "Residual", "parse_condition"]

#: What a condition says on a path: True, False, or a formula over parameters.
Residual = bool | Expression


@dataclass(frozen=True)
class Condition:
    """A checked condition: ``kind`` is ``branches``, ``all``, ``any``, ``not`` or ``formula``."""

    kind: str
    phase: str | None = None
    branches: frozenset[str] = frozenset()
    negated: bool = False
    parts: tuple[Condition, ...] = ()
    formula: CompiledFormula | None = None

    @property
    def phases(self) -> set[str]:
        """Every phase the condition names."""
        found = {self.phase} if self.phase else set()
        for part in self.parts:
            found |= part.phases
        return found

    @property
    def uses_parameters(self) -> bool:
        """Whether the condition compares parameters somewhere."""
        return self.kind == "formula" or any(p.uses_parameters for p in self.parts)

    def on_path(self, taken: Mapping[str, str | None]) -> Residual:
        """Evaluate on a partial path (``taken``: phase -> branch, None if skipped)."""
        if self.kind == "branches":
            branch = taken.get(self.phase)
            if branch is None:
                return False
            return (branch in self.branches) != self.negated
        if self.kind == "formula":
            return self.formula.expression
        if self.kind == "not":
            inner = self.parts[0].on_path(taken)
            return (not inner) if isinstance(inner, bool) else inner.negate()
        values = [part.on_path(taken) for part in self.parts]
        if self.kind == "all":
            if any(v is False for v in values):
                return False
            left = [v for v in values if not isinstance(v, bool)]
            return Expression.combine("and", left) if left else True
        if any(v is True for v in values):
            return True
        left = [v for v in values if not isinstance(v, bool)]
        return Expression.combine("or", left) if left else False

    def holds(self, taken: Mapping[str, str | None]) -> bool:
        """Evaluate on a path, for a condition that compares no parameters."""
        value = self.on_path(taken)
        if not isinstance(value, bool):
            raise ValueError("this condition compares parameters: use on_path")
        return value


def parse_condition(raw: Any, loc: tuple, branches_of: Mapping[str, list[str]],
                    space: ParameterSpace | None) -> tuple[Condition | None, list]:
    """Check a written condition against the phases before it.

    ``branches_of`` maps each earlier phase to its branches; ``space`` compiles
    parameter comparisons (None: comparisons are refused). Returns the
    condition (None if it has problems) and the problems as ``(location,
    message)`` pairs.
    """
    problems: list[tuple[tuple, str]] = []
    condition = _parse(raw, loc, branches_of, space, problems, 0)
    return (None if problems else condition), problems


def _parse(raw: Any, loc: tuple, branches_of, space, problems: list, depth: int
           ) -> Condition | None:
    if depth > 8:
        problems.append((loc, "conditions nested deeper than 8 levels, expected fewer"))
        return None
    if not isinstance(raw, Mapping) or not raw:
        problems.append((loc, f"got {short_repr(raw)}, expected a condition: a mapping such as "
                              "{phase: branch}, {not: ...}, {any_of: [...]} or "
                              "{parameters: 'fee > 10'}"))
        return None
    parts = []
    for key, value in raw.items():
        where = (*loc, key)
        if key == "not":
            inner = _parse(value, where, branches_of, space, problems, depth + 1)
            parts.append(Condition("not", parts=(inner,)) if inner else None)
        elif key == "any_of":
            if not isinstance(value, list | tuple) or not value:
                problems.append((where, f"got {short_repr(value)}, expected a list of "
                                        "conditions, at least one"))
                continue
            items = tuple(_parse(v, (*where, i), branches_of, space, problems, depth + 1)
                          for i, v in enumerate(value))
            parts.append(Condition("any", parts=items) if all(items) else None)
        elif key == "parameters":
            parts.append(_formula(value, where, space, problems))
        else:
            parts.append(_branches(key, value, where, branches_of, problems))
    if any(p is None for p in parts):
        return None
    return parts[0] if len(parts) == 1 else Condition("all", parts=tuple(parts))


def _formula(value: Any, where: tuple, space: ParameterSpace | None, problems: list
             ) -> Condition | None:
    from ..core.expressions import ExpressionError, parse_expression

    if space is None:
        problems.append((where, "parameter comparisons are not allowed here"))
        return None
    if not isinstance(value, str):
        problems.append((where, f"got {short_repr(value)}, expected a formula comparing "
                                "parameters, such as 'fee > 10'"))
        return None
    try:
        parse_expression(value)
    except ExpressionError as exc:
        problems.append((where, f"formula {value!r}: {exc}"))
        return None
    formula, message = space.formula(value, where)
    if message:
        problems.append((where, message))
        return None
    return Condition("formula", formula=formula)


def _branches(phase: str, value: Any, where: tuple, branches_of, problems: list
              ) -> Condition | None:
    if phase not in branches_of:
        keywords = ", ".join(CONDITION_KEYWORDS)
        problems.append((where, f"unknown or later phase {phase!r}"
                                f"{did_you_mean(phase, [*branches_of, *CONDITION_KEYWORDS])}; a "
                                f"condition may name only earlier phases: "
                                f"{', '.join(branches_of) or '(none)'} (or {keywords})"))
        return None
    negated = isinstance(value, Mapping) and set(value) == {"not"}
    if negated:
        value, where = value["not"], (*where, "not")
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list | tuple) or not listed or not all(
            isinstance(b, str) for b in listed):
        problems.append((where, f"got {short_repr(value)}, expected a branch of {phase!r}, a "
                                "list of them, or {not: branch or list}"))
        return None
    bad = False
    for index, branch in enumerate(listed):
        if branch not in branches_of[phase]:
            spot = where if isinstance(value, str) else (*where, index)
            problems.append((spot, unknown_name(f"branch of phase {phase!r}:", branch,
                                                branches_of[phase])))
            bad = True
    if bad:
        return None
    return Condition("branches", phase=phase, branches=frozenset(listed), negated=negated)
