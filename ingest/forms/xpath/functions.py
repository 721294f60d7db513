"""ODK's dialect of XPath 1.0: the parser, its operators and ODK's function library.

:class:`OdkParser` is elementpath's XPath 1.0 parser with the comparison, arithmetic and logic
operators replaced by XPath 1.0's own semantics as JavaRosa applies them
(:mod:`ingest.forms.xpath.values`), and with ODK's functions (``selected``, ``regex``,
``today`` …) registered in place of, or beside, XPath's. ``today()`` and ``now()`` read the
moment of collection from :class:`OdkContext`. A function not registered here
(``instance()``, ``pulldata()``, ``jr:choice-name()`` …) fails to parse or to evaluate, which
the evaluator reports as :class:`~ingest.forms.xpath.values.ExpressionError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from copy import copy
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from elementpath import XPath1Parser, XPathContext
from elementpath.xpath_tokens import XPathToken

from ingest.forms.xpath.values import (
    DATE,
    DATETIME,
    ExpressionError,
    arithmetic,
    compare,
    first_node,
    strings,
    to_boolean,
    to_number,
    to_string,
)


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
    return arithmetic(self.symbol, values[0], values[1])


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
    value = first_node(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        days = float(value)
        if math.isnan(days) or math.isinf(days):
            raise ExpressionError("date() of a number that is not finite")
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)
    text = to_string(value).strip()
    if not text:
        return None
    if DATE.fullmatch(text):
        return date.fromisoformat(text)
    if DATETIME.fullmatch(text):
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
        "".join(strings(part)) if isinstance(part, list) else to_string(part) for part in parts
    )


@_function("join", (1, None))
def _join(separator: Any, *parts: Any) -> str:
    return to_string(separator).join(text for part in parts for text in strings(part))


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
    return math.fsum(to_number(text) for text in strings(values))


@_function("max", (1, None))
def _max(*values: Any) -> float:
    numbers = [to_number(text) for value in values for text in strings(value)]
    return math.nan if not numbers or any(map(math.isnan, numbers)) else max(numbers)


@_function("min", (1, None))
def _min(*values: Any) -> float:
    numbers = [to_number(text) for value in values for text in strings(value)]
    return math.nan if not numbers or any(map(math.isnan, numbers)) else min(numbers)


@_function("count-non-empty", 1)
def _count_non_empty(values: Any) -> float:
    return float(sum(1 for text in strings(values) if text != ""))


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
