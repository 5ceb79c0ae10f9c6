"""Translate pydantic's validation errors into located, readable problems."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.errors import Problem
from ..core.text import did_you_mean, short_repr
from .source import Document

__all__ = ["problems_from_validation_error"]

_PATTERNS = {
    r"^[a-z][a-z0-9_]*$":
        "an id of lowercase letters, digits and underscores, starting with a letter",
    r"^#[0-9a-fA-F]{6}$": "a colour written '#rrggbb'",
    r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$": "a claim id such as 'document-id.claim-slug'",
    r"^\d{4}-\d{2}(-\d{2})?$": "a date written YYYY-MM-DD or YYYY-MM",
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}


def problems_from_validation_error(
    error: ValidationError, doc: Document, model: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn every error in ``error`` into a :class:`Problem` located in ``doc``."""
    items = error.errors(include_url=False)
    # A collection whose only items failed also reports "too short": noise.
    deeper = [tuple(i["loc"]) for i in items]
    items = [i for i in items if not (
        i["type"] == "too_short" and i.get("input")
        and any(len(d) > len(i["loc"]) and d[:len(i["loc"])] == tuple(i["loc"]) for d in deeper))]
    return [_problem(item, doc, model) for item in items]


def _problem(item: dict, doc: Document, model: type[BaseModel] | None) -> Problem:
    loc = _clean_location(tuple(item["loc"]), doc.data)
    kind, value, ctx = item["type"], item.get("input"), item.get("ctx") or {}
    got = short_repr(value)
    if kind == "missing":
        message = f"missing required key {loc[-1]!r}"
    elif kind == "extra_forbidden":
        key, allowed = str(loc[-1]), _allowed_keys(model, tuple(item["loc"][:-1]))
        in_prior = model is None or loc[-2:-1] == ("prior",) or loc[-3:-2] == ("priors",)
        if key in _PRIOR_KEYS and in_prior:  # e.g. alpha beside value: two kinds mixed
            message = f"key {key!r} cannot be combined with the other keys of this prior"
        else:
            message = f"unknown key {key!r}{did_you_mean(key, allowed)}"
        if allowed:
            message += f"; expected one of: {', '.join(sorted(allowed))}"
    elif kind == "parameter_kind" and isinstance(value, dict) and "distribution" in value:
        message = (f"unknown distribution {short_repr(value['distribution'])}"
                   f"{did_you_mean(str(value['distribution']), _DISTRIBUTIONS)}; expected one "
                   f"of: {', '.join(_DISTRIBUTIONS)} (or write a Beta as alpha and beta, a "
                   "PERT as low, mode and high)")
    elif kind in ("prior_kind", "parameter_kind") and isinstance(value, dict):
        keys = ", ".join(map(repr, value)) or "no keys"
        hints = "".join(did_you_mean(str(k), _PRIOR_KEYS) for k in value
                        if k not in _PRIOR_KEYS)
        message = f"got a mapping with {keys}{hints}, {item['msg']}"
    elif kind in _BOUNDS:
        bound = next(iter(ctx.values()))
        shown = f"{bound:g}" if isinstance(bound, float) else bound
        message = f"got {got}, expected a number {_BOUNDS[kind]} {shown}"
    elif kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        message = f"got {got}, expected {_PATTERNS.get(pattern, 'text matching ' + pattern)}"
    elif kind == "too_long":
        count = ctx.get("actual_length") or (len(value) if hasattr(value, "__len__") else None)
        noun = str(loc[-1]).replace("_", " ") if loc and isinstance(loc[-1], str) else "items"
        message = (f"got {count if count is not None else 'more than ' + str(ctx['max_length'])}"
                   f" {noun}, expected at most {ctx['max_length']} (a bound of the format, "
                   "listed under Validation in scenarios/README.md)")
    elif kind == "string_too_long":
        message = (f"got {len(value) if isinstance(value, str) else '?'} characters "
                   f"({got}), expected at most {ctx.get('max_length')}")
    elif kind == "value_error":
        message = item["msg"].removeprefix("Value error, ")
    elif kind in {"model_type", "dict_type", "model_attributes_type"}:
        message = f"got {got} ({type(value).__name__}), expected a mapping"
    elif kind in ("prior_kind", "parameter_kind"):
        message = f"got {got}, {item['msg']}"
    else:
        message = f"got {got}, {item['msg'][0].lower()}{item['msg'][1:]}"
    return doc.problem(loc, message)


_PRIOR_KEYS = ("value", "alpha", "beta", "low", "mode", "high", "mean", "sd", "successes",
               "trials", "prior_alpha", "prior_beta", "concentration", "formula", "cite",
               "rationale")
_DISTRIBUTIONS = ("normal", "uniform", "triangular", "lognormal")
_UNION_TAGS = {"fixed prior", "beta prior", "range prior", "mean_sd prior", "counts prior",
               "dirichlet prior", "formula prior",
               *(f"{kind} parameter" for kind in (
                   "fixed", "formula", "beta", "counts", "mean_sd", "pert", "normal", "uniform",
                   "triangular", "lognormal", "dirichlet")),
               "str", "list[str]", "list[constrained-str]", "constrained-str", "float", "int"}


def _clean_location(loc: tuple, data: Any) -> tuple:
    """Drop union tags pydantic adds to locations, keeping only the user's keys."""
    cleaned: list = []
    node = data
    for position, part in enumerate(loc):
        is_last = position == len(loc) - 1
        if isinstance(node, dict) and part in node:
            cleaned.append(part)
            node = node[part]
        elif isinstance(node, list | tuple) and isinstance(part, int) and part < len(node):
            cleaned.append(part)
            node = node[part]
        elif isinstance(part, str) and (part in _UNION_TAGS or "[" in part):
            continue
        elif not isinstance(node, dict | list | tuple):
            break  # a scalar the model read as a mapping (a bare probability)
        else:
            cleaned.append(part)
            if is_last:
                break
            node = None
    return tuple(cleaned)


def _allowed_keys(model: type[BaseModel] | None, loc: tuple) -> set[str]:
    """Return the keys a mapping at ``loc`` may have, following the model's types."""
    candidates: list[Any] = [model] if model else []
    for part in loc:
        following: list[Any] = []
        for tp in _expand(candidates):
            if part in _UNION_TAGS:  # pydantic's tag: keep the union member it names
                kind = getattr(tp, "kind", "")
                kind = kind if isinstance(kind, str) else "formula"
                if part in (f"{kind} prior", f"{kind} parameter"):
                    following.append(tp)
            elif isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, info in tp.model_fields.items():
                    if part in {name, info.alias}:
                        following.append(info.annotation)
            elif typing.get_origin(tp) is dict and isinstance(part, str):
                following.append(typing.get_args(tp)[1])
            elif typing.get_origin(tp) is tuple and isinstance(part, int):
                following.append(typing.get_args(tp)[0])
        candidates = following
    keys: set[str] = set()
    for tp in _expand(candidates):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            keys |= {info.alias or name for name, info in tp.model_fields.items()}
    return keys


def _expand(types_: list[Any]) -> list[Any]:
    """Unwrap Annotated, Optional and unions into their member types."""
    out: list[Any] = []
    stack = list(types_)
    while stack:
        tp = stack.pop()
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            stack.append(typing.get_args(tp)[0])
        elif origin in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(tp))
        else:
            out.append(tp)
    return out
