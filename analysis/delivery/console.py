"""What the command line prints, and how it reads the values of its options.

Everything printed goes through one writer that escapes control characters
(:func:`analysis.core.text.escape_controls`), and JSON and CSV never hold
``NaN`` or ``Infinity`` (:func:`finite`). An option value that does not parse
is a :class:`~analysis.core.errors.QueryError` naming the option, the value
and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys

from ..core.errors import QueryError
from ..core.text import escape_controls

__all__ = [
    "error",
    "finite",
    "number",
    "out",
    "parse_given",
    "parse_params",
    "parse_ranges",
    "print_csv",
    "print_frame_csv",
    "print_json",
    "quantile_name",
    "records",
    "silence_stdout",
    "text_table",
]


def out(text: str = "") -> None:
    """Print one line of text for a reader, control characters escaped."""
    sys.stdout.write(escape_controls(text) + "\n")


def error(message: str) -> None:
    """Print ``error: message`` to standard error, control characters escaped."""
    try:
        sys.stderr.write(escape_controls(f"error: {message}") + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # standard error closed too: nothing left to tell
        pass


def silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def finite(value, where: str = "output"):
    """Return ``value`` (nested dicts and lists) with NumPy numbers as plain Python ones.

    Raises
    ------
    QueryError
        Naming where a number is not finite: no ``NaN`` or ``Infinity`` is ever written.
    """
    if isinstance(value, dict):
        return {k: finite(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise QueryError(f"the result {where} is {value}, not a finite number: the scenario's "
                         "numbers are too extreme for it; nothing was written")
    return value


def print_json(payload: dict) -> None:
    """Print ``payload`` as JSON (ASCII, so control characters are escaped; never NaN)."""
    sys.stdout.write(json.dumps(finite(payload), indent=2, allow_nan=False) + "\n")


def print_csv(header: list[str], rows) -> None:
    """Print rows as CSV (after the same finiteness check as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(finite([list(row) for row in rows]))
    sys.stdout.write(escape_controls(buffer.getvalue()))


def print_frame_csv(frame, columns: list[str]) -> None:
    """Print a data frame's ``columns`` as CSV."""
    print_csv(columns, frame[columns].itertuples(index=False, name=None))


def records(columns: dict[str, list]) -> list[dict]:
    """Turn columns into rows: ``{"a": [1, 2], "b": [3, 4]}`` -> ``[{"a": 1, "b": 3}, ...]``."""
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def text_table(columns: dict[str, list[str]]) -> str:
    """Return a plain text table, every column right-aligned under its name (as pandas)."""
    widths = {name: max([len(name), *(len(str(v)) for v in values)])
              for name, values in columns.items()}
    lines = [" ".join(name.rjust(widths[name]) for name in columns)]
    lines += [" ".join(str(v).rjust(widths[name]) for name, v in zip(columns, row, strict=True))
              for row in zip(*columns.values(), strict=True)]
    return "\n".join(lines)


def number(value: float, unit: str) -> str:
    """Format a value for a table: a percentage for a probability, else four significant digits."""
    return f"{value:.1%}" if unit == "probability" else f"{value:,.4g}"


def quantile_name(level: float) -> str:
    """``0.05`` -> ``'p05'``, ``0.975`` -> ``'p97.5'``."""
    percent = f"{100 * level:.6g}"
    return "p" + (percent.zfill(2) if "." not in percent else percent.zfill(3))


def parse_given(items: list[str]) -> dict[str, list[str]]:
    """Read ``--given PHASE=BRANCH`` options (``BRANCH`` may be ``A|B``)."""
    given: dict[str, list[str]] = {}
    for item in items:
        phase, sep, branches = item.partition("=")
        if not sep or not phase or not branches:
            raise QueryError(f"--given {item!r}: expected PHASE=BRANCH (or PHASE=A|B)")
        given.setdefault(phase.strip(), []).extend(b.strip() for b in branches.split("|"))
    return given


def parse_ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    """Read ``--range PARAMETER=LOW:HIGH`` options (finite numbers)."""
    ranges = {}
    for item in items:
        key, sep, span = item.partition("=")
        low, colon, high = span.partition(":")
        try:
            if not (sep and colon and key):
                raise ValueError
            ends = (float(low), float(high))
            if not all(math.isfinite(end) for end in ends):
                raise ValueError
            ranges[key.strip()] = ends
        except ValueError:
            raise QueryError(f"--range {item!r}: expected PARAMETER=LOW:HIGH with finite "
                             "numbers, such as test_cost=0:30") from None
    return ranges


#: The longest ``--param`` value read (a YAML value on the command line).
_MAX_PARAM_CHARS = 100_000


def parse_params(items: list[str]) -> dict:
    """Read ``--param KEY=VALUE`` options, VALUE in YAML (plain data only, never code)."""
    import yaml

    parameters = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise QueryError(f"--param {item[:80]!r}: expected KEY=VALUE, KEY a parameter's "
                             "name such as SEED")
        if len(text) > _MAX_PARAM_CHARS:
            raise QueryError(f"--param {key}: the value has {len(text):,} characters, expected "
                             f"at most {_MAX_PARAM_CHARS:,}")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise QueryError(f"--param {key}: {text[:80]!r} is not a YAML value ({first})"
                             ) from None
        except RecursionError:
            raise QueryError(f"--param {key}: the value is nested too deeply") from None
        _check_param(key, value)
        parameters[key] = value
    return parameters


def _check_param(key: str, value, depth: int = 0) -> None:
    """Refuse values a notebook cannot take as a literal: non-finite numbers, dates, deep nests."""
    if depth > 20:
        raise QueryError(f"--param {key}: the value is nested more than 20 levels deep")
    if isinstance(value, float) and not math.isfinite(value):
        raise QueryError(f"--param {key}: {value} is not a finite number")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_param(key, k, depth + 1)
            _check_param(key, v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_param(key, v, depth + 1)
    elif not (value is None or isinstance(value, bool | int | float | str)):
        raise QueryError(f"--param {key}: a {type(value).__name__} value, expected a number, "
                         "text, true/false, a list or a mapping")
