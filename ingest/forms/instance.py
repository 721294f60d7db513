"""The instance tree: a submission's answers as the XML instance ODK's engine evaluates.

A form version's template (its groups, repeats and questions in document order) is built once
per md5 (:func:`plan`); :func:`build` lays one submission's answers on it as an lxml tree,
every form node present (empty when unanswered), a repeat once per item, and an int or decimal
written as ODK's engine holds it. ``ingest.forms.validate`` walks the nodes in document order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ingest.forms.formspec import Field, FormSpec
from ingest.forms.valuetypes import DECIMAL, INT


@dataclass(frozen=True, slots=True)
class _Template:
    name: str
    field: Field
    children: tuple[_Template, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """A form version's tree template, and the repeat (if any) whose items hold each path."""

    template: tuple[_Template, ...]
    scope: Mapping[str, str | None]  # path -> the repeat whose items hold its key


_PLANS: dict[str, Plan] = {}


def plan(spec: FormSpec) -> Plan:
    """The tree template of a form version, built once per md5."""
    found = _PLANS.get(spec.md5) if spec.md5 else None
    if found is None:
        found = Plan(_template(spec, ""), {p: _scope(spec, f) for p, f in spec.fields.items()})
        if spec.md5:
            if len(_PLANS) >= 256:  # form versions are few; a bound keeps a bug from leaking
                _PLANS.clear()
            _PLANS[spec.md5] = found
    return found


def _template(spec: FormSpec, parent: str) -> tuple[_Template, ...]:
    depth = parent.count("/") + 1 if parent else 0
    return tuple(
        _Template(path.rsplit("/", 1)[-1], field, _template(spec, path))
        for path, field in spec.fields.items()
        if len(field.ancestors) == depth and (not parent or field.ancestors[-1] == parent)
    )


def _scope(spec: FormSpec, field: Field) -> str | None:
    repeats = [a for a in field.ancestors if a in spec.repeat_paths]
    return repeats[-1] if repeats else None


@dataclass(slots=True)
class Node:
    """One form node of the tree: its field, its element, the answer as given, its path."""

    field: Field
    element: etree._Element
    raw: Any
    path: str


def _text(value: Any) -> str:
    if value is None or isinstance(value, list | dict):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        from ingest.forms import xpath

        return xpath.to_string(value)
    return str(value)


def _typed(field: Field, text: str) -> str:
    """An int or decimal as ODK's engine holds it (``+12`` and ``012`` are 12)."""
    if field.xml_type == "int" and INT.fullmatch(text.strip()):
        return str(int(text))
    if field.xml_type == "decimal" and DECIMAL.fullmatch(text.strip()):
        return text.strip().removeprefix("+")
    return text


def build(plan: Plan, values: Mapping[str, Any], root: etree._Element) -> list[Node]:
    """The tree of ``values`` under ``root``, and its nodes in document order."""
    nodes: list[Node] = []
    _build(plan.template, values, root, "", nodes)
    return nodes


def _build(
    templates: tuple[_Template, ...],
    values: Mapping[str, Any],
    parent: etree._Element,
    prefix: str,
    nodes: list[Node],
) -> None:
    """Every form node under ``parent``, empty when unanswered; repeats once per item."""
    for template in templates:
        field = template.field
        if field.kind == "repeat":
            items = values.get(field.path)
            for index, item in enumerate(items if isinstance(items, list) else [], 1):
                element = etree.SubElement(parent, template.name)
                path = f"{prefix}{template.name}[{index}]"
                nodes.append(Node(field, element, None, path))
                answers = item if isinstance(item, dict) else {}
                _build(template.children, answers, element, f"{path}/", nodes)
        elif template.children:
            element = etree.SubElement(parent, template.name)
            path = f"{prefix}{template.name}"
            nodes.append(Node(field, element, None, path))
            _build(template.children, values, element, f"{path}/", nodes)
        else:
            element = etree.SubElement(parent, template.name)
            raw = values.get(field.path)
            element.text = _typed(field, _text(raw)) or None
            nodes.append(Node(field, element, raw, f"{prefix}{template.name}"))
