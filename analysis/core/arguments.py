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
from .text import short_repr

__all__ = [
    "MAX_DRAWS",
    "MEMORY_BUDGET",
    "MIN_DRAWS",
    "TIME_BUDGET",
    "Given",
    "check_budget",
    "check_count",
    "check_intervals",
    "check_interval",
    "check_keys",
    "check_n_draws",
    "check_n_points",
    "check_probability",
    "check_text",
]

#: A condition on the branches phases took: ``{"exchanges": "complete"}`` or lists of branches.
Given = Mapping[str, str | Iterable[str]] | None
#: The fewest draws a Monte Carlo result takes (a spread needs two).
MIN_DRAWS = 2
#: The most draws any function takes: more would not fit the time budget on any tree.
MAX_DRAWS = 10**10
#: Bytes that the arrays of one call growing with its number of draws may take.
MEMORY_BUDGET = 512 * 2**20
#: Seconds that one call is estimated to run at most; longer runs are refused up front.
TIME_BUDGET = 600.0


def check_count(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected an integer")
    if value < minimum:
        raise QueryError(f"{name} == {value}, expected at least {minimum}")
    return int(value)


def check_n_draws(n_draws: object) -> int:
    """Return ``n_draws`` as an int from :data:`MIN_DRAWS` to :data:`MAX_DRAWS`."""
    n_draws = check_count(n_draws, "n_draws", minimum=MIN_DRAWS)
    if n_draws > MAX_DRAWS:
        raise QueryError(f"n_draws == {_big(n_draws)}, expected at most {MAX_DRAWS:,} draws "
                         "(more would not fit the time budget on any scenario)")
    return n_draws


def check_budget(n_draws: int, *, what: str, bytes_per_draw: float = 0.0,
                 seconds_per_draw: float = 0.0) -> None:
    """Refuse a run whose memory or time, estimated before it starts, is over budget.

    Parameters
    ----------
    n_draws : int
        The draws asked for (already checked by :func:`check_n_draws`).
    what : str
        The run in words, for the message: ``"sampling scenario 'baseline'"``.
    bytes_per_draw : float
        Memory of the arrays that grow with the draws, per draw; checked
        against :data:`MEMORY_BUDGET`.
    seconds_per_draw : float
        Estimated time per draw; checked against :data:`TIME_BUDGET`.

    Raises
    ------
    QueryError
        Stating the estimate, the budget and the most draws that fit.
    """
    if bytes_per_draw > 0 and n_draws * bytes_per_draw > MEMORY_BUDGET:
        most = max(MIN_DRAWS, int(MEMORY_BUDGET // bytes_per_draw))
        raise QueryError(
            f"n_draws == {n_draws:,}: {what} would hold about "
            f"{_bytes(n_draws * bytes_per_draw)} in memory ({_bytes(bytes_per_draw)} a draw), "
            f"over the budget of {_bytes(MEMORY_BUDGET)}; expected at most {most:,} draws")
    if seconds_per_draw > 0 and n_draws * seconds_per_draw > TIME_BUDGET:
        most = max(MIN_DRAWS, int(TIME_BUDGET // seconds_per_draw))
        raise QueryError(
            f"n_draws == {n_draws:,}: {what} would take about "
            f"{_seconds(n_draws * seconds_per_draw)} (about {1 / seconds_per_draw:,.0f} draws "
            f"a second), over the budget of {_seconds(TIME_BUDGET)}; expected at most "
            f"{most:,} draws")


def _big(value: int) -> str:
    return f"{value:,}" if value < 10**15 else f"{float(value):.3g}"


def _bytes(value: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= size:
            return f"{value / size:,.3g} {unit}"
    return f"{value:,.0f} bytes"


def _seconds(value: float) -> str:
    if value >= 7200:
        return f"{value / 3600:,.3g} hours"
    if value >= 120:
        return f"{value / 60:,.3g} minutes"
    return f"{value:,.3g} seconds"


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


def check_keys(mapping: object, name: str, *, example: str) -> Mapping:
    """Return ``mapping`` if it is a mapping whose keys are strings.

    Raises
    ------
    TypeError
        Naming ``name`` and the first key (or the value) of the wrong type.
    """
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name}: got {type(mapping).__name__} {short_repr(mapping)}, expected a "
                        f"mapping such as {example}")
    for key in mapping:
        if not isinstance(key, str):
            raise TypeError(f"{name}: key {short_repr(key)} ({type(key).__name__}), expected "
                            f"text keys, such as {example}")
    return mapping


def check_text(value: object, name: str) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: got {value!r} ({type(value).__name__}), expected a string")
    if not value.strip():
        raise QueryError(f"{name} == {value!r}, expected a non-empty name")
    return value
