"""The units registry: importing unit lists and generating the ``units.csv`` form media.

Importing adds and updates, never deletes: a unit missing from a file stays, because its
records and reports still point at it. A blank headcount cell leaves the stored value as it is.
A refused row is reported with its reason from the catalogue (``ingest.catalogue.RejectCode``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.catalogue import RejectCode
from ingest.collation import text_key
from ingest.models import UNIT_KINDS, Unit
from ingest.registry.tabular import Row

HEADCOUNT_COLUMNS = ("headcount_cong_chuc", "headcount_vien_chuc", "headcount_nguoi_lao_dong")
COLUMNS = ("code", "name_vi", "name_en", "kind", "parent", *HEADCOUNT_COLUMNS)

#: Accepted headers (normalised) -> canonical column. English names and Vietnamese headers.
ALIASES: dict[str, str] = {
    **{c.replace("_", " "): c for c in COLUMNS},
    "mã": "code",
    "mã đơn vị": "code",
    "tên": "name_vi",
    "tên đơn vị": "name_vi",
    "tên tiếng việt": "name_vi",
    "tên tiếng anh": "name_en",
    "loại": "kind",
    "loại đơn vị": "kind",
    "đơn vị cấp trên": "parent",
    "mã đơn vị cấp trên": "parent",
    "số công chức": "headcount_cong_chuc",
    "số viên chức": "headcount_vien_chuc",
    "số người lao động": "headcount_nguoi_lao_dong",
}

#: Vietnamese names of the kinds, accepted in files as well as the codes.
KIND_ALIASES = {
    "phường": "ward",
    "phòng ban": "department",
    "phòng, ban": "department",
    "đơn vị sự nghiệp": "public_service",
    "đảng, đoàn thể": "party_mass_org",
    "đảng đoàn thể": "party_mass_org",
}
KIND_ORDER = {"department": 0, "public_service": 1, "party_mass_org": 2, "ward": 3}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(slots=True)
class ImportReport:
    """What an import did: codes added, updated and unchanged, and rows rejected with why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )


def _headcount(text: str) -> int | None:
    if text == "":
        return None
    value = int(text)  # ValueError is reported as a rejection by the caller
    if value < 0:
        raise ValueError(text)
    return value


def _parse(row: Row) -> tuple[dict[str, object], str | None]:
    """The unit's fields from one row, or a reason to reject it."""
    c = row.cells
    code = c.get("code", "")
    if not code:
        return {}, RejectCode.UNIT_CODE_EMPTY.reason()
    if not CODE_PATTERN.match(code):
        return {}, RejectCode.UNIT_CODE_INVALID.reason(code=code)
    if not c.get("name_vi"):
        return {}, RejectCode.UNIT_NAME_EMPTY.reason()
    kind = c.get("kind", "").lower()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in UNIT_KINDS:
        kinds = ", ".join(UNIT_KINDS)
        return {}, RejectCode.UNIT_KIND_INVALID.reason(kind=c.get("kind", ""), kinds=kinds)
    values: dict[str, object] = {"code": code, "name_vi": c["name_vi"], "kind": kind}
    # A column the file does not have leaves the stored value as it is.
    if "name_en" in c:
        values["name_en"] = c["name_en"]
    if "parent" in c:
        values["parent_code"] = c["parent"] or None
    for column in HEADCOUNT_COLUMNS:
        try:
            count = _headcount(c.get(column, ""))
        except ValueError:
            return {}, RejectCode.UNIT_HEADCOUNT_INVALID.reason(column=column, value=c[column])
        if count is not None:
            values[column] = count
    if values.get("parent_code") == code:
        return {}, RejectCode.UNIT_OWN_PARENT.reason()
    return values, None


def import_units(session: Session, rows: Iterable[Row]) -> ImportReport:
    """Add or update units from ``rows``; the caller commits.

    Parents may appear later in the file than their children, so units are written first
    and parents checked against the file and the registry together.
    """
    report = ImportReport()
    parsed: dict[str, tuple[int, dict[str, object]]] = {}
    for row in rows:
        values, reason = _parse(row)
        if reason:
            report.rejected.append((row.number, reason))
        elif values["code"] in parsed:
            first = parsed[str(values["code"])][0]
            reason = RejectCode.UNIT_DUPLICATE.reason(code=values["code"], row=first)
            report.rejected.append((row.number, reason))
        else:
            parsed[str(values["code"])] = (row.number, values)

    existing = {u.code: u for u in session.scalars(select(Unit))}
    _reject_bad_parents(parsed, existing, report)

    # Write in two passes so that a parent defined later in the file exists first.
    for code, (_number, values) in parsed.items():
        unit = existing.get(code)
        fields = {k: v for k, v in values.items() if k != "parent_code"}
        if unit is None:
            session.add(Unit(**fields))
            report.added.append(code)
        else:
            changed = any(getattr(unit, k) != v for k, v in values.items())
            for key, value in fields.items():
                setattr(unit, key, value)
            (report.updated if changed else report.unchanged).append(code)
    session.flush()
    units = {u.code: u for u in session.scalars(select(Unit))}
    for code, (_number, values) in parsed.items():
        if "parent_code" in values:
            units[code].parent_code = values["parent_code"]  # type: ignore[assignment]
    session.flush()
    return report


def _reject_bad_parents(
    parsed: dict[str, tuple[int, dict[str, object]]],
    existing: dict[str, Unit],
    report: ImportReport,
) -> None:
    """Drop rows whose parent is unknown or that would close a cycle in the unit tree.

    Repeated until nothing changes: a dropped row can leave its children without a parent.
    """

    def parent_of(code: str) -> str | None:
        if code in parsed and "parent_code" in parsed[code][1]:
            return parsed[code][1]["parent_code"]  # type: ignore[return-value]
        unit = existing.get(code)
        return unit.parent_code if unit is not None else None

    def reason(code: str) -> str | None:
        parent = parent_of(code)
        if parent is not None and parent not in parsed and parent not in existing:
            return RejectCode.UNIT_PARENT_UNKNOWN.reason(parent=parent)
        seen = {code}
        while parent is not None and parent not in seen:
            seen.add(parent)
            parent = parent_of(parent)
        if parent is not None:
            return RejectCode.UNIT_PARENT_CYCLE.reason(code=code)
        return None

    changed = True
    while changed:
        changed = False
        for code in list(parsed):
            why = reason(code)
            if why is not None:
                report.rejected.append((parsed[code][0], why))
                del parsed[code]
                changed = True
                break


def get_unit(session: Session, code: str) -> Unit | None:
    """The unit ``code``, or None. A code with a control character is nobody's code, and is
    not sent to the database (PostgreSQL refuses a NUL in text outright)."""
    if not code.isprintable():
        return None
    return session.get(Unit, code)


def ordered_units(session: Session) -> list[Unit]:
    """All units in the order people look for them: by kind, then by name in Vietnamese
    alphabetical order (``ingest.collation``: Phường 2 < 10, Đ after D)."""
    units = session.scalars(select(Unit)).all()
    return sorted(units, key=lambda u: (KIND_ORDER[u.kind], text_key(u.name_vi), u.code))


def units_csv(session: Session) -> bytes:
    """The ``units.csv`` form media: ``name,label,kind,parent``, UTF-8.

    pyxform's ``select_one_from_file`` reads ``name`` and ``label``; the other columns are
    there for ``choice_filter`` expressions (by kind, by parent). A CSV label cannot be
    translated, so the label is the Vietnamese name.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label", "kind", "parent"])
    for unit in ordered_units(session):
        writer.writerow([unit.code, unit.name_vi, unit.kind, unit.parent_code or ""])
    return out.getvalue().encode("utf-8")


def subtree(session: Session, code: str) -> set[str]:
    """``code`` and every unit under it (children, their children…)."""
    children: dict[str | None, list[str]] = {}
    for unit_code, parent in session.execute(select(Unit.code, Unit.parent_code)):
        children.setdefault(parent, []).append(unit_code)
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found
