"""Formulas over named parameters: a small, safe language evaluated on arrays of draws.

Anywhere a scenario file takes a number it may take a formula instead
(``"sensitivity * prior"``). The language is a whitelist over Python's own
expression grammar (:func:`ast.parse` in ``eval`` mode): nothing is ever
passed to ``eval``, and every node of the parsed tree is checked against the
short list below before anything is computed.

- numbers (``2``, ``0.25``, ``1e-3``) and parameter names;
- ``+ - * / %``, powers written ``^`` or ``**`` (``^`` is a power, as in
  spreadsheets and SilverDecisions, never Python's exclusive or);
- comparisons ``< <= > >= == !=`` (chains allowed), ``and``, ``or``, ``not``;
- conditionals: ``a if condition else b`` or ``ifelse(condition, a, b)``;
- the functions in :data:`FUNCTIONS` and the constant ``pi``.

Refused, with the position and the reason: attribute access (``x.y``),
indexing, calls of anything but the functions listed, text, lists, lambdas,
comprehensions, names starting with ``_``, comments, texts longer than
:data:`MAX_LENGTH` characters and nesting deeper than :data:`MAX_DEPTH`.

Evaluation (:meth:`Expression.evaluate`) is vectorised: each name maps to a
number or to an array with one entry per draw, and the result has one entry
per draw. Any result that is not a finite number (a division by zero, the
log of a negative number, a power that overflows) raises
:class:`EvaluationError`, naming the sub-expression and the first draw where
it happened. Both branches of a conditional are computed, but only the rows
that take a branch are checked, so ``1 / x if x > 0 else 0`` is fine at ``x = 0``.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: `dealtree validate` never needs it
    np = lazy_module("numpy")

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "REMAINDER",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "parse_expression",
]

#: The longest formula accepted, in characters.
MAX_LENGTH = 1000
#: The deepest nesting of operations accepted.
MAX_DEPTH = 32
#: A probability written as this takes the rest of its siblings' probability.
REMAINDER = "#"

#: Function name -> (fewest arguments, most arguments or None for any, numpy implementation).
FUNCTIONS: dict[str, tuple[int, int | None, Callable]] = {
    "min": (2, None, lambda *a: np.minimum.reduce(np.broadcast_arrays(*a))),
    "max": (2, None, lambda *a: np.maximum.reduce(np.broadcast_arrays(*a))),
    "abs": (1, 1, lambda x: np.abs(x)),
    "exp": (1, 1, lambda x: np.exp(x)),
    "log": (1, 2, lambda x, base=None: np.log(x) if base is None else np.log(x) / np.log(base)),
    "log10": (1, 1, lambda x: np.log10(x)),
    "sqrt": (1, 1, lambda x: np.sqrt(x)),
    "floor": (1, 1, lambda x: np.floor(x)),
    "ceil": (1, 1, lambda x: np.ceil(x)),
    "round": (1, 1, lambda x: np.round(x)),
    "sin": (1, 1, lambda x: np.sin(x)),
    "cos": (1, 1, lambda x: np.cos(x)),
    "tan": (1, 1, lambda x: np.tan(x)),
    "clip": (3, 3, lambda x, low, high: np.minimum(np.maximum(x, low), high)),
    "ifelse": (3, 3, None),  # evaluated lazily, as a conditional
}
_CONSTANTS = {"pi": math.pi}

_BINARY = {ast.Add: ("+", 11), ast.Sub: ("-", 11), ast.Mult: ("*", 12), ast.Div: ("/", 12),
           ast.Mod: ("%", 12), ast.Pow: ("^", 14)}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
            ast.NotEq: "!="}
_REFUSED = {
    ast.Attribute: "attribute access (x.y)",
    ast.Subscript: "indexing (x[i])",
    ast.Lambda: "a lambda",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a mapping",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.JoinedStr: "text", ast.Starred: "unpacking (*x)", ast.NamedExpr: "an assignment (:=)",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "a slice",
}


class ExpressionError(ValueError):
    """A formula that cannot be read: ``column`` is 1-based (0 when it is the whole text)."""

    def __init__(self, message: str, column: int = 0):
        self.reason = message
        self.column = column
        super().__init__(message if not column else f"{message} (at character {column})")


class EvaluationError(ValueError):
    """A formula whose value is not a finite number for some draw.

    ``row`` is the first draw (0-based) where it happened; ``part`` the
    sub-expression; ``value`` what it gave there.
    """

    def __init__(self, message: str, *, row: int, part: str, value: float):
        self.reason = message
        self.row = row
        self.part = part
        self.value = value
        super().__init__(message)


# Nodes of a compiled formula: small tuples, so that nothing of Python's ast
# survives the checks.
#   ("num", value) ("name", id) ("bin", op, a, b) ("neg", a) ("pos", a) ("not", a)
#   ("and", (a, b, ...)) ("or", (a, ...)) ("cmp", (op, ...), (a, b, ...))
#   ("if", condition, a, b) ("call", function, (a, ...))
_Node = tuple


@dataclass(frozen=True)
class Expression:
    """A parsed, checked formula.

    Attributes
    ----------
    text : str
        The formula as written.
    names : frozenset of str
        The parameter names it uses.
    """

    text: str
    node: _Node = field(repr=False, compare=False)
    names: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_constant(self) -> bool:
        """Whether the formula uses no parameter."""
        return not self.names

    def evaluate(self, values: Mapping[str, float | np.ndarray], size: int = 1) -> np.ndarray:
        """Return the formula's value for each of ``size`` draws.

        Parameters
        ----------
        values : mapping
            Parameter name -> a number, or an array of ``size`` values.
        size : int
            The number of draws.

        Raises
        ------
        KeyError
            If a name is missing from ``values``.
        EvaluationError
            If the value is not a finite number for some draw.
        """
        with np.errstate(all="ignore"):
            result = _evaluate(self.node, values, size, None)
        return np.broadcast_to(np.asarray(result, dtype=float), (size,)).copy()

    def to_text(self, dialect: str = "dealtree") -> str:
        """Write the formula back as text: ``"dealtree"`` or ``"mathjs"`` (SilverDecisions)."""
        if dialect not in ("dealtree", "mathjs"):
            raise ValueError(f"dialect == {dialect!r}, expected 'dealtree' or 'mathjs'")
        return _write(self.node, dialect, 0)

    def rename(self, mapping: Mapping[str, str]) -> Expression:
        """Return the formula with names replaced as ``mapping`` says (others kept)."""
        node = _rename(self.node, mapping)
        return Expression(_write(node, "dealtree", 0), node, frozenset(_names(node)))

    def substitute(self, functions: Mapping[str, tuple[tuple[str, ...], Expression]]
                   ) -> Expression:
        """Return the formula with calls of user functions expanded: ``f(x) = body``.

        ``functions`` maps a name to its parameters and body; used to import
        files that define functions in code.
        """
        node = _expand(self.node, functions, 0)
        return Expression(_write(node, "dealtree", 0), node, frozenset(_names(node)))

    @classmethod
    def combine(cls, kind: str, parts: Iterable[Expression]) -> Expression:
        """Return ``a and b and ...`` (``kind="and"``) or ``a or b or ...`` (``"or"``)."""
        if kind not in ("and", "or"):
            raise ValueError(f"kind == {kind!r}, expected 'and' or 'or'")
        nodes = tuple(p.node for p in parts)
        node = nodes[0] if len(nodes) == 1 else (kind, nodes)
        return cls(_write(node, "dealtree", 0), node, frozenset(_names(node)))

    def negate(self) -> Expression:
        """Return ``not (this)``."""
        node = ("not", self.node)
        return Expression(_write(node, "dealtree", 0), node, self.names)

    def is_linear_in(self, name: str) -> bool:
        """Whether the formula is a polynomial of degree at most 1 in ``name``."""
        return _degree(self.node, name) <= 1


def parse_expression(text: object, *, functions: Iterable[str] = ()) -> Expression:
    """Parse and check a formula.

    Parameters
    ----------
    text : str
        The formula.
    functions : iterable of str
        Extra function names to accept (user functions that
        :meth:`Expression.substitute` expands; the importer's business).

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ExpressionError
        Saying what is wrong and where.
    """
    if not isinstance(text, str):
        raise TypeError(f"got {text!r} ({type(text).__name__}), expected a formula as text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the formula is {len(text)} characters long, expected at most "
                              f"{MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the formula is empty, expected a number or a formula")
    if text.strip() == REMAINDER:
        raise ExpressionError(f"{REMAINDER!r} (the rest of the probability) stands only for a "
                              "whole branch probability, not inside a formula")
    translated, shifts = _translate(text)
    try:
        tree = ast.parse(translated.strip(), mode="eval")
    except SyntaxError as exc:
        column = _original_column(exc.offset or 0, shifts, translated)
        raise ExpressionError(f"not a formula: {exc.msg}", column) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"nested too deeply, expected at most {MAX_DEPTH} levels") from None
    except ValueError as exc:  # e.g. a null character
        raise ExpressionError(f"not a formula: {exc}") from None
    offset = len(translated) - len(translated.lstrip())
    node = _check(tree.body, 1, set(functions), lambda col: _original_column(
        col + offset + 1, shifts, translated))
    return Expression(text, node, frozenset(_names(node)))


# ------------------------------------------------------------------------- reading


def _translate(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**``; return the new text and where each replacement happened."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        message = exc.args[0] if exc.args else "unreadable"
        raise ExpressionError(f"not a formula: {message}") from None
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    positions = []
    for token in tokens:
        absolute = starts[token.start[0] - 1] + token.start[1] if token.start[0] <= len(
            starts) else len(text)
        if token.type == tokenize.COMMENT:
            raise ExpressionError(f"'{REMAINDER}' starts a comment, which formulas do not "
                                  f"take; a branch probability written '{REMAINDER}' alone "
                                  "takes the rest", absolute + 1)
        if token.type == tokenize.STRING:
            raise ExpressionError("text (quotes) is not allowed in a formula", absolute + 1)
        if token.type == tokenize.OP and token.string == "^":
            positions.append(absolute)
        if token.type == tokenize.ERRORTOKEN and token.string.strip():
            raise ExpressionError(f"unexpected character {token.string!r}", absolute + 1)
    translated = text
    for position in reversed(positions):
        translated = translated[:position] + "**" + translated[position + 1:]
    return translated, positions


def _original_column(column: int, shifts: list[int], translated: str) -> int:
    """Map a 1-based column of the translated text back to the text as written.

    The i-th ``^`` (0-based, at ``shifts[i]`` in the original) stands at
    ``shifts[i] + i`` in the translated text and is one character longer there.
    """
    if column <= 0:
        return 0
    before = sum(1 for i, position in enumerate(shifts) if position + i < column - 1)
    return max(1, column - before)


def _check(node: ast.AST, depth: int, functions: set[str], column: Callable[[int], int]
           ) -> _Node:
    where = column(getattr(node, "col_offset", 0))
    if depth > MAX_DEPTH:
        raise ExpressionError(f"nested too deeply, expected at most {MAX_DEPTH} levels", where)
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            what = "text" if isinstance(value, str | bytes) else repr(value)
            raise ExpressionError(f"{what} is not allowed in a formula, expected a number",
                                  where)
        try:
            number = float(value)
        except OverflowError:
            raise ExpressionError("a number too large, expected a finite number", where) from None
        if not math.isfinite(number):
            raise ExpressionError("a number too large, expected a finite number", where)
        return ("num", number)
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"name {node.id!r}: names may not start with '_'", where)
        if node.id in _CONSTANTS:
            return ("num", _CONSTANTS[node.id])
        if node.id in FUNCTIONS or node.id in functions:
            raise ExpressionError(f"{node.id!r} is a function, expected {node.id}(...)", where)
        return ("name", node.id)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"operator {_operator(node.op)!r} is not allowed; expected "
                                  "one of + - * / % ^", where)
        return ("bin", _BINARY[type(node.op)][0], _check(node.left, deeper, functions, column),
                _check(node.right, deeper, functions, column))
    if isinstance(node, ast.UnaryOp):
        operand = _check(node.operand, deeper, functions, column)
        if isinstance(node.op, ast.USub):
            return ("neg", operand)
        if isinstance(node.op, ast.UAdd):
            return ("pos", operand)
        if isinstance(node.op, ast.Not):
            return ("not", operand)
        raise ExpressionError(f"operator {_operator(node.op)!r} is not allowed", where)
    if isinstance(node, ast.BoolOp):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return (kind, tuple(_check(v, deeper, functions, column) for v in node.values))
    if isinstance(node, ast.Compare):
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(f"comparison {_operator(op)!r} is not allowed; expected "
                                      "one of < <= > >= == !=", where)
            ops.append(_COMPARE[type(op)])
        operands = (node.left, *node.comparators)
        return ("cmp", tuple(ops), tuple(_check(v, deeper, functions, column)
                                         for v in operands))
    if isinstance(node, ast.IfExp):
        return ("if", _check(node.test, deeper, functions, column),
                _check(node.body, deeper, functions, column),
                _check(node.orelse, deeper, functions, column))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError("only the listed functions may be called, by name: "
                                  + ", ".join(sorted(FUNCTIONS)), where)
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}(...): named or unpacked arguments are not allowed",
                                  where)
        args = tuple(_check(a, deeper, functions, column) for a in node.args)
        if name in functions:
            return ("call", name, args)
        if name not in FUNCTIONS:
            from .text import did_you_mean

            raise ExpressionError(f"unknown function {name!r}{did_you_mean(name, FUNCTIONS)}; "
                                  f"expected one of: {', '.join(sorted(FUNCTIONS))}", where)
        least, most, _ = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            wanted = (f"{least}" if least == most else
                      f"at least {least}" if most is None else f"{least} to {most}")
            raise ExpressionError(f"{name}() takes {wanted} argument"
                                  f"{'' if wanted == '1' else 's'}, got {len(args)}", where)
        if name == "ifelse":
            return ("if", *args)
        return ("call", name, args)
    what = _REFUSED.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed in a formula", where)


def _operator(op: ast.AST) -> str:
    return {ast.BitXor: "^", ast.BitOr: "|", ast.BitAnd: "&", ast.LShift: "<<",
            ast.RShift: ">>", ast.FloorDiv: "//", ast.MatMult: "@", ast.Invert: "~",
            ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}.get(
        type(op), type(op).__name__)


def _names(node: _Node) -> set[str]:
    if node[0] == "name":
        return {node[1]}
    found: set[str] = set()
    for child in _children(node):
        found |= _names(child)
    return found


def _children(node: _Node) -> list[_Node]:
    kind = node[0]
    if kind in ("num", "name"):
        return []
    if kind == "bin":
        return [node[2], node[3]]
    if kind in ("neg", "pos", "not"):
        return [node[1]]
    if kind in ("and", "or"):
        return list(node[1])
    if kind == "cmp":
        return list(node[2])
    if kind == "if":
        return [node[1], node[2], node[3]]
    return list(node[2])  # call


def _rebuild(node: _Node, children: list[_Node]) -> _Node:
    kind = node[0]
    if kind == "bin":
        return ("bin", node[1], children[0], children[1])
    if kind in ("neg", "pos", "not"):
        return (kind, children[0])
    if kind in ("and", "or"):
        return (kind, tuple(children))
    if kind == "cmp":
        return ("cmp", node[1], tuple(children))
    if kind == "if":
        return ("if", *children)
    return ("call", node[1], tuple(children))


def _rename(node: _Node, mapping: Mapping[str, str]) -> _Node:
    if node[0] == "name":
        return ("name", mapping.get(node[1], node[1]))
    if node[0] == "num":
        return node
    return _rebuild(node, [_rename(c, mapping) for c in _children(node)])


def _expand(node: _Node, functions: Mapping[str, tuple[tuple[str, ...], Expression]],
            depth: int) -> _Node:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"user functions nested deeper than {MAX_DEPTH} levels")
    if node[0] in ("num", "name"):
        return node
    children = [_expand(c, functions, depth) for c in _children(node)]
    if node[0] == "call" and node[1] in functions:
        parameters, body = functions[node[1]]
        if len(parameters) != len(children):
            raise ExpressionError(f"{node[1]}() takes {len(parameters)} argument(s), got "
                                  f"{len(children)}")
        bound = dict(zip(parameters, children, strict=True))
        return _expand(_bind(body.node, bound), functions, depth + 1)
    return _rebuild(node, children)


def _bind(node: _Node, bound: Mapping[str, _Node]) -> _Node:
    if node[0] == "name":
        return bound.get(node[1], node)
    if node[0] == "num":
        return node
    return _rebuild(node, [_bind(c, bound) for c in _children(node)])


def _degree(node: _Node, name: str) -> float:
    """Polynomial degree of ``node`` in ``name`` (inf when not a polynomial)."""
    kind = node[0]
    if kind == "num":
        return 0
    if kind == "name":
        return 1 if node[1] == name else 0
    degrees = [_degree(c, name) for c in _children(node)]
    if not any(degrees):
        return 0
    if kind == "bin":
        op = node[1]
        if op in "+-":
            return max(degrees)
        if op == "*":
            return degrees[0] + degrees[1]
        if op == "/":
            return degrees[0] if degrees[1] == 0 else math.inf
        if op == "^" and degrees[1] == 0 and node[3][0] == "num" and float(
                node[3][1]).is_integer() and node[3][1] >= 0:
            return degrees[0] * node[3][1]
        return math.inf
    if kind in ("neg", "pos"):
        return degrees[0]
    return math.inf


# ------------------------------------------------------------------------ evaluating


def _evaluate(node: _Node, values: Mapping[str, float | np.ndarray], size: int,
              active: np.ndarray | None):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        return values[node[1]]
    if kind == "bin":
        left = _evaluate(node[2], values, size, active)
        right = _evaluate(node[3], values, size, active)
        op = node[1]
        if op == "+":
            result = np.add(left, right)
        elif op == "-":
            result = np.subtract(left, right)
        elif op == "*":
            result = np.multiply(left, right)
        elif op == "/":
            result = np.divide(left, right)
        elif op == "%":
            result = np.mod(left, right)
        else:
            result = np.power(np.asarray(left, dtype=float), right)
        return _finite(result, node, size, active)
    if kind == "neg":
        return np.negative(_evaluate(node[1], values, size, active))
    if kind == "pos":
        return _evaluate(node[1], values, size, active)
    if kind == "not":
        return np.logical_not(_truth(_evaluate(node[1], values, size, active)))
    if kind in ("and", "or"):
        result = _truth(_evaluate(node[1][0], values, size, active))
        for part in node[1][1:]:
            result = np.broadcast_to(result, (size,))
            go_on = result if kind == "and" else ~result
            scope = go_on if active is None else (active & go_on)
            value = _truth(_evaluate(part, values, size, scope))
            result = (result & value) if kind == "and" else (result | value)
        return result
    if kind == "cmp":
        operands = [_evaluate(v, values, size, active) for v in node[2]]
        result = True
        for op, left, right in zip(node[1], operands[:-1], operands[1:], strict=True):
            result = np.logical_and(result, _COMPARISONS[op](left, right))
        return result
    if kind == "if":
        condition = np.broadcast_to(_truth(_evaluate(node[1], values, size, active)), (size,))
        yes = condition if active is None else (active & condition)
        no = ~condition if active is None else (active & ~condition)
        return np.where(condition, _evaluate(node[2], values, size, yes),
                        _evaluate(node[3], values, size, no))
    args = [_evaluate(a, values, size, active) for a in node[2]]
    function = FUNCTIONS[node[1]][2]
    return _finite(function(*[np.asarray(a, dtype=float) for a in args]), node, size, active)


_COMPARISONS = {"<": lambda a, b: np.less(a, b), "<=": lambda a, b: np.less_equal(a, b),
                ">": lambda a, b: np.greater(a, b), ">=": lambda a, b: np.greater_equal(a, b),
                "==": lambda a, b: np.equal(a, b), "!=": lambda a, b: np.not_equal(a, b)}


def _truth(value) -> np.ndarray:
    array = np.asarray(value)
    return array if array.dtype == bool else array != 0


def _finite(result, node: _Node, size: int, active: np.ndarray | None):
    array = np.asarray(result, dtype=float)
    bad = ~np.isfinite(np.broadcast_to(array, (size,)))
    if active is not None:
        bad = bad & active
    if bad.any():
        row = int(np.argmax(bad))
        value = float(np.broadcast_to(array, (size,))[row])
        part = _write(node, "dealtree", 0)
        if node[0] == "bin" and node[1] == "/":
            why = "a division by zero"
        elif node[0] == "bin" and node[1] == "^":
            why = "a power that overflows or is not a real number"
        elif node[0] == "call" and node[1] in ("log", "log10", "sqrt"):
            why = f"{node[1]}() of a number outside its domain"
        else:
            why = "a value that overflows"
        raise EvaluationError(f"{part!r} gives {value} ({why})", row=row, part=part, value=value)
    return result


# -------------------------------------------------------------------------- writing

_PRECEDENCE = {"if": 1, "or": 2, "and": 3, "not": 4, "cmp": 5, "+": 11, "-": 11, "*": 12,
               "/": 12, "%": 12, "neg": 13, "pos": 13, "^": 14, "atom": 16}


def _write(node: _Node, dialect: str, parent: int) -> str:
    kind = node[0]
    if kind == "num":
        value = node[1]
        text = repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(
            value)
        if value == math.pi:
            text = "pi"
        return f"({text})" if value < 0 and parent > 0 else text
    if kind == "name":
        return node[1]
    if kind == "bin":
        op = node[1]
        mine = _PRECEDENCE[op]
        if op == "^":  # right-associative; binds tighter than a unary minus on its left
            left = _write(node[2], dialect, mine + 1)
            right = _write(node[3], dialect, 13)
            symbol = "^" if dialect == "mathjs" else "**"
        else:
            left = _write(node[2], dialect, mine)
            right = _write(node[3], dialect, mine + 1)
            symbol = op
        text = f"{left}^{right}" if symbol == "^" else f"{left} {symbol} {right}"
        return f"({text})" if mine < parent else text
    if kind in ("neg", "pos"):
        sign = "-" if kind == "neg" else "+"
        text = sign + _write(node[1], dialect, _PRECEDENCE["neg"])
        return f"({text})" if _PRECEDENCE["neg"] < parent else text
    if kind == "not":
        text = "not " + _write(node[1], dialect, _PRECEDENCE["not"])
        return f"({text})" if _PRECEDENCE["not"] < parent else text
    if kind in ("and", "or"):
        mine = _PRECEDENCE[kind]
        text = f" {kind} ".join(_write(v, dialect, mine + 1) for v in node[1])
        return f"({text})" if mine <= parent else text
    if kind == "cmp":
        mine = _PRECEDENCE["cmp"]
        parts = [_write(node[2][0], dialect, mine + 1)]
        for op, operand in zip(node[1], node[2][1:], strict=True):
            parts += [op, _write(operand, dialect, mine + 1)]
        text = " ".join(parts)
        return f"({text})" if mine <= parent else text
    if kind == "if":
        if dialect == "mathjs":
            text = (f"{_write(node[1], dialect, 2)} ? {_write(node[2], dialect, 2)} : "
                    f"{_write(node[3], dialect, 2)}")
            return f"({text})"
        text = (f"{_write(node[2], dialect, 2)} if {_write(node[1], dialect, 2)} else "
                f"{_write(node[3], dialect, 1)}")
        return f"({text})" if parent > 1 else text
    args = ", ".join(_write(a, dialect, 0) for a in node[2])
    return f"{node[1]}({args})"
