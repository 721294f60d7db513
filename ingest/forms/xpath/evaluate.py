"""Compiling an expression once and evaluating it against a submission's instance tree.

:func:`compile_expression` parses an expression once per text (cached) with the ODK parser
(:mod:`ingest.forms.xpath.functions`), working out whether it is a constant or has one value
per document. :class:`Document` wraps one submission's instance tree with its moment of
collection, and remembers the values of context-free expressions until the tree changes. Any
failure, in parsing or in evaluating, is an :class:`~ingest.forms.xpath.values.ExpressionError`:
the caller reports it as not checked, never as a verdict.
"""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from elementpath.exceptions import MissingContextError
from elementpath.xpath_tokens import XPathToken
from lxml import etree

from ingest.forms.xpath.functions import OdkContext, OdkParser
from ingest.forms.xpath.values import ExpressionError, to_boolean

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
