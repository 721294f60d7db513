"""What a published XForm says about its instances, read from the XForm XML itself.

pyxform calls its internal objects subject to change; the XForm is the contract. From it we
read every field of the primary instance in document order, with its bind (type, relevant,
required, constraint, calculate, readonly, messages), its control (which gives the kind) and
its choices: inline items, an internal secondary instance, or a file named by the form's
media (``select_one_from_file units.csv``). Specs are cached by the XForm's md5, since a
published version never changes.

Personal data is declared by the form, never listed in code: a field whose bind carries
``vssid:personal="true"`` (XLSForm: the column ``bind::vssid:personal`` set to ``true``, and the
setting ``namespaces`` = ``vssid="urn:vssid:xforms"``) is personal, wherever it sits. What
follows from a declaration is in :attr:`FormSpec.personal_paths`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from ingest.forms import safexml

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "xf": "http://www.w3.org/2002/xforms",
    "jr": "http://openrosa.org/javarosa",
    "odk": "http://www.opendatakit.org/xforms",
}
_JR = "{http://openrosa.org/javarosa}"
#: The namespace of this project's own XForm attributes (``vssid:personal``).
VSSID_NS = "urn:vssid:xforms"
_PERSONAL = f"{{{VSSID_NS}}}personal"
#: How a bind says yes: ``true`` as written in the XLSForm, ``true()`` as XPath.
_TRUE = frozenset({"true", "true()"})
#: A reference relative to the bound node: ``../name``, ``../../group/name``.
_RELATIVE = re.compile(r"(?<![\w.)\]])((?:\.\./)+)([\w\-]+(?:/[\w.\-]+)*)")
_ITEXT = re.compile(r"""^\s*jr:itext\(\s*['"]([^'"]+)['"]\s*\)\s*$""")
_ITEMSET = re.compile(r"""^\s*instance\(\s*['"]([^'"]+)['"]\s*\)((?:/[\w.\-]+)+)\s*(\[.*\])?\s*$""")
_CONTROLS = {
    "input": "input",
    "select1": "select_one",
    "select": "select_multiple",
    "rank": "select_multiple",
    "upload": "upload",
    "trigger": "input",
    "range": "input",
}

#: A text per language; the key is the form's language name, ``""`` when it has no itext.
Texts = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Field:
    """One node of the primary instance: a question, a hidden value, a group or a repeat.

    ``kind`` is one of ``input``, ``select_one``, ``select_multiple``, ``upload``,
    ``calculate`` (a value with no control), ``note``, ``group``, ``repeat`` and ``meta``
    (``meta/*`` and preloads such as ``start``, ``deviceid``). Expressions are the bind's own;
    :meth:`FormSpec.relevance` adds the enclosing groups' and repeats'. ``personal`` is the
    bind's own declaration (``vssid:personal``); :attr:`FormSpec.personal_paths` adds what
    it covers (a group's fields, values calculated from personal ones).
    """

    path: str
    kind: str
    xml_type: str = "string"
    required: str | None = None
    relevant: str | None = None
    constraint: str | None = None
    calculate: str | None = None
    readonly: str | None = None
    choices: frozenset[str] | None = None
    choices_file: str | None = None
    ancestors: tuple[str, ...] = ()
    personal: bool = False
    labels: Texts = dataclasses.field(default_factory=dict, compare=False, hash=False)
    constraint_messages: Texts = dataclasses.field(default_factory=dict, compare=False, hash=False)
    required_messages: Texts = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @property
    def repeat(self) -> str | None:
        """The innermost repeat this field is in (or is), if any."""
        if self.kind == "repeat":
            return self.path
        return self.ancestors[-1] if self.ancestors else None

    @property
    def is_value(self) -> bool:
        """Whether the field holds an answer (not a group, repeat or note)."""
        return self.kind not in ("group", "repeat", "note")


@dataclass(frozen=True, slots=True)
class FormSpec:
    """A form version's instance: its fields and where files and repeats are.

    ``personal_paths`` are the paths of the fields that hold personal data: every field the
    form declares personal (:attr:`Field.personal`), every field inside a group or repeat
    declared personal, and every calculated value whose expression reads one of these (the
    instance name made of a name and a code is as personal as they are).
    """

    root_name: str
    binary_paths: frozenset[str]
    repeat_paths: frozenset[str]
    form_id: str = ""
    version: str | None = None
    md5: str = ""
    fields: Mapping[str, Field] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    group_paths: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    default_language: str | None = None
    #: Each select's choices in the form's order, with their labels per language (a file's
    #: choices are not known here).
    choice_labels: Mapping[str, Mapping[str, Texts]] = dataclasses.field(
        default_factory=dict, compare=False, hash=False
    )
    personal_paths: frozenset[str] = frozenset()

    def relevance(self, path: str) -> tuple[str, ...]:
        """Every expression that must be true for ``path`` to be relevant, outermost first."""
        field = self.fields[path]
        chain = [self.fields[a].relevant for a in field.ancestors if a in self.fields]
        return tuple(e for e in (*chain, field.relevant) if e)


def _relative(nodeset: str, root_name: str) -> str:
    return nodeset.strip().removeprefix(f"/{root_name}/").strip("/")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _itext(model: etree._Element) -> tuple[dict[str, dict[str, str]], tuple[str, ...], str | None]:
    """Text id -> {language: text}, the languages and the default language."""
    texts: dict[str, dict[str, str]] = {}
    languages: list[str] = []
    default = None
    for translation in model.iterfind("xf:itext/xf:translation", NS):
        lang = translation.get("lang", "")
        languages.append(lang)
        if translation.get("default") is not None:
            default = lang
        for text in translation.iterfind("xf:text", NS):
            for value in text.iterfind("xf:value", NS):
                if value.get("form") is None:
                    texts.setdefault(text.get("id", ""), {})[lang] = _flat(value)
    return texts, tuple(languages), default


def _flat(element: etree._Element) -> str:
    """An element's text with ``<output value="…"/>`` shown as its expression."""
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) == "output":
            parts.append("${" + (child.get("value") or "").strip().rsplit("/", 1)[-1] + "}")
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _texts(reference: str | None, itext: dict[str, dict[str, str]]) -> dict[str, str]:
    if not reference:
        return {}
    match = _ITEXT.match(reference)
    if match:
        return dict(itext.get(match.group(1), {}))
    return {"": reference}


def _label(control: etree._Element, itext: dict[str, dict[str, str]]) -> dict[str, str]:
    label = control.find("xf:label", NS)
    if label is None:
        return {}
    if label.get("ref"):
        return _texts(label.get("ref"), itext)
    text = _flat(label)
    return {"": text} if text else {}


def _instance_nodes(
    element: etree._Element, prefix: str = ""
) -> Iterator[tuple[str, etree._Element]]:
    """(path, element) for every node under ``element``, in document order, once per path."""
    seen: set[str] = set()
    for child in element:
        name = _local(child.tag)
        if not name or f"{prefix}{name}" in seen:
            continue
        path = f"{prefix}{name}"
        seen.add(path)
        yield path, child
        yield from _instance_nodes(child, f"{path}/")


def _choices(
    control: etree._Element, secondary: dict[str, etree._Element]
) -> tuple[frozenset[str] | None, str | None]:
    """A select's inline choices, or the media file its choices come from."""
    items = control.findall("xf:item", NS)
    if items:
        return frozenset((i.findtext("xf:value", "", NS) or "").strip() for i in items), None
    itemset = control.find("xf:itemset", NS)
    match = _ITEMSET.match(itemset.get("nodeset", "")) if itemset is not None else None
    if itemset is None or match is None or match.group(1) not in secondary:
        return None, None  # choices from the form's own data: not a fixed list
    instance = secondary[match.group(1)]
    src = instance.get("src")
    if src:
        return None, src.rsplit("/", 1)[-1]
    value = itemset.find("xf:value", NS)
    ref = value.get("ref", "name") if value is not None else "name"
    steps = match.group(2).strip("/").split("/")
    nodes = [instance]
    for step in steps:
        nodes = [c for n in nodes for c in n if _local(c.tag) == step]
    # A choice_filter narrows this list per answer; the list itself is the outer bound.
    return frozenset(_child_text(n, ref) for n in nodes), None


def _choice_labels(
    control: etree._Element, secondary: dict[str, etree._Element], itext: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """A select's choices in order, with their labels: inline items, or an internal
    secondary instance whose items name their label's text (pyxform's ``itextId``)."""
    items = control.findall("xf:item", NS)
    if items:
        return {(i.findtext("xf:value", "", NS) or "").strip(): _label(i, itext) for i in items}
    itemset = control.find("xf:itemset", NS)
    match = _ITEMSET.match(itemset.get("nodeset", "")) if itemset is not None else None
    if itemset is None or match is None or match.group(1) not in secondary:
        return {}
    instance = secondary[match.group(1)]
    if instance.get("src"):
        return {}
    value = itemset.find("xf:value", NS)
    ref = value.get("ref", "name") if value is not None else "name"
    label = itemset.find("xf:label", NS)
    label_ref = (label.get("ref") or "label") if label is not None else "label"
    text_id = re.match(r"""^\s*jr:itext\(\s*(\w+)\s*\)\s*$""", label_ref)
    nodes = [instance]
    for step in match.group(2).strip("/").split("/"):
        nodes = [c for n in nodes for c in n if _local(c.tag) == step]
    out: dict[str, dict[str, str]] = {}
    for node in nodes:
        name = _child_text(node, ref)
        if text_id:
            out[name] = dict(itext.get(_child_text(node, text_id.group(1)), {}))
        else:
            text = _child_text(node, label_ref)
            out[name] = {"": text} if text else {}
    return out


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _declared_personal(bind: Mapping[str, str]) -> bool:
    return (bind.get(_PERSONAL) or "").strip().lower() in _TRUE


def _references(expression: str, path: str, root_name: str) -> set[str]:
    """The instance paths ``expression`` (on the bind of ``path``) reads: absolute ones
    (``/data/group/field``) and those relative to the field (``../field``: pyxform's
    references inside a repeat)."""
    absolute = re.compile(rf"(?<![\w.)\]])/{re.escape(root_name)}((?:/[\w.\-]+)+)")
    found = {m.group(1).strip("/") for m in absolute.finditer(expression)}
    parts = path.split("/")
    for match in _RELATIVE.finditer(expression):
        up = match.group(1).count("..")
        if up <= len(parts):
            found.add("/".join([*parts[: len(parts) - up], *match.group(2).split("/")]))
    return found


def _personal_paths(fields: Mapping[str, Field], root_name: str) -> frozenset[str]:
    """The fields declared personal, those inside a group declared personal, and the
    calculated values that read any of them (to a fixed point: a copy of a copy)."""
    personal = {
        path
        for path, field in fields.items()
        if field.personal or any(fields[a].personal for a in field.ancestors if a in fields)
    }
    calculated = {
        path: _references(field.calculate, path, root_name)
        for path, field in fields.items()
        if field.calculate and path not in personal
    }
    changed = True
    while changed:
        changed = False
        for path, reads in calculated.items():
            if path not in personal and reads & personal:
                personal.add(path)
                changed = True
    return frozenset(personal)


def _kind(path: str, bind: Mapping[str, str], control: etree._Element | None) -> str:
    if path.startswith("meta/") or bind.get(f"{_JR}preload"):
        return "meta"
    if control is None:
        return "calculate"
    kind = _CONTROLS.get(_local(control.tag), "input")
    if (
        kind == "input"
        and _local(control.tag) == "input"
        and (bind.get("readonly") or "").strip() == "true()"
        and not bind.get("calculate")
    ):
        return "note"
    return kind


def _parse(md5: str, xml: str) -> FormSpec:
    root = safexml.parse(xml.encode("utf-8"))
    model = root.find("h:head/xf:model", NS)
    assert model is not None
    instances = model.findall("xf:instance", NS)
    assert instances and len(instances[0])
    primary = instances[0][0]
    root_name = _local(primary.tag)
    secondary = {i.get("id", ""): i for i in instances[1:] if i.get("id")}
    itext, languages, default = _itext(model)

    binds = {
        _relative(b.get("nodeset", ""), root_name): dict(b.attrib)
        for b in model.iterfind("xf:bind", NS)
    }
    repeats = {
        _relative(r.get("nodeset", ""), root_name) for r in root.iterfind(".//xf:repeat", NS)
    }
    controls: dict[str, etree._Element] = {}
    for element in root.iterfind("h:body//*[@ref]", NS):
        ref = element.get("ref", "")
        if _local(element.tag) in (*_CONTROLS, "group") and ref.startswith(f"/{root_name}/"):
            controls.setdefault(_relative(ref, root_name), element)

    fields: dict[str, Field] = {}
    choice_labels: dict[str, dict[str, dict[str, str]]] = {}
    groups: set[str] = set()
    for path, element in _instance_nodes(primary):
        bind = binds.get(path, {})
        parts = path.split("/")
        ancestors = tuple("/".join(parts[:i]) for i in range(1, len(parts)))
        control = controls.get(path)
        has_children = any(_local(c.tag) for c in element)
        if path in repeats:
            kind = "repeat"
        elif has_children:
            kind = "group"
            groups.add(path)
        else:
            kind = _kind(path, bind, control)
        choices, choices_file = (
            _choices(control, secondary)
            if control is not None and kind.startswith("select")
            else (None, None)
        )
        if control is not None and kind.startswith("select"):
            choice_labels[path] = _choice_labels(control, secondary, itext)
        fields[path] = Field(
            path=path,
            kind=kind,
            xml_type=bind.get("type", "string").rsplit(":", 1)[-1],
            required=bind.get("required"),
            relevant=bind.get("relevant"),
            constraint=bind.get("constraint"),
            calculate=bind.get("calculate"),
            readonly=bind.get("readonly"),
            choices=choices,
            choices_file=choices_file,
            ancestors=ancestors,
            personal=_declared_personal(bind),
            labels=_label(control, itext) if control is not None else {},
            constraint_messages=_texts(bind.get(f"{_JR}constraintMsg"), itext),
            required_messages=_texts(bind.get(f"{_JR}requiredMsg"), itext),
        )
    binaries = {path for path, bind in binds.items() if bind.get("type") == "binary"}
    return FormSpec(
        root_name=root_name,
        binary_paths=frozenset(binaries),
        repeat_paths=frozenset(repeats),
        form_id=primary.get("id") or root_name,
        version=primary.get("version"),
        md5=md5,
        fields=fields,
        group_paths=frozenset(groups),
        languages=languages,
        default_language=default,
        choice_labels=choice_labels,
        personal_paths=_personal_paths(fields, root_name),
    )


@lru_cache(maxsize=256)
def _spec(md5: str, xml: str) -> FormSpec:
    return _parse(md5, xml)


def spec_for(md5: str, xml: str) -> FormSpec:
    """The spec of the XForm ``xml`` whose hash is ``md5``."""
    return _spec(md5, xml)


def attachment_names(spec: FormSpec, values: dict[str, object]) -> set[str]:
    """The file names an instance's binary fields name (in repeats too)."""
    names: set[str] = set()

    def visit(mapping: dict[str, object]) -> None:
        for path, value in mapping.items():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        visit(item)
            elif path in spec.binary_paths and isinstance(value, str) and value.strip():
                names.add(value.strip())

    visit(values)
    return names
