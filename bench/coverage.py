"""Benchmark of ``vssid report coverage --format json`` at national scale (docs/architecture.md §6).

Builds a database at URL to head with the real migrations, fills it with two synthetic but
realistic campaigns over the same units (fixed random seed), then times the real command as a
subprocess, several times, with ``/usr/bin/time -f '%e %M'`` (wall seconds, peak RSS of the
process) and prints a table. Target (the issue): under 2 s and under 300 MB per campaign on a
2-core machine.

Cases: ``report coverage --help`` (start-up alone: imports and app), ``--campaign vssid``
(today: the tallies), ``--campaign vssid --as-of 2026-10-15`` (the person spans in force that
day), ``--campaign vneid`` (today) and ``--campaign vssid --by kind``, all ``--format json``.
Each case gets one untimed warm-up run, then ``--runs`` timed runs, each started only once the
CPUs are idle (up to 60 s of waiting: the machine may be shared; the busy share seen before
each run is logged). The code under test (HEAD and a hash of reports/, ingest/, webhook/cli.py
…) is printed before and checked after: a change while timing is reported. The report's output
is checked once per case (row counts, sources, totals, findings) before timing.

``--before ROOT URL`` times the same single-campaign cases in another checkout (ROOT, with its
own ``.venv``; e.g. a ``git worktree`` of the commit before campaigns) on its own database
(URL, built by ITS bench/coverage.py), alternating before and after run by run (ABBA) so
that the machine's noise hits both; it also compares the VssID documents row by row.
Cases the other checkout cannot run (another campaign than its only one) are timed after only.

Data set (``--size full``: 10,000 units, 1,000,000 persons per campaign; ``--size small``:
1,000 / 50,000):

- units: District 10's units (forms/district10_units.csv: wards, departments, public service
  units, party and mass organisations, some with a parent) repeated per district with
  Vietnamese district names, so the kinds are mixed as in District 10; declared headcounts
  (the units registry's, which both campaigns use) for ~20 %;
- the real forms and campaign definitions under ``forms/``, published with
  ``ingest.campaigns.publish.publish_folder`` once the units are in (so ``campaign`` holds
  each campaign's resolved definition and every generated submission names a published
  form version: ``vssid reprocess`` can replay the log);
- campaign ``vssid`` (the same data set, draw for draw, as before campaigns): persons with
  Vietnamese names and 10-digit BHXH codes; each has one ``submission`` (source ``import``, a
  small Kobo-shaped JSON payload, error_code NULL, ``person_key`` set), its ``person_record``,
  a second older record for ~10 % (the effective-record rule; ~5 % of those in another unit,
  which the cross-record rule would flag: the generator writes them accepted, as before), its
  reasons when not installed, and a ``submission_status`` 'accepted'. ~70 % installed, ~50 %
  active, varying by unit. Unit reports (``unit_report`` with ``figures`` JSON, and the
  submissions they come from) for ~10 % of units (all of them for the ~3 % with no person
  records). Rosters (``roster_import`` + ``roster_entry``) for ~50 % of units, one import
  per district as of 2026-09-01 (a unit's first roster stands for every earlier date:
  ``valid_from`` 1900-01-01, as ``vssid roster import`` writes it), a re-import on 2026-10-01
  for ~10 % of those (5 % removed, 5 % added: roster history); ~97 % of a roster unit's
  recorded people are on its roster (the rest are "not on roster" findings); ~10 % of roster
  members have no record yet. Records collected 2026-09-01 … 2026-11-20 (Vietnam time).
- campaign ``vneid`` (level-2 e-identity): the same staff (unit, category and name of each
  ``vssid`` person) with their own 12-digit CCCD numbers, so 1,000,000 other person keys; one
  record each (form ``vneid_level2``), an older one for ~10 % (same unit), ``vneid_status``
  ``activated_level2`` (done, no further levels) for ~50 % varying by unit, reasons as the
  form offers them; rosters for ~40 % of units (one import per district as of 2026-11-02, no
  re-import); no unit reports. Records collected 2026-11-02 … 2026-11-30.
- what the consumers derive from those (``person``, ``person_span``, ``coverage_tally``,
  ``reason_tally``) is built by the consumers' own ``rebuild`` (``ingest.consumers.persons``
  and ``ingest.consumers.tallies``), timed; then every consumer's cursor is set to the end of
  each stream it follows, so a report replays nothing (checked: the report finds nothing
  pending).

So a report for today reads the tallies, and ``--as-of 2026-10-15`` the spans in force.

Loading uses SQLAlchemy Core ``insert()`` executemany in chunks on SQLite, and COPY (psycopg)
on PostgreSQL, then ``VACUUM ANALYZE`` there (as autovacuum would). SQLite is left without
``ANALYZE`` (the app never runs it); ``--sqlite-analyze`` runs it to compare.

Usage (from the repository root, with the project's venv)::

    createdb -h 127.0.0.1 -U postgres vssid_bench_campaigns
    .venv/bin/python bench/coverage.py sqlite:////tmp/vssid_bench_campaigns.sqlite3
    .venv/bin/python bench/coverage.py postgresql+psycopg://postgres@127.0.0.1/vssid_bench_campaigns
    .venv/bin/python bench/coverage.py URL --keep            # reuse the generated database
    .venv/bin/python bench/coverage.py URL --size small      # 1,000 units / 50,000 persons
    .venv/bin/python bench/coverage.py URL --keep --before ../wt-before BEFORE_URL  # paired
    .venv/bin/python bench/coverage.py URL --explain [DATE] [--campaign ID]  # per-query plans
    .venv/bin/python bench/coverage.py URL --keep --pages    # also the dashboard, in-process

A fresh build wipes the database at URL, but only a database this script built (it keeps its
parameters in a ``bench_meta`` table) or an empty one; it refuses the databases ``test`` and
``postgres``, and ``--keep`` refuses a database built by the script before campaigns (another
schema: migrating it would rebuild every derived table). ``--explain`` runs
``reports.coverage.compute`` in-process for one campaign (as of today or DATE), records the
statements it issues, then re-runs each SELECT alone timing execute and fetch, and prints
EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL); it also times
``export.document`` and ``json.dumps`` with and without ``indent=2``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import heapq
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
from itertools import chain
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import wait_idle  # noqa: E402  (bench/machine.py)
from sqlalchemy import Engine, Table, event, insert, inspect, make_url, select, text  # noqa: E402

from ingest.campaigns import LOCAL_TZ  # noqa: E402
from ingest.campaigns import Campaign as Definition  # noqa: E402
from ingest.db import make_engine  # noqa: E402
from ingest.models import (  # noqa: E402
    CATEGORIES,
    PersonRecord,
    RosterEntry,
    RosterImport,
    Submission,
    SubmissionStatus,
    Unit,
    UnitReport,
)
from ingest.registry.roster import EARLIEST  # noqa: E402
from webhook import migrate  # noqa: E402

SIZES = {"full": (10_000, 1_000_000), "small": (1_000, 50_000)}
TARGET_SECONDS = 2.0
TARGET_MB = 300.0
CHUNK = 10_000
LOCAL = LOCAL_TZ
#: What this script builds (``bench_meta``): a database of another layout is not reused.
LAYOUT = "campaigns-1"
CAMPAIGN_START = date(2026, 9, 1)
CAMPAIGN_END = date(2026, 11, 20)
ROSTER_REIMPORT = date(2026, 10, 1)
VNEID_START = date(2026, 11, 2)
VNEID_END = date(2026, 11, 30)
AS_OF_MIDDLE = "2026-10-15"
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
#: VNeID: who has not activated level 2 yet, and why (as the form offers it; the demo's mix).
VNEID_DONE = "activated_level2"
VNEID_NOT_DONE = {"not_registered": 40, "registered_level1": 35, "pending_level2": 25}
VNEID_REASONS: dict[str, tuple[dict[str, int], float]] = {
    "not_registered": ({"no_smartphone": 14, "no_chip_cccd": 22, "no_registered_phone": 18,
                        "declined": 8, "other": 12}, 1.0),
    "registered_level1": ({"no_chip_cccd": 3, "awaiting_police": 5, "no_registered_phone": 2},
                          0.8),
    "pending_level2": ({"awaiting_police": 1}, 1.0),
}  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------
# The synthetic campaigns (plain Python data, deterministic for a seed)
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
    """One person record (its submission id is assigned later, in arrival order)."""

    person: int  # index into DataSet.codes
    unit: str
    name: str
    category: str | None
    outcome: str
    reasons: tuple[str, ...]
    phone: str | None
    outcome_date: date | None
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
    import_no: int  # 1-based within its data set
    unit: str
    person: int
    name: str
    birth_date: date | None
    category: str
    valid_from: date
    valid_to: date | None


@dataclass(slots=True)
class DataSet:
    """One campaign's synthetic log: its persons, records, unit reports and rosters."""

    campaign: str
    person_form: str
    report_form: str | None
    codes: list[str]
    records: list[Record]  # sorted by arrival
    reports: list[Report]
    imports: list[tuple[str, date]]  # (source_name, as_of)
    roster: list[RosterRow]
    #: The as-of date of each unit's first roster import (its entries stand for every
    #: earlier date).
    roster_start: date
    births: dict[int, date] = field(default_factory=dict)
    latest: list[int] = field(default_factory=list)  # per person with records: record index
    import_base: int = 0  # roster_import ids are import_base + import_no
    entry_base: int = 0  # roster_entry ids are entry_base + 1 …


@dataclass(slots=True)
class Staff:
    """Who works where (from the VssID data set): the staff both campaigns count."""

    unit: list[str]  # per person: the unit of their latest record
    category: list[str | None]
    name: dict[int, str]


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


def build(seed: int, n_units: int, n_persons: int) -> tuple[list[UnitSpec], DataSet, Staff]:
    """The units and the VssID campaign: the same draws, in the same order, as before
    campaigns (so the same data set for a seed), and who works where."""
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
        return rng.choices(CATEGORIES, KIND_CATEGORIES[kind])[0]

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
                for category, share in zip(CATEGORIES, mix, strict=True):
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
                for c in CATEGORIES
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
        person_category.append(rng.choices(CATEGORIES, KIND_CATEGORIES[kind_of[unit_code]])[0])
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
            category = person_category[p] or rng.choice(CATEGORIES)
            removed = reimport and rng.random() < 0.05
            roster.append(
                RosterRow(import_no, unit_code, p, names[p], birth(), category, CAMPAIGN_START,
                          ROSTER_REIMPORT if removed else None)
            )  # fmt: skip
        if reimport:
            assert reimport_no is not None
            for _ in range(max(1, round(len(people) * 0.05))):
                p, name = newcomer(unit_code)
                category = person_category[p] or CATEGORIES[0]
                roster.append(
                    RosterRow(reimport_no, unit_code, p, name, birth(), category,
                              ROSTER_REIMPORT, None)
                )  # fmt: skip
    staff_unit = [units[i].code for i in person_unit]
    vssid = DataSet(
        "vssid", "vssid_install", "vssid_unit_report", codes, records, reports, imports, roster,
        CAMPAIGN_START,
    )  # fmt: skip
    return units, vssid, Staff(staff_unit, person_category[:n_persons], names)


def build_vneid(seed: int, units: list[UnitSpec], staff: Staff) -> DataSet:
    """The VNeID campaign over the same units and staff: each person with a CCCD of their own,
    their own progress, records and rosters (a generator of its own: the VssID draws do not
    change)."""
    rng = random.Random(seed * 1_000_003 + 12)
    n_persons = len(staff.unit)
    kind_of = {u.code: u.kind for u in units}
    district_of = {u.code: u.district for u in units}
    # Each unit's own progress: activated share ~ Beta(5, 5) (mean 50 %).
    rate = {u.code: rng.betavariate(5, 5) for u in units}
    not_done, not_done_weights = list(VNEID_NOT_DONE), list(VNEID_NOT_DONE.values())

    def reasons_of(outcome: str) -> tuple[str, ...]:
        if outcome not in VNEID_REASONS:
            return ()
        weights, share = VNEID_REASONS[outcome]
        if rng.random() >= share:
            return ()
        first = rng.choices(list(weights), list(weights.values()))[0]
        if rng.random() < 0.2:
            return tuple(sorted({first, rng.choice(list(weights))}))
        return (first,)

    seen: set[str] = set()

    def cccd(birth: date, female: bool) -> str:
        """Province (3 digits), century and sex (1), year of birth (2), serial (6)."""
        century = 0 if birth.year < 2000 else 2
        while True:
            key = (
                f"{rng.randint(1, 96):03d}{century + female}{birth.year % 100:02d}"
                f"{rng.randrange(10**6):06d}"
            )
            if key not in seen:
                seen.add(key)
                return key

    def birth_date() -> date:
        return date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))

    codes: list[str] = []
    births: dict[int, date] = {}
    records: list[Record] = []
    for p in range(n_persons):
        unit = staff.unit[p]
        born = births[p] = birth_date()
        codes.append(cccd(born, rng.random() < 0.5))
        name, category = staff.name[p], staff.category[p]
        outcome = (
            VNEID_DONE if rng.random() < rate[unit]
            else rng.choices(not_done, not_done_weights)[0]
        )  # fmt: skip
        phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else None
        collected = _moment(rng, VNEID_START, VNEID_END)
        activated = (
            collected.astimezone(LOCAL).date() - timedelta(days=rng.randrange(0, 15))
            if outcome == VNEID_DONE
            else None
        )
        latest = Record(
            p, unit, name, category, outcome, reasons_of(outcome), phone, activated, collected,
            collected + timedelta(seconds=rng.randrange(60, 2 * 86400)),
        )  # fmt: skip
        if rng.random() < 0.10:  # an earlier visit: not activated then
            earlier_at = collected - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(8))
            if earlier_at.astimezone(LOCAL).date() < VNEID_START:
                earlier_at = collected - timedelta(hours=rng.randrange(1, 8))
            old = rng.choice(
                ("pending_level2", "registered_level1") if outcome == VNEID_DONE
                else ("not_registered", "registered_level1")
            )  # fmt: skip
            records.append(
                Record(p, unit, name, category, old, reasons_of(old), phone, None, earlier_at,
                       earlier_at + timedelta(seconds=rng.randrange(60, 86400)))
            )  # fmt: skip
        records.append(latest)
    records.sort(key=lambda r: (r.received_at, r.person))

    # Rosters of CCCDs for ~40 % of units, one import per district as of the start; ~97 % of
    # a roster unit's recorded people are on it, ~10 % of its members have no record yet.
    roster_units = sorted(u.code for u in units if rng.random() < 0.40)
    members: dict[str, list[int]] = {code: [] for code in roster_units}
    for p, unit in enumerate(staff.unit):
        bucket = members.get(unit)
        if bucket is not None and rng.random() < 0.97:
            bucket.append(p)
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    names = dict(staff.name)
    categories: dict[int, str | None] = dict(enumerate(staff.category))
    imports: list[tuple[str, date]] = []
    import_of_district: dict[int, int] = {}
    roster: list[RosterRow] = []
    for unit in roster_units:
        district = district_of[unit]
        if district not in import_of_district:
            imports.append((f"danh_sach_cccd_huyen_{district:04d}.xlsx", VNEID_START))
            import_of_district[district] = len(imports)
        people = members[unit]
        for _ in range(round(len(people) * 0.10)):  # newcomers, not visited yet
            p = len(codes)
            born = births[p] = birth_date()
            codes.append(cccd(born, rng.random() < 0.5))
            names[p] = _name(rng, surnames, weights)
            categories[p] = rng.choices(CATEGORIES, KIND_CATEGORIES[kind_of[unit]])[0]
            people.append(p)
        for p in people:
            roster.append(
                RosterRow(import_of_district[district], unit, p, names[p], births[p],
                          categories[p] or rng.choice(CATEGORIES), VNEID_START, None)
            )  # fmt: skip
    return DataSet(
        "vneid", "vneid_level2", None, codes, records, [], imports, roster, VNEID_START, births
    )


def assign_ids(sets: Sequence[DataSet]) -> None:
    """Submission ids in arrival order over every campaign (records before unit reports at
    the same instant, as before campaigns: a data set's own order does not change), roster
    import and entry ids campaign after campaign; and each person's latest record."""
    arrivals: list[tuple[datetime, int, int, Record | Report]] = []
    for number, ds in enumerate(sets):
        arrivals += [(r.received_at, 0, number, r) for r in ds.records]
        arrivals += [(r.received_at, 1, number, r) for r in ds.reports]
    arrivals.sort(key=lambda a: (a[0], a[1], a[2]))
    for number, (*_key, item) in enumerate(arrivals, start=1):
        item.submission_id = number
    imports = entries = 0
    for ds in sets:
        ds.import_base, ds.entry_base = imports, entries
        imports += len(ds.imports)
        entries += len(ds.roster)
        latest_of: dict[int, int] = {}
        for index, record in enumerate(ds.records):
            old = latest_of.get(record.person)
            if old is None or (record.collected_at, record.submission_id) > (
                ds.records[old].collected_at,
                ds.records[old].submission_id,
            ):
                latest_of[record.person] = index
        ds.latest = list(latest_of.values())


# ---------------------------------------------------------------------------------------
# Rows for each table
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Published:
    """What the rows need of the published forms and campaigns."""

    seed: int
    campaigns: dict[str, Definition]
    versions: dict[str, str]  # form_id -> its published version
    #: form_id -> the hash of the privacy notice its version shows (ingest.campaigns.notice)
    notices: dict[str, str | None]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _items(ds: DataSet) -> list[Record | Report]:
    return sorted([*ds.records, *ds.reports], key=lambda x: x.submission_id)


def _answers(ds: DataSet, definition: Definition, r: Record) -> dict[str, Any]:
    """A person record's answers, named as the campaign's form names them."""
    person = definition.person
    assert person is not None
    answers: dict[str, Any] = {
        "consent": "yes",
        person.unit: r.unit,
        person.name: r.name,
        person.identifier: ds.codes[r.person],
        person.outcome: r.outcome,
        "phone": r.phone,
        "end": r.collected_at.astimezone(LOCAL).isoformat(),
    }
    if person.category:
        answers[person.category] = r.category
    if person.outcome_date:
        answers[person.outcome_date] = r.outcome_date.isoformat() if r.outcome_date else None
    if person.reasons:
        answers[person.reasons] = " ".join(r.reasons) or None
    if person.birth_date and r.person in ds.births:
        answers[person.birth_date] = ds.births[r.person].isoformat()
    return answers


def submission_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    definition = pub.campaigns[ds.campaign]
    for item in _items(ds):
        number = item.submission_id
        instance_id = f"uuid:{uuid.UUID(int=(pub.seed << 64) ^ (number * 0x9E3779B97F4A7C15))}"
        person_key = None
        if isinstance(item, Record):
            form_id = ds.person_form
            person_key = ds.codes[item.person]
            answers = _answers(ds, definition, item)
        else:
            assert ds.report_form is not None
            form_id = ds.report_form
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
            "form_version": pub.versions[form_id],
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


def review_state_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    """What the projection makes of each submission: accepted; a person record carries its
    person's consent (every generated record answers ``consent`` yes) and the notice its
    form version shows, and came through an import."""
    asks = pub.campaigns[ds.campaign].privacy.consent is not None
    for item in _items(ds):
        consent = asks and isinstance(item, Record)
        yield {
            "submission_id": item.submission_id,
            "review_state": "accepted",
            "issues": [],
            "unit_code": item.unit,
            "campaign": ds.campaign,
            "consent": "given" if consent else None,
            "notice_sha256": pub.notices.get(ds.person_form) if consent else None,
            "channel": "import",
            "consented_at": item.collected_at if consent else None,
        }


def record_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    """What the projection makes of each accepted record (``projection.person_record``)."""
    definition = pub.campaigns[ds.campaign]
    for r in ds.records:
        done, levels = definition.level_of(r.outcome)
        yield {
            "submission_id": r.submission_id,
            "campaign": ds.campaign,
            "form_id": ds.person_form,
            "person_key": ds.codes[r.person],
            "unit_code": r.unit,
            "full_name": r.name,
            "category": r.category,
            "outcome": r.outcome,
            "done": done,
            "levels": " ".join(levels),
            "outcome_date": r.outcome_date,
            "reasons": list(r.reasons),
            "effective_at": r.collected_at,
        }


def report_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    """What the projection makes of each unit report (``projection.unit_report``)."""
    definition = pub.campaigns[ds.campaign]
    fields = definition.unit_report
    if fields is None:
        return
    for r in sorted(ds.reports, key=lambda r: r.submission_id):

        def number(pattern: str | None, category: str) -> int | None:
            return r.values.get(pattern.replace("{category}", category)) if pattern else None  # noqa: B023

        figures = {
            c: {
                "headcount": number(fields.headcount, c),
                "done": number(fields.done, c) or 0,
                "levels": {k: number(p, c) or 0 for k, p in fields.levels.items()},
            }
            for c in definition.category_keys
        }
        yield {
            "submission_id": r.submission_id,
            "campaign": ds.campaign,
            "unit_code": r.unit,
            "report_date": r.report_date,
            "figures": figures,
            "effective_at": r.collected_at,
        }


def unit_rows(units: list[UnitSpec]) -> Iterator[dict[str, Any]]:
    created = datetime(2026, 8, 25, 2, 0, tzinfo=UTC)
    for u in units:
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


def _changed_keys(ds: DataSet) -> dict[int, list[str]]:
    """Per import, the people whose entries it changed (``roster_import.person_keys``, what
    the consumers recompute): those it adds, and those a later import removes."""
    later = {as_of: number for number, (_n, as_of) in enumerate(ds.imports, start=1)
             if as_of != ds.roster_start}  # fmt: skip
    changed: dict[int, set[str]] = {number: set() for number in range(1, len(ds.imports) + 1)}
    for r in ds.roster:
        changed[r.import_no].add(ds.codes[r.person])
        if r.valid_to is not None:
            changed[later[r.valid_to]].add(ds.codes[r.person])
    return {number: sorted(keys) for number, keys in changed.items()}


def import_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    changed = _changed_keys(ds)
    for number, (name, as_of) in enumerate(ds.imports, start=1):
        yield {
            "id": ds.import_base + number,
            "campaign": ds.campaign,
            "person_keys": changed[number],
            "source_name": name,
            "as_of": as_of,
            "imported_by": "admin",
            "imported_at": datetime.combine(as_of, datetime.min.time(), LOCAL).astimezone(UTC)
            + timedelta(hours=9),
        }


def roster_rows(ds: DataSet, pub: Published) -> Iterator[dict[str, Any]]:
    for number, r in enumerate(ds.roster, start=1):
        yield {
            "id": ds.entry_base + number,
            "import_id": ds.import_base + r.import_no,
            "campaign": ds.campaign,
            "unit_code": r.unit,
            "person_key": ds.codes[r.person],
            "full_name": r.name,
            "birth_date": r.birth_date,
            "category": r.category,
            # A unit's first roster stands for every earlier date (as `roster import` does).
            "valid_from": EARLIEST if r.valid_from == ds.roster_start else r.valid_from,
            "valid_to": r.valid_to,
        }


Rows = Callable[[DataSet, Published], Iterable[dict[str, Any]]]
#: The log and the projection's tables, filled for every campaign (units come first, then
#: the published forms and campaigns; persons, spans and tallies are the consumers').
TABLES: list[tuple[Table, Rows]] = [
    (Submission.__table__, submission_rows),  # type: ignore[list-item]
    (SubmissionStatus.__table__, review_state_rows),  # type: ignore[list-item]
    (PersonRecord.__table__, record_rows),  # type: ignore[list-item]
    (UnitReport.__table__, report_rows),  # type: ignore[list-item]
    (RosterImport.__table__, import_rows),  # type: ignore[list-item]
    (RosterEntry.__table__, roster_rows),  # type: ignore[list-item]
]


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _rows(
    table: Table, rows: Rows, sets: Sequence[DataSet], pub: Published
) -> Iterator[dict[str, Any]]:
    """Every campaign's rows of ``table``; the log's and the projection's in submission id
    order, campaigns interleaved as they arrived (as intake and the projection write them)."""
    key = "id" if table.name == "submission" else "submission_id"
    if key in table.c:
        # Each campaign's rows come in id order (records and reports are in arrival order).
        return heapq.merge(*(rows(ds, pub) for ds in sets), key=lambda r: r[key])
    return chain.from_iterable(rows(ds, pub) for ds in sets)


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Load = list[tuple[Table, Callable[[], Iterable[dict[str, Any]]]]]


def load_sqlite(engine: Engine, tables: Load) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection  # pragmas outside any transaction
        assert raw is not None
        raw.execute("PRAGMA synchronous=OFF")  # loading only; the app sets NORMAL
        raw.execute("PRAGMA cache_size=-500000")
        for table, rows in tables:
            started = time.perf_counter()
            n = 0
            with conn.begin():
                for chunk in _chunks(rows()):
                    conn.execute(insert(table), chunk)
                    n += len(chunk)
            counts[table.name] = n
            log(f"  {table.name}: {n:,} rows in {time.perf_counter() - started:.1f} s")
        raw.execute("PRAGMA synchronous=NORMAL")
    return counts


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def load_postgres(engine: Engine, tables: Load) -> dict[str, int]:
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        assert pg is not None
        for table, rows in tables:
            started = time.perf_counter()
            n = 0
            columns: list[str] | None = None
            with pg.cursor() as cur:
                for chunk in _chunks(rows()):
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
                if name in counts:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" GREATEST((SELECT max(id) FROM {name}), 1))"
                    )
        pg.commit()
    finally:
        raw.close()
    return counts


def load(engine: Engine, tables: Load) -> dict[str, int]:
    if engine.dialect.name == "sqlite":
        return load_sqlite(engine, tables)
    return load_postgres(engine, tables)


def vacuum_analyze(engine: Engine, vacuum: bool = True) -> float:
    """PostgreSQL: what autovacuum would have done by the time anyone reads (the seconds)."""
    if engine.dialect.name != "postgresql":
        return 0.0
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return time.perf_counter() - started


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


def publish(engine: Engine) -> Published:
    """The real forms and campaign definitions (``forms/``), published as ``vssid forms
    publish`` does; what the generated rows need of them."""
    from ingest import campaigns
    from ingest.campaigns import notice
    from ingest.campaigns.publish import publish_folder
    from ingest.consumers.projection import spec_of_version
    from ingest.db import make_sessionmaker
    from ingest.models import Form

    with make_sessionmaker(engine)() as session:
        results = publish_folder(session, ROOT / "forms")
        failed = [f"{r.path.name}: {r.error}" for r in results if r.error is not None]
        if failed:
            raise SystemExit("publishing forms/ failed: " + "; ".join(failed))
        session.commit()
        for r in results:
            log(
                f"  published {r.detail}" + (f" ({len(r.warnings)} warnings)" if r.warnings else "")
            )
        versions = {f: v for f, v in session.execute(select(Form.form_id, Form.current_version))}
        defined = {c.id: c for c in campaigns.all_campaigns(session)}
        notices: dict[str, str | None] = {}
        for campaign in defined.values():
            for form_id in campaign.forms:
                spec = spec_of_version(session, form_id, versions[form_id])
                notes = campaign.privacy.notice_note
                notices[form_id] = notice.of_form(spec, notes) if spec is not None else None
    return Published(0, defined, versions, notices)


def derive(engine: Engine) -> dict[str, float]:
    """What the consumers after the projection derive from its tables, built by their own
    ``rebuild`` (as a consumer without a cursor does: the cross-record rules flag the records
    of people recorded in two units, then the persons, then the spans and tallies), each in
    its transaction with its cursors set to the end of the streams it follows; the
    projection's cursors at the end too (the generator wrote its tables). The seconds each
    took."""
    from ingest.consumers import CONSUMERS, tallies
    from ingest.consumers.runner import STREAMS
    from ingest.db import begin_write, make_sessionmaker
    from ingest.models import ConsumerCursor

    sessions = make_sessionmaker(engine)
    with sessions() as session:
        heads: dict[str, tuple[int, int]] = {}
        for stream, table in STREAMS.items():
            row = session.execute(
                select(table.c.tx, table.c.id).order_by(table.c.tx.desc(), table.c.id.desc())
                .limit(1)
            ).first()  # fmt: skip
            heads[stream] = (0, 0) if row is None else (row[0], row[1])

    def at_the_end(session: Any, consumer: Any) -> None:
        for stream in consumer.streams:
            tx, position = heads[stream]
            session.execute(
                insert(ConsumerCursor.__table__),
                {"consumer": consumer.name, "stream": stream, "tx": tx, "position": position,
                 "applied": 0, "updated_at": datetime.now(UTC)},
            )  # fmt: skip

    timings: dict[str, float] = {}
    with sessions() as session:
        begin_write(session)
        session.execute(ConsumerCursor.__table__.delete())  # the migration's, at an empty log
        session.commit()
    for consumer in CONSUMERS:
        started = time.perf_counter()
        with sessions() as session:
            begin_write(session)
            if consumer.name == "projection":
                pass  # written by the generator
            elif consumer.rebuild is tallies.rebuild:  # the longest: say how far it is
                built = tallies.rebuild(session, progress=_progress("tallies"))
            elif consumer.rebuild is not None:
                built = consumer.rebuild(session)
            else:  # the outbox: a generated log is history, not events to send (migration
                built = None  # 0011 starts it at the log's end the same way)
            at_the_end(session, consumer)
            session.commit()
        if consumer.name == "projection":
            continue
        took = timings[f"rebuild {consumer.name}"] = time.perf_counter() - started
        what = f"{built:,} people" if isinstance(built, int) else "done"
        if consumer.rebuild is None:
            what = "nothing to derive: starts at the log's end"
        log(f"  {consumer.name}.rebuild: {what} in {took:.1f} s")
    return timings


def _progress(name: str, every: int = 250_000) -> Callable[[int], None]:
    done = [0]

    def step(n: int) -> None:
        before = done[0]
        done[0] += n
        if done[0] // every > before // every:
            log(f"    {name}: {done[0]:,} people")

    return step


def generate(url: str, seed: int, n_units: int, n_persons: int) -> dict[str, Any]:
    _wipe(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    timings["migrate"] = time.perf_counter() - started
    log(f"migrated to head in {timings['migrate']:.1f} s; generating the campaigns")

    started = time.perf_counter()
    units, vssid, staff = build(seed, n_units, n_persons)
    vneid = build_vneid(seed, units, staff)
    del staff
    sets = [vssid, vneid]
    assign_ids(sets)
    timings["build"] = time.perf_counter() - started
    for ds in sets:
        log(
            f"built {ds.campaign}: {len(ds.latest):,} persons with records,"
            f" {len(ds.records):,} records, {len(ds.reports):,} unit reports,"
            f" {len(ds.imports):,} roster imports, {len(ds.roster):,} roster entries"
        )
    log(f"built {len(units):,} units and both campaigns in {timings['build']:.1f} s; loading")

    started = time.perf_counter()
    counts = load(engine, [(Unit.__table__, lambda: unit_rows(units))])  # type: ignore[list-item]
    pub = publish(engine)
    pub = Published(seed, pub.campaigns, pub.versions, pub.notices)
    counts |= load(
        engine,
        [(table, lambda t=table, r=rows: _rows(t, r, sets, pub)) for table, rows in TABLES],  # type: ignore[misc]
    )
    timings["load"] = time.perf_counter() - started
    timings["analyze"] = vacuum_analyze(engine, vacuum=False)

    timings |= derive(engine)
    timings["vacuum analyze"] = vacuum_analyze(engine)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    counts |= derived_counts(engine)
    meta = {
        "layout": LAYOUT,
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
    log(
        f"generated in {sum(timings.values()):.1f} s: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    )
    return {**meta, "timings": timings, "rows": counts}


def derived_counts(engine: Engine) -> dict[str, int]:
    """Rows per campaign of what the consumers built (a check, logged and kept)."""
    out: dict[str, int] = {}
    queries = {
        "person": "SELECT campaign, count(*) FROM person GROUP BY campaign",
        "person_span": "SELECT campaign, count(*) FROM person_span GROUP BY campaign",
        "person_span open": "SELECT campaign, count(*) FROM person_span WHERE day_to IS NULL"
        " GROUP BY campaign",
        "coverage_tally": "SELECT campaign, count(*) FROM coverage_tally GROUP BY campaign",
        "reason_tally": "SELECT campaign, count(*) FROM reason_tally GROUP BY campaign",
    }
    with engine.connect() as conn:
        for name, sql in queries.items():
            for campaign_id, n in conn.exec_driver_sql(sql):
                out[f"{name} {campaign_id}"] = int(n)
    log("  derived: " + ", ".join(f"{k} {v:,}" for k, v in out.items()))
    return out


def bring_up_to_date(url: str) -> None:
    """Migrate to head and let the log's consumers apply what is pending, as the server does
    continuously; a freshly generated database has nothing pending (checked)."""
    from ingest.consumers import CONSUMERS, Pipeline
    from ingest.db import make_sessionmaker

    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    applied = Pipeline(CONSUMERS).run_until_idle(make_sessionmaker(engine), wait=True)
    if applied:
        log(f"consumers: {applied:,} log entries applied in {time.perf_counter() - started:.1f} s")
    else:
        log("consumers: nothing pending (every cursor at the end of the log)")
    engine.dispose()


# ---------------------------------------------------------------------------------------
# Timing the command
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    """A checkout and the database its report reads: ``after`` (this one) or ``before``."""

    name: str
    root: Path
    url: str

    @property
    def python(self) -> str:
        own = self.root / ".venv" / "bin" / "python"
        return sys.executable if self.root == ROOT or not own.exists() else str(own)


@dataclass(slots=True)
class Timing:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    busy_before: list[float] = field(default_factory=list)
    #: The report process's own CPU seconds (user + system): less moved by other processes
    #: than wall time; PostgreSQL's server work is not in it.
    cpu: list[float] = field(default_factory=list)


@dataclass(slots=True)
class Case:
    """One report, as each side asks for it (None: that side cannot)."""

    name: str
    args: list[str]
    before_args: list[str] | None = None
    timings: dict[str, Timing] = field(default_factory=dict)

    def args_for(self, side: Side) -> list[str] | None:
        return self.args if side.name == "after" else self.before_args


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["VSSID_DATABASE_URL"] = url
    env.setdefault("VSSID_SECRET_KEY", "bench-not-secret")
    env.pop("VSSID_DEFAULT_CAMPAIGN", None)
    return env


def _time_bin() -> str:
    found = shutil.which("time") if not Path("/usr/bin/time").exists() else "/usr/bin/time"
    if not found:
        raise SystemExit("GNU time is missing: apt-get install -y time")
    return found


def run_once(side: Side, args: Sequence[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MB and CPU seconds (user + system) of one report."""
    command = [_time_bin(), "-f", "%e %M %U %S", side.python, "-c", REPORT_CMD, *args]
    done = subprocess.run(
        command, cwd=side.root, env=_env(side.url), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode != 0:
        raise SystemExit(
            f"{side.name}: {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
        )
    seconds, kilobytes, user, system = last.split()
    return float(seconds), int(kilobytes) / 1024, float(user) + float(system)


def report_json(side: Side, args: Sequence[str]) -> tuple[dict[str, Any], int]:
    """The report's document (and its size), run once."""
    done = subprocess.run(
        [side.python, "-c", REPORT_CMD, *args], cwd=side.root, env=_env(side.url),
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{side.name}: {' '.join(args)} failed:\n{done.stderr.decode()}")
    return json.loads(done.stdout), len(done.stdout)


def summary(doc: dict[str, Any], size: int) -> str:
    """A document's row count, sources, totals and findings (a sanity check of the data)."""
    total = doc["total"]
    sources: dict[str, int] = {}
    for row in doc["rows"]:
        key = str(row.get("source", row.get("kind")))
        sources[key] = sources.get(key, 0) + 1
    levels = total.get("levels") or {
        k: total[k] for k in ("installed", "active") if k in total
    }  # before campaigns: installed and active only
    done = total.get("done", total.get("installed"))
    pct = total.get("done_pct", total.get("installed_pct"))
    return (
        f"campaign {doc.get('campaign', '(one)')}, as_of {doc['as_of']}, {len(doc['rows'])} rows"
        f" {sources}, denominator {total['denominator']:,}, done {done:,} ({pct} %), levels"
        f" {levels}, {len(total['units_unknown'])} units unknown,"
        f" {doc['findings']['not_on_roster']:,} not-on-roster findings, {size:,} bytes"
    )


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """How two VssID documents differ, row by row (units or kinds): denominators and their
    sources apart from numerators (installed, active)."""

    def keyed(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        return {str(r.get("unit_code") or r.get("kind")): tuple(r.get(k) for k in keys)
                for r in doc["rows"]}  # fmt: skip

    def differing(keys: tuple[str, ...]) -> tuple[int, int]:
        b, a = keyed(before, keys), keyed(after, keys)
        return sum(1 for k in b.keys() | a.keys() if b.get(k) != a.get(k)), len(a)

    bases, rows = differing(("source", "denominator"))
    counts, _ = differing(("installed", "active"))
    tb, ta = before["total"], after["total"]
    totals = ", ".join(
        f"{k} {tb.get(k):,} -> {ta.get(k):,}" for k in ("denominator", "installed", "active")
        if tb.get(k) != ta.get(k)
    )  # fmt: skip
    return (
        f"of {rows:,} rows, {bases:,} differ in source or denominator and {counts:,} in"
        f" installed or active; total: {totals or 'the same'}"
    )


#: The code the report runs: a change while timing makes the numbers meaningless.
WATCHED = ("reports", "ingest", "webhook/cli.py", "webhook/__init__.py", "webhook/settings.py")


def code_version(root: Path = ROOT) -> str:
    """HEAD and a hash of the watched files as they are on disk (edits not committed too)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
        check=False,
    ).stdout.strip()  # fmt: skip
    digest = hashlib.sha256()
    for name in WATCHED:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return f"{head or '?'}+{digest.hexdigest()[:12]}"


def cases() -> list[Case]:
    json_ = ["report", "coverage", "--format", "json"]
    as_of = ["--as-of", AS_OF_MIDDLE]
    by_kind = ["--by", "kind"]
    vssid, vneid = ["--campaign", "vssid"], ["--campaign", "vneid"]
    return [
        Case("start-up only (report coverage --help)", ["report", "coverage", "--help"],
             ["report", "coverage", "--help"]),
        Case("vssid today (tallies)", [*json_, *vssid], json_),
        Case(f"vssid --as-of {AS_OF_MIDDLE} (spans)", [*json_, *vssid, *as_of], [*json_, *as_of]),
        Case("vneid today (tallies)", [*json_, *vneid], None),
        Case("vssid --by kind", [*json_, *vssid, *by_kind], [*json_, *by_kind]),
    ]  # fmt: skip


def check(sides: Sequence[Side], todo: Sequence[Case]) -> None:
    """Each report once per side, summarised (a sanity check of the data set), and the
    VssID documents of the two sides compared."""
    for case in todo[1:]:
        docs = {}
        for side in sides:
            args = case.args_for(side)
            if args is None:
                continue
            docs[side.name], size = report_json(side, args)
            log(f"check {side.name} {' '.join(args[2:])}: {summary(docs[side.name], size)}")
        if len(docs) == 2:
            log(f"  before vs after: {compare(docs['before'], docs['after'])}")


def bench(sides: Sequence[Side], runs: int, patience: float = 60.0) -> list[Case]:
    """Each case on each side that can run it: a check of the output, a warm-up, then
    ``runs`` timed runs, the sides alternating (ABBA) so that noise hits both alike; each
    run waits up to ``patience`` seconds for idle CPUs."""
    todo = cases()
    check(sides, todo)
    for case in todo:
        able = [side for side in sides if case.args_for(side) is not None]
        for side in able:
            case.timings[side.name] = Timing()
            run_once(side, case.args_for(side) or [])  # warm-up (page cache, .pyc), not counted
        for number in range(runs):
            for side in able if number % 2 == 0 else able[::-1]:
                timing = case.timings[side.name]
                # The machine may be shared: start each run on idle CPUs, and say when not.
                timing.busy_before.append(wait_idle(patience=patience))
                seconds, mb, cpu = run_once(side, case.args_for(side) or [])
                timing.seconds.append(seconds)
                timing.peak_mb.append(mb)
                timing.cpu.append(cpu)
        for side in able:
            t = case.timings[side.name]
            log(
                f"{side.name} {case.name}: {t.seconds} s (CPU {t.cpu} s),"
                f" {[round(m) for m in t.peak_mb]} MB"
                f" (CPU busy before each run: {[round(b * 100) for b in t.busy_before]} %)"
            )
    return todo


def bench_pages(
    url: str, runs: int, campaign_id: str = "vssid", patience: float = 60.0
) -> list[Case]:
    """The dashboard's coverage page (and what it loads) and the JSON API for one campaign,
    timed in-process through Flask's test client as a signed-in manager: a warm server
    worker's view of it (peak memory is not measured: it is this process's)."""
    import re as regex

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
    c = f"campaign={campaign_id}"
    pages = [
        Case(f"dashboard `/?{c}` (coverage page)", [f"/?{c}"]),
        Case(f"dashboard `/charts/trend.svg?{c}` (trend)", [f"/charts/trend.svg?{c}"]),
        Case(f"dashboard `/charts/coverage.svg?{c}`", [f"/charts/coverage.svg?{c}"]),
        Case(f"dashboard `/?{c}&as_of={AS_OF_MIDDLE}`", [f"/?{c}&as_of={AS_OF_MIDDLE}"]),
        Case(f"API `/api/v1/coverage?{c}`", [f"/api/v1/coverage?{c}"]),
    ]
    for case in pages:
        (path,) = case.args
        timing = case.timings["after"] = Timing()
        response = client.get(path)  # warm-up, not counted
        assert response.status_code == 200, (path, response.status_code)
        for _ in range(runs):
            timing.busy_before.append(wait_idle(patience=patience))
            started = time.perf_counter()
            response = client.get(path)
            timing.seconds.append(time.perf_counter() - started)
            timing.peak_mb.append(0.0)
            assert response.status_code == 200
        log(f"{case.name}: {[round(x, 2) for x in timing.seconds]} s")
    return pages


def _cell(t: Timing | None) -> str:
    if t is None or not t.seconds:
        return "—"
    return f"{statistics.median(t.seconds):.2f} ({min(t.seconds):.2f}–{max(t.seconds):.2f})"


def table(todo: list[Case], backend: str) -> str:
    """Medians and ranges per case and side, peak memory, and whether the target is met."""
    paired = any("before" in c.timings for c in todo)
    head = f"| {backend} case |" + (" before s |" if paired else "") + " after s |"
    head += (" CPU s before / after |" if paired else " CPU s |") + " peak MB |"
    head += " after ÷ before |" if paired else ""
    head += f" < {TARGET_SECONDS:g} s | < {TARGET_MB:g} MB |"
    lines = [head, "|---|" + "---:|" * (5 if paired else 3) + ":-:|:-:|"]
    for case in todo:
        after, before = case.timings.get("after"), case.timings.get("before")
        assert after is not None
        median = statistics.median(after.seconds)
        peak = max(after.peak_mb)
        peaks = f"{max(before.peak_mb):.0f} / {peak:.0f}" if before else f"{peak:.0f}"
        peaks = peaks if peak else "—"  # pages are timed in-process: no peak of their own
        cells = [case.name]
        if paired:
            cells.append(_cell(before))
        cpus = [f"{statistics.median(t.cpu):.2f}" for t in (before, after) if t and t.cpu]
        cells += [_cell(after), " / ".join(cpus) or "—", peaks]
        if paired:
            ratio = median / statistics.median(before.seconds) if before else None
            cells.append(f"{ratio:.2f}" if ratio else "—")
        cells += [
            "yes" if median < TARGET_SECONDS else "**no**",
            ("yes" if peak < TARGET_MB else "**no**") if peak else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
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


def explain(url: str, as_of: str | None, campaign_id: str) -> None:
    from sqlalchemy.orm import Session

    from ingest import campaigns
    from reports import coverage, export

    engine = make_engine(url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        captured.append((statement, params))

    day = date.fromisoformat(as_of) if as_of else datetime.now(LOCAL).date()
    with Session(engine) as session:
        definition = campaigns.load(session, campaign_id)
        started = time.perf_counter()
        result = coverage.compute(session, definition, day)
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
        f"{campaign_id} as of {day}: compute() {computed:.2f} s; export.document() {built:.2f} s;"
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
        print(f"parameters: {params!r}"[:300])
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


def _refuse(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and parsed.database in {"test", "postgres"}:
        raise SystemExit(f"refusing to use the database {parsed.database!r}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="SQLAlchemy URL of the bench database (wiped unless --keep)")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--units", type=int, help="override the size's number of units")
    parser.add_argument("--persons", type=int, help="override the size's persons per campaign")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--keep", action="store_true", help="reuse the database if built alike")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--no-run", action="store_true", help="only build the database")
    parser.add_argument(
        "--patience",
        type=float,
        default=60.0,
        help="seconds each run waits for idle CPUs before it starts anyway (default 60)",
    )
    parser.add_argument(
        "--before",
        nargs=2,
        metavar=("ROOT", "URL"),
        help="also time the checkout at ROOT (its .venv) on its database URL, alternating",
    )
    parser.add_argument(
        "--pages", action="store_true", help="also time the dashboard pages, in-process"
    )
    parser.add_argument(
        "--check-only", action="store_true", help="only check each report's output, no timing"
    )
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
    parser.add_argument("--campaign", default="vssid", help="the campaign --explain reports")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    url = args.url
    _refuse(url)
    parsed = make_url(url)
    n_units, n_persons = SIZES[args.size]
    n_units, n_persons = args.units or n_units, args.persons or n_persons
    wanted = {"layout": LAYOUT, "seed": str(args.seed), "units": str(n_units),
              "persons": str(n_persons)}  # fmt: skip

    if args.explain is not None:
        explain(url, args.explain or None, args.campaign)
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
        elif meta is not None and meta.get("layout") != LAYOUT:
            raise SystemExit(
                "--keep: the database was built by bench/coverage.py before campaigns (another "
                "schema; migrating it would rebuild every derived table): build it afresh"
            )
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
    sides = [Side("after", ROOT, url)]
    if args.before:
        before_root, before_url = Path(args.before[0]).resolve(), args.before[1]
        _refuse(before_url)
        if before_url == url:
            raise SystemExit("--before needs its own database (built by its bench/coverage.py)")
        engine = make_engine(before_url)
        meta = _meta(engine)
        engine.dispose()
        log(f"before: {before_root} on {before_url}, built {meta and meta.get('generated_at')}")
        sides.insert(0, Side("before", before_root, before_url))
    if args.check_only:
        check(sides, cases())
        return
    versions = {side.name: code_version(side.root) for side in sides}
    log(f"code under test: {versions} (HEAD + hash of {', '.join(WATCHED)})")
    todo = bench(sides, args.runs, args.patience)
    if args.pages:
        todo += bench_pages(url, args.runs, patience=args.patience)
    after = {side.name: code_version(side.root) for side in sides}
    backend = parsed.get_backend_name()
    print()
    print(table(todo, backend))
    if after != versions:
        print(f"\nWARNING: the code changed while timing ({versions} -> {after}): run again.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "url": url,
                    "before": args.before,
                    "machine": machine(),
                    "code": versions,
                    "code_after": after,
                    "generated": generated,
                    "cases": [
                        {
                            "name": c.name,
                            "args": c.args,
                            "before_args": c.before_args,
                            "timings": {
                                side: {
                                    "seconds": t.seconds,
                                    "peak_mb": t.peak_mb,
                                    "cpu_busy_before": t.busy_before,
                                    "cpu_seconds": t.cpu,
                                }
                                for side, t in c.timings.items()
                            },
                        }
                        for c in todo
                    ],
                },
                indent=2,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
