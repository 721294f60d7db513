"""The error catalogue: every failure the core can report, with a stable code.

Each :class:`ErrorCode` has a dotted code (stable: clients, tests and logs rely on it) and a
message template in Vietnamese and in English. The HTTP status for each code lives in
``webhook/`` alone; the core knows nothing about HTTP. The texts people read that are not
failures (validation issues, import rejections) are catalogued the same way in
``ingest.catalogue``.

Exception hierarchy::

    VssidError                 any expected failure, carries an ErrorCode and its parameters
    ├── NotFound               the thing named does not exist (form, version, unit, user, media)
    ├── Conflict               the request contradicts what is stored (changed published version)
    ├── InvalidInput           the input cannot be used as given (bad XLSForm, unreadable file,
    │                          malformed submission)
    ├── OverQuota              the sender went past a limit on what it may store in a while:
    │                          it may send again later (``retry_after`` seconds)
    └── Unavailable            a resource we depend on is down (database, media folder): the
                               client should retry later
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(Enum):
    """Stable codes with (Vietnamese, English) message templates."""

    FORM_NOT_FOUND = (
        "form.not_found",
        "Không tìm thấy biểu mẫu '{form_id}'.",
        "Form '{form_id}' was not found.",
    )
    FORM_MEDIA_NOT_FOUND = (
        "form.media_not_found",
        "Biểu mẫu '{form_id}' không có tệp đính kèm '{name}'.",
        "Form '{form_id}' has no media file '{name}'.",
    )
    FORM_MEDIA_MISSING = (
        "form.media_missing",
        "Biểu mẫu '{form_id}' cần tệp '{name}': hãy đặt tệp vào thư mục {folder}.",
        "Form '{form_id}' needs the media file '{name}': put it in {folder}.",
    )
    FORM_VERSION_CHANGED = (
        "form.version_changed",
        "Biểu mẫu '{form_id}' phiên bản {version} đã được phát hành với nội dung khác; "
        "hãy tăng settings.version trước khi phát hành lại.",
        "Form '{form_id}' version {version} was already published with different content; "
        "raise settings.version before publishing again.",
    )
    FORM_VERSION_OLDER = (
        "form.version_older",
        "Biểu mẫu '{form_id}': phiên bản {version} cũ hơn phiên bản hiện hành {current}.",
        "Form '{form_id}': version {version} is older than the current version {current}.",
    )
    XLSFORM_INVALID = (
        "xlsform.invalid",
        "Tệp XLSForm '{source}' không hợp lệ: {reason}",
        "The XLSForm '{source}' is invalid: {reason}",
    )
    XLSFORM_NO_VERSION = (
        "xlsform.no_version",
        "Tệp XLSForm '{source}' thiếu settings.version.",
        "The XLSForm '{source}' has no settings.version.",
    )
    CAMPAIGN_INVALID = (
        "campaign.invalid",
        "Định nghĩa chiến dịch '{source}' không hợp lệ: {reason_vi}",
        "The campaign definition '{source}' is invalid: {reason_en}",
    )
    CAMPAIGN_NOT_FOUND = (
        "campaign.not_found",
        "Không có chiến dịch '{campaign}'. Các chiến dịch hiện có: {known}.",
        "There is no campaign '{campaign}'. The campaigns are: {known}.",
    )
    PERSON_NOT_FOUND = (
        "person.not_found",
        "Không có dữ liệu nào về người có mã '{identifier}' (phiếu, danh sách hay tệp đính kèm).",
        "Nothing is held about the person '{identifier}' (records, rosters or attachments).",
    )
    FILE_UNREADABLE = (
        "file.unreadable",
        "Không đọc được tệp '{source}': {reason}",
        "Cannot read the file '{source}': {reason}",
    )
    FILE_COLUMNS_MISSING = (
        "file.columns_missing",
        "Tệp '{source}' thiếu cột: {columns}.",
        "The file '{source}' lacks the columns: {columns}.",
    )
    UNIT_NOT_FOUND = (
        "unit.not_found",
        "Không tìm thấy đơn vị có mã '{code}'.",
        "No unit has the code '{code}'.",
    )
    USER_EXISTS = (
        "user.exists",
        "Tài khoản '{username}' đã tồn tại.",
        "The account '{username}' already exists.",
    )
    USER_NOT_FOUND = (
        "user.not_found",
        "Không tìm thấy tài khoản '{username}'.",
        "The account '{username}' was not found.",
    )
    HOOK_NOT_FOUND = (
        "hook.not_found",
        "Không có đăng ký webhook số {hook_id}.",
        "There is no webhook subscription {hook_id}.",
    )
    HOOK_INVALID = (
        "hook.invalid",
        "Đăng ký webhook không hợp lệ: {reason}",
        "The webhook subscription is invalid: {reason}",
    )
    DELIVERY_NOT_FOUND = (
        "hook.delivery_not_found",
        "Không có lần gửi sự kiện số {delivery_id}.",
        "There is no event delivery {delivery_id}.",
    )
    EMAIL_INVALID = (
        "user.email_invalid",
        "Địa chỉ e-mail '{email}' không hợp lệ.",
        "The e-mail address '{email}' is not valid.",
    )
    USER_INVALID = (
        "user.invalid",
        "Tài khoản không hợp lệ: {reason}",
        "Invalid account: {reason}",
    )

    SUBMISSION_NO_XML = (
        "submission.no_xml",
        "Yêu cầu thiếu phần 'xml_submission_file' chứa dữ liệu phiếu.",
        "The request has no 'xml_submission_file' part with the form data.",
    )
    SUBMISSION_MALFORMED = (
        "submission.malformed",
        "Dữ liệu phiếu không đọc được: {reason}",
        "The submission cannot be read: {reason}",
    )
    SUBMISSION_UNSAFE = (
        "submission.unsafe_xml",
        "Dữ liệu XML có khai báo DOCTYPE/ENTITY, không được chấp nhận.",
        "XML with a DOCTYPE or ENTITY declaration is not accepted.",
    )
    SUBMISSION_NO_INSTANCE_ID = (
        "submission.no_instance_id",
        "Phiếu thiếu mã định danh (meta/instanceID).",
        "The submission has no instance ID (meta/instanceID).",
    )
    SUBMISSION_ENCRYPTED = (
        "submission.encrypted",
        "Phiếu đã được mã hóa nhưng biểu mẫu trên máy chủ không dùng mã hóa; "
        "hãy tải lại biểu mẫu mới nhất.",
        "The submission is encrypted but the server's form is not; download the latest form.",
    )
    SUBMISSION_CONFLICT = (
        "submission.conflict",
        "Phiếu có mã {instance_id} đã được gửi trước đó với nội dung khác.",
        "A submission with ID {instance_id} was already received with different content.",
    )
    SUBMISSION_EDIT_UNKNOWN = (
        "submission.edit_unknown",
        "Không tìm thấy phiếu gốc {deprecated_id} trong các phiếu tài khoản này được sửa "
        "(chỉ người đã gửi phiếu hoặc quản trị viên được sửa phiếu).",
        "The submission being edited ({deprecated_id}) was not found among those this account "
        "may edit (only its sender or an administrator may edit a submission).",
    )
    #: An edit of a record another account sent: told in the very words of an unknown one,
    #: so that an instance ID does not reveal whether it exists.
    SUBMISSION_EDIT_NOT_ALLOWED = (
        "submission.edit_not_allowed",
        SUBMISSION_EDIT_UNKNOWN[1],
        SUBMISSION_EDIT_UNKNOWN[2],
    )
    SUBMISSION_EDIT_SUPERSEDED = (
        "submission.edit_superseded",
        "Phiếu {deprecated_id} đã được cập nhật trước đó; hãy sửa bản mới nhất.",
        "Submission {deprecated_id} has already been edited; edit the latest version.",
    )
    FORM_CLOSED = (
        "form.closed",
        "Biểu mẫu '{form_id}' đã đóng, không nhận thêm phiếu.",
        "Form '{form_id}' is closed and no longer accepts submissions.",
    )
    KOBO_FORM_UNKNOWN = (
        "kobo.form_unknown",
        "Không xác định được biểu mẫu của dữ liệu KoboToolbox ('{asset}'); thêm "
        "?form_id=<mã biểu mẫu> vào địa chỉ REST Service.",
        "Cannot tell which form this KoboToolbox data belongs to ('{asset}'); add "
        "?form_id=<form id> to the REST Service URL.",
    )
    UNSUPPORTED_MEDIA_TYPE = (
        "submission.unsupported_type",
        "Kiểu nội dung '{content_type}' không được hỗ trợ; hãy gửi JSON hoặc XML.",
        "Content type '{content_type}' is not supported; send JSON or XML.",
    )
    QUOTA_SUBMISSIONS = (
        "submission.quota_submissions",
        "Tài khoản này đã gửi đủ {limit} phiếu được gửi trong một giờ; "
        "vui lòng gửi lại sau {minutes} phút.",
        "This account has sent the {limit} submissions it may send in an hour; "
        "please send again in {minutes} minutes.",
    )
    QUOTA_BYTES = (
        "submission.quota_bytes",
        "Tài khoản này đã dùng hết {megabytes} MB được gửi trong một ngày; "
        "vui lòng gửi lại sau {minutes} phút.",
        "This account has used up the {megabytes} MB it may send in a day; "
        "please send again in {minutes} minutes.",
    )
    DATABASE_UNAVAILABLE = (
        "service.database_unavailable",
        "Máy chủ tạm thời không lưu được dữ liệu; vui lòng gửi lại sau.",
        "The server cannot store data right now; please send again later.",
    )
    MEDIA_UNWRITABLE = (
        "service.media_unwritable",
        "Máy chủ tạm thời không lưu được tệp đính kèm; vui lòng gửi lại sau.",
        "The server cannot store attachments right now; please send again later.",
    )

    SELFREPORT_LINK_UNKNOWN = (
        "selfreport.link_unknown",
        "Đường dẫn tự khai này không tồn tại. Vui lòng kiểm tra lại đường dẫn hoặc hỏi cán "
        "bộ đầu mối của đơn vị.",
        "This self-report link does not exist. Check the link or ask your unit's focal point.",
    )
    SELFREPORT_LINK_EXPIRED = (
        "selfreport.link_expired",
        "Đường dẫn tự khai này đã hết hạn ngày {day}. Vui lòng hỏi cán bộ đầu mối của đơn vị "
        "đường dẫn mới.",
        "This self-report link expired on {day_en}. Ask your unit's focal point for a new one.",
    )
    SELFREPORT_LINK_REVOKED = (
        "selfreport.link_revoked",
        "Đường dẫn tự khai này đã bị thu hồi. Vui lòng hỏi cán bộ đầu mối của đơn vị đường "
        "dẫn mới.",
        "This self-report link has been withdrawn. Ask your unit's focal point for a new one.",
    )
    SELFREPORT_NO_FORM = (
        "selfreport.no_form",
        "Chiến dịch '{campaign}' không có biểu mẫu tự khai (selfreport_form).",
        "Campaign '{campaign}' has no self-report form (selfreport_form).",
    )
    SELFREPORT_WRONG_FORM = (
        "selfreport.wrong_form",
        "Đường dẫn này chỉ nhận phiếu tự khai '{form_id}'.",
        "This link accepts only the self-report form '{form_id}'.",
    )
    SELFREPORT_RATE_LINK = (
        "selfreport.rate_link",
        "Đơn vị đã gửi nhiều phiếu qua đường dẫn này trong một giờ; vui lòng gửi lại sau "
        "{minutes} phút.",
        "Many forms were sent through this link within an hour; please send again in "
        "{minutes} minutes.",
    )
    SELFREPORT_RATE_ADDRESS = (
        "selfreport.rate_address",
        "Thiết bị hoặc mạng này đã gửi nhiều phiếu trong một giờ; vui lòng gửi lại sau "
        "{minutes} phút.",
        "This device or network has sent many forms within an hour; please send again in "
        "{minutes} minutes.",
    )

    SUBMISSION_NOT_FOUND = (
        "submission.not_found",
        "Không tìm thấy phiếu số {submission_id}.",
        "Submission {submission_id} was not found.",
    )
    REVIEW_NOT_REVIEWABLE = (
        "review.not_reviewable",
        "Phiếu số {submission_id} ({review_state}) không thể duyệt.",
        "Submission {submission_id} ({review_state}) cannot be reviewed.",
    )
    REVIEW_INVALID = (
        "review.invalid",
        "Quyết định duyệt không hợp lệ: {reason}",
        "Invalid review decision: {reason}",
    )
    CORRECTION_INVALID = (
        "correction.invalid",
        "Không sửa được phiếu số {submission_id}: {reason}",
        "Submission {submission_id} cannot be corrected: {reason}",
    )
    CORRECTION_SUPERSEDED = (
        "correction.superseded",
        "Phiếu số {submission_id} đã có phiên bản mới hơn; hãy sửa phiên bản mới nhất.",
        "Submission {submission_id} was already replaced by a newer version; correct the latest.",
    )

    def __init__(self, code: str, vi: str, en: str) -> None:
        self.code = code
        self.vi = vi
        self.en = en


class VssidError(Exception):
    """An expected failure, described by an :class:`ErrorCode` and its parameters."""

    def __init__(self, error: ErrorCode, **params: Any) -> None:
        self.error = error
        self.params = params
        super().__init__(self.message_en)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message_vi(self) -> str:
        return self.error.vi.format(**self.params)

    @property
    def message_en(self) -> str:
        return self.error.en.format(**self.params)

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` (``vi`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_vi


class NotFound(VssidError):
    """The thing named does not exist."""


class Conflict(VssidError):
    """The request contradicts what is stored."""


class InvalidInput(VssidError):
    """The input cannot be used as given."""


class OverQuota(VssidError):
    """The sender went past a limit on what it may store in a while; ``retry_after``: the
    seconds until it may send again."""

    def __init__(self, error: ErrorCode, retry_after: int, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(error, **params)


class Unavailable(VssidError):
    """A resource we depend on is down; the client should retry later."""
