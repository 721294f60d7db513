"""A reviewer's correction: a new version of a record, with one answer changed.

The log is append-only, so a correction never edits a stored submission. It writes the
record again as its sender would edit it in ODK Collect: the same payload with one answer
changed, a new ``meta/instanceID`` and ``meta/deprecatedID`` naming the version it replaces
(XML edited with lxml; a KoboToolbox JSON payload edited as JSON), and hands it to intake as
any arriving submission (source ``correction``): it is checked against its form version like
every record, supersedes the original, and the consumers project it. Who corrected what and
why stays on the new row: its submitter, and in its ``headers`` the submission corrected, the
field and the reason (:data:`OF`, :data:`FIELD`, :data:`REASON`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from ingest.consumers.projection import spec_of_version
from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound
from ingest.forms import formspec, safexml
from ingest.models import Submission
from ingest.submissions import intake, store
from ingest.submissions.media import MediaStore

SOURCE = "correction"
#: Answers a reviewer may correct: questions (not groups, notes, metadata or calculations).
CORRECTABLE_KINDS = frozenset({"input", "select_one", "select_multiple"})
MAX_REASON = 1000
#: Where the new row keeps what was corrected and why (beside its submitter: who).
OF, FIELD, REASON = "X-Vssid-Correction-Of", "X-Vssid-Correction-Field", "X-Vssid-Correction-Reason"
#: A sender may write anything (the caller narrows it: ``webhook.policy.correction_rights``).
ANY = intake.Rights()
MAX_VALUE = 2000


@dataclass(frozen=True, slots=True)
class Correction:
    """One answer of a submission changed by ``by`` at ``at``, for ``reason``."""

    submission_id: int
    path: str
    value: str
    reason: str
    by: str
    at: datetime


def correct(
    session: Session,
    correction: Correction,
    media: MediaStore,
    rights: intake.Rights = ANY,
) -> intake.Receipt:
    """Append a corrected version of the submission to the log; the caller commits.

    Raises :class:`NotFound` for an unknown (or unusable) submission, :class:`Conflict` when a
    newer version already replaced it, :class:`InvalidInput` for a field the form does not
    ask, an unchanged value or a missing reason. The receipt's verdict says whether the new
    version passes the form's rules (else it is flagged for review in its turn)."""
    c = correction
    original = session.get(Submission, c.submission_id)
    if original is None or original.error_code is not None or original.instance_id is None:
        raise NotFound(ErrorCode.SUBMISSION_NOT_FOUND, submission_id=c.submission_id)
    _invalid = _refusal(c.submission_id)
    reason, value = c.reason.strip(), c.value.strip()
    if not reason:
        raise _invalid("cần ghi lý do sửa (a reason is required)")
    if len(reason) > MAX_REASON or len(value) > MAX_VALUE:
        raise _invalid("lý do hoặc giá trị quá dài (the reason or the value is too long)")
    if "\x00" in reason + value or not (value.isprintable() or value == ""):
        raise _invalid("có ký tự điều khiển (control characters)")
    if store.is_superseded(session, original.id):
        raise Conflict(ErrorCode.CORRECTION_SUPERSEDED, submission_id=c.submission_id)
    spec = (
        spec_of_version(session, original.form_id, original.form_version)
        if original.form_id and original.form_version
        else None
    )
    if spec is None:
        raise _invalid("không rõ phiên bản biểu mẫu (the form version is unknown)")
    field = spec.fields.get(c.path)
    if field is None or field.kind not in CORRECTABLE_KINDS or _in_repeat(spec, c.path):
        raise _invalid(f"biểu mẫu không có câu hỏi '{c.path}' để sửa (no such question)")
    new_id = f"uuid:{uuid.uuid4()}"
    if _is_json(original):
        payload, previous = _json_edited(original.payload, c.path, value, new_id,
                                         original.instance_id)  # fmt: skip
    else:
        payload, previous = _xml_edited(original.payload, c.path, value, new_id,
                                        original.instance_id)  # fmt: skip
    if previous == value:
        raise _invalid("giá trị không thay đổi (the value is unchanged)")
    with ExitStack() as files:
        # The new version keeps the original's files (a photo): the same content, not copied.
        kept = tuple(
            intake.IncomingFile(a.name, a.content_type, files.enter_context(path.open("rb")))
            for a in original.attachments
            if (path := media.path(a.sha256)).is_file()
        )
        incoming = intake.Incoming(
            source=SOURCE,
            payload=payload,
            content_type=original.content_type,
            submitter=c.by,
            received_at=c.at,
            headers={OF: str(original.id), FIELD: c.path, REASON: reason},
            files=kept,
            form_hint=original.form_id,
            rights=rights,
        )
        receipt = intake.receive(session, incoming, media)
    if receipt.error is not None:
        raise receipt.error
    return receipt


def _refusal(submission_id: int) -> Callable[[str], InvalidInput]:
    def refuse(reason: str) -> InvalidInput:
        return InvalidInput(ErrorCode.CORRECTION_INVALID, submission_id=submission_id,
                            reason=reason)  # fmt: skip

    return refuse


def _in_repeat(spec: formspec.FormSpec, path: str) -> bool:
    return any(path == r or path.startswith(f"{r}/") for r in spec.repeat_paths)


def _is_json(submission: Submission) -> bool:
    return "json" in submission.content_type.lower()


def _xml_edited(
    payload: bytes, path: str, value: str, new_id: str, replaced: str
) -> tuple[bytes, str | None]:
    """The instance XML with ``path``'s answer set to ``value`` and the meta of an edit; the
    answer it had (None when the element was absent)."""
    root = safexml.parse(payload)
    element = root
    for name in path.split("/"):
        found = _child(element, name)
        if found is None:  # a question left unanswered (not relevant) has no element
            found = etree.SubElement(element, _sibling_tag(element, name))
        element = found
    previous = element.text
    element.text = value
    meta = _child(root, "meta")
    if meta is None:
        meta = etree.SubElement(root, _sibling_tag(root, "meta"))
    for name, text in (("instanceID", new_id), ("deprecatedID", replaced)):
        node = _child(meta, name)
        if node is None:
            node = etree.SubElement(meta, _sibling_tag(meta, name))
        node.text = text
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return body, None if previous is None else previous.strip()


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if isinstance(child.tag, str) and safexml.local_name(child) == name:
            return child
    return None


def _sibling_tag(parent: etree._Element, name: str) -> str:
    """A new child's tag in its parent's namespace (``orx:meta``'s children are ``orx:``)."""
    namespace = etree.QName(parent).namespace
    return f"{{{namespace}}}{name}" if namespace else name


def _json_edited(
    payload: bytes, path: str, value: str, new_id: str, replaced: str
) -> tuple[bytes, str | None]:
    """A KoboToolbox submission object with ``path`` set and the meta of an edit."""
    data = json.loads(payload.decode("utf-8"))
    previous = data.get(path)
    data[path] = value
    data["meta/instanceID"] = new_id
    data["meta/deprecatedID"] = replaced
    data.pop("_uuid", None)  # Kobo's own id of the version replaced
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return body, None if previous is None else str(previous).strip()
