"""The file a person gets when they ask to see their data (Law 91/2025/QH15): one Excel
workbook, Vietnamese first, with everything held about them.

Sheets: the request (who asked, who answered, when, why); each record (when, how it came,
its state, whether it carries consent, and which notice); every answer of each record, with
the question's label; roster entries; attachments; the notices the person agreed to, as
their forms showed them; and who viewed or exported their data (the audit trail, and earlier
requests). Every value a person typed is written as text (``reports.neutral``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import LOCAL_TZ, notice
from ingest.consumers.projection import chunks, read_payload, spec_of_version
from ingest.db import among
from ingest.models import RosterEntry, Submission, SubmissionAttachment, SubmissionStatus
from ingest.privacy.audit import ACTION_NAMES
from ingest.privacy.erasure import Holding
from ingest.submissions.media import MediaStore
from reports.neutral import put

CHANNELS = {
    "collect": "ODK Collect / KoboCollect",
    "web": "Trình duyệt (Web Forms)",
    "selfreport": "Tự khai qua đường dẫn của đơn vị",
    "kobo": "KoboToolbox",
    "import": "Nhập từ tệp",
    "correction": "Chỉnh sửa",
}
CONSENT = {"given": "Đồng ý", "refused": "Không đồng ý", "missing": "Không có câu trả lời"}
STATES = {
    "accepted": "Được tính",
    "flagged": "Cần xem lại",
    "rejected": "Bị từ chối",
    "superseded": "Đã được thay thế",
}
BOLD = Font(bold=True)


@dataclass(slots=True)
class Viewing:
    """One time someone saw or exported the person's data (from the audit trail)."""

    at: datetime
    account: str
    action: str
    address: str
    detail: str = ""


@dataclass(slots=True)
class Request:
    """Who asked for this file, who answered, and why."""

    identifier: str
    handled_by: str
    reason: str
    at: datetime
    viewings: Sequence[Viewing] = field(default_factory=list)


def _moment(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if value else ""


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _sheet(book: Workbook, title: str, header: Sequence[str], widths: Sequence[int]) -> Any:
    ws = book.create_sheet(title)
    for column, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        put(ws, 1, column, text, typed=False).font = BOLD
        ws.column_dimensions[ws.cell(1, column).column_letter].width = width
    ws.freeze_panes = "A2"
    return ws


def _rows(ws: Any, rows: Sequence[Sequence[Any]]) -> None:
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value).alignment = Alignment(wrap_text=True, vertical="top")


def workbook(
    session: Session, held: Sequence[Holding], request: Request, media: MediaStore | None = None
) -> bytes:
    """The person's file (XLSX bytes); with ``media``, their photos are shown in it."""
    book = Workbook()
    ws = book.active
    ws.title = "Yêu cầu"
    intro = [
        ("HỒ SƠ DỮ LIỆU CÁ NHÂN / PERSONAL DATA FILE", ""),
        ("Căn cứ / Legal basis", "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"),
        ("Mã định danh / Identifier", request.identifier),
        ("Họ và tên đang lưu / Names held", "; ".join(sorted({n for h in held for n in h.names}))),
        (
            "Chiến dịch / Campaigns",
            ", ".join(h.campaign or "(không thuộc chiến dịch)" for h in held),
        ),
        ("Người lập / Prepared by", request.handled_by),
        ("Thời điểm lập / Prepared at", _moment(request.at)),
        ("Lý do / Reason", request.reason),
    ]
    for r, (label, value) in enumerate(intro, start=1):
        put(ws, r, 1, label, typed=False).font = BOLD
        put(ws, r, 2, value)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 36, 90
    ids = [i for h in held for i in h.submission_ids]
    records, answers, files, notices = _records(session, ids)
    _rows(
        _sheet(
            book,
            "Phiếu ghi nhận",
            [
                "Số phiếu",
                "Chiến dịch",
                "Biểu mẫu",
                "Phiên bản",
                "Nhận lúc",
                "Thu thập lúc",
                "Kênh",
                "Trạng thái",
                "Đồng ý",
                "Mã thông báo (SHA-256)",
            ],
            [10, 12, 18, 12, 17, 17, 26, 16, 18, 66],
        ),
        records,
    )
    _rows(
        _sheet(book, "Câu trả lời", ["Số phiếu", "Trường", "Câu hỏi", "Trả lời"], [10, 20, 50, 50]),
        answers,
    )
    _rows(
        _sheet(
            book,
            "Danh sách đơn vị",
            [
                "Chiến dịch",
                "Mã đơn vị",
                "Họ và tên",
                "Ngày sinh",
                "Đối tượng",
                "Từ ngày",
                "Đến ngày",
            ],
            [12, 12, 28, 12, 18, 12, 12],
        ),
        _roster(session, [i for h in held for i in h.roster_entry_ids]),
    )
    attached = _sheet(
        book,
        "Tệp đính kèm",
        ["Số phiếu", "Tên tệp", "Loại", "Kích thước (byte)", "SHA-256", "Ảnh"],
        [10, 30, 20, 16, 66, 40],
    )
    _rows(attached, files)
    if media is not None:
        _photos(attached, files, media)
    _rows(
        _sheet(
            book,
            "Thông báo đã đồng ý",
            ["Mã thông báo (SHA-256)", "Tiếng Việt", "English"],
            [66, 90, 90],
        ),
        notices,
    )
    _rows(
        _sheet(
            book,
            "Ai đã xem",
            ["Thời điểm", "Tài khoản", "Việc", "Địa chỉ", "Chi tiết"],
            [17, 20, 22, 18, 50],
        ),
        [
            (
                _moment(v.at),
                v.account,
                ACTION_NAMES.get(v.action, (v.action, ""))[0],
                v.address,
                v.detail,
            )
            for v in request.viewings
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _records(session: Session, ids: list[int]) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    records: list[Any] = []
    answers: list[Any] = []
    files: list[Any] = []
    notices: dict[str, Any] = {}
    owners = campaigns.campaign_of_forms(session)
    for chunk in chunks(ids):
        statuses = {
            s.submission_id: s
            for s in session.scalars(
                select(SubmissionStatus).where(
                    among(session, SubmissionStatus.submission_id, chunk)
                )
            )
        }
        for row in session.scalars(
            select(Submission).where(among(session, Submission.id, chunk)).order_by(Submission.id)
        ):
            status = statuses.get(row.id)
            records.append(
                (
                    row.id,
                    owners.get(row.form_id or "", ""),
                    row.form_id or "",
                    row.form_version or "",
                    _moment(row.received_at),
                    _moment(row.collected_at),
                    CHANNELS.get(status.channel or "", row.source) if status else row.source,
                    STATES.get(status.review_state, "") if status else "Không dùng được",
                    CONSENT.get(status.consent or "", "") if status else "",
                    (status.notice_sha256 or "") if status else "",
                )
            )
            spec = (
                spec_of_version(session, row.form_id, row.form_version)
                if row.error_code is None and row.form_id and row.form_version
                else None
            )
            if spec is None:
                continue
            values = read_payload(row.payload, row.content_type, spec).values
            for path, value in values.items():
                label = _label(spec.fields[path].labels) if path in spec.fields else ""
                answers.append((row.id, path, label, _answer(spec, path, value)))
            owner = campaigns.cached(session, owners.get(row.form_id or "", ""))
            if status is not None and status.notice_sha256 and owner is not None:
                shown = notice.note_texts(spec, owner.privacy.notice_note)
                notices[status.notice_sha256] = (
                    status.notice_sha256,
                    shown.get("vi", "").replace("**", ""),
                    shown.get("en", "").replace("**", ""),
                )
        for a in session.scalars(
            select(SubmissionAttachment)
            .where(among(session, SubmissionAttachment.submission_id, chunk))
            .order_by(SubmissionAttachment.submission_id, SubmissionAttachment.name)
        ):
            files.append((a.submission_id, a.name, a.content_type, a.size, a.sha256))
    return records, answers, files, list(notices.values())


#: How tall a photo is shown in the person's file (pixels).
PHOTO_HEIGHT = 240


def _photos(ws: Any, files: list[Any], media: MediaStore) -> None:
    """Show each image attachment in its row (the file as stored, scaled to fit)."""
    for row, (_, _name, content_type, _size, sha256) in enumerate(files, start=2):
        path = media.path(sha256)
        if not str(content_type).startswith("image/") or not path.is_file():
            continue
        try:
            with PILImage.open(path) as probe:
                width, height = probe.size
            picture = XLImage(str(path))
        except (OSError, ValueError):  # not an image after all: the row says what it is
            continue
        scale = min(1.0, PHOTO_HEIGHT / max(height, 1))
        picture.width, picture.height = int(width * scale), int(height * scale)
        ws.add_image(picture, f"F{row}")
        ws.row_dimensions[row].height = picture.height * 0.75  # points


def _label(labels: Any) -> str:
    for language, text in labels.items():
        if "(vi)" in language:
            return str(text)
    return next(iter(labels.values()), "") if labels else ""


def _answer(spec: Any, path: str, value: Any) -> str:
    """An answer as the person read it: a choice's label (and its name), else the text."""
    choices = spec.choice_labels.get(path)
    if not choices or not isinstance(value, str):
        return _text(value)
    shown = []
    for name in value.split():
        label = _label(choices.get(name, {}))
        shown.append(f"{label} ({name})" if label else name)
    return "; ".join(shown)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _roster(session: Session, ids: list[int]) -> list[Any]:
    rows: list[Any] = []
    for chunk in chunks(ids):
        for e in session.scalars(
            select(RosterEntry)
            .where(among(session, RosterEntry.id, chunk))
            .order_by(RosterEntry.id)
        ):
            campaign = campaigns.cached(session, e.campaign)
            category = campaign.label(e.category) if campaign else e.category
            rows.append(
                (
                    e.campaign,
                    e.unit_code,
                    e.full_name,
                    _day(e.birth_date),
                    category,
                    _day(e.valid_from),
                    _day(e.valid_to),
                )
            )
    return rows
