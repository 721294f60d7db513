"""The daily digest: one e-mail per recipient, Vietnamese first then English, about the
units that recipient may see, with each campaign's Excel report attached; and the
``campaign.daily_summary`` event's data.

The caller decides who receives it and which units each sees (``webhook.policy``); this
module only counts and writes. The attached workbook never lists people (no personal
sheet): an e-mail is forwarded and kept in mailboxes beyond the dashboard's reach, so the
list of who has not installed stays behind the sign-in.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from reports import coverage, excel, export, wording
from reports.model import Coverage, Progress

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
#: Units named in the "furthest behind" list of each campaign.
BEHIND = 5


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who receives a digest, and the units they may see (None: all)."""

    username: str
    email: str
    units: Collection[str] | None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _pct_en(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def summary_data(report: Coverage) -> dict[str, Any]:
    """The ``campaign.daily_summary`` event's data: the day's totals, no person in it."""
    document = export.document(report)
    reached = sum(1 for u in report.units if u.progress == Progress.REACHED)
    return {
        "date": report.as_of.isoformat(),
        "target_pct": document["target_pct"],
        "total": document["total"],
        "units": len(report.units),
        "units_reached": reached,
    }


def _section(report: Coverage) -> tuple[list[str], list[str]]:
    """A campaign's lines in Vietnamese and in English."""
    campaign = report.campaign
    total = report.total.counts
    reached = sum(1 for u in report.units if u.progress == Progress.REACHED)
    known = [u for u in report.units if u.total.done_pct is not None]
    behind = sorted(known, key=lambda u: (u.total.done_pct or 0.0, u.code))[:BEHIND]
    done_vi = wording.lower_first(wording.done_label(campaign))
    vi = [
        f"■ {wording.title(campaign)}",
        f"  Toàn bộ: {total.done} / {total.denominator if total.denominator is not None else '—'}"
        f" {done_vi} ({_pct(total.done_pct)}; mục tiêu {_pct(report.thresholds.target)})",
        f"  Đơn vị đạt mục tiêu: {reached} / {len(report.units)}",
    ]
    en = [
        f"■ {campaign.title.get('en') or campaign.id}",
        f"  Total: {total.done} / {total.denominator if total.denominator is not None else '—'}"
        f" done ({_pct_en(total.done_pct)}; target {_pct_en(report.thresholds.target)})",
        f"  Units at target: {reached} / {len(report.units)}",
    ]
    if behind:
        vi.append("  Chậm nhất:")
        en.append("  Furthest behind:")
        for u in behind:
            vi.append(f"    - {u.name_vi} ({u.code}): {_pct(u.total.done_pct)}")
            en.append(f"    - {u.name_en or u.name_vi} ({u.code}): {_pct_en(u.total.done_pct)}")
    return vi, en


def compose(
    session: Session, recipient: Recipient, campaigns: Sequence[Campaign], day: date,
    sender: str, dashboard_url: str | None = None,
) -> EmailMessage:  # fmt: skip
    """The digest for ``recipient`` as of the end of ``day``."""
    reports = [coverage.compute(session, c, day, unit_codes=recipient.units) for c in campaigns]
    vi_lines = [f"Báo cáo tiến độ ngày {day:%d/%m/%Y}", ""]
    en_lines = [f"Progress report for {day.isoformat()}", ""]
    for report in reports:
        vi, en = _section(report)
        vi_lines += [*vi, ""]
        en_lines += [*en, ""]
    if dashboard_url:
        vi_lines.append(f"Xem chi tiết: {dashboard_url}")
        en_lines.append(f"Details: {dashboard_url}")
    scope = "" if recipient.units is None else " (đơn vị của bạn / your units)"
    message = EmailMessage()
    message["Subject"] = f"Tiến độ ngày {day:%d/%m/%Y}{scope} · Daily progress {day.isoformat()}"
    message["From"] = formataddr(("VssID Quận 10", sender))
    message["To"] = recipient.email
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    note_vi = "Tệp Excel đính kèm: báo cáo của từng chiến dịch (không kèm danh sách cá nhân)."
    note_en = "Attached: each campaign's Excel report (without the list of people)."
    body = "\n".join([*vi_lines, note_vi, "", "— English —", "", *en_lines, note_en, ""])
    message.set_content(body, charset="utf-8")
    for report in reports:
        message.add_attachment(
            excel.workbook(report), maintype=XLSX[0], subtype=XLSX[1],
            filename=f"{report.campaign.id}-{day.isoformat()}.xlsx",
        )  # fmt: skip
    return message
