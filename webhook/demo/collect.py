"""A form filled in as ODK Collect fills it, from the form's own spec.

The demo decides what a person answers; :class:`CollectForm` decides, as Collect does, what of
it the phone sends. Everything comes from the published XForm's spec
(:mod:`ingest.forms.formspec`): the fields in document order, the choices of each select,
which questions are relevant (and required) for the answers given, and the calculations
(``meta/instanceName``, a unit report's totals). Expressions are evaluated by
:mod:`ingest.forms.xpath` on an instance tree of the answers, settled in document order as
:mod:`ingest.forms.validate` settles them: a question that is not relevant is blanked before
later expressions read it, and left out of the instance document, as Collect leaves it out.

Collect evaluates two things the core's evaluator does not, which only calculations use in
our forms: a lookup in a form's media file (``instance('units')/root/item[name = …]/label``,
answered from the file's rows, which the caller passes in) and ``format-date()``. Both are
expanded here before an expression reaches the evaluator. Anything else it cannot evaluate
raises :class:`ingest.forms.xpath.ExpressionError`: the demo does not guess what a phone
would send. Forms with repeats are not filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from ingest.campaigns import LOCAL_TZ
from ingest.forms import xpath
from ingest.forms.formspec import Field, FormSpec

#: A form's media files as rows (``units.csv``: ``name``, ``label``, ``kind``…), by file name.
Media = Mapping[str, Sequence[Mapping[str, str]]]

_INSTANCE = re.compile(r"""instance\(\s*['"]([\w.-]+)['"]\s*\)""")
_FORMAT_DATE = re.compile(r"""format-date\(\s*([^,()]+?)\s*,\s*(['"])(.*?)\2\s*\)""")
_NAMESPACES = (
    'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" '
    'xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms"'
)


class CollectForm:
    """One published form version, ready to be filled in."""

    def __init__(self, spec: FormSpec, media: Media | None = None) -> None:
        if spec.repeat_paths:
            raise ValueError(f"{spec.form_id}: the demo does not fill forms with repeats")
        self.spec = spec
        # pyxform names the secondary instance of ``select_one_from_file units.csv`` "units".
        self._media = {Path(name).stem: rows for name, rows in (media or {}).items()}
        self._uses_media = any(
            "instance(" in (f.calculate or "") + (f.relevant or "") for f in spec.fields.values()
        )

    @property
    def form_id(self) -> str:
        return self.spec.form_id

    def has(self, name: str) -> bool:
        """Whether the form has a field at ``name``."""
        return name in self.spec.fields

    def field(self, name: str) -> Field:
        """The field at ``name``; :class:`LookupError` naming the form if there is none."""
        try:
            return self.spec.fields[name]
        except KeyError:
            raise LookupError(f"the form {self.form_id} has no field '{name}'") from None

    def choices(self, name: str) -> tuple[str, ...]:
        """The names a select offers, sorted: the form's own list, or its media file's."""
        field = self.field(name)
        if field.choices is not None:
            return tuple(sorted(field.choices))
        rows = self._media.get(Path(field.choices_file or "").stem) if field.choices_file else None
        if rows is None:
            raise LookupError(f"the form {self.form_id} has no fixed choices for '{name}'")
        return tuple(sorted(row["name"] for row in rows))

    def required(self, name: str, answers: Mapping[str, str], moment: datetime) -> bool:
        """Whether the question ``name`` must be answered, given ``answers``."""
        field = self.field(name)
        filling = _Filling(self, answers, moment)
        if field.required is None or filling.settle(until=name)[name] is None:
            return False  # not relevant: never required
        return filling.is_true(field.required, name)

    def fill(self, answers: Mapping[str, str], moment: datetime) -> dict[str, str | None]:
        """What Collect keeps of ``answers`` completed at ``moment``: every field in document
        order, ``None`` where it is not relevant, ``""`` where it was left empty, calculations
        computed. Collect's own metadata (``start``, ``deviceid``, ``meta/instanceID``…) are
        answers like the others."""
        unknown = sorted(set(answers) - set(self.spec.fields))
        if unknown:
            raise LookupError(f"the form {self.form_id} has no field {', '.join(unknown)}")
        return _Filling(self, answers, moment).settle()

    def instance_xml(
        self, answers: Mapping[str, str], moment: datetime, deprecated_id: str | None = None
    ) -> bytes:
        """The instance document as Collect writes it; an edit's ``meta/deprecatedID`` is
        appended to ``meta``, as Collect appends it when an edited record is finalised."""
        values = self.fill(answers, moment)
        extra = {"meta": [("deprecatedID", deprecated_id)]} if deprecated_id else {}
        spec = self.spec
        return (
            f"<?xml version='1.0' ?><{spec.root_name} id={quoteattr(spec.form_id)} "
            f"version={quoteattr(spec.version or '')} {_NAMESPACES}>"
            f"{self._elements('', values, extra)}</{spec.root_name}>"
        ).encode()

    def _elements(
        self,
        parent: str,
        values: Mapping[str, str | None],
        extra: Mapping[str, list[tuple[str, str]]],
    ) -> str:
        parts = []
        for path, field in self.spec.fields.items():
            if (field.ancestors[-1] if field.ancestors else "") != parent or values[path] is None:
                continue
            name = path.rsplit("/", 1)[-1]
            if field.kind == "group":
                inner = self._elements(path, values, extra)
                inner += "".join(f"<{n}>{escape(v)}</{n}>" for n, v in extra.get(path, []))
                parts.append(f"<{name}>{inner}</{name}>")
            elif values[path]:
                parts.append(f"<{name}>{escape(values[path] or '')}</{name}>")
            else:
                parts.append(f"<{name} />")  # as Collect (kXML) writes an unanswered one
        return "".join(parts)


class _Filling:
    """One instance tree being settled: the answers, then relevance and calculations."""

    def __init__(self, form: CollectForm, answers: Mapping[str, str], moment: datetime) -> None:
        self.form = form
        spec = form.spec
        root = etree.Element(spec.root_name)
        self.elements: dict[str, etree._Element] = {}
        for path, field in spec.fields.items():
            parent = self.elements[field.ancestors[-1]] if field.ancestors else root
            element = etree.SubElement(parent, path.rsplit("/", 1)[-1])
            element.text = answers.get(path) or None
            self.elements[path] = element
        if form._uses_media:
            for instance_id, rows in form._media.items():
                holder = etree.SubElement(
                    etree.SubElement(root, f"_instance_{instance_id}"), "root"
                )
                for row in rows:
                    item = etree.SubElement(holder, "item")
                    for column, text in row.items():
                        etree.SubElement(item, column).text = text or None
        local = moment.astimezone(LOCAL_TZ)
        self.document = xpath.Document(root, local.date(), moment)

    def settle(self, until: str | None = None) -> dict[str, str | None]:
        """Each field's value in document order (up to ``until``); None: not relevant."""
        values: dict[str, str | None] = {}
        relevant: dict[str, bool] = {}
        for path, field in self.form.spec.fields.items():
            element = self.elements[path]
            inherited = relevant.get(field.ancestors[-1], True) if field.ancestors else True
            relevant[path] = inherited and (
                not field.relevant or self.is_true(field.relevant, path)
            )
            if not relevant[path]:
                if element.text is not None:
                    element.text = None  # Collect drops it: later expressions see it empty
                    self.document.changed()
                values[path] = None
            elif field.calculate:
                element.text = xpath.to_string(self.evaluate(field.calculate, path)) or None
                self.document.changed()
                values[path] = element.text or ""
            else:
                values[path] = "" if field.kind == "group" else element.text or ""
            if path == until:
                break
        return values

    def is_true(self, source: str, path: str) -> bool:
        return xpath.to_boolean(self.evaluate(source, path))

    def evaluate(self, source: str, path: str) -> object:
        """``source`` at the field ``path``; :class:`xpath.ExpressionError` if it cannot be."""
        element = self.elements[path]
        root = self.form.spec.root_name
        source = _INSTANCE.sub(lambda m: f"/{root}/_instance_{m.group(1)}", source)
        source = _FORMAT_DATE.sub(lambda m: self._format_date(m, path), source)
        return xpath.compile_expression(source).evaluate(self.document, element)

    def _format_date(self, match: re.Match[str], path: str) -> str:
        text = xpath.to_string(self.evaluate(match.group(1), path)).strip()
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return "''"
        return f"'{format_date(day, match.group(3))}'"  # digits and month names: no quote


def format_date(day: date, pattern: str) -> str:
    """ODK's ``format-date()`` for the date parts (``%Y %y %m %n %b %d %e %a``)."""
    parts = {
        "Y": f"{day.year:04d}",
        "y": f"{day.year % 100:02d}",
        "m": f"{day.month:02d}",
        "n": str(day.month),
        "b": day.strftime("%b"),
        "d": f"{day.day:02d}",
        "e": str(day.day),
        "a": day.strftime("%a"),
    }
    return re.sub(r"%(.)", lambda m: parts.get(m.group(1), m.group(0)), pattern)
