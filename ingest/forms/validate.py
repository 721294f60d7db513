"""Validating a submission against its form version, as ODK's engine would have.

:func:`validate` is pure: it takes the form's spec, the answers as
``ingest.submissions.parse`` reads them and a :class:`Context` (the moment of collection, the
choice lists of the form's media), and returns every problem as an :class:`Issue`.
``relevant``, ``required`` and ``constraint`` are evaluated for real (``ingest.forms.xpath``) on
the instance tree built from the answers (``ingest.forms.instance``); answers' types are
checked by ``ingest.forms.valuetypes``. This module walks the tree and reports the issues;
their codes and wording are the catalogue's (:class:`ingest.catalogue.IssueCode`).

Codes (stable; ``blocking`` ones flag the submission for review):

- ``field.unknown`` (blocking): a value for a path the form does not have (``meta/*``,
  ``formhub/*``, ``__version__`` and ``_``-prefixed keys are ignored);
- ``value.type`` (blocking): a value that is not of its field's type (int, decimal, date,
  dateTime with offset, time, geopoint/geotrace/geoshape, boolean) or not a single value;
- ``choice.unknown`` (blocking): a select answer (each item of a select_multiple) not among
  the field's choices, inline or from the form's media file;
- ``value.required`` (blocking): a relevant field whose ``required`` is true, left empty;
- ``value.constraint`` (blocking): a relevant, non-empty answer whose ``constraint`` is
  false (ODK skips constraints on empty answers); the message is the form's own if it has one;
- ``value.not_relevant`` (informational): an answer to a question that is not relevant; it
  does not count, as ODK's engine drops it, and it is blanked before later expressions run;
- ``expression.not_checked`` (informational): an expression this evaluator cannot handle
  (``instance()``, ``pulldata()``, ``jr:choice-name()`` …): whatever depends on it is not
  checked, never rejected;
- ``choice.not_checked`` (informational): a select whose list is not available (a media file
  not in :attr:`Context.external_choices`, or choices from the form's own answers).

Not checked at all: choice filters (an answer from the whole list passes), repeat counts,
calculated values (taken as submitted, not recomputed). Answers are settled in document order,
so an expression that reads a later question sees that answer even if it turns out not
relevant.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from ingest.catalogue import (
    ANSWER_REQUIRED,
    ATTRIBUTE_NAMES,
    CONSTRAINT_UNMET,
    FORM_LIST,
    LIST_DYNAMIC,
    LIST_UNAVAILABLE,
    NAMED_LIST,
    SINGLE_VALUE,
    TYPE_NAMES,
    IssueCode,
    Texts,
)
from ingest.forms import instance
from ingest.forms.formspec import Field, FormSpec
from ingest.forms.instance import Node, Plan
from ingest.forms.valuetypes import type_ok

if TYPE_CHECKING:
    from ingest.forms import xpath

# ``ingest.forms.xpath`` (and elementpath) load on the first check, not at import: processes that
# only read reports (``vssid report``) start ~70 ms sooner.


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with a submission: a stable code, the answer's path and a message."""

    code: str
    path: str | None
    message_vi: str
    message_en: str
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class Context:
    """What a submission is judged against besides its form.

    ``today`` and ``now`` are the moment of collection (ODK's ``today()`` and ``now()``), so
    that validating again later gives the same result. ``external_choices`` holds the choice
    names of each media file the form selects from, e.g. ``{"units.csv": {...}}``.
    """

    today: date
    now: datetime
    external_choices: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)


# --- messages ----------------------------------------------------------------------------

_LANGUAGE_CODE = re.compile(r"\((\w+)\)\s*$")
_LANGUAGE_NAMES = {"tiếng việt": "vi", "vietnamese": "vi", "english": "en", "tiếng anh": "en"}


def _language(name: str) -> str:
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match.group(1).lower()
    return _LANGUAGE_NAMES.get(name.strip().lower(), name.strip().lower())


def _pick(texts: Mapping[str, str], code: str, spec: FormSpec) -> str | None:
    """The text in language ``code``, else the form's default language, else any."""
    for name, text in texts.items():
        if _language(name) == code:
            return text
    default = spec.default_language
    if default is not None and default in texts:
        return texts[default]
    return next(iter(texts.values()), None)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the checks --------------------------------------------------------------------------

_IGNORED_PREFIXES = ("meta/", "formhub/")


def _ignored(key: str) -> bool:
    return (
        key.startswith("_")
        or key.startswith(_IGNORED_PREFIXES)
        or key in ("meta", "formhub", "__version__")
    )


class _Checker:
    """One submission's checks, in document order."""

    def __init__(
        self, spec: FormSpec, document: xpath.Document, context: Context, issues: list[Issue]
    ) -> None:
        self.spec = spec
        self.document = document
        self.context = context
        self.issues = issues
        self.relevance: dict[etree._Element, bool | None] = {}
        self.not_checked: set[tuple[str, str]] = set()

    def label(self, field: Field, code: str) -> str:
        return f"“{_short(_pick(field.labels, code, self.spec) or field.path, 60)}”"

    def own(self, texts: Mapping[str, str], default: Texts) -> Texts:
        """The form's own message in each language (``texts``), else ``default``'s."""
        return Texts(
            _pick(texts, "vi", self.spec) or default.vi,
            _pick(texts, "en", self.spec) or default.en,
        )

    def issue(self, code: IssueCode, node: Node, **params: object) -> None:
        """Record ``code`` for ``node``, its message after the question's label."""
        field = node.field
        message = code.message(**params)
        self.issues.append(
            Issue(
                code.code,
                node.path,
                f"{self.label(field, 'vi')}: {message.vi}",
                f"{self.label(field, 'en')}: {message.en}",
                code.blocking,
            )
        )

    def evaluate(self, node: Node, attribute: str) -> bool | None:
        """The field's ``attribute`` expression on this node; None if it cannot be evaluated."""
        from ingest.forms import xpath

        source = getattr(node.field, attribute)
        try:
            return xpath.compile_expression(source).is_true(self.document, node.element)
        except xpath.ExpressionError as exc:
            key = (node.field.path, attribute)
            if key not in self.not_checked:
                self.not_checked.add(key)
                self.issue(
                    IssueCode.EXPRESSION_NOT_CHECKED,
                    node,
                    attribute=ATTRIBUTE_NAMES[attribute],
                    expression=_short(source),
                    error=str(exc),
                )
            return None

    def visit(self, node: Node) -> None:
        field, element = node.field, node.element
        parent = element.getparent()
        inherited = self.relevance.get(parent, True) if parent is not None else True
        relevant: bool | None = inherited
        if inherited is not False and field.relevant and field.kind != "note":
            own = self.evaluate(node, "relevant")
            relevant = False if own is False else (None if own is None else inherited)
        self.relevance[element] = relevant
        if not field.is_value:
            return
        text = (element.text or "").strip()
        if relevant is False:
            if text or isinstance(node.raw, list | dict):
                self.not_relevant(node, text)
            element.text = None  # ODK's engine drops it: later expressions see it empty
            self.document.changed()
        elif relevant:
            self.check(node, text)

    def not_relevant(self, node: Node, text: str) -> None:
        self.issue(IssueCode.VALUE_NOT_RELEVANT, node, value=_short(text, 40))

    def check(self, node: Node, text: str) -> None:
        field = node.field
        if not text and not isinstance(node.raw, list | dict):
            if field.required and self.evaluate(node, "required"):
                reason = self.own(field.required_messages, ANSWER_REQUIRED)
                self.issue(IssueCode.VALUE_REQUIRED, node, reason=reason)
            return
        if not type_ok(field.xml_type, node.raw, text):
            expected = TYPE_NAMES.get(field.xml_type, SINGLE_VALUE)
            if isinstance(node.raw, list | dict):
                expected = SINGLE_VALUE
            value = _short(text or repr(node.raw), 40)
            self.issue(IssueCode.VALUE_TYPE, node, value=value, type=expected)
            return
        if field.kind.startswith("select"):
            self.check_choices(node, text)
        if field.constraint and self.evaluate(node, "constraint") is False:
            unmet = CONSTRAINT_UNMET.format(condition=_short(field.constraint))
            reason = self.own(field.constraint_messages, unmet)
            self.issue(IssueCode.VALUE_CONSTRAINT, node, value=_short(text, 40), reason=reason)

    def check_choices(self, node: Node, text: str) -> None:
        field = node.field
        answers = text.split() if field.kind == "select_multiple" else [text]
        where = field.choices_file
        if field.choices is not None:
            choices, source = field.choices, None
        elif where is not None and where in self.context.external_choices:
            choices, source = self.context.external_choices[where], where
        else:
            reason = LIST_UNAVAILABLE.format(file=where) if where else LIST_DYNAMIC
            self.issue(IssueCode.CHOICE_NOT_CHECKED, node, value=_short(text, 40), reason=reason)
            return
        for answer in answers:
            if answer not in choices:
                listed = NAMED_LIST.format(file=source) if source else FORM_LIST
                self.issue(IssueCode.CHOICE_UNKNOWN, node, value=_short(answer, 40), choices=listed)


def _unknown(
    spec: FormSpec,
    plan: Plan,
    values: Mapping[str, Any],
    repeat: str | None,
    prefix: str,
    issues: list[Issue],
) -> None:
    for key, value in values.items():
        if _ignored(key):
            continue
        field = spec.fields.get(key)
        shown = f"{prefix}{key.removeprefix(f'{repeat}/')}" if repeat else key
        if field is None or plan.scope.get(key) != repeat:
            code = IssueCode.FIELD_UNKNOWN
            message = code.message(field=key)
            issues.append(Issue(code.code, shown, message.vi, message.en, code.blocking))
        elif field.kind == "repeat" and isinstance(value, list):
            for index, item in enumerate(value, 1):
                if isinstance(item, dict):
                    _unknown(spec, plan, item, key, f"{shown}[{index}]/", issues)


def validate(spec: FormSpec, values: Mapping[str, Any], context: Context) -> list[Issue]:
    """Every problem with the answers ``values`` to the form ``spec``, in document order."""
    plan = instance.plan(spec)
    issues: list[Issue] = []
    _unknown(spec, plan, values, None, "", issues)
    root = etree.Element(spec.root_name)
    nodes = instance.build(plan, values, root)
    from ingest.forms import xpath

    document = xpath.Document(root, context.today, context.now)
    checker = _Checker(spec, document, context, issues)
    for node in nodes:
        checker.visit(node)
    return issues
