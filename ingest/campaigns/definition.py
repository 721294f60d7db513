"""A campaign's definition: what makes one drive different from the next, as data.

An administrator writes it in a TOML file beside the campaign's XLSForms
(``forms/<id>.campaign.toml``; docs/campaigns.md is the reference); ``reading`` checks it
against the compiled forms into a :class:`Campaign`. What is stored
(:meth:`Campaign.as_dict`, read back by :func:`from_dict`) is the resolved definition, so the
consumers and reports never read files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: What a campaign's id, a level's key and a category's key look like.
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: Keys a level may not take: the coverage document's own.
RESERVED_KEYS = frozenset({
    "people", "done", "denominator", "levels", "total", "unknown", "status", "source", "kind",
    "unit_code", "unit_name", "unit_name_en", "parent", "categories", "units", "units_unknown",
    "name", "name_en", "category", "not_done", "campaign", "reasons",
})  # fmt: skip
MODES = ("latest", "sum")

Texts = Mapping[str, str]


class DefinitionError(Exception):
    """One mistake in a definition, in Vietnamese and English (raised as InvalidInput)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass(frozen=True, slots=True)
class Level:
    """An outcome people reach: the target (``done``) or a further level of it.

    A person reaches it when the campaign's outcome field answers one of ``values``."""

    key: str
    values: frozenset[str]
    label: Texts
    #: What people not there yet are called (``done`` only), e.g. "Chưa cài đặt".
    not_label: Texts = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "values": sorted(self.values), "label": dict(self.label),
                "not_label": dict(self.not_label)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Category:
    """A staff category (or the one group a count-only campaign counts)."""

    key: str
    label: Texts


@dataclass(frozen=True, slots=True)
class PersonFields:
    """Which fields of the campaign's person forms say who, where, what and when.

    A campaign form that has the ``identifier`` and ``outcome`` fields yields person records.
    """

    identifier: str
    outcome: str
    name: str = "full_name"
    unit: str = "unit"
    category: str | None = "category"
    outcome_date: str | None = None
    reasons: str | None = None
    birth_date: str | None = "birth_date"


@dataclass(frozen=True, slots=True)
class UnitReportFields:
    """A unit's own dated figures: which form field holds each, per category.

    ``{category}`` in a field name stands for each category's key. ``mode`` ``latest``: the
    latest report on or before a date is the unit's figures (a snapshot, as in VssID's unit
    report); ``sum``: the reports up to the date add up (dated outreach reports).
    """

    date: str = "report_date"
    unit: str = "unit"
    mode: str = "latest"
    headcount: str | None = None
    done: str = ""
    levels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """What the official report says above and below its table (Decree 30/2020 layout)."""

    parent_agency: str = ""
    agency: str = ""
    #: The letter the campaign carries out (``952/UBND-VX``), with its date.
    number: str = ""
    place: str = ""
    letter_date: date | None = None
    #: The report's own number line, "Số: …/BC-BHXH": the clerk writes the number on issue.
    report_number: str = ""
    title: Texts = field(default_factory=dict)
    legal_basis: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    #: Who signs for whom, above the signer's title: "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN".
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""


#: A notice's parts, in the order it shows them (Law 91/2025/QH15: who controls the data,
#: for what, which data, how long, the person's rights, whom to ask).
NOTICE_PARTS = ("controller", "purpose", "data", "retention", "rights", "contact")


@dataclass(frozen=True, slots=True)
class Privacy:
    """What a campaign tells people about their data, and how long it keeps it.

    ``notice``: each part of :data:`NOTICE_PARTS` in Vietnamese and English; the campaign's
    person forms show it, rendered (``ingest.privacy.notice``), in their ``notice_note``
    note, and publishing checks that they do. A record counts only when its ``consent``
    question's answer is ``consent_given``. ``retention_days``: how long after the campaign's
    ``end_date`` its personal data is kept (None: until someone erases it).
    """

    notice: Mapping[str, Texts] = field(default_factory=dict)
    consent: str | None = None
    consent_given: str = "yes"
    notice_note: str | None = None
    retention_days: int | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign, resolved against its forms."""

    id: str
    title: Texts
    forms: tuple[str, ...]
    categories: tuple[Category, ...]
    done: Level
    levels: tuple[Level, ...] = ()
    person: PersonFields | None = None
    identifier_label: Texts = field(default_factory=dict)
    #: The category question's label (a roster file may use it as a header).
    category_label: Texts = field(default_factory=dict)
    #: The identifier field's constraint in the person form: the one truth for its format.
    identifier_constraint: str | None = None
    outcome_labels: Mapping[str, Texts] = field(default_factory=dict)
    reason_labels: Mapping[str, Texts] = field(default_factory=dict)
    unit_report: UnitReportFields | None = None
    #: ``units``: the registry's declared headcounts; ``file``: the campaign's own list.
    denominators: str = "units"
    target_pct: float = 100.0
    on_track_pct: float = 80.0
    start_date: date | None = None
    report: ReportHeader = field(default_factory=ReportHeader)
    #: The kinds of unit the campaign covers (empty: every unit).
    unit_kinds: tuple[str, ...] = ()
    #: The form a unit's public self-report link opens (None: the campaign has none).
    selfreport_form: str | None = None
    #: The day the campaign closes (its retention period starts then).
    end_date: date | None = None
    privacy: Privacy = field(default_factory=Privacy)

    #: The categories' and further levels' keys, worked out once (a report asks for them
    #: per unit and category: about 180,000 times at 10,000 units).
    category_keys: tuple[str, ...] = field(init=False, compare=False, repr=False)
    level_keys: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_keys", tuple(c.key for c in self.categories))
        object.__setattr__(self, "level_keys", tuple(level.key for level in self.levels))

    def level_of(self, outcome: str | None) -> tuple[bool, tuple[str, ...]]:
        """Whether an outcome answer counts as done, and the further levels it reaches."""
        if outcome is None:
            return False, ()
        return outcome in self.done.values, tuple(
            level.key for level in self.levels if outcome in level.values
        )

    def label(self, key: str, lang: str = "vi") -> str:
        """The label of ``done``, a level, a category, an outcome or a reason, by key."""
        for level in (self.done, *self.levels):
            if level.key == key or (key == "done" and level is self.done):
                return _pick(level.label, lang, key)
        for category in self.categories:
            if category.key == key:
                return _pick(category.label, lang, key)
        for table in (self.outcome_labels, self.reason_labels):
            if key in table:
                return _pick(table[key], lang, key)
        return key

    def as_dict(self) -> dict[str, Any]:
        """The resolved definition as stored (JSON)."""
        return {
            "id": self.id,
            "title": dict(self.title),
            "forms": list(self.forms),
            "categories": [{"key": c.key, "label": dict(c.label)} for c in self.categories],
            "done": self.done.as_dict(),
            "levels": [level.as_dict() for level in self.levels],
            "person": None if self.person is None else _fields(self.person),
            "identifier_label": dict(self.identifier_label),
            "category_label": dict(self.category_label),
            "identifier_constraint": self.identifier_constraint,
            "outcome_labels": {k: dict(v) for k, v in self.outcome_labels.items()},
            "reason_labels": {k: dict(v) for k, v in self.reason_labels.items()},
            "unit_report": None if self.unit_report is None else _fields(self.unit_report),
            "denominators": self.denominators,
            "target_pct": self.target_pct,
            "on_track_pct": self.on_track_pct,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "unit_kinds": list(self.unit_kinds),
            "selfreport_form": self.selfreport_form,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "privacy": {
                **_fields(self.privacy),
                "notice": {k: dict(v) for k, v in self.privacy.notice.items()},
            },
            "report": {
                **_fields(self.report),
                "letter_date": self.report.letter_date.isoformat()
                if self.report.letter_date
                else None,
            },
        }


def _fields(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in value.__dataclass_fields__:
        item = getattr(value, name)
        out[name] = (
            list(item) if isinstance(item, tuple) else dict(item) if isinstance(item, Mapping)
            else item
        )  # fmt: skip
    return out


def _pick(texts: Texts, lang: str, fallback: str) -> str:
    return texts.get(lang) or texts.get("vi") or texts.get("en") or fallback


def from_dict(data: Mapping[str, Any]) -> Campaign:
    """A stored definition back as a :class:`Campaign`."""
    person = data.get("person")
    unit_report = data.get("unit_report")
    report = dict(data.get("report") or {})
    letter = report.pop("letter_date", None)
    return Campaign(
        id=data["id"],
        title=data.get("title") or {},
        forms=tuple(data.get("forms") or ()),
        categories=tuple(Category(c["key"], c.get("label") or {}) for c in data["categories"]),
        done=_level(data["done"]),
        levels=tuple(_level(level) for level in data.get("levels") or ()),
        person=PersonFields(**person) if person else None,
        identifier_label=data.get("identifier_label") or {},
        category_label=data.get("category_label") or {},
        identifier_constraint=data.get("identifier_constraint"),
        outcome_labels=data.get("outcome_labels") or {},
        reason_labels=data.get("reason_labels") or {},
        unit_report=UnitReportFields(**unit_report) if unit_report else None,
        denominators=data.get("denominators") or "units",
        target_pct=float(data.get("target_pct", 100.0)),
        on_track_pct=float(data.get("on_track_pct", 80.0)),
        start_date=date.fromisoformat(data["start_date"]) if data.get("start_date") else None,
        unit_kinds=tuple(data.get("unit_kinds") or ()),
        selfreport_form=data.get("selfreport_form"),
        end_date=date.fromisoformat(data["end_date"]) if data.get("end_date") else None,
        privacy=Privacy(**data["privacy"]) if data.get("privacy") else Privacy(),
        report=ReportHeader(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in report.items()},  # type: ignore[arg-type]
            letter_date=date.fromisoformat(letter) if letter else None,
        ),
    )


def _level(data: Mapping[str, Any]) -> Level:
    return Level(data["key"], frozenset(data.get("values") or ()), data.get("label") or {},
                 data.get("not_label") or {})  # fmt: skip
