"""Rosters: who works in each unit, the denominators of a campaign's coverage.

A roster belongs to a campaign. Its file (CSV or XLSX, as staff lists are exported: the
campaign's identifier, e.g. a BHXH code or a CCCD, full name, date of birth, category, unit
code; Vietnamese headers accepted) replaces, as of a date, that campaign's roster of each unit
it names. The identifier's format is the campaign form's own constraint (evaluated by ODK's
XPath), and the categories are the campaign's. Entries are closed rather than deleted, so the
roster in force on any earlier date stays known and an as-of report uses it; a unit's first
roster in a campaign also stands for every earlier date (rosters come after a campaign starts,
and the trend must not lose the unit). A person found in a file under a new unit is moved:
their entry in the old unit is closed on the same date. A refused row is reported with its
reason from the catalogue (``ingest.catalogue.RejectCode``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from ingest.catalogue import RejectCode
from ingest.models import RosterEntry, RosterImport, Unit
from ingest.registry.tabular import Row, normalise_header

#: The identifier's column is called ``person_key`` here; the file names it as the campaign does.
COLUMNS = ("person_key", "full_name", "birth_date", "category", "unit_code")
#: A unit's first roster in a campaign stands for every date from this one.
EARLIEST = date(1900, 1, 1)
#: Headers people write for identifiers, whatever the campaign calls them.
IDENTIFIER_ALIASES = (
    "mã số bhxh", "mã bhxh", "mã số bảo hiểm xã hội", "số sổ bhxh", "số cccd", "cccd",
    "căn cước công dân", "số căn cước", "số định danh", "số định danh cá nhân",
)  # fmt: skip
ALIASES: dict[str, str] = {
    **{c.replace("_", " "): c for c in COLUMNS},
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
REQUIRED = ("person_key", "full_name", "category", "unit_code")
CATEGORY_ALIASES = {
    "công chức": "cong_chuc",
    "cc": "cong_chuc",
    "viên chức": "vien_chuc",
    "vc": "vien_chuc",
    "người lao động": "nguoi_lao_dong",
    "nld": "nguoi_lao_dong",
    "lao động hợp đồng": "nguoi_lao_dong",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(slots=True)
class RosterReport:
    """What a roster import did, in identifiers, and the rows it refused with why."""

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
    person_key: str
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


def aliases(campaign: Campaign) -> dict[str, str]:
    """The headers a campaign's roster file may use: the identifier's own name and its
    label in the form, common identifier headers, and the other columns'."""
    assert campaign.person is not None
    out = dict(ALIASES)
    out |= {a: "person_key" for a in IDENTIFIER_ALIASES}
    out[normalise_header(campaign.person.identifier)] = "person_key"
    for label in campaign.identifier_label.values():
        out[normalise_header(label)] = "person_key"
    for label in campaign.category_label.values():
        out.setdefault(normalise_header(label), "category")
    return out


class _Rules:
    """What a row is checked against: the campaign's identifier format, its categories
    (keys, labels and the usual abbreviations) and the units registry."""

    def __init__(self, session: Session, campaign: Campaign) -> None:
        from ingest.forms import xpath  # the form's constraint, in ODK's XPath

        self.campaign = campaign
        self.units = set(session.scalars(select(Unit.code)))
        self.categories = {c.key: c.key for c in campaign.categories}
        for category in campaign.categories:
            for label in category.label.values():
                self.categories[label.strip().lower()] = category.key
        for alias, key in CATEGORY_ALIASES.items():
            if key in campaign.category_keys:
                self.categories.setdefault(alias, key)
        self.constraint = campaign.identifier_constraint
        self._xpath = xpath
        labels = campaign.identifier_label
        assert campaign.person is not None
        self.label_vi = labels.get("vi", campaign.person.identifier)
        self.label_en = labels.get("en", campaign.person.identifier)

    def identifier_ok(self, value: str) -> bool:
        """Whether ``value`` meets the form's constraint on the identifier (True when the
        form has none, or one that needs other answers)."""
        if not value:
            return False
        if not self.constraint:
            return True
        from lxml import etree

        xpath = self._xpath
        root = etree.Element("data")
        node = etree.SubElement(root, "value")
        node.text = value
        today = date.today()
        try:
            expression = xpath.compile_expression(self.constraint)
            document = xpath.Document(root, today, datetime.combine(today, datetime.min.time()))
            return bool(expression.is_true(document, node))
        except xpath.ExpressionError:
            return True


def _parse(row: Row, rules: _Rules) -> tuple[_Person | None, str | None]:
    c = row.cells
    code = c.get("person_key", "").replace(" ", "")
    if not rules.identifier_ok(code):
        return None, RejectCode.ROSTER_CODE_INVALID.reason(
            code=code, identifier=rules.label_vi, identifier_en=rules.label_en,
            rule=rules.constraint or "",
        )  # fmt: skip
    name = " ".join(c.get("full_name", "").split())
    if not name:
        return None, RejectCode.ROSTER_NAME_EMPTY.reason()
    raw_category = c.get("category", "").strip().lower()
    category = rules.categories.get(raw_category, raw_category)
    if category not in rules.campaign.category_keys:
        return None, RejectCode.ROSTER_CATEGORY_INVALID.reason(category=c.get("category", ""))
    unit = c.get("unit_code", "").strip()
    if unit not in rules.units:
        return None, RejectCode.ROSTER_UNIT_UNKNOWN.reason(unit=unit)
    birth = c.get("birth_date", "")
    birth_date = parse_date(birth) if birth else None
    if birth and birth_date is None:
        return None, RejectCode.ROSTER_BIRTH_DATE_UNREADABLE.reason(value=birth)
    return _Person(row.number, code, name, birth_date, category, unit), None


def import_roster(
    session: Session,
    campaign: Campaign,
    rows: Iterable[Row],
    as_of: date,
    source_name: str,
    imported_by: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterReport:
    """Replace ``campaign``'s rosters of the units named in ``rows`` as of ``as_of``; the
    caller commits."""
    report = RosterReport()
    rules = _Rules(session, campaign)
    people: dict[str, _Person] = {}
    for row in rows:
        person, reason = _parse(row, rules)
        if progress is not None:
            progress(1)
        if person is None:
            report.rejected.append((row.number, reason or ""))
        elif person.person_key in people:
            first = people[person.person_key].number
            reason = RejectCode.ROSTER_DUPLICATE.reason(code=person.person_key, row=first)
            report.rejected.append((row.number, reason))
        else:
            people[person.person_key] = person
    named = sorted({p.unit_code for p in people.values()})
    mine = RosterEntry.campaign == campaign.id
    open_entries = session.scalars(
        select(RosterEntry).where(
            mine,
            RosterEntry.valid_to.is_(None),
            (RosterEntry.unit_code.in_(named)) | (RosterEntry.person_key.in_(list(people))),
        )
    ).all()
    # When each named unit's rosters were imported (as of which dates), first and last.
    dates = {
        unit: (first, last)
        for unit, first, last in session.execute(
            select(RosterEntry.unit_code, func.min(RosterImport.as_of),
                   func.max(RosterImport.as_of))
            .join(RosterImport, RosterImport.id == RosterEntry.import_id)
            .where(mine, RosterEntry.unit_code.in_(named))
            .group_by(RosterEntry.unit_code)
        )
    }  # fmt: skip
    late = {unit for unit, (_first, last) in dates.items() if last > as_of}
    if late:
        for person in list(people.values()):
            if person.unit_code in late:
                reason = RejectCode.ROSTER_SUPERSEDED.reason(unit=person.unit_code, as_of=as_of)
                report.rejected.append((person.number, reason))
                del people[person.person_key]
        named = [u for u in named if u not in late]
    report.units = named
    # A unit's first roster in the campaign (or that first roster imported again the same
    # day) stands for every earlier date too.
    first_roster = {u for u in named if u not in dates or dates[u][0] >= as_of}
    batch = RosterImport(
        campaign=campaign.id, source_name=source_name, as_of=as_of, imported_by=imported_by
    )
    session.add(batch)
    session.flush()

    def start(unit: str) -> date:
        return EARLIEST if unit in first_roster else as_of

    current = {(e.unit_code, e.person_key): e for e in open_entries}
    for entry in open_entries:
        person = people.get(entry.person_key)
        in_named_unit = entry.unit_code in named
        if person is not None and person.unit_code == entry.unit_code:
            continue  # compared below
        if person is not None:  # on another unit's open roster: moved
            report.moved.append((entry.person_key, entry.unit_code, person.unit_code))
            _close(session, entry, as_of, start(entry.unit_code))
        elif in_named_unit:
            report.removed.append(entry.person_key)
            _close(session, entry, as_of, start(entry.unit_code))
    moved = {code for code, _old, _new in report.moved}
    for person in people.values():
        existing = current.get((person.unit_code, person.person_key))
        if existing is not None:
            same = (existing.full_name, existing.birth_date, existing.category) == (
                person.full_name,
                person.birth_date,
                person.category,
            )
            if same:
                report.unchanged.append(person.person_key)
                continue
            _close(session, existing, as_of, start(existing.unit_code))
            report.updated.append(person.person_key)
        elif person.person_key not in moved:
            report.added.append(person.person_key)
        session.add(
            RosterEntry(
                import_id=batch.id,
                campaign=campaign.id,
                unit_code=person.unit_code,
                person_key=person.person_key,
                full_name=person.full_name,
                birth_date=person.birth_date,
                category=person.category,
                valid_from=start(person.unit_code),
            )
        )
    session.flush()
    moved_codes = [code for code, _old, _new in report.moved]
    # What the consumers recompute when they reach this import in the log.
    batch.person_keys = sorted({*report.added, *report.updated, *report.removed, *moved_codes})
    session.flush()
    return report


def _close(session: Session, entry: RosterEntry, as_of: date, start: date) -> None:
    """End ``entry`` on ``as_of``; an entry that starts no earlier than its replacement
    (``start``) never was in force: drop it."""
    if entry.valid_from >= start:
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
