"""XPath 1.0's values as JavaRosa reads them: strings, numbers, booleans and ODK's dates.

Conversions (``string()``, ``number()``, ``boolean()``), comparisons and arithmetic follow XPath
1.0, with ODK's changes: a string that is a date or a date-time is a number of days since
1970-01-01 (how ``. <= today()`` works on a date answer), and a single node is true when its
value is non-empty, not merely when it exists. Also :class:`ExpressionError`, which every part
of the evaluator raises for what it cannot evaluate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from elementpath.xpath_nodes import XPathNode

_EPOCH = date(1970, 1, 1)
_NUMBER = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?")


class ExpressionError(Exception):
    """An expression this evaluator cannot parse or evaluate."""


def first_node(value: Any) -> Any:
    """A node-set's first node (``""`` when empty); any other value as it is."""
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def to_string(value: Any) -> str:
    """XPath ``string()``."""
    value = first_node(value)
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
        if DATE.fullmatch(text):
            return float((date.fromisoformat(text) - _EPOCH).days)
        if DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return (moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1)
    except ValueError:
        return None
    return None


def to_number(value: Any) -> float:
    """XPath ``number()``, with ODK's reading of dates as days since the epoch."""
    value = first_node(value)
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


def strings(value: Any) -> list[str]:
    """The string value of each node of a node-set, or of a single value."""
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
        return any(_compare_atoms(symbol, a, b) for a in strings(left) for b in strings(right))
    if isinstance(left, list) or isinstance(right, list):
        nodes, other, flipped = (
            (left, right, False) if isinstance(left, list) else (right, left, True)
        )
        if isinstance(other, bool):
            a, b = to_boolean(nodes), other
            return _compare_atoms(symbol, b, a) if flipped else _compare_atoms(symbol, a, b)
        return any(
            _compare_atoms(symbol, other, text) if flipped else _compare_atoms(symbol, text, other)
            for text in strings(nodes)
        )
    return _compare_atoms(symbol, first_node(left), first_node(right))


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


def arithmetic(symbol: str, left: float, right: float) -> float:
    """``+ - * div mod`` on numbers, as XPath 1.0 (division by zero is ±Infinity or NaN)."""
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
