"""What a published XForm says about its instances, read from the XForm XML itself.

pyxform calls its internal objects subject to change; the XForm is the contract. Specs are
cached by the XForm's md5, since a published version never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ingest import safexml

NS = {"h": "http://www.w3.org/1999/xhtml", "xf": "http://www.w3.org/2002/xforms"}


@dataclass(frozen=True, slots=True)
class FormSpec:
    """The parts of a form that intake needs: where files and repeats are."""

    root_name: str
    binary_paths: frozenset[str]
    repeat_paths: frozenset[str]


def _relative(nodeset: str, root_name: str) -> str:
    return nodeset.removeprefix(f"/{root_name}/").strip("/")


@lru_cache(maxsize=256)
def _spec(md5: str, xml: str) -> FormSpec:
    root = safexml.parse(xml.encode("utf-8"))
    instance = root.find("h:head/xf:model/xf:instance", NS)
    assert instance is not None and len(instance)
    root_name = safexml.local_name(instance[0])
    binaries = {
        _relative(b.get("nodeset", ""), root_name)
        for b in root.iterfind(".//xf:bind[@type='binary']", NS)
    }
    repeats = {
        _relative(r.get("nodeset", ""), root_name) for r in root.iterfind(".//xf:repeat", NS)
    }
    return FormSpec(root_name, frozenset(binaries), frozenset(repeats))


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
