"""Benchmark of ``vssid report coverage --format json`` at national scale (docs/architecture.md §6).

Builds a database at URL to head with the real migrations, fills it with a synthetic but
realistic campaign (fixed random seed), then times the real command as a subprocess, several
times, with ``/usr/bin/time -f '%e %M'`` (wall seconds, peak RSS of the process) and prints a
table. Target (the issue): under 2 s and under 300 MB on a 2-core machine.

Cases: ``report coverage --help`` (start-up alone: imports and app), ``--format json`` (today:
the ``person`` fast path), ``--as-of 2026-10-15`` (the window-function path) and ``--by kind``.
Each case gets one untimed warm-up run, then ``--runs`` timed runs, each started only once the
CPUs are idle (up to 60 s of waiting: the machine may be shared; the busy share seen before
each run is logged). The code under test (HEAD and a hash of reports/, ingest/, webhook/cli.py
…) is printed before and checked after: a change while timing is reported. The report's output
is checked once per case (row counts, sources, totals, findings) before timing.

Data set (``--size full``: 10,000 units, 1,000,000 persons; ``--size small``: 1,000 / 50,000):

- units: District 10's units (forms/district10_units.csv: wards, departments, public service
  units, party and mass organisations, some with a parent) repeated per district with
  Vietnamese district names, so the kinds are mixed as in District 10;
- declared headcounts for ~20 % of units, unit reports (``unit_report`` projections with the
  ``submission`` rows they point to) for ~10 % (all of them for the ~3 % of units with no
  person records), rosters in force (``roster_import`` + ``roster_entry``) for ~50 %, with a
  re-import on 2026-10-01 for ~10 % of those (closed entries: roster history);
- persons with Vietnamese names: each has one ``submission`` (source ``import``, a small Kobo-
  shaped JSON payload, error_code NULL), its ``install_record``, a second older record for
  ~10 % (the effective-record rule), ``install_reason`` rows when not installed, the ``person``
  row (the latest record) and a ``submission_status`` 'accepted'. ~70 % installed, ~50 %
  active, varying by unit. ~97 % of a roster unit's recorded people are on its roster (the
  rest are "not on roster" findings); ~10 % of roster members have no record yet.
- records collected between 2026-09-01 and 2026-11-20 (Vietnam time), so the default report
  (today) takes the ``person`` fast path and ``--as-of 2026-10-15`` the window-function path.

Loading uses SQLAlchemy Core ``insert()`` executemany in chunks on SQLite, and COPY (psycopg)
on PostgreSQL, then ``VACUUM ANALYZE`` there (as autovacuum would). SQLite is left without
``ANALYZE`` (the app never runs it); ``--sqlite-analyze`` runs it to compare.

Usage (from the repository root, with the project's venv)::

    createdb -h 127.0.0.1 -U postgres vssid_bench
    .venv/bin/python bench/coverage.py sqlite:////tmp/vssid_bench.sqlite3
    .venv/bin/python bench/coverage.py postgresql+psycopg://postgres@127.0.0.1/vssid_bench
    .venv/bin/python bench/coverage.py URL --keep            # reuse the generated database
    .venv/bin/python bench/coverage.py URL --size small      # 1,000 units / 50,000 persons
    .venv/bin/python bench/coverage.py URL --explain [DATE]  # per-query times and plans

A fresh build wipes the database at URL, but only a database this script built (it keeps its
parameters in a ``bench_meta`` table) or an empty one; it refuses the databases ``test`` and
``postgres``. ``--explain`` runs ``reports.coverage.compute`` in-process (as of today or
DATE), records the statements it issues, then re-runs each SELECT alone timing execute and
fetch, and prints EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL); it
also times ``export.document`` and ``json.dumps`` with and without ``indent=2``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import wait_idle  # noqa: E402  (bench/machine.py)
from sqlalchemy import Engine, Table, event, insert, inspect, make_url, text  # noqa: E402

from ingest import campaign  # noqa: E402
from ingest.db import make_engine  # noqa: E402
from ingest.models import (  # noqa: E402
    InstallReason,
    InstallRecord,
    Person,
    RosterEntry,
    RosterImport,
    Submission,
    SubmissionStatus,
    Unit,
    UnitReport,
)
from webhook import migrate  # noqa: E402

SIZES = {"full": (10_000, 1_000_000), "small": (1_000, 50_000)}
TARGET_SECONDS = 2.0
TARGET_MB = 300.0
CHUNK = 10_000
LOCAL = campaign.LOCAL_TZ
CAMPAIGN_START = date(2026, 9, 1)
CAMPAIGN_END = date(2026, 11, 20)
ROSTER_REIMPORT = date(2026, 10, 1)
AS_OF_MIDDLE = "2026-10-15"
FORM_VERSION = "2026090101"
REPORT_CMD = "from webhook.cli import main; main()"

SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2.5),
    ("Phan", 4.5), ("Vũ", 2), ("Võ", 2.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.6), ("Trương", 0.8), ("Lâm", 0.5),
    ("Mai", 0.4), ("Tạ", 0.2), ("Cao", 0.4), ("Lương", 0.4), ("Châu", 0.3),
]  # fmt: skip
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Gia", "Ngọc", "Trọng"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Bảo", "Phương", "Hồng", "Khánh"]
GIVEN_M = [
    "An", "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng", "Huy",
    "Khang", "Khoa", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang",
    "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
]  # fmt: skip
GIVEN_F = [
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương",
    "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương",
    "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Yến",
]  # fmt: skip
PLACES = [
    "Ba Đình", "Hoàn Kiếm", "Đống Đa", "Cầu Giấy", "Hai Bà Trưng", "Thanh Xuân", "Long Biên",
    "Hải Châu", "Thanh Khê", "Ninh Kiều", "Bình Thủy", "Hồng Bàng", "Lê Chân", "Ngô Quyền",
    "Thủ Đức", "Gò Vấp", "Tân Bình", "Bình Thạnh", "Phú Nhuận", "Bình Chánh", "Củ Chi",
    "Hóc Môn", "Nhà Bè", "Cần Giờ", "Dĩ An", "Thuận An", "Biên Hòa", "Long Khánh", "Vũng Tàu",
    "Bà Rịa", "Mỹ Tho", "Bến Tre", "Vĩnh Long", "Sóc Trăng", "Rạch Giá", "Cà Mau", "Bạc Liêu",
    "Nha Trang", "Cam Ranh", "Quy Nhơn", "Tuy Hòa", "Pleiku", "Buôn Ma Thuột", "Đà Lạt",
    "Huế", "Đông Hà", "Đồng Hới", "Vinh", "Thanh Hóa", "Ninh Bình", "Nam Định", "Thái Bình",
    "Hạ Long", "Móng Cái", "Bắc Ninh", "Từ Sơn", "Thái Nguyên", "Lào Cai", "Điện Biên Phủ",
]  # fmt: skip
DISTRICT_PREFIXES = ("Quận", "Huyện", "Thị xã", "Thành phố")
INSTALLED = ("account_active", "registered_pending", "installed_no_account")
REASONS = (
    "no_smartphone", "phone_unsupported", "no_registered_phone", "forgot_password",
    "pending_approval", "declined", "other",
)  # fmt: skip
#: Mean staff per unit, by kind (lognormal spread); scaled so the persons add up.
KIND_SIZE = {"ward": 90, "department": 45, "public_service": 220, "party_mass_org": 30}
#: Category mix by kind of unit (công chức, viên chức, người lao động).
KIND_CATEGORIES = {
    "ward": (0.75, 0.05, 0.20),
    "department": (0.80, 0.05, 0.15),
    "public_service": (0.05, 0.80, 0.15),
    "party_mass_org": (0.60, 0.10, 0.30),
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------
# The synthetic campaign (plain Python data, deterministic for a seed)
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class UnitSpec:
    code: str
    name_vi: str
    name_en: str
    kind: str
    parent: str | None
    district: int
    headcount: tuple[int, int, int] | None = None


@dataclass(slots=True)
class Record:
    """One install record (its submission id is assigned later, in arrival order)."""

    person: int  # index into Campaign.codes
    unit: str
    name: str
    category: str | None
    app_state: str
    reasons: tuple[str, ...]
    phone: str | None
    install_date: date | None
    collected_at: datetime
    received_at: datetime
    submission_id: int = 0


@dataclass(slots=True)
class Report:
    unit: str
    report_date: date
    values: dict[str, int]
    collected_at: datetime
    received_at: datetime
    submission_id: int = 0


@dataclass(slots=True)
class RosterRow:
    import_no: int
    unit: str
    person: int
    name: str
    birth_date: date | None
    category: str
    valid_from: date
    valid_to: date | None


@dataclass(slots=True)
class Campaign:
    units: list[UnitSpec]
    codes: list[str]
    records: list[Record]  # sorted by arrival; submission ids 1..n follow this order
    reports: list[Report]
    imports: list[tuple[str, date]]  # (source_name, as_of); ids 1..n
    roster: list[RosterRow]
    latest: list[int] = field(default_factory=list)  # per person with records: record index


def _template() -> list[dict[str, str]]:
    with (ROOT / "forms" / "district10_units.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _name(rng: random.Random, surnames: list[str], weights: list[float]) -> str:
    surname = rng.choices(surnames, weights)[0]
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{surname} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _moment(rng: random.Random, start: date, end: date) -> datetime:
    """A working-hours moment (Vietnam time) between two dates, returned in UTC."""
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    local = datetime(day.year, day.month, day.day, tzinfo=LOCAL) + timedelta(
        seconds=rng.randrange(7 * 3600, 18 * 3600)
    )
    return local.astimezone(UTC)


def build_units(rng: random.Random, n_units: int) -> list[UnitSpec]:
    template = _template()
    units: list[UnitSpec] = []
    district = 0
    while len(units) < n_units:
        place = PLACES[district % len(PLACES)]
        prefix = DISTRICT_PREFIXES[(district // len(PLACES)) % len(DISTRICT_PREFIXES)]
        round_no = district // (len(PLACES) * len(DISTRICT_PREFIXES))
        dname = f"{prefix} {place}" + (f" {round_no + 1}" if round_no else "")
        dname_en = f"{place} {prefix}" + (f" {round_no + 1}" if round_no else "")
        for row in template:
            if len(units) >= n_units:
                break
            kind = row["kind"]
            if kind == "ward":
                code = f"{20000 + len(units):05d}"
                name_vi = f"{row['name_vi']}, {dname}"
                name_en = f"{row['name_en']}, {dname_en}"
            else:
                code = f"D{district:04d}-{row['code'].removeprefix('Q10-')}"
                name_vi = row["name_vi"].replace("Quận 10", dname)
                name_en = row["name_en"].replace("District 10", dname_en)
            parent = (
                f"D{district:04d}-{row['parent'].removeprefix('Q10-')}" if row["parent"] else None
            )
            units.append(UnitSpec(code, name_vi, name_en, kind, parent, district))
        district += 1
    known = {u.code for u in units}
    for unit in units:  # a parent cut off by n_units: none
        if unit.parent not in known:
            unit.parent = None
    rng.shuffle(units)  # codes are not inserted in a tidy order
    units.sort(key=lambda u: u.parent is not None)  # parents first (foreign key)
    return units


def build(seed: int, n_units: int, n_persons: int) -> Campaign:
    rng = random.Random(seed)
    units = build_units(rng, n_units)
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]

    # Unit sizes: lognormal around each kind's mean; ~3 % of units have no person records.
    empty = set(rng.sample(range(n_units), max(1, n_units * 3 // 100)))
    sizes = [
        0.0 if i in empty else rng.lognormvariate(0, 0.8) * KIND_SIZE[u.kind]
        for i, u in enumerate(units)
    ]
    cumulative: list[float] = []
    total = 0.0
    for s in sizes:
        total += s
        cumulative.append(total)
    person_unit = rng.choices(range(n_units), cum_weights=cumulative, k=n_persons)
    # Each unit's own progress: installed share ~ Beta(7, 3) (mean 70 %), active share of
    # the installed ~ Beta(7, 3) too (overall ~50 % active).
    rate = [rng.betavariate(7, 3) for _ in units]
    active_rate = [min(1.0, rng.betavariate(7, 3) * 1.03) for _ in units]

    def app_state_of(i: int) -> str:
        if rng.random() < rate[i]:
            if rng.random() < active_rate[i]:
                return "account_active"
            return rng.choice(("registered_pending", "installed_no_account"))
        return "no_smartphone" if rng.random() < 0.25 else "not_installed"

    def reasons_of(app_state: str) -> tuple[str, ...]:
        if app_state in INSTALLED:
            return ()
        if app_state == "no_smartphone":
            return ("no_smartphone",)
        first = rng.choices(REASONS[1:], (10, 25, 15, 10, 20, 8))[0]
        if rng.random() < 0.3:
            second = rng.choice(REASONS[1:])
            return tuple(sorted({first, second}))
        return (first,)

    def category_of(kind: str) -> str | None:
        if rng.random() < 0.01:
            return None
        return rng.choices(campaign.CATEGORIES, KIND_CATEGORIES[kind])[0]

    codes: list[str] = []
    records: list[Record] = []
    person_category: list[str | None] = []
    for p in range(n_persons):
        i = person_unit[p]
        unit = units[i]
        codes.append(f"{rng.randint(1, 96):02d}{p * 7 + rng.randrange(7):08d}")
        name = _name(rng, surnames, weights)
        category = category_of(unit.kind)
        person_category.append(category)
        app_state = app_state_of(i)
        phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else None
        collected = _moment(rng, CAMPAIGN_START, CAMPAIGN_END)
        installed_on = (
            collected.astimezone(LOCAL).date() - timedelta(days=rng.randrange(0, 20))
            if app_state in INSTALLED
            else None
        )
        latest = Record(
            p, unit.code, name, category, app_state, reasons_of(app_state), phone, installed_on,
            collected, collected + timedelta(seconds=rng.randrange(60, 2 * 86400)),
        )  # fmt: skip
        if rng.random() < 0.10:  # an earlier visit: usually not yet installed then
            earlier_at = collected - timedelta(days=rng.randrange(1, 40), hours=rng.randrange(8))
            if earlier_at.astimezone(LOCAL).date() < CAMPAIGN_START:
                earlier_at = collected - timedelta(hours=rng.randrange(1, 8))
            old_app_state = (
                rng.choice(("not_installed", "installed_no_account"))
                if app_state in INSTALLED
                else rng.choice(("not_installed", "no_smartphone"))
            )
            old_unit = unit.code if rng.random() < 0.95 else units[rng.randrange(n_units)].code
            records.append(
                Record(
                    p, old_unit, name, category, old_app_state, reasons_of(old_app_state), phone,
                    None if old_app_state not in INSTALLED else installed_on, earlier_at,
                    earlier_at + timedelta(seconds=rng.randrange(60, 86400)),
                )
            )  # fmt: skip
        records.append(latest)
    records.sort(key=lambda r: (r.received_at, r.person))

    # Unit reports: every empty unit gets one (2/3 of them) and ~7 % of the others.
    reports: list[Report] = []
    members_by_unit: dict[str, int] = {}
    for i in person_unit:
        members_by_unit[units[i].code] = members_by_unit.get(units[i].code, 0) + 1
    for i, unit in enumerate(units):
        if (i in empty and rng.random() < 2 / 3) or (i not in empty and rng.random() < 0.075):
            size = members_by_unit.get(unit.code) or int(KIND_SIZE[unit.kind] * rng.uniform(0.5, 2))
            mix = KIND_CATEGORIES[unit.kind]
            for _ in range(rng.randint(1, 3)):
                collected = _moment(rng, CAMPAIGN_START, CAMPAIGN_END)
                values: dict[str, int] = {}
                for category, share in zip(campaign.CATEGORIES, mix, strict=True):
                    head = round(size * share * rng.uniform(0.9, 1.2))
                    installed = round(head * rng.uniform(0.3, 1.0))
                    values[f"headcount_{category}"] = head
                    values[f"installed_{category}"] = installed
                    values[f"active_{category}"] = round(installed * rng.uniform(0.5, 1.0))
                received = collected + timedelta(seconds=rng.randrange(60, 86400))
                day = collected.astimezone(LOCAL).date()
                reports.append(Report(unit.code, day, values, collected, received))

    # Declared headcounts for ~20 % of units (a little above the recorded people).
    per_category: dict[tuple[str, str | None], int] = {}
    for p, i in enumerate(person_unit):
        key = (units[i].code, person_category[p])
        per_category[key] = per_category.get(key, 0) + 1
    for unit in units:
        if rng.random() < 0.20:
            unit.headcount = tuple(  # type: ignore[assignment]
                round(per_category.get((unit.code, c), 0) * rng.uniform(1.0, 1.3))
                for c in campaign.CATEGORIES
            )

    # Rosters for ~50 % of units: one import per district on 2026-09-01; ~10 % of the
    # roster units re-imported on 2026-10-01 (5 % removed, 5 % added: closed entries).
    roster_units = [u for u in units if rng.random() < 0.50]
    members: dict[str, list[int]] = {u.code: [] for u in roster_units}
    for p, i in enumerate(person_unit):
        bucket = members.get(units[i].code)
        if bucket is not None and rng.random() < 0.97:  # the other 3 %: findings
            bucket.append(p)
    roster_codes = list(members)
    for p_list in list(members.values()):  # ~0.5 % are listed under another roster unit
        for j in range(len(p_list) - 1, -1, -1):
            if rng.random() < 0.005:
                members[rng.choice(roster_codes)].append(p_list.pop(j))
    names: dict[int, str] = {}
    for record in records:
        names[record.person] = record.name
    kind_of = {u.code: u.kind for u in units}
    district_of = {u.code: u.district for u in units}
    imports: list[tuple[str, date]] = []
    import_of_district: dict[int, int] = {}
    roster: list[RosterRow] = []
    next_person = n_persons

    def newcomer(unit_code: str) -> tuple[int, str]:
        nonlocal next_person
        codes.append(f"{rng.randint(1, 96):02d}{next_person * 7 + rng.randrange(7):08d}")
        person_category.append(
            rng.choices(campaign.CATEGORIES, KIND_CATEGORIES[kind_of[unit_code]])[0]
        )
        names[next_person] = _name(rng, surnames, weights)
        next_person += 1
        return next_person - 1, names[next_person - 1]

    def birth() -> date | None:
        return (
            date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))
            if rng.random() < 0.9
            else None
        )

    reimport_no: int | None = None
    for unit_code in roster_codes:
        district = district_of[unit_code]
        if district not in import_of_district:
            imports.append((f"danh_sach_can_bo_huyen_{district:04d}.xlsx", CAMPAIGN_START))
            import_of_district[district] = len(imports)
        import_no = import_of_district[district]
        people = members[unit_code]
        people += [newcomer(unit_code)[0] for _ in range(round(len(people) * 0.10))]
        reimport = rng.random() < 0.10
        if reimport and reimport_no is None:
            imports.append(("danh_sach_bo_sung_2026_10.xlsx", ROSTER_REIMPORT))
            reimport_no = len(imports)
        for p in people:
            category = person_category[p] or rng.choice(campaign.CATEGORIES)
            removed = reimport and rng.random() < 0.05
            roster.append(
                RosterRow(import_no, unit_code, p, names[p], birth(), category, CAMPAIGN_START,
                          ROSTER_REIMPORT if removed else None)
            )  # fmt: skip
        if reimport:
            assert reimport_no is not None
            for _ in range(max(1, round(len(people) * 0.05))):
                p, name = newcomer(unit_code)
                category = person_category[p] or campaign.CATEGORIES[0]
                roster.append(
                    RosterRow(reimport_no, unit_code, p, name, birth(), category,
                              ROSTER_REIMPORT, None)
                )  # fmt: skip
    # Submission ids in arrival order, person records and unit reports interleaved.
    arrivals: list[tuple[datetime, int, Record | Report]] = [
        (r.received_at, 0, r) for r in records
    ] + [(r.received_at, 1, r) for r in reports]
    arrivals.sort(key=lambda a: (a[0], a[1]))
    for number, (_at, _kind, item) in enumerate(arrivals, start=1):
        item.submission_id = number
    latest_of: dict[int, int] = {}
    for index, record in enumerate(records):
        old = latest_of.get(record.person)
        if old is None or (record.collected_at, record.submission_id) > (
            records[old].collected_at,
            records[old].submission_id,
        ):
            latest_of[record.person] = index
    return Campaign(units, codes, records, reports, imports, roster, list(latest_of.values()))


# ---------------------------------------------------------------------------------------
# Rows for each table
# ---------------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def submission_rows(c: Campaign, seed: int) -> Iterator[dict[str, Any]]:
    items: list[Record | Report] = sorted([*c.records, *c.reports], key=lambda x: x.submission_id)
    for item in items:
        number = item.submission_id
        instance_id = f"uuid:{uuid.UUID(int=(seed << 64) ^ (number * 0x9E3779B97F4A7C15))}"
        person_key = None
        if isinstance(item, Record):
            form_id = "vssid_install"
            person_key = c.codes[item.person]
            answers: dict[str, Any] = {
                "consent": "yes",
                "unit": item.unit,
                "full_name": item.name,
                "bhxh_code": c.codes[item.person],
                "category": item.category,
                "phone": item.phone,
                "status": item.app_state,
                "install_date": item.install_date.isoformat() if item.install_date else None,
                "reasons": " ".join(item.reasons) or None,
                "end": item.collected_at.astimezone(LOCAL).isoformat(),
            }
        else:
            form_id = "vssid_unit_report"
            answers = {
                "unit": item.unit,
                "report_date": item.report_date.isoformat(),
                **{k: str(v) for k, v in item.values.items()},
                "end": item.collected_at.astimezone(LOCAL).isoformat(),
            }
        document = {k: v for k, v in answers.items() if v is not None}
        document |= {"meta/instanceID": instance_id, "_xform_id_string": form_id}
        payload = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        sha = _sha(payload)
        yield {
            "id": number,
            "received_at": item.received_at,
            "source": "import",
            "submitter": "bench",
            "content_type": "application/json",
            "payload": payload,
            "payload_sha256": sha,
            "content_sha256": sha,
            "headers": {"file": "bench.xlsx", "row": str(number)},
            "form_id": form_id,
            "form_version": FORM_VERSION,
            "instance_id": instance_id,
            "deprecated_id": None,
            "root_id": instance_id,
            "instance_name": None,
            "collected_at": item.collected_at,
            "external_id": None,
            "supersedes_id": None,
            "person_key": person_key,
            "verdict": "accepted",
            "issues": [],
            "attachments_expected": 0,
            "error_code": None,
            "error_detail": None,
        }


def review_state_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    items: list[Record | Report] = sorted([*c.records, *c.reports], key=lambda x: x.submission_id)
    for item in items:
        yield {
            "submission_id": item.submission_id,
            "review_state": "accepted",
            "issues": [],
            "unit_code": item.unit,
        }


def record_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for r in c.records:
        yield {
            "submission_id": r.submission_id,
            "form_id": "vssid_install",
            "bhxh_code": c.codes[r.person],
            "unit_code": r.unit,
            "full_name": r.name,
            "category": r.category,
            "phone": r.phone,
            "app_state": r.app_state,
            "installed": r.app_state in campaign.INSTALLED_APP_STATES,
            "active": r.app_state in campaign.ACTIVE_APP_STATES,
            "install_date": r.install_date,
            "reasons": list(r.reasons),
            "effective_at": r.collected_at,
        }


def reason_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for r in c.records:
        for reason in r.reasons:
            yield {"submission_id": r.submission_id, "reason": reason}


def person_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for index in sorted(c.latest, key=lambda i: c.codes[c.records[i].person]):
        r = c.records[index]
        yield {
            "bhxh_code": c.codes[r.person],
            "submission_id": r.submission_id,
            "unit_code": r.unit,
            "full_name": r.name,
            "category": r.category,
            "app_state": r.app_state,
            "installed": r.app_state in campaign.INSTALLED_APP_STATES,
            "active": r.app_state in campaign.ACTIVE_APP_STATES,
            "effective_at": r.collected_at,
        }


def unit_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    created = datetime(2026, 8, 25, 2, 0, tzinfo=UTC)
    for u in c.units:
        head = u.headcount or (None, None, None)
        yield {
            "code": u.code,
            "name_vi": u.name_vi,
            "name_en": u.name_en,
            "kind": u.kind,
            "parent_code": u.parent,
            "headcount_cong_chuc": head[0],
            "headcount_vien_chuc": head[1],
            "headcount_nguoi_lao_dong": head[2],
            "created_at": created,
            "updated_at": created,
        }


def report_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for r in c.reports:
        yield {
            "submission_id": r.submission_id,
            "unit_code": r.unit,
            "report_date": r.report_date,
            **r.values,
            "effective_at": r.collected_at,
        }


def import_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for number, (name, as_of) in enumerate(c.imports, start=1):
        yield {
            "id": number,
            "source_name": name,
            "as_of": as_of,
            "imported_by": "admin",
            "imported_at": datetime.combine(as_of, datetime.min.time(), LOCAL).astimezone(UTC)
            + timedelta(hours=9),
        }


def roster_rows(c: Campaign) -> Iterator[dict[str, Any]]:
    for number, r in enumerate(c.roster, start=1):
        yield {
            "id": number,
            "import_id": r.import_no,
            "unit_code": r.unit,
            "bhxh_code": c.codes[r.person],
            "full_name": r.name,
            "birth_date": r.birth_date,
            "category": r.category,
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
        }


TABLES: list[tuple[Table, Callable[[Campaign, int], Iterable[dict[str, Any]]]]] = [
    (Unit.__table__, lambda c, s: unit_rows(c)),  # type: ignore[list-item]
    (Submission.__table__, submission_rows),  # type: ignore[list-item]
    (SubmissionStatus.__table__, lambda c, s: review_state_rows(c)),  # type: ignore[list-item]
    (InstallRecord.__table__, lambda c, s: record_rows(c)),  # type: ignore[list-item]
    (InstallReason.__table__, lambda c, s: reason_rows(c)),  # type: ignore[list-item]
    (Person.__table__, lambda c, s: person_rows(c)),  # type: ignore[list-item]
    (UnitReport.__table__, lambda c, s: report_rows(c)),  # type: ignore[list-item]
    (RosterImport.__table__, lambda c, s: import_rows(c)),  # type: ignore[list-item]
    (RosterEntry.__table__, lambda c, s: roster_rows(c)),  # type: ignore[list-item]
]


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_sqlite(engine: Engine, c: Campaign, seed: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection  # pragmas outside any transaction
        assert raw is not None
        raw.execute("PRAGMA synchronous=OFF")  # loading only; the app sets NORMAL
        raw.execute("PRAGMA cache_size=-500000")
        for table, rows in TABLES:
            started = time.perf_counter()
            n = 0
            with conn.begin():
                for chunk in _chunks(rows(c, seed)):
                    conn.execute(insert(table), chunk)
                    n += len(chunk)
            counts[table.name] = n
            log(f"  {table.name}: {n:,} rows in {time.perf_counter() - started:.1f} s")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def load_postgres(engine: Engine, c: Campaign, seed: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        assert pg is not None
        for table, rows in TABLES:
            started = time.perf_counter()
            n = 0
            columns: list[str] | None = None
            with pg.cursor() as cur:
                for chunk in _chunks(rows(c, seed)):
                    if columns is None:
                        columns = list(chunk[0])
                        names = ", ".join(f'"{name}"' for name in columns)
                        copy_sql = f'COPY "{table.name}" ({names}) FROM STDIN'
                    with cur.copy(copy_sql) as copy:
                        for row in chunk:
                            copy.write_row([_copy_value(row[k]) for k in columns])
                    n += len(chunk)
            pg.commit()
            counts[table.name] = n
            log(f"  {table.name}: {n:,} rows in {time.perf_counter() - started:.1f} s")
        with pg.cursor() as cur:
            for name in ("submission", "roster_import", "roster_entry"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                    f" (SELECT max(id) FROM {name}))"
                )
        pg.commit()
    finally:
        raw.close()
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return counts


# ---------------------------------------------------------------------------------------
# The database: fresh, reused (--keep), or refused
# ---------------------------------------------------------------------------------------


def _meta(engine: Engine) -> dict[str, str] | None:
    if "bench_meta" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, value FROM bench_meta")).all()
    return {str(key): str(value) for key, value in rows}


def _wipe(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("give SQLite a file: sqlite:////tmp/vssid_bench.sqlite3")
        if path.exists():
            engine = make_engine(url)
            meta, tables = _meta(engine), inspect(engine).get_table_names()
            engine.dispose()
            if meta is None and tables:
                raise SystemExit(f"{path} is not a database built by this script: refusing")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        meta, tables = _meta(engine), inspect(engine).get_table_names()
        if meta is None and tables:
            raise SystemExit(f"{parsed.database} is not empty nor built by this script: refusing")
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def generate(url: str, seed: int, n_units: int, n_persons: int) -> dict[str, Any]:
    _wipe(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    timings["migrate"] = time.perf_counter() - started
    log(f"migrated to head in {timings['migrate']:.1f} s; generating the campaign")

    started = time.perf_counter()
    c = build(seed, n_units, n_persons)
    timings["build"] = time.perf_counter() - started
    log(
        f"built {len(c.units):,} units, {len(c.latest):,} persons, {len(c.records):,} records,"
        f" {len(c.reports):,} unit reports, {len(c.roster):,} roster entries"
        f" in {timings['build']:.1f} s; loading"
    )
    started = time.perf_counter()
    if engine.dialect.name == "sqlite":
        counts = load_sqlite(engine, c, seed)
    else:
        counts = load_postgres(engine, c, seed)
    timings["load"] = time.perf_counter() - started
    projected_up_to_the_end(engine)
    meta = {
        "seed": str(seed),
        "units": str(n_units),
        "persons": str(n_persons),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": json.dumps({k: round(v, 1) for k, v in timings.items()}),
        "rows": json.dumps(counts),
    }
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_meta (key VARCHAR(64) PRIMARY KEY, value TEXT)")
        conn.execute(
            text("INSERT INTO bench_meta (key, value) VALUES (:k, :v)"),
            [{"k": k, "v": v} for k, v in meta.items()],
        )
    engine.dispose()
    log(f"loaded in {timings['load']:.1f} s (total {sum(timings.values()):.1f} s)")
    return {**meta, "timings": timings, "rows": counts}


def projected_up_to_the_end(engine: Engine) -> None:
    """The generator wrote the projection's tables itself: its cursors (and the rules') start
    at the end of the log, as after the migration that introduced them."""
    from ingest.consumers import REVIEWS, SUBMISSIONS
    from ingest.models import ConsumerCursor

    with engine.begin() as conn:
        conn.execute(ConsumerCursor.__table__.delete())  # the migration's, at an empty log
        for stream, table in ((SUBMISSIONS, Submission.__table__), (REVIEWS, "review")):
            name = table if isinstance(table, str) else table.name
            tx, last = conn.execute(
                text(f"SELECT COALESCE(MAX(tx), 0), COALESCE(MAX(id), 0) FROM {name}")
            ).one()
            for consumer in ("projection", "rules", "persons"):
                conn.execute(
                    insert(ConsumerCursor.__table__),
                    {
                        "consumer": consumer,
                        "stream": stream,
                        "tx": tx,
                        "position": last,
                        "applied": 0,
                        "updated_at": datetime.now(UTC),
                    },
                )


def bring_up_to_date(url: str) -> None:
    """Migrate to head and let the log's consumers apply what is pending (the tallies build
    from scratch the first time), as the server does continuously; timed and logged."""
    from ingest.consumers import CONSUMERS, Pipeline
    from ingest.db import make_sessionmaker

    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    applied = Pipeline(CONSUMERS).run_until_idle(make_sessionmaker(engine), wait=True)
    if applied:
        log(f"consumers: {applied:,} log entries in {time.perf_counter() - started:.1f} s")
    engine.dispose()


# ---------------------------------------------------------------------------------------
# Timing the command
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Case:
    name: str
    args: list[str]
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    busy_before: list[float] = field(default_factory=list)


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["VSSID_DATABASE_URL"] = url
    env.setdefault("VSSID_SECRET_KEY", "bench-not-secret")
    return env


def _time_bin() -> str:
    found = shutil.which("time") if not Path("/usr/bin/time").exists() else "/usr/bin/time"
    if not found:
        raise SystemExit("GNU time is missing: apt-get install -y time")
    return found


def run_once(url: str, args: Sequence[str]) -> tuple[float, float]:
    command = [_time_bin(), "-f", "%e %M", sys.executable, "-c", REPORT_CMD, *args]
    done = subprocess.run(
        command, cwd=ROOT, env=_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, check=False,
    )  # fmt: skip
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    seconds, kilobytes = last.split()
    return float(seconds), int(kilobytes) / 1024


def check_output(url: str, args: Sequence[str]) -> str:
    """Run once capturing the JSON, and summarise it (a sanity check of the data set)."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT_CMD, *args], cwd=ROOT, env=_env(url),
        capture_output=True, check=True,
    )  # fmt: skip
    doc = json.loads(done.stdout)
    total = doc["total"]
    sources: dict[str, int] = {}
    for row in doc["rows"]:
        key = str(row.get("source", row.get("kind")))
        sources[key] = sources.get(key, 0) + 1
    return (
        f"as_of {doc['as_of']}, {len(doc['rows'])} rows {sources}, denominator"
        f" {total['denominator']:,}, installed {total['installed']:,} ({total['installed_pct']} %),"
        f" active {total['active']:,} ({total['active_pct']} %), {len(total['units_unknown'])}"
        f" units unknown, {doc['findings']['not_on_roster']:,} not-on-roster findings,"
        f" {len(done.stdout):,} bytes"
    )


#: The code the report runs: a change while timing makes the numbers meaningless.
WATCHED = ("reports", "ingest", "webhook/cli.py", "webhook/__init__.py", "webhook/settings.py")


def code_version() -> str:
    """HEAD and a hash of the watched files as they are on disk (edits not committed too)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
        check=False,
    ).stdout.strip()  # fmt: skip
    digest = hashlib.sha256()
    for name in WATCHED:
        path = ROOT / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    return f"{head or '?'}+{digest.hexdigest()[:12]}"


def bench(url: str, runs: int) -> list[Case]:
    cases = [
        Case("startup only (report coverage --help)", ["report", "coverage", "--help"]),
        Case("--format json (today)", ["report", "coverage", "--format", "json"]),
        Case(
            f"--format json --as-of {AS_OF_MIDDLE}",
            ["report", "coverage", "--format", "json", "--as-of", AS_OF_MIDDLE],
        ),
        Case("--format json --by kind", ["report", "coverage", "--format", "json", "--by", "kind"]),
    ]
    for case in cases[1:]:
        log(f"check {' '.join(case.args[2:])}: {check_output(url, case.args)}")
    for case in cases:
        run_once(url, case.args)  # warm-up (page cache, .pyc), not counted
        for _ in range(runs):
            # The machine may be shared: start each run on idle CPUs, and say when not.
            case.busy_before.append(wait_idle())
            seconds, mb = run_once(url, case.args)
            case.seconds.append(seconds)
            case.peak_mb.append(mb)
        log(
            f"{case.name}: {case.seconds} s, {[round(m) for m in case.peak_mb]} MB"
            f" (CPU busy before each run: {[round(b * 100) for b in case.busy_before]} %)"
        )
    return cases


def bench_pages(url: str, runs: int) -> list[Case]:
    """The dashboard's coverage page (and what it loads) and the JSON API, timed in-process
    through Flask's test client as a signed-in manager: a warm server worker's view of it
    (peak memory is not measured: it is this process's)."""
    import re as regex

    from sqlalchemy import select

    from ingest.models import User
    from ingest.registry import accounts
    from webhook import create_app
    from webhook.database import database

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": True})
    password = "bench-manager-password"
    with app.app_context(), database().sessionmaker() as session:
        if session.scalar(select(User).where(User.username == "bench.manager")) is None:
            accounts.create_user(session, "bench.manager", "manager", password, app.config["REALM"])
            session.commit()
    client = app.test_client()
    token = regex.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on the sign-in page"
    signed_in = client.post(
        "/login",
        data={"username": "bench.manager", "password": password, "csrf_token": token.group(1)},
    )
    assert signed_in.status_code in (302, 303), signed_in.status_code
    pages = [
        Case("dashboard `/` (coverage page)", ["/"]),
        Case("dashboard `/charts/trend.svg` (trend)", ["/charts/trend.svg"]),
        Case("dashboard `/charts/coverage.svg`", ["/charts/coverage.svg"]),
        Case(f"dashboard `/?as_of={AS_OF_MIDDLE}`", [f"/?as_of={AS_OF_MIDDLE}"]),
        Case("API `/api/v1/coverage`", ["/api/v1/coverage"]),
    ]
    for case in pages:
        (path,) = case.args
        response = client.get(path)  # warm-up, not counted
        assert response.status_code == 200, (path, response.status_code)
        for _ in range(runs):
            case.busy_before.append(wait_idle())
            started = time.perf_counter()
            response = client.get(path)
            case.seconds.append(time.perf_counter() - started)
            case.peak_mb.append(0.0)
            assert response.status_code == 200
        log(f"{case.name}: {[round(x, 2) for x in case.seconds]} s")
    return pages


def table(cases: list[Case], backend: str) -> str:
    lines = [
        f"| {backend} case | median s | min s | max s | peak MB (max) | < {TARGET_SECONDS:g} s |"
        f" < {TARGET_MB:g} MB |",
        "|---|---:|---:|---:|---:|:-:|:-:|",
    ]
    for case in cases:
        median = statistics.median(case.seconds)
        peak = max(case.peak_mb)
        lines.append(
            f"| {case.name} | {median:.2f} | {min(case.seconds):.2f} | {max(case.seconds):.2f} |"
            f" {peak:.0f} | {'yes' if median < TARGET_SECONDS else '**no**'} |"
            f" {'yes' if peak < TARGET_MB else '**no**'} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# --explain: per-statement times and plans of reports.coverage.compute, in-process
# ---------------------------------------------------------------------------------------


def _short(statement: str) -> str:
    """The statement with long IN lists of placeholders shortened, for reading."""
    return re.sub(
        r"((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s)){5,})",
        lambda m: f"… {m.group(1).count(',') + 1} parameters …",
        statement,
    )


def explain(url: str, as_of: str | None) -> None:
    from sqlalchemy.orm import Session

    from reports import coverage, export

    engine = make_engine(url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        captured.append((statement, params))

    day = date.fromisoformat(as_of) if as_of else datetime.now(LOCAL).date()
    with Session(engine) as session:
        started = time.perf_counter()
        result = coverage.compute(session, day)
        computed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", _capture)
    started = time.perf_counter()
    doc = export.document(result)
    built = time.perf_counter() - started
    started = time.perf_counter()
    data = json.dumps(doc, ensure_ascii=False, indent=2)
    dumped = time.perf_counter() - started
    started = time.perf_counter()
    json.dumps(doc, ensure_ascii=False)
    compact = time.perf_counter() - started
    print(
        f"as of {day}: compute() {computed:.2f} s; export.document() {built:.2f} s;"
        f" json.dumps(indent=2) {dumped:.2f} s ({len(data):,} chars;"
        f" without indent {compact:.2f} s)"
    )
    selects = [(s, p) for s, p in captured if s.lstrip().upper().startswith("SELECT")]
    prefix = (
        "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    for number, (statement, params) in enumerate(selects, start=1):
        with engine.connect() as conn:
            started = time.perf_counter()
            rows = conn.exec_driver_sql(statement, params).all()
            took = time.perf_counter() - started
            plan = conn.exec_driver_sql(prefix + statement, params).all()
        print(f"\n--- query {number}: {took:.3f} s to execute and fetch {len(rows):,} rows")
        print(_short(statement))
        print("plan:")
        for row in plan:
            print("   ", " | ".join(str(v) for v in row))
    engine.dispose()


# ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM,"
        f" Python {sys.version.split()[0]}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="SQLAlchemy URL of the bench database (wiped unless --keep)")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--units", type=int, help="override the size's number of units")
    parser.add_argument("--persons", type=int, help="override the size's number of persons")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--keep", action="store_true", help="reuse the database if built alike")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--no-run", action="store_true", help="only build the database")
    parser.add_argument(
        "--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite before timing"
    )
    parser.add_argument(
        "--explain",
        nargs="?",
        const="",
        metavar="AS_OF",
        help="instead of timing: per-query times and plans (as of today, or AS_OF)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    url = args.url
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and parsed.database in {"test", "postgres"}:
        raise SystemExit(f"refusing to use the database {parsed.database!r}")
    n_units, n_persons = SIZES[args.size]
    n_units, n_persons = args.units or n_units, args.persons or n_persons
    wanted = {"seed": str(args.seed), "units": str(n_units), "persons": str(n_persons)}

    if args.explain is not None:
        explain(url, args.explain or None)
        return
    log(machine())
    generated: dict[str, Any] | None = None
    if args.keep:
        engine = make_engine(url)
        meta = _meta(engine)
        engine.dispose()
        if meta is not None and {k: meta.get(k) for k in wanted} == wanted:
            log(f"--keep: reusing the database generated {meta['generated_at']} ({meta['rows']})")
            generated = {**meta, "timings": json.loads(meta["timings"])}
        elif meta is not None:
            raise SystemExit(f"--keep: the database was built with {meta}, not {wanted}")
    if generated is None:
        generated = generate(url, args.seed, n_units, n_persons)
    bring_up_to_date(url)
    if args.no_run:
        return
    if args.sqlite_analyze and parsed.get_backend_name() == "sqlite":
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()
        log("ran ANALYZE")
    version = code_version()
    log(f"code under test: {version} (HEAD + hash of {', '.join(WATCHED)})")
    cases = bench(url, args.runs)
    cases += bench_pages(url, args.runs)
    after = code_version()
    backend = parsed.get_backend_name()
    print()
    print(table(cases, backend))
    if after.split("+")[-1] != version.split("+")[-1]:
        print(f"\nWARNING: the code changed while timing ({version} -> {after}): run again.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "url": url,
                    "machine": machine(),
                    "code": version,
                    "code_after": after,
                    "generated": generated,
                    "cases": [
                        {
                            "name": c.name,
                            "args": c.args,
                            "seconds": c.seconds,
                            "peak_mb": c.peak_mb,
                            "cpu_busy_before": c.busy_before,
                        }
                        for c in cases
                    ],
                },
                indent=2,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
