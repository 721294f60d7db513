"""Answers' types: whether an answer is of its field's XForm type.

Checked: int, decimal, date, dateTime (with an offset), time, geopoint, geotrace, geoshape and
boolean, as ODK Collect would have written them; any other type takes any text. A list or an
object (Kobo JSON) is never a single value. Used by ``ingest.forms.validate`` (``value.type``)
and by ``ingest.forms.instance`` (an int or decimal held as ODK's engine holds it).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from typing import Any

#: An int and a decimal as ODK Collect writes them (no exponent, no thousands separator).
INT = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")

#: The XForm types :func:`type_ok` checks (each named in ``ingest.catalogue.TYPE_NAMES``).
CHECKED_TYPES = frozenset(
    {"int", "decimal", "date", "dateTime", "time", "geopoint", "geotrace", "geoshape", "boolean"}
)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _geopoint(text: str) -> bool:
    parts = text.split()
    if not 2 <= len(parts) <= 4 or not all(_is_number(p) for p in parts):
        return False
    numbers = [float(p) for p in parts]
    accuracy_ok = len(numbers) < 4 or numbers[3] >= 0
    return -90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180 and accuracy_ok


def _parses(pattern: re.Pattern[str], text: str, parse: Any) -> bool:
    if not pattern.fullmatch(text):
        return False
    try:
        parse(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def type_ok(xml_type: str, raw: Any, text: str) -> bool:
    """Whether the answer ``raw`` (``text`` as a string) is of the type ``xml_type``: a list or
    an object is never a single value; types not checked here take any text."""
    if isinstance(raw, list | dict):
        return False
    if isinstance(raw, bool):
        return xml_type not in CHECKED_TYPES or xml_type == "boolean"
    if isinstance(raw, int | float) and xml_type in ("int", "decimal"):
        finite = math.isfinite(raw)
        return finite and (xml_type == "decimal" or float(raw).is_integer())
    if xml_type == "int":
        return bool(INT.fullmatch(text))
    if xml_type == "decimal":
        return bool(DECIMAL.fullmatch(text))
    if xml_type == "date":
        return _parses(_DATE, text, date.fromisoformat)
    if xml_type == "dateTime":
        return _parses(_DATETIME, text, datetime.fromisoformat)
    if xml_type == "time":
        return _parses(_TIME, text, time.fromisoformat)
    if xml_type == "geopoint":
        return _geopoint(text)
    if xml_type in ("geotrace", "geoshape"):
        points = [p for p in text.split(";") if p.strip()]
        return bool(points) and all(_geopoint(p) for p in points)
    if xml_type == "boolean":
        return text in ("true", "false", "1", "0")
    return True
