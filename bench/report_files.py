"""Time the report's files (PDF and Excel) for a district and for larger unit lists.

No database: the coverage is made up (the shipped VssID campaign, N units of 60 people in
three categories with reasons), as ``tests/reports/test_excel.py`` makes its ``district10()``,
so the numbers are the writers' own. Run from the repository's root:

    .venv/bin/python bench/report_files.py 48 500 2000
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

from ingest.campaigns import publish
from ingest.forms.registry import compile_xlsform
from reports import excel, pdf
from reports.model import KINDS, Counts, Coverage, Rollup, Thresholds, UnitCoverage

REPO = Path(__file__).resolve().parents[1]
T = Thresholds()


def coverage(units: int) -> Coverage:
    definition = publish.read(REPO / "forms" / "vssid.campaign.toml")
    campaign = publish.resolve(
        definition, {path: compile_xlsform(path) for path in definition.form_files}
    )
    rows = []
    for n in range(units):
        categories = {c: Counts(20, 15 + n % 6, {"active": 10}) for c in campaign.category_keys}
        total = sum(categories.values(), Counts(0))
        rows.append(
            UnitCoverage(
                f"U{n}",
                f"Đơn vị thử nghiệm số {n} Quận 10",
                f"U{n}",
                KINDS[n % 4],
                None,
                "roster",
                total,
                categories,
                T.progress(total.done_pct),
                {"other": 3, "forgot_password": 2},
            )
        )

    def rollup(key: str, counts: list[Counts]) -> Rollup:
        total = sum(counts, Counts(0))
        return Rollup(key, total, len(counts), (), T.progress(total.done_pct))

    return Coverage(
        campaign=campaign, as_of=date(2021, 3, 31), thresholds=T, units=tuple(rows),
        kinds=tuple(rollup(k, [u.total for u in rows if u.kind == k]) for k in KINDS),
        categories=tuple(rollup(c, [u.categories[c] for u in rows])
                         for c in campaign.category_keys),
        total=rollup("total", [u.total for u in rows]), findings=(), finding_counts={},
    )  # fmt: skip


def main() -> None:
    for units in [int(a) for a in sys.argv[1:]] or [48, 500, 2000]:
        report = coverage(units)
        for name, write in (("pdf", pdf.document), ("xlsx", excel.workbook)):
            times, size = [], 0
            for _ in range(3 if units <= 500 else 1):
                start = time.perf_counter()
                size = len(write(report))
                times.append(time.perf_counter() - start)
            print(f"{units:>6} units  {name:<4}  {statistics.median(times):7.2f} s  "
                  f"{size / 1024:8.0f} KiB")  # fmt: skip


if __name__ == "__main__":
    main()
