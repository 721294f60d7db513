"""The coverage report as a JSON document and CSV (the terminal's table: ``reports.terminal``).

The JSON document is the API's contract (docs/architecture.md §5): ``{"campaign", "as_of",
"target_pct", "rows", "total"}``; ``vssid report coverage --format json`` prints the same
document. Rows are per unit, per kind of unit or per category (``by``). Each count carries
``done`` (the campaign's target outcome), ``done_pct`` and ``levels`` (the target and each
further level, by the campaign's keys), and each key of ``levels`` again at the top with its
percentage (``installed``, ``installed_pct``, ``active``, ``active_pct`` in VssID).
Vietnamese names first; labels are the campaign's. The CSV's text cells are neutralised
(``reports.neutral``: a name a person typed never becomes a formula); the JSON document carries
values as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from ingest.campaigns import Campaign
from reports import neutral
from reports.model import Counts, Coverage, Rollup, UnitCoverage

BY = ("unit", "kind", "category")
KIND_NAMES = {
    "department": ("Phòng, ban", "Departments"),
    "public_service": ("Đơn vị sự nghiệp", "Public service units"),
    "party_mass_org": ("Đảng, đoàn thể", "Party and mass organisations"),
    "ward": ("Phường", "Wards"),
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


def counts(campaign: Campaign, value: Counts) -> dict[str, Any]:
    """A count's keys in the document."""
    levels = {campaign.done.key: value.done, **{k: value.level(k) for k in campaign.level_keys}}
    out: dict[str, Any] = {
        "denominator": value.denominator,
        "done": value.done,
        "done_pct": value.done_pct,
        "levels": levels,
        "not_done": value.not_done,
    }
    out[campaign.done.key] = value.done
    out[f"{campaign.done.key}_pct"] = value.done_pct
    out[f"not_{campaign.done.key}"] = value.not_done
    for key in campaign.level_keys:
        out[key] = value.level(key)
        out[f"{key}_pct"] = value.level_pct(key)
    return out


def unit_row(campaign: Campaign, row: UnitCoverage) -> dict[str, Any]:
    return {
        "unit_code": row.code,
        "unit_name": row.name_vi,
        "unit_name_en": row.name_en,
        "kind": row.kind,
        "parent": row.parent_code,
        "source": row.source,
        **counts(campaign, row.total),
        "status": row.progress,  # the document says "status" (the API's contract)
        "categories": {c: counts(campaign, row.categories[c]) for c in campaign.category_keys},
    }


def category_names(campaign: Campaign) -> dict[str, tuple[str, str]]:
    """Each category's (Vietnamese, English) name."""
    return {
        c.key: (c.label.get("vi", c.key), c.label.get("en", c.label.get("vi", c.key)))
        for c in campaign.categories
    }


def rollup_row(
    campaign: Campaign, rollup: Rollup, names: dict[str, tuple[str, str]], key: str
) -> dict[str, Any]:
    vi, en = names[rollup.key]
    return {
        key: rollup.key,
        "name": vi,
        "name_en": en,
        **counts(campaign, rollup.counts),
        "status": rollup.progress,
        "units": rollup.units,
        "units_unknown": list(rollup.units_unknown),
    }


def document(coverage: Coverage, by: str = "unit") -> dict[str, Any]:
    """The JSON document of the API and the CLI."""
    campaign = coverage.campaign
    if by == "unit":
        rows = [unit_row(campaign, r) for r in coverage.units]
    elif by == "kind":
        rows = [rollup_row(campaign, r, KIND_NAMES, "kind") for r in coverage.kinds]
    elif by == "category":
        names = category_names(campaign)
        rows = [rollup_row(campaign, r, names, "category") for r in coverage.categories]
    else:
        raise ValueError(f"by must be one of {BY}")
    total = coverage.total
    total_counts = counts(campaign, total.counts)
    del total_counts["not_done"], total_counts[f"not_{campaign.done.key}"]
    return {
        "campaign": campaign.id,
        "campaign_title": campaign.title.get("vi", campaign.id),
        "campaign_title_en": campaign.title.get("en", ""),
        "as_of": coverage.as_of.isoformat(),
        "target_pct": coverage.thresholds.target,
        "by": by,
        "rows": rows,
        "total": {
            **total_counts,
            "units_unknown": list(total.units_unknown),
            "status": total.progress,
        },
        "findings": {"not_on_roster": coverage.findings_total},
    }


def frame(coverage: Coverage, by: str = "unit") -> pd.DataFrame:
    """The rows as a table with Vietnamese headers (for CSV and the terminal)."""
    import pandas as pd  # a third of a second to import: only when a table is asked for

    campaign = coverage.campaign
    doc = document(coverage, by)
    done_label = campaign.label(campaign.done.key)
    measures = [(campaign.done.key, done_label)] + [
        (k, campaign.label(k)) for k in campaign.level_keys
    ]
    not_done = campaign.done.not_label.get("vi", "Chưa đạt")

    def numbers(row: dict[str, Any], progress: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"Tổng số": row["denominator"]}
        for key, label in measures:
            out[label] = row[key]
            out[f"Tỷ lệ {label[:1].lower()}{label[1:]} (%)"] = row[f"{key}_pct"]
        out[not_done] = row.get("not_done")
        out["Đánh giá"] = PROGRESS_NAMES[progress][0]
        return out

    records = []
    for row in doc["rows"]:
        name = row.get("unit_name") or row.get("name")
        key = row.get("unit_code") or row.get("kind") or row.get("category")
        record = {"Mã": key, "Tên": name}
        if by == "unit":
            record["Loại"] = KIND_NAMES[row["kind"]][0]
            record["Nguồn số liệu"] = SOURCE_NAMES[row["source"]][0]
        record.update(numbers(row, row["status"]))
        records.append(record)
    total = {**doc["total"], "not_done": coverage.total.counts.not_done}
    records.append({"Mã": "", "Tên": "TỔNG CỘNG", **numbers(total, coverage.total.progress)})
    table = pd.DataFrame.from_records(records)
    for column in ("Tổng số", *(label for _k, label in measures), not_done):
        table[column] = table[column].astype("Int64")  # whole numbers, blank when unknown
    return table


def to_csv(coverage: Coverage, by: str = "unit") -> bytes:
    """CSV in UTF-8 with a BOM, names neutralised (``reports.neutral``)."""
    return neutral.csv_bytes(frame(coverage, by))
