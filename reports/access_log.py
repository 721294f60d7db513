"""The audit trail of personal-data views (``access_log``) as files: CSV and Excel, for the
administrators' page and ``vssid audit list --format csv``.

One row per view, newest first as searched, times in Vietnam's time with their offset. The
columns are the trail's own: it holds no name and no answer, only the person's identifier
when a view was about one person. Accounts, paths and identifiers are text people typed or
chose, so every text cell is neutralised (``reports.neutral``), as in the other exports.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ingest.campaigns import LOCAL_TZ
from ingest.models import AccessLog
from reports import neutral

#: (key, Vietnamese header, English header) of each column, in order.
COLUMNS = (
    ("id", "STT", "No."),
    ("at", "Thời điểm", "Time"),
    ("account", "Tài khoản", "Account"),
    ("role", "Vai trò", "Role"),
    ("action", "Thao tác", "Action"),
    ("campaign", "Chiến dịch", "Campaign"),
    ("unit_code", "Mã đơn vị", "Unit code"),
    ("submission_id", "Phiếu số", "Submission"),
    ("person_key", "Mã định danh", "Identifier"),
    ("rows", "Số người", "People"),
    ("masked", "Đã che", "Masked"),
    ("address", "Địa chỉ IP", "Address"),
    ("path", "Đường dẫn", "Path"),
)
HEADERS = [f"{vi} ({en})" for _, vi, en in COLUMNS]


def local_time(entry: AccessLog) -> str:
    """When ``entry`` was written, as people here read it: ``2026-12-06 20:15:03 +07:00``."""
    return entry.at.astimezone(LOCAL_TZ).isoformat(sep=" ", timespec="seconds")


def values(entry: AccessLog) -> list[Any]:
    """``entry``'s cells in the order of :data:`COLUMNS` (absent values as empty text)."""
    row: list[Any] = []
    for key, _vi, _en in COLUMNS:
        value = local_time(entry) if key == "at" else getattr(entry, key)
        if key == "masked":
            value = "có (yes)" if value else "không (no)"
        row.append("" if value is None else value)
    return row


def to_csv(entries: Sequence[AccessLog]) -> bytes:
    """The rows as CSV in UTF-8 with a BOM, text neutralised."""
    import pandas as pd  # only when a file is asked for

    return neutral.csv_bytes(pd.DataFrame([values(e) for e in entries], columns=HEADERS))


def to_xlsx(entries: Sequence[AccessLog]) -> bytes:
    """The rows as an Excel workbook of one sheet, every text cell text."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Nhật ký truy cập"
    for column, header in enumerate(HEADERS, start=1):
        neutral.put(ws, 1, column, header, typed=False)
    for number, entry in enumerate(entries, start=2):
        for column, value in enumerate(values(entry), start=1):
            neutral.put(ws, number, column, value)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
