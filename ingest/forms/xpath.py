"""ODK's XPath: XPath 1.0 as JavaRosa evaluates it, on elementpath's XPath 1.0 parser.

Forms carry ``relevant``, ``required`` and ``constraint`` as XPath 1.0 expressions with ODK's
extra functions (``selected``, ``regex``, ``today`` …). elementpath parses them and walks the
instance tree; this module changes what ODK changes:

- comparisons and arithmetic follow XPath 1.0 (a node compared with a number compares
  numerically, ``'' >= 0`` is false, not an error), and a string that is a date or a
  date-time becomes a number of days since 1970-01-01, which is how ``. <= today()`` works on
  a date answer; a single node is true when its value is non-empty (JavaRosa), not merely
  when it exists;
- ``today()`` and ``now()`` are the moment of collection, not of evaluation, so validating
  the same submission again gives the same answer;
- ODK's functions are added; anything else (``instance()``, ``pulldata()``,
  ``jr:choice-name()`` …) makes :func:`compile_expression` or :meth:`Expression.evaluate`
  raise :class:`ExpressionError`, which the caller reports as not checked.

Parsed expressions are cached by their text: a form version's expressions are parsed once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from copy import copy
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import MissingContextError
from elementpath.xpath_nodes import XPathNode
from elementpath.xpath_tokens import XPathToken
from lxml import etree

_EPOCH = date(1970, 1, 1)
_NUMBER = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?")


class ExpressionError(Exception):
    """An expression this evaluator cannot parse or evaluate."""


# --- the XPath 1.0 value model, with ODK's dates --------------------------------------------


def _first(value: Any) -> Any:
    """A node-set's first node (``""`` when empty); any other value as it is."""
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def to_string(value: Any) -> str:
    """XPath ``string()``."""
    value = _first(value)
    if isinstance(value, XPathNode):
        return value.compat_string_value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number_string(float(value))
    return str(value)


def _number_string(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def date_number(text: str) -> float | None:
    """Days since 1970-01-01 for a date or date-time string, else None."""
    text = text.strip()
    try:
        if _DATE.fullmatch(text):
            return float((date.fromisoformat(text) - _EPOCH).days)
        if _DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return (moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1)
    except ValueError:
        return None
    return None


def to_number(value: Any) -> float:
    """XPath ``number()``, with ODK's reading of dates as days since the epoch."""
    value = _first(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = to_string(value)
    if _NUMBER.fullmatch(text):
        return float(text)
    days = date_number(text)
    return math.nan if days is None else days


def to_boolean(value: Any) -> bool:
    """``boolean()`` as JavaRosa computes it: one node counts by its value, not its existence.

    XPath 1.0 makes ``relevant="${flag}"`` true whenever the node exists, even empty; ODK
    Collect reads the node's value, so an empty ``flag`` is false.
    """
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], XPathNode):
            return to_string(value[0]) != ""
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return not math.isnan(value) and value != 0
    return to_string(value) != ""


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [to_string(item) for item in value]
    return [to_string(value)]


_RELATIONAL: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def compare(symbol: str, left: Any, right: Any) -> bool:
    """XPath 1.0 §3.4: a node-set compares true if any of its nodes does."""
    if isinstance(left, list) and isinstance(right, list):
        return any(_compare_atoms(symbol, a, b) for a in _strings(left) for b in _strings(right))
    if isinstance(left, list) or isinstance(right, list):
        nodes, other, flipped = (
            (left, right, False) if isinstance(left, list) else (right, left, True)
        )
        if isinstance(other, bool):
            a, b = to_boolean(nodes), other
            return _compare_atoms(symbol, b, a) if flipped else _compare_atoms(symbol, a, b)
        return any(
            _compare_atoms(symbol, other, text) if flipped else _compare_atoms(symbol, text, other)
            for text in _strings(nodes)
        )
    return _compare_atoms(symbol, _first(left), _first(right))


def _compare_atoms(symbol: str, left: Any, right: Any) -> bool:
    if symbol in _RELATIONAL:
        return _RELATIONAL[symbol](to_number(left), to_number(right))
    if isinstance(left, bool) or isinstance(right, bool):
        equal = to_boolean(left) == to_boolean(right)
    elif isinstance(left, int | float | Decimal) or isinstance(right, int | float | Decimal):
        equal = to_number(left) == to_number(right)
    else:
        equal = to_string(left) == to_string(right)
    return equal if symbol == "=" else not equal


def _arithmetic(symbol: str, left: float, right: float) -> float:
    if symbol == "+":
        return left + right
    if symbol == "-":
        return left - right
    if symbol == "*":
        return left * right
    if symbol == "div":
        if right == 0:
            return math.nan if left == 0 or math.isnan(left) else math.copysign(math.inf, left)
        return left / right
    if right == 0 or math.isinf(left):  # mod, truncating like Java's %
        return math.nan
    return math.fmod(left, right)


# --- the parser ---------------------------------------------------------------------------


class OdkContext(XPathContext):
    """An evaluation context that knows the moment of collection and ``current()``."""

    today: str = ""
    now: str = ""
    current: Any = None


class OdkParser(XPath1Parser):
    """XPath 1.0 with ODK's comparisons, arithmetic and functions."""

    # XPath 1.0 allows a function's node-set as a path's first step: current()/../x
    PATH_STEP_LABELS = (*XPath1Parser.PATH_STEP_LABELS, "function")


def _args(token: XPathToken, context: Any) -> list[Any]:
    return [arg.evaluate(copy(context)) for arg in token]


def _odk_context(token: XPathToken, context: Any) -> OdkContext:
    if not isinstance(context, OdkContext):
        raise token.missing_context()
    return context


_OPERATOR_NAMES = {
    "=": "Equal",
    "!=": "NotEqual",
    "<": "Less",
    ">": "Greater",
    "<=": "LessEqual",
    ">=": "GreaterEqual",
    "+": "Plus",
    "-": "Minus",
    "*": "Times",
    "div": "Div",
    "mod": "Mod",
    "and": "And",
    "or": "Or",
}


def _operator(symbol: str, evaluate: Callable[[XPathToken, Any], Any]) -> None:
    base = OdkParser.symbol_table[symbol]
    OdkParser.unregister(symbol)
    OdkParser.register(
        symbol,
        bases=(base,),
        label=base.label,
        lbp=base.lbp,
        rbp=base.rbp,
        class_name=f"_Odk{_OPERATOR_NAMES[symbol]}Operator",
        evaluate=evaluate,
    )


def _evaluate_comparison(self: XPathToken, context: Any = None) -> bool:
    left, right = _args(self, context)
    return compare(self.symbol, left, right)


def _evaluate_arithmetic(self: XPathToken, context: Any = None) -> Any:
    if self.symbol == "*" and len(self) != 2:  # the wildcard, not multiplication
        return _WILDCARD(self, context)
    values = [to_number(v) for v in _args(self, context)]
    if len(values) == 1:
        return -values[0] if self.symbol == "-" else values[0]
    return _arithmetic(self.symbol, values[0], values[1])


def _evaluate_logic(self: XPathToken, context: Any = None) -> bool:
    left = to_boolean(self[0].evaluate(copy(context)))
    if (self.symbol == "or" and left) or (self.symbol == "and" and not left):
        return left  # the right side is not read, as in XPath
    return to_boolean(self[1].evaluate(copy(context)))


_WILDCARD: Callable[[XPathToken, Any], Any] = OdkParser.symbol_table["*"].evaluate
for _symbol in ("=", "!=", "<", ">", "<=", ">="):
    _operator(_symbol, _evaluate_comparison)
for _symbol in ("+", "-", "*", "div", "mod"):
    _operator(_symbol, _evaluate_arithmetic)
for _symbol in ("and", "or"):
    _operator(_symbol, _evaluate_logic)


def _function(
    name: str, nargs: int | tuple[int, int | None], *, wants_context: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``name`` as an ODK function (replacing XPath 1.0's version if there is one).

    The callable receives the evaluated arguments, preceded by the context if it wants it.
    """

    def bind(body: Callable[..., Any]) -> Callable[..., Any]:
        def evaluate(self: XPathToken, context: Any = None) -> Any:
            args = _args(self, context)
            if wants_context:
                return body(_odk_context(self, context), *args)
            return body(*args)

        if name in OdkParser.symbol_table:
            OdkParser.unregister(name)
        token_class = OdkParser.function(name, nargs=nargs)
        token_class.evaluate = evaluate  # type: ignore[method-assign]
        return body

    return bind


@_function("selected", 2)
def _selected(values: Any, value: Any) -> bool:
    return to_string(value).strip() in to_string(values).split()


@_function("count-selected", 1)
def _count_selected(values: Any) -> float:
    return float(len(to_string(values).split()))


@_function("regex", 2)
def _regex(text: Any, pattern: Any) -> bool:
    # JavaRosa uses Matcher.find(): a match anywhere, like re.search.
    return re.search(to_string(pattern), to_string(text)) is not None


@_function("today", 0, wants_context=True)
def _today(context: OdkContext) -> str:
    return context.today


@_function("now", 0, wants_context=True)
def _now(context: OdkContext) -> str:
    return context.now


@_function("current", 0, wants_context=True)
def _current(context: OdkContext) -> Any:
    return [context.current]


def _as_date(value: Any) -> date | datetime | None:
    value = _first(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        days = float(value)
        if math.isnan(days) or math.isinf(days):
            raise ExpressionError("date() of a number that is not finite")
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)
    text = to_string(value).strip()
    if not text:
        return None
    if _DATE.fullmatch(text):
        return date.fromisoformat(text)
    if _DATETIME.fullmatch(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    raise ExpressionError(f"not a date: {text!r}")


@_function("date", 1)
def _date(value: Any) -> str:
    moment = _as_date(value)
    if moment is None:
        return ""
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


@_function("date-time", 1)
def _date_time(value: Any) -> str:
    moment = _as_date(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds")


@_function("decimal-date-time", 1)
def _decimal_date_time(value: Any) -> float:
    return to_number(value)


@_function("if", 3)
def _if(condition: Any, then: Any, otherwise: Any) -> Any:
    return then if to_boolean(condition) else otherwise


@_function("coalesce", 2)
def _coalesce(first: Any, second: Any) -> Any:
    return first if to_string(first) != "" else second


@_function("concat", (0, None))
def _concat(*parts: Any) -> str:
    # ODK's concat joins every node of a node-set, not only the first.
    return "".join(
        "".join(_strings(part)) if isinstance(part, list) else to_string(part) for part in parts
    )


@_function("join", (1, None))
def _join(separator: Any, *parts: Any) -> str:
    return to_string(separator).join(text for part in parts for text in _strings(part))


@_function("int", 1)
def _int(value: Any) -> float:
    number = to_number(value)
    return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


@_function("number", 1)
def _number(value: Any) -> float:
    return to_number(value)


@_function("round", (1, 2))
def _round(value: Any, digits: Any = 0) -> float:
    number, places = to_number(value), to_number(digits)
    if math.isnan(number) or math.isinf(number) or math.isnan(places):
        return number if not math.isnan(places) else math.nan
    try:
        exponent = Decimal(1).scaleb(-int(places))
        return float(Decimal(repr(number)).quantize(exponent, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return number


@_function("sum", 1)
def _sum(values: Any) -> float:
    return math.fsum(to_number(text) for text in _strings(values))


@_function("max", (1, None))
def _max(*values: Any) -> float:
    numbers = [to_number(text) for value in values for text in _strings(value)]
    return math.nan if not numbers or any(map(math.isnan, numbers)) else max(numbers)


@_function("min", (1, None))
def _min(*values: Any) -> float:
    numbers = [to_number(text) for value in values for text in _strings(value)]
    return math.nan if not numbers or any(map(math.isnan, numbers)) else min(numbers)


@_function("count-non-empty", 1)
def _count_non_empty(values: Any) -> float:
    return float(sum(1 for text in _strings(values) if text != ""))


@_function("abs", 1)
def _abs(value: Any) -> float:
    return abs(to_number(value))


@_function("pow", 2)
def _pow(base: Any, exponent: Any) -> float:
    try:
        return math.pow(to_number(base), to_number(exponent))
    except (OverflowError, ValueError):
        return math.nan


@_function("substr", (2, 3))
def _substr(text: Any, start: Any, end: Any = None) -> str:
    string = to_string(text)
    first = max(0, int(to_number(start)))
    last = len(string) if end is None else min(len(string), int(to_number(end)))
    return string[first:last]


@_function("ends-with", 2)
def _ends_with(text: Any, suffix: Any) -> bool:
    return to_string(text).endswith(to_string(suffix))


@_function("boolean", 1)
def _boolean(value: Any) -> bool:
    return to_boolean(value)


@_function("not", 1)
def _not(value: Any) -> bool:
    return not to_boolean(value)


@_function("boolean-from-string", 1)
def _boolean_from_string(value: Any) -> bool:
    return to_string(value).strip() in ("true", "1")


OdkParser.build()


# --- compiling and evaluating -------------------------------------------------------------


_VARIES = object()  # the value of an expression that depends on the instance


class Expression:
    """A parsed expression, evaluated against any number of instances."""

    __slots__ = ("constant", "context_free", "source", "token")

    def __init__(self, source: str, token: XPathToken, constant: Any = _VARIES) -> None:
        self.source = source
        self.token = token
        self.constant = constant  # ``true()`` needs no tree
        # The same value wherever it is evaluated in one document (``/form/consent = 'yes'``,
        # the ``relevant`` of most fields): evaluated once per document (Document.memo).
        self.context_free = constant is _VARIES and _context_free(token)

    def evaluate(self, document: Document, element: etree._Element) -> Any:
        """The value with ``element`` as the context node; :class:`ExpressionError` if none."""
        if self.constant is not _VARIES:
            return self.constant
        if self.context_free and self.source in document.memo:
            return document.memo[self.source]
        context = copy(document.context)
        node = document.node(element)
        context.item = node
        context.current = node
        try:
            value = self.token.evaluate(context)
        except Exception as exc:  # any failure means "not checked", never a verdict
            raise ExpressionError(_reason(exc)) from None
        if self.context_free:
            document.memo[self.source] = value
        return value

    def is_true(self, document: Document, element: etree._Element) -> bool:
        """The expression's boolean value (XPath ``boolean()``)."""
        return to_boolean(self.evaluate(document, element))


#: Leaves whose value does not depend on the context node (``today()`` and ``now()`` are the
#: document's moment). Any other leaf (``.``, a name, ``position()``, ``string-length()``
#: without its argument, a variable…) makes an expression depend on where it is evaluated.
_FREE_LEAVES = frozenset({"(string)", "(integer)", "(decimal)", "(float)", "today", "now",
                          "true", "false"})  # fmt: skip
_PATH_STEPS = frozenset({"/", "//", "["})


def _context_free(token: XPathToken) -> bool:
    """Whether ``token`` has one value per document, whatever the context node (sound, not
    complete: when unsure, no)."""
    if _absolute(token):
        return not _mentions(token, "current")
    if len(token) == 0:
        return token.symbol in _FREE_LEAVES
    if token.symbol in _PATH_STEPS:
        return False  # a path or filter from the context node
    return all(_context_free(child) for child in token)


def _absolute(token: XPathToken) -> bool:
    """A location path from the root (``/a/b[c = 1]``: its left-most step is the root)."""
    while token.symbol in _PATH_STEPS and len(token) == 2:
        token = token[0]
    return token.symbol in ("/", "//") and len(token) <= 1


def _mentions(token: XPathToken, symbol: str) -> bool:
    return token.symbol == symbol or any(_mentions(child, symbol) for child in token)


def _reason(exc: Exception) -> str:
    return (str(exc).strip() or type(exc).__name__)[:200]


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Parse ``source`` once; :class:`ExpressionError` if it is not ODK XPath we can evaluate."""
    try:
        token = OdkParser().parse(source)
    except Exception as exc:  # elementpath raises several error classes for unknown syntax
        raise ExpressionError(_reason(exc)) from None
    try:
        constant = token.evaluate(None)
    except MissingContextError:
        return Expression(source, token)
    except Exception as exc:  # a constant that cannot be evaluated, e.g. a bad regex
        raise ExpressionError(_reason(exc)) from None
    return Expression(source, token, constant)


class Document:
    """An instance tree, ready for expressions: built once per submission."""

    __slots__ = ("_root", "context", "memo")

    def __init__(self, root: etree._Element, today: date, now: datetime) -> None:
        self.memo: dict[str, Any] = {}  # values of context-free expressions, by source
        self.context = OdkContext(root)
        self.context.today = today.isoformat()
        self.context.now = now.isoformat(timespec="milliseconds")
        self._root = self.context.root

    def changed(self) -> None:
        """The tree was changed: values computed so far may differ now."""
        self.memo.clear()

    def node(self, element: etree._Element) -> Any:
        """elementpath's node for an element of the tree."""
        return self._root.get_element_node(element)  # type: ignore[union-attr]
