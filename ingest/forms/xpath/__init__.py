"""ODK's XPath: XPath 1.0 as JavaRosa evaluates it, on elementpath's XPath 1.0 parser.

Forms carry ``relevant``, ``required`` and ``constraint`` as XPath 1.0 expressions with ODK's
extra functions (``selected``, ``regex``, ``today`` …). elementpath parses them and walks the
instance tree; this package changes what ODK changes:

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

Modules: ``values`` (XPath 1.0's values and conversions, with ODK's dates), ``functions``
(the parser, its operators and ODK's function library), ``evaluate`` (compiling an expression
and evaluating it on a :class:`Document`). Callers use the names below.
"""

from __future__ import annotations

from ingest.forms.xpath.evaluate import Document, Expression, compile_expression
from ingest.forms.xpath.values import (
    ExpressionError,
    compare,
    date_number,
    to_boolean,
    to_number,
    to_string,
)

__all__ = [
    "Document",
    "Expression",
    "ExpressionError",
    "compare",
    "compile_expression",
    "date_number",
    "to_boolean",
    "to_number",
    "to_string",
]
