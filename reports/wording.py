"""The campaign's words in Vietnamese reports: titles, labels inside sentences, who it counts.

Shared by the Excel workbook (``reports.excel``) and the charts (``reports.charts``); every
word comes from the campaign's definition (``ingest.campaigns``), none from code.
"""

from __future__ import annotations

from datetime import date

from ingest.campaigns import Campaign
from reports.export import PROGRESS_NAMES, SOURCE_NAMES
from reports.layout import DASH, pct
from reports.model import Coverage

#: What a report covers when it is not the whole district, by kind of unit (Vietnamese,
#: English): the plural that heads "Các phường: 54,7 %".
KIND_PLURALS = {
    "ward": ("Các phường", "Wards"),
    "department": ("Các phòng, ban", "Departments"),
    "public_service": ("Các đơn vị sự nghiệp", "Public service units"),
    "party_mass_org": ("Các tổ chức Đảng, đoàn thể", "Party and mass organisations"),
}
WHOLE = ("Toàn quận", "Whole district")

#: The personal list's sheet when the campaign's own name for it cannot be one.
PERSONAL_SHEET = "Danh sách chưa đạt"
APPENDIX = "PHỤ LỤC"
SHEET_NAME_MAX = 31
SHEET_NAME_BAD = frozenset("[]:*?/\\")


def personal_sheet(campaign: Campaign, taken: tuple[str, ...] = ()) -> str:
    """The personal list's sheet name: "Danh sách" and the campaign's "Chưa …" (``Danh sách
    chưa cài đặt`` in VssID), or :data:`PERSONAL_SHEET` when that is no valid sheet name or one
    of the ``taken`` ones."""
    name = f"Danh sách {lower_first(not_label(campaign))}"
    if len(name) > SHEET_NAME_MAX or SHEET_NAME_BAD & set(name) or name in taken:
        return PERSONAL_SHEET
    return name


def report_title(campaign: Campaign) -> str:
    """The report's title: the campaign's ``report.title``, else made from its title."""
    return campaign.report.title.get("vi") or f"BÁO CÁO TIẾN ĐỘ {title(campaign).upper()}"


def appendix_title(campaign: Campaign) -> str:
    """The statistical appendix's title: "PHỤ LỤC" over the report's title without its
    leading "BÁO CÁO" (the table is an appendix to the agency's báo cáo, not the báo cáo)."""
    return f"{APPENDIX}\n{sheet_title(campaign, '').strip()}"


def attached_to(campaign: Campaign, when: date) -> str:
    """The line under an appendix's title: which report it goes with, "(Kèm theo Báo cáo số
    …/BC-BHXH ngày 31/3/2021)"."""
    number = campaign.report.report_number
    report = f"Báo cáo số {number}" if number else "báo cáo"
    return f"(Kèm theo {report} ngày {when.day}/{when.month}/{when.year})"


def title(campaign: Campaign, lang: str = "vi") -> str:
    return campaign.title.get(lang) or campaign.title.get("vi") or campaign.id


def done_label(campaign: Campaign) -> str:
    return campaign.label(campaign.done.key)


def not_label(campaign: Campaign) -> str:
    return campaign.done.not_label.get("vi") or f"Chưa đạt ({lower_first(done_label(campaign))})"


def lower_first(text: str) -> str:
    """A label inside a sentence ("Đã cài đặt" as "đã cài đặt"); an acronym ("VNeID …") stays
    as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def people(campaign: Campaign) -> str:
    """Who the campaign counts, from its categories: "công chức, viên chức và người lao động"."""
    names = [lower_first(campaign.label(key)) for key in campaign.category_keys]
    if len(names) <= 1:
        return names[0] if names else "người"
    return f"{', '.join(names[:-1])} và {names[-1]}"


def sheet_title(campaign: Campaign, suffix: str) -> str:
    """A sheet's title made from the report's: "TIẾN ĐỘ CÀI ĐẶT … THEO ĐỐI TƯỢNG"."""
    title = report_title(campaign)
    if title.upper().startswith("BÁO CÁO "):
        title = title[len("BÁO CÁO ") :]
    return f"{title} {suffix}"


def identifier_label(campaign: Campaign) -> str:
    """The identifier's label in the form ("Mã số BHXH", "Số định danh cá nhân (số CCCD)")."""
    return campaign.identifier_label.get("vi") or "Mã định danh"


def not_done_split(coverage: Coverage) -> tuple[int, int, int]:
    """The total not done, split: (on a roster, so named in the personal list; in units
    without a roster, counted from a declared headcount or a unit report and so nameless;
    how many such units)."""
    named = unnamed = units = 0
    for unit in coverage.units:
        missing = unit.total.not_done
        if unit.total.denominator is None or not missing:
            continue
        if unit.source == "roster":
            named += missing
        else:
            unnamed += missing
            units += 1
    return named, unnamed, units


def reconciliation(coverage: Coverage) -> str | None:
    """Why the personal list is shorter than the summary's "Chưa …" total, in numbers that
    add up on the page; None when every one of them is on a roster (nothing to explain)."""
    campaign = coverage.campaign
    if campaign.person is None:
        return None
    named, unnamed, units = not_done_split(coverage)
    if not unnamed:
        return None
    label = lower_first(not_label(campaign))
    return (
        f"Tổng số {label}: {named + unnamed} người, gồm {named} người ở các đơn vị đã nạp "
        f"danh sách (có họ tên trong danh sách {label}) và {unnamed} người ở {units} đơn vị "
        "chưa nạp danh sách (số liệu do đơn vị khai báo hoặc báo cáo tổng hợp, nên không nêu "
        "được họ tên)."
    )


def scope_label(
    kind: str | None = None,
    unit: tuple[str, str] | None = None,
    category: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """What a report's numbers cover, in Vietnamese and English: "Toàn quận" only for the
    whole district; else the unit (an account's own, by its names), the kind of unit ("Các
    phường") and the category, joined by " – "."""
    parts = [p for p in (unit, KIND_PLURALS.get(kind or ""), category) if p]
    if not parts:
        return WHOLE
    vi = " – ".join([parts[0][0], *(lower_first(p[0]) for p in parts[1:])])
    en = " – ".join([parts[0][1] or parts[0][0], *(p[1] or p[0] for p in parts[1:])])
    return vi, en


def scoped(title: str, scope_label: str | None) -> str:
    """A title naming the part of the district it covers: "… – CÁC PHƯỜNG"."""
    return f"{title} – {scope_label.upper()}" if scope_label else title


def total_label(scope_label: str | None) -> str:
    """The grand total's label: "TỔNG CỘNG (các phường)" for a part of the district."""
    return f"TỔNG CỘNG ({lower_first(scope_label)})" if scope_label else "TỔNG CỘNG"


def summary_notes(coverage: Coverage, findings_where: str) -> list[str]:
    """The notes under the summary table, as the Excel and the PDF print them: how shares are
    worked out, the sources, the thresholds, the units without a headcount, why the name list
    is shorter, and the people done but off their roster (``findings_where`` says where they
    are: a sheet of the workbook, or that they are not counted)."""
    campaign = coverage.campaign
    t = coverage.thresholds
    names = {u.code: u.name_vi for u in coverage.units}
    source = {key: name for key, (name, _en) in SOURCE_NAMES.items() if key}
    latest = campaign.unit_report is None or campaign.unit_report.mode == "latest"
    notes = [
        f"Tỷ lệ = số người ÷ tổng số {people(campaign)} của đơn vị. Cộng và Tổng cộng chỉ "
        "tính các đơn vị đã xác định tổng số.",
        f"Nguồn số liệu: {source['roster']} = danh sách đã nạp; {source['declared']} = tổng "
        f"số do đơn vị khai báo; {source['unit_report']} = "
        + ("báo cáo tổng hợp gần nhất của đơn vị." if latest else "cộng các báo cáo của đơn vị."),
        f"Đánh giá: {PROGRESS_NAMES['reached'][0]} từ {pct(t.target)} trở lên; "
        f"{PROGRESS_NAMES['on_track'][0]} từ {pct(t.on_track)} đến dưới {pct(t.target)}; "
        f"{PROGRESS_NAMES['lagging'][0]} dưới {pct(t.on_track)}.",
    ]
    unknown = coverage.total.units_unknown
    if unknown:
        notes.append(
            f"Đơn vị chưa xác định tổng số ({len(unknown)}), ghi “{DASH}” và không tính vào "
            "Cộng, Tổng cộng: " + "; ".join(names.get(c, c) for c in unknown) + "."
        )
    split = reconciliation(coverage)
    if split:
        notes.append(split)
    if coverage.findings_total:
        done = lower_first(done_label(campaign))
        notes.append(
            f"Có {coverage.findings_total} người {done} nhưng không có trong danh sách của "
            f"đơn vị: {findings_where}."
        )
    return notes
