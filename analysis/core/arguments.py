"""One checker per kind of argument of the public API.

Every checker names the argument and the value it got: ``TypeError`` for a
value of the wrong type, :class:`~analysis.core.errors.QueryError` (a
``ValueError``) for a value out of range. The names are the same across the
API: ``n_draws``, ``n_points``, ``interval``, ``rng``, ``given``,
``decision_maker``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Integral, Real

from .errors import QueryError

__all__ = [
    "MIN_DRAWS",
    "Given",
    "check_count",
    "check_intervals",
    "check_interval",
    "check_n_draws",
    "check_n_points",
    "check_probability",
    "check_text",
]

#: A condition on the branches phases took: ``{"exchanges": "complete"}`` or lists of branches.
Given = Mapping[str, str | Iterable[str]] | None
#: The fewest draws a Monte Carlo result takes (a spread needs two).
MIN_DRAWS = 2


def check_count(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected an integer")
    if value < minimum:
        raise QueryError(f"{name} == {value}, expected at least {minimum}")
    return int(value)


def check_n_draws(n_draws: object) -> int:
    """Return ``n_draws`` as an int of at least :data:`MIN_DRAWS`."""
    return check_count(n_draws, "n_draws", minimum=MIN_DRAWS)


def check_n_points(n_points: object, *, minimum: int = 2) -> int:
    """Return a grid's ``n_points`` (ends included) as an int of at least ``minimum``."""
    return check_count(n_points, "n_points", minimum=minimum)


def check_probability(value: object, name: str, *, open_ends: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (strictly inside with ``open_ends``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected a number")
    inside = 0 < value < 1 if open_ends else 0 <= value <= 1
    if not (math.isfinite(value) and inside):
        where = "strictly between 0 and 1" if open_ends else "in [0, 1]"
        raise QueryError(f"{name} == {value}, expected a probability {where}")
    return float(value)


def check_interval(interval: object) -> float:
    """Return a central credible ``interval`` as a float strictly between 0 and 1."""
    if isinstance(interval, bool) or not isinstance(interval, Real):
        raise TypeError(f"interval: got {interval!r}, expected a number such as 0.9")
    if not (math.isfinite(interval) and 0 < interval < 1):
        raise QueryError(f"interval == {interval}, expected a probability strictly between 0 "
                         "and 1 (0.9 for a 90% interval)")
    return float(interval)


def check_intervals(interval: object) -> tuple[float, ...]:
    """Return one interval or several (``(0.5, 0.9)``) as a tuple of checked floats."""
    values = (interval,) if isinstance(interval, Real | str) else tuple(interval)
    if not values:
        raise QueryError("interval: got no values, expected at least one probability")
    return tuple(check_interval(value) for value in values)


def check_text(value: object, name: str) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected a string")
    if not value.strip():
        raise QueryError(f"{name} == {value!r}, expected a non-empty name")
    return value
