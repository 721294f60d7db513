"""The coverage report as a JSON document, CSV and a text table.

The JSON document is the API's contract (docs/architecture.md §5): ``{"as_of", "target_pct", "rows",
"total"}``; ``vssid report coverage --format json`` prints the same document. Rows are per
unit, per kind of unit or per staff category (``by``). Vietnamese names first.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from reports.model import CATEGORIES, Counts, Coverage, Rollup, UnitCoverage

BY = ("unit", "kind", "category")
KIND_NAMES = {
    "department": ("Phòng, ban", "Departments"),
    "public_service": ("Đơn vị sự nghiệp", "Public service units"),
    "party_mass_org": ("Đảng, đoàn thể", "Party and mass organisations"),
    "ward": ("Phường", "Wards"),
}
CATEGORY_NAMES = {
    "cong_chuc": ("Công chức", "Civil servants"),
    "vien_chuc": ("Viên chức", "Public employees"),
    "nguoi_lao_dong": ("Người lao động", "Workers"),
}
SOURCE_NAMES = {
    "roster": ("Danh sách", "Roster"),
    "declared": ("Đơn vị khai báo", "Declared"),
    "unit_report": ("Báo cáo đơn vị", "Unit report"),
    None: ("—", "—"),
}
PROGRESS_NAMES = {
    "reached": ("Đạt", "Reached"),
    "on_track": ("Gần đạt", "On track"),
    "lagging": ("Chậm", "Lagging"),
    None: ("—", "—"),
}


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "denominator": counts.denominator,
        "installed": counts.installed,
        "active": counts.active,
        "installed_pct": counts.installed_pct,
        "active_pct": counts.active_pct,
        "not_installed": counts.not_installed,
    }


def unit_row(row: UnitCoverage) -> dict[str, Any]:
    return {
        "unit_code": row.code,
        "unit_name": row.name_vi,
        "unit_name_en": row.name_en,
        "kind": row.kind,
        "parent": row.parent_code,
        "source": row.source,
        **_counts(row.total),
        "status": row.progress,  # the document says "status" (the API's contract)
        "categories": {c: _counts(row.categories[c]) for c in CATEGORIES},
    }


def rollup_row(rollup: Rollup, names: dict[str, tuple[str, str]], key: str) -> dict[str, Any]:
    vi, en = names[rollup.key]
    return {
        key: rollup.key,
        "name": vi,
        "name_en": en,
        **_counts(rollup.counts),
        "status": rollup.progress,
        "units": rollup.units,
        "units_unknown": list(rollup.units_unknown),
    }


def document(coverage: Coverage, by: str = "unit") -> dict[str, Any]:
    """The JSON document of the API and the CLI."""
    if by == "unit":
        rows = [unit_row(r) for r in coverage.units]
    elif by == "kind":
        rows = [rollup_row(r, KIND_NAMES, "kind") for r in coverage.kinds]
    elif by == "category":
        rows = [rollup_row(r, CATEGORY_NAMES, "category") for r in coverage.categories]
    else:
        raise ValueError(f"by must be one of {BY}")
    total = coverage.total
    return {
        "as_of": coverage.as_of.isoformat(),
        "target_pct": coverage.thresholds.target,
        "by": by,
        "rows": rows,
        "total": {
            "denominator": total.counts.denominator,
            "installed": total.counts.installed,
            "active": total.counts.active,
            "installed_pct": total.counts.installed_pct,
            "active_pct": total.counts.active_pct,
            "units_unknown": list(total.units_unknown),
        },
        "findings": {"not_on_roster": coverage.findings_total},
    }


def frame(coverage: Coverage, by: str = "unit") -> pd.DataFrame:
    """The rows as a table with Vietnamese headers (for CSV and the terminal)."""
    import pandas as pd  # a third of a second to import: only when a table is asked for

    doc = document(coverage, by)
    records = []
    for row in doc["rows"]:
        name = row.get("unit_name") or row.get("name")
        key = row.get("unit_code") or row.get("kind") or row.get("category")
        record = {"Mã": key, "Tên": name}
        if by == "unit":
            record["Loại"] = KIND_NAMES[row["kind"]][0]
            record["Nguồn số liệu"] = SOURCE_NAMES[row["source"]][0]
        record.update(
            {
                "Tổng số": row["denominator"],
                "Đã cài đặt": row["installed"],
                "Tỷ lệ cài đặt (%)": row["installed_pct"],
                "Đang sử dụng": row["active"],
                "Tỷ lệ sử dụng (%)": row["active_pct"],
                "Chưa cài đặt": row["not_installed"],
                "Đánh giá": PROGRESS_NAMES[row["status"]][0],
            }
        )
        records.append(record)
    total = doc["total"]
    records.append(
        {
            "Mã": "",
            "Tên": "TỔNG CỘNG",
            "Tổng số": total["denominator"],
            "Đã cài đặt": total["installed"],
            "Tỷ lệ cài đặt (%)": total["installed_pct"],
            "Đang sử dụng": total["active"],
            "Tỷ lệ sử dụng (%)": total["active_pct"],
            "Chưa cài đặt": coverage.total.counts.not_installed,
            "Đánh giá": PROGRESS_NAMES[coverage.total.progress][0],
        }
    )
    table = pd.DataFrame.from_records(records)
    for column in ("Tổng số", "Đã cài đặt", "Đang sử dụng", "Chưa cài đặt"):
        table[column] = table[column].astype("Int64")  # whole numbers, blank when unknown
    return table


def to_csv(coverage: Coverage, by: str = "unit") -> bytes:
    """CSV in UTF-8 with a BOM, so that Excel shows Vietnamese letters right."""
    out = io.StringIO()
    frame(coverage, by).to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_table(coverage: Coverage, by: str = "unit") -> str:
    """A plain text table for the terminal."""
    table = frame(coverage, by).astype(object).where(lambda f: f.notna(), "—")
    heading = f"Tiến độ cài đặt VssID tính đến ngày {coverage.as_of:%d/%m/%Y}"
    return heading + "\n" + table.to_string(index=False)
