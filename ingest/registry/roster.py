"""Rosters: who works in each unit, the denominators of coverage.

A roster file (CSV or XLSX, as BHXH exports staff lists: BHXH code, full name, date of birth,
category, unit code; Vietnamese headers accepted) replaces, as of a date, the roster of each
unit it names. Entries are closed rather than deleted, so the roster in force on any earlier
date stays known and an as-of report uses it. A person found in a file under a new unit is
moved: their entry in the old unit is closed on the same date. A refused row is reported with
its reason from the catalogue (``ingest.catalogue.RejectCode``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ingest import campaign
from ingest.catalogue import RejectCode
from ingest.models import RosterEntry, RosterImport, Unit
from ingest.registry.tabular import Row

COLUMNS = ("bhxh_code", "full_name", "birth_date", "category", "unit_code")
ALIASES: dict[str, str] = {
    **{c.replace("_", " "): c for c in COLUMNS},
    "mã số bhxh": "bhxh_code",
    "mã bhxh": "bhxh_code",
    "mã số bảo hiểm xã hội": "bhxh_code",
    "số sổ bhxh": "bhxh_code",
    "họ và tên": "full_name",
    "họ tên": "full_name",
    "ngày sinh": "birth_date",
    "ngày tháng năm sinh": "birth_date",
    "đối tượng": "category",
    "loại cán bộ": "category",
    "phân loại": "category",
    "mã đơn vị": "unit_code",
    "đơn vị": "unit_code",
    "unit": "unit_code",
}
REQUIRED = ("bhxh_code", "full_name", "category", "unit_code")
CATEGORY_ALIASES = {
    "công chức": "cong_chuc",
    "cc": "cong_chuc",
    "viên chức": "vien_chuc",
    "vc": "vien_chuc",
    "người lao động": "nguoi_lao_dong",
    "nld": "nguoi_lao_dong",
    "lao động hợp đồng": "nguoi_lao_dong",
}
CODE = re.compile(r"^[0-9]{10}$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(slots=True)
class RosterReport:
    """What a roster import did, in BHXH codes, and the rows it refused with why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # code, from, to
    removed: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.units)} units: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.moved)} moved, "
            f"{len(self.removed)} removed, {len(self.rejected)} rejected"
        )


@dataclass(frozen=True, slots=True)
class _Person:
    number: int
    bhxh_code: str
    full_name: str
    birth_date: date | None
    category: str
    unit_code: str


def parse_date(text: str) -> date | None:
    """A date written as ISO, dd/mm/yyyy, dd-mm-yyyy or dd.mm.yyyy; None if it is none."""
    text = text.strip()[:10] if "T" in text else text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _parse(row: Row, units: set[str]) -> tuple[_Person | None, str | None]:
    c = row.cells
    code = c.get("bhxh_code", "").replace(" ", "")
    if not CODE.match(code):
        return None, RejectCode.ROSTER_CODE_INVALID.reason(code=code)
    name = " ".join(c.get("full_name", "").split())
    if not name:
        return None, RejectCode.ROSTER_NAME_EMPTY.reason()
    raw_category = c.get("category", "").strip().lower()
    category = CATEGORY_ALIASES.get(raw_category, raw_category)
    if category not in campaign.CATEGORIES:
        return None, RejectCode.ROSTER_CATEGORY_INVALID.reason(category=c.get("category", ""))
    unit = c.get("unit_code", "").strip()
    if unit not in units:
        return None, RejectCode.ROSTER_UNIT_UNKNOWN.reason(unit=unit)
    birth = c.get("birth_date", "")
    birth_date = parse_date(birth) if birth else None
    if birth and birth_date is None:
        return None, RejectCode.ROSTER_BIRTH_DATE_UNREADABLE.reason(value=birth)
    return _Person(row.number, code, name, birth_date, category, unit), None


def import_roster(
    session: Session,
    rows: Iterable[Row],
    as_of: date,
    source_name: str,
    imported_by: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterReport:
    """Replace the rosters of the units named in ``rows`` as of ``as_of``; the caller commits."""
    report = RosterReport()
    units = set(session.scalars(select(Unit.code)))
    people: dict[str, _Person] = {}
    for row in rows:
        person, reason = _parse(row, units)
        if progress is not None:
            progress(1)
        if person is None:
            report.rejected.append((row.number, reason or ""))
        elif person.bhxh_code in people:
            first = people[person.bhxh_code].number
            reason = RejectCode.ROSTER_DUPLICATE.reason(code=person.bhxh_code, row=first)
            report.rejected.append((row.number, reason))
        else:
            people[person.bhxh_code] = person
    named = sorted({p.unit_code for p in people.values()})
    open_entries = session.scalars(
        select(RosterEntry).where(
            RosterEntry.valid_to.is_(None),
            (RosterEntry.unit_code.in_(named)) | (RosterEntry.bhxh_code.in_(list(people))),
        )
    ).all()
    late = {e.unit_code for e in open_entries if e.unit_code in named and e.valid_from > as_of}
    if late:
        for person in list(people.values()):
            if person.unit_code in late:
                reason = RejectCode.ROSTER_SUPERSEDED.reason(unit=person.unit_code, as_of=as_of)
                report.rejected.append((person.number, reason))
                del people[person.bhxh_code]
        named = [u for u in named if u not in late]
    report.units = named
    batch = RosterImport(source_name=source_name, as_of=as_of, imported_by=imported_by)
    session.add(batch)
    session.flush()

    current = {(e.unit_code, e.bhxh_code): e for e in open_entries}
    for entry in open_entries:
        person = people.get(entry.bhxh_code)
        in_named_unit = entry.unit_code in named
        if person is not None and person.unit_code == entry.unit_code:
            continue  # compared below
        if person is not None:  # on another unit's open roster: moved
            report.moved.append((entry.bhxh_code, entry.unit_code, person.unit_code))
            _close(session, entry, as_of)
        elif in_named_unit:
            report.removed.append(entry.bhxh_code)
            _close(session, entry, as_of)
    moved = {code for code, _old, _new in report.moved}
    for person in people.values():
        existing = current.get((person.unit_code, person.bhxh_code))
        if existing is not None:
            same = (existing.full_name, existing.birth_date, existing.category) == (
                person.full_name,
                person.birth_date,
                person.category,
            )
            if same:
                report.unchanged.append(person.bhxh_code)
                continue
            _close(session, existing, as_of)
            report.updated.append(person.bhxh_code)
        elif person.bhxh_code not in moved:
            report.added.append(person.bhxh_code)
        session.add(
            RosterEntry(
                import_id=batch.id,
                unit_code=person.unit_code,
                bhxh_code=person.bhxh_code,
                full_name=person.full_name,
                birth_date=person.birth_date,
                category=person.category,
                valid_from=as_of,
            )
        )
    session.flush()
    moved_codes = [code for code, _old, _new in report.moved]
    # What the consumers recompute when they reach this import in the log.
    batch.person_keys = sorted({*report.added, *report.updated, *report.removed, *moved_codes})
    session.flush()
    return report


def _close(session: Session, entry: RosterEntry, as_of: date) -> None:
    """End ``entry`` on ``as_of``; an entry that starts that day never was in force: drop it."""
    if entry.valid_from >= as_of:
        session.delete(entry)
    else:
        entry.valid_to = as_of
    session.flush()


def in_force(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """SQL conditions selecting the roster entries in force on ``as_of``."""
    return (
        RosterEntry.valid_from <= as_of,
        (RosterEntry.valid_to.is_(None)) | (RosterEntry.valid_to > as_of),
    )
