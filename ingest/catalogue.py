"""The catalogue of texts people read that are not errors: validation issues, import rejections.

``ingest.errors`` holds :class:`~ingest.errors.ErrorCode`, the failures raised as exceptions.
This module holds the other texts the core writes for people, in the same way: a stable code
(clients, stored issues, tests and logs rely on it: never renamed) and a template in
Vietnamese and in English, with ``{named}`` parameters.

- :class:`IssueCode`: problems :func:`ingest.forms.validate.validate` finds in a submission;
  each says whether it blocks (flags the submission for review) or only informs. The module
  that finds the issue prefixes the message with the question's label.
- :class:`CheckCode`: problems found beyond the form's own rules: a record's own checks
  (``ingest.submissions.checks``), the rules across records (``ingest.consumers.rules``) and
  what the server could not do with a submission (kept, flagged for a person);
- :class:`RejectCode`: why a row of an imported units or roster file was refused. An import
  report keeps one line per row, ``vi (en)``; four reasons have been Vietnamese only
  (``en`` is None): giving one an English template changes the line users see, and is a change
  of its own.
- :class:`Texts` constants: the parts of a sentence that vary (a type's name, the list a choice
  was looked up in, the default when the form has no message of its own).

The pattern, for a module that writes a text people read:

1. add a member to the enum, or a new enum here, with a dotted code and both templates;
2. build the text from the member with values, not sentences:
   ``IssueCode.VALUE_TYPE.message(value=..., type=TYPE_NAMES[xml_type])``, or
   ``RejectCode.UNIT_NAME_EMPTY.reason()``; a parameter that differs by language is a
   :class:`Texts`, and each language takes its own;
3. keep wording out of the module: a varying part of a sentence is a :class:`Texts` here.

Parameters are inserted, never parsed: a form's message, an answer or a cell may hold braces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Texts:
    """One text in Vietnamese and in English: a message, or a part of one."""

    vi: str
    en: str

    def format(self, **params: object) -> Texts:
        """Both templates with ``params`` inserted; a :class:`Texts` parameter gives each
        language its own text."""
        return Texts(
            self.vi.format(**{k: v.vi if isinstance(v, Texts) else v for k, v in params.items()}),
            self.en.format(**{k: v.en if isinstance(v, Texts) else v for k, v in params.items()}),
        )


class _Problem:
    """What a member of :class:`IssueCode` and :class:`CheckCode` is: a stable code, whether it
    blocks (flags the submission for review), and its Vietnamese and English templates."""

    def __init__(self, code: str, blocking: bool, vi: str, en: str) -> None:
        self.code = code
        self.blocking = blocking
        self.vi = vi
        self.en = en

    def message(self, **params: object) -> Texts:
        """The message in both languages, with ``params`` inserted."""
        return Texts(self.vi, self.en).format(**params)


class IssueCode(_Problem, Enum):
    """Validation issues: code, whether it blocks, (Vietnamese, English) templates.

    ``value.required`` and ``value.constraint`` take as ``reason`` the form's own message
    (``required_message``, ``constraint_message``) when it has one, else :data:`ANSWER_REQUIRED`
    or :data:`CONSTRAINT_UNMET`.
    """

    FIELD_UNKNOWN = (
        "field.unknown",
        True,
        "Biểu mẫu không có trường '{field}' (phiếu có thể được gửi từ phiên bản biểu mẫu khác); "
        "giá trị không được sử dụng.",
        "The form has no field '{field}' (the submission may come from another form version); "
        "the value is not used.",
    )
    VALUE_TYPE = (
        "value.type",
        True,
        "giá trị '{value}' không phải là {type}.",
        "the value '{value}' is not {type}.",
    )
    CHOICE_UNKNOWN = (
        "choice.unknown",
        True,
        "lựa chọn '{value}' không có trong {choices}.",
        "the choice '{value}' is not in {choices}.",
    )
    VALUE_REQUIRED = ("value.required", True, "{reason}", "{reason}")
    VALUE_CONSTRAINT = (
        "value.constraint",
        True,
        "giá trị '{value}' không hợp lệ: {reason}",
        "the value '{value}' is not valid: {reason}",
    )
    VALUE_NOT_RELEVANT = (
        "value.not_relevant",
        False,
        "có giá trị '{value}' nhưng câu hỏi không áp dụng cho phiếu này; giá trị bị bỏ qua.",
        "has the value '{value}' but the question does not apply; the value is ignored.",
    )
    EXPRESSION_NOT_CHECKED = (
        "expression.not_checked",
        False,
        "không kiểm tra được {attribute} “{expression}”: {error}.",
        "the {attribute} “{expression}” could not be checked: {error}.",
    )
    CHOICE_NOT_CHECKED = (
        "choice.not_checked",
        False,
        "chưa kiểm tra lựa chọn '{value}': {reason}",
        "the choice '{value}' was not checked: {reason}",
    )


#: How each type the validator checks is named in ``value.type`` (``type``).
TYPE_NAMES: Mapping[str, Texts] = {
    "int": Texts("một số nguyên", "a whole number"),
    "decimal": Texts("một số", "a number"),
    "date": Texts("một ngày hợp lệ (YYYY-MM-DD)", "a valid date (YYYY-MM-DD)"),
    "dateTime": Texts(
        "một thời điểm hợp lệ (ISO 8601, có múi giờ)",
        "a valid date and time (ISO 8601, with offset)",
    ),
    "time": Texts("một giờ hợp lệ (HH:MM:SS)", "a valid time (HH:MM:SS)"),
    "geopoint": Texts(
        "một tọa độ hợp lệ (vĩ độ kinh độ [độ cao [độ chính xác]])",
        "a valid location (latitude longitude [altitude [accuracy]])",
    ),
    "geotrace": Texts("một dãy tọa độ hợp lệ", "a valid list of locations"),
    "geoshape": Texts("một dãy tọa độ hợp lệ", "a valid list of locations"),
    "boolean": Texts("đúng hoặc sai (true/false)", "true or false"),
}
#: ``value.type`` for a list or an object given for one value.
SINGLE_VALUE = Texts("một giá trị đơn", "a single value")
#: How each bind attribute is named in ``expression.not_checked`` (``attribute``).
ATTRIBUTE_NAMES: Mapping[str, Texts] = {
    "relevant": Texts("điều kiện hiển thị (relevant)", "relevance (relevant)"),
    "required": Texts("điều kiện bắt buộc (required)", "requirement (required)"),
    "constraint": Texts("ràng buộc (constraint)", "constraint"),
}
#: ``value.required`` when the form has no ``required_message``.
ANSWER_REQUIRED = Texts("bắt buộc phải trả lời.", "an answer is required.")
#: ``value.constraint`` when the form has no ``constraint_message`` (``condition``).
CONSTRAINT_UNMET = Texts(
    "không thỏa điều kiện của biểu mẫu ({condition}).",
    "it does not meet the form's condition ({condition}).",
)
#: The list a select's answer was looked up in (``choices`` of ``choice.unknown``).
NAMED_LIST = Texts("danh sách {file}", "the list {file}")
FORM_LIST = Texts("danh sách của biểu mẫu", "the form's list")
#: Why a select's answer was not checked (``reason`` of ``choice.not_checked``).
LIST_UNAVAILABLE = Texts("không có danh sách {file}.", "the list {file} is not available.")
LIST_DYNAMIC = Texts("danh sách lấy từ câu trả lời.", "the list is dynamic.")


class CheckCode(_Problem, Enum):
    """Checks beyond the form's rules: code, whether it blocks, (Vietnamese, English)."""

    UNIT_UNKNOWN = (
        "domain.unit_unknown",
        True,
        "Mã đơn vị '{unit}' không có trong danh sách đơn vị.",
        "The unit code '{unit}' is not in the units registry.",
    )
    UNIT_NOT_ALLOWED = (
        "domain.unit_not_allowed",
        True,
        "Tài khoản gửi phiếu chỉ được ghi nhận cho đơn vị của mình; phiếu cần được kiểm tra.",
        "The sending account records only for its own units; the record must be reviewed.",
    )
    OUTCOME_DATE_AFTER_COLLECTION = (
        "domain.outcome_date_after_collection",
        True,
        "{field} ({value}) sau ngày ghi nhận {day:%d/%m/%Y}.",
        "{field_en} ({value}) is after the day it was recorded ({day:%d/%m/%Y}).",
    )
    TWO_UNITS = (
        "domain.person_two_units",
        True,
        "{identifier} {code} đã được ghi nhận ở đơn vị khác ({other_unit}); "
        "cần xác định đơn vị đúng.",
        "{identifier_en} {code} is also recorded in another unit ({other_unit}); "
        "decide which unit is right.",
    )
    #: A self-report whose identifier and birth date are not both on the campaign's roster
    #: of the link's unit. The sender is never told (the page answers the same either way),
    #: so nobody learns who is on a roster; a reviewer decides.
    IDENTITY_NOT_MATCHED = (
        "identity.not_matched",
        True,
        "Tự khai: {identifier} và ngày sinh không khớp với danh sách của đơn vị; cần người "
        "xem lại.",
        "Self-report: the {identifier_en} and date of birth do not match the unit's roster; "
        "a person must review it.",
    )
    #: A person record without the person's consent (the campaign's ``[privacy] consent``
    #: question not answered ``consent_given``): kept as it came, never counted, its personal
    #: data never projected (Law 91/2025/QH15).
    CONSENT_NOT_GIVEN = (
        "consent.not_given",
        False,
        "Không có sự đồng ý của người được ghi nhận: phiếu được lưu nhưng không được tính và "
        "không đưa vào danh sách.",
        "The person did not consent: the record is kept but neither counted nor listed.",
    )
    CHECK_FAILED = (
        "internal.check_failed",
        True,
        "Máy chủ chưa kiểm tra được phiếu này; cần người xem lại.",
        "The server could not check this submission; a person must review it.",
    )
    PROJECTION_FAILED = (
        "internal.projection_failed",
        True,
        "Máy chủ chưa xử lý được phiếu này; cần người xem lại.",
        "The server could not process this submission; a person must review it.",
    )

    def stored(self, path: str = "", **params: object) -> dict[str, object]:
        """The issue as a submission keeps it (``issues`` on the log row or the state)."""
        text = self.message(**params)
        return {"code": self.code, "path": path, "message_vi": text.vi,
                "message_en": text.en, "blocking": self.blocking}  # fmt: skip


#: ``domain.person_two_units`` as read by an account that does not see the other unit: that
#: the person is recorded elsewhere, not where.
TWO_UNITS_ELSEWHERE = Texts(
    "Người này đã được ghi nhận ở một đơn vị khác; cần xác định đơn vị đúng.",
    "This person is also recorded in another unit; decide which unit is right.",
)


class RejectCode(Enum):
    """Why an imported row was refused: code, Vietnamese template, English template or None.

    The English part follows the Vietnamese on the same line, in parentheses, for an operator
    who reads English: it says what to fix, and need not repeat the values.
    """

    UNIT_CODE_EMPTY = ("units.code_empty", "thiếu mã đơn vị", "code is empty")
    UNIT_CODE_INVALID = ("units.code_invalid", "mã đơn vị không hợp lệ '{code}'", "invalid code")
    UNIT_NAME_EMPTY = ("units.name_empty", "thiếu tên đơn vị", "name_vi is empty")
    UNIT_KIND_INVALID = (
        "units.kind_invalid",
        "loại đơn vị không hợp lệ '{kind}'",
        "kind must be one of {kinds}",
    )
    UNIT_HEADCOUNT_INVALID = (
        "units.headcount_invalid",
        "{column} phải là số nguyên không âm, không phải '{value}'",
        None,
    )
    UNIT_OWN_PARENT = (
        "units.own_parent",
        "đơn vị không thể là cấp trên của chính nó",
        "a unit cannot be its own parent",
    )
    UNIT_DUPLICATE = ("units.duplicate", "mã '{code}' trùng dòng {row}", None)
    UNIT_PARENT_UNKNOWN = (
        "units.parent_unknown",
        "không có đơn vị cấp trên '{parent}'",
        "unknown parent",
    )
    UNIT_PARENT_CYCLE = (
        "units.parent_cycle",
        "vòng lặp đơn vị cấp trên qua '{code}'",
        "parent cycle",
    )

    ROSTER_CODE_INVALID = (
        "roster.code_invalid",
        "{identifier} '{code}' không đúng định dạng của biểu mẫu ({rule})",
        "{identifier_en} does not match the form's format",
    )
    ROSTER_NAME_EMPTY = ("roster.name_empty", "thiếu họ và tên", "full_name is empty")
    ROSTER_CATEGORY_INVALID = (
        "roster.category_invalid",
        "đối tượng '{category}' không hợp lệ",
        "category must be Công chức, Viên chức or Người lao động",
    )
    ROSTER_UNIT_UNKNOWN = ("roster.unit_unknown", "không có đơn vị '{unit}'", "unknown unit")
    ROSTER_BIRTH_DATE_UNREADABLE = (
        "roster.birth_date_unreadable",
        "ngày sinh '{value}' không đọc được",
        "unreadable birth date",
    )
    ROSTER_DUPLICATE = ("roster.duplicate", "mã {code} trùng dòng {row}", None)
    ROSTER_SUPERSEDED = (
        "roster.superseded",
        "đơn vị {unit} đã có danh sách mới hơn ngày {as_of}",
        None,
    )

    def __init__(self, code: str, vi: str, en: str | None) -> None:
        self.code = code
        self.vi = vi
        self.en = en

    def reason(self, **params: object) -> str:
        """The line an import report keeps: ``vi (en)``, or ``vi`` alone when ``en`` is None."""
        line = self.vi.format(**params)
        return line if self.en is None else f"{line} ({self.en.format(**params)})"
