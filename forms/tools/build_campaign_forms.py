"""Write the XLSForms of the `vneid` and `vssid_residents` campaigns (DESIGN.md §7).

    .venv/bin/python forms/tools/build_campaign_forms.py [--out forms]

writes ``vneid_level2.xlsx`` and ``vssid_residents_outreach.xlsx``. The sheets follow the
layout of ``vssid_install.xlsx`` and ``vssid_unit_report.xlsx`` (same columns, Vietnamese
first, messages in both languages, default language Vietnamese), plus two columns:

- ``choice_filter`` (the outreach form lists wards only: ``units.csv`` has a ``kind`` column);
- ``bind::vssid:personal``: ``true`` on every field that holds personal data; with the
  ``namespaces`` setting ``vssid="urn:vssid:xforms"`` pyxform writes ``vssid:personal="true"``
  on the field's bind, which is how the form declares its personal fields.

A published version never changes: after editing a text here, raise ``VERSION`` (or the
form's own version) before publishing again. Then run ``write_notice.py``: it writes each
campaign's privacy notice (``[privacy.notice]``) over the notice written here, which
publishing would refuse.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

VI, EN = "Tiếng Việt (vi)", "English (en)"
VERSION = "2026120601"
NAMESPACES = 'vssid="urn:vssid:xforms"'
PERSONAL = "bind::vssid:personal"

SURVEY_COLUMNS = [
    ("type", 32),
    ("name", 22),
    (f"label::{VI}", 45),
    (f"label::{EN}", 45),
    (f"hint::{VI}", 45),
    (f"hint::{EN}", 45),
    ("required", 20),
    (f"required_message::{VI}", 45),
    (f"required_message::{EN}", 45),
    ("relevant", 40),
    ("constraint", 36),
    (f"constraint_message::{VI}", 45),
    (f"constraint_message::{EN}", 45),
    ("appearance", 18),
    ("choice_filter", 20),
    ("calculation", 40),
    ("default", 20),
    ("parameters", 20),
    (PERSONAL, 20),
]
CHOICE_COLUMNS = [("list_name", 14), ("name", 22), (f"label::{VI}", 45), (f"label::{EN}", 45)]
SETTINGS_COLUMNS = [
    "form_title",
    "form_id",
    "name",
    "version",
    "default_language",
    "instance_name",
    "namespaces",
]

# --- shared texts (as in vssid_install / vssid_unit_report) ---------------------------------

META = [{"type": t, "name": t} for t in ("start", "end", "deviceid", "username")]
YES = "${consent} = 'yes'"
NAME_CONSTRAINT = "string-length(normalize-space(.)) >= 2 and not(regex(., '[0-9]'))"
PHONE_CONSTRAINT = "regex(., '^(0|\\+84)(3|5|7|8|9)[0-9]{8}$')"
PHONE_MESSAGE = {
    VI: "Số điện thoại di động không hợp lệ: gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
    "(có thể thay số 0 đầu bằng +84).",
    EN: "Invalid mobile number: 10 digits starting with 03, 05, 07, 08 or 09 "
    "(the leading 0 may be written as +84).",
}
UNIT_HINT = {
    VI: "Gõ một phần tên đơn vị để tìm nhanh, ví dụ “Phường 1”, “Phòng Nội vụ”, “Trung tâm Y tế”.",
    EN: "Type part of the unit's name to search, e.g. “Phường 1”, “Phòng Nội vụ”, "
    "“Trung tâm Y tế”.",
}
CATEGORY_HINT = {
    VI: "Công chức: được tuyển dụng, bổ nhiệm vào ngạch, chức vụ, chức danh trong biên chế của "
    "cơ quan Đảng, Nhà nước, đoàn thể (cán bộ giữ chức vụ do bầu cử cũng chọn mục này). Viên "
    "chức: làm việc theo hợp đồng làm việc tại đơn vị sự nghiệp công lập (trường học, trung tâm "
    "y tế…). Người lao động: làm việc theo hợp đồng lao động.",
    EN: "Công chức (civil servant): recruited or appointed to a civil-service rank, post or title "
    "in a Party, State or mass-organisation body (elected officials also choose this). Viên chức "
    "(public employee): works under a work contract in a public service unit (schools, the "
    "medical centre…). Người lao động (employee): works under a labour contract.",
}
YES_NO = [
    ("yes_no", "yes", "Đồng ý", "I agree"),
    ("yes_no", "no", "Không đồng ý", "I do not agree"),
]
CATEGORIES = [
    ("category", "cong_chuc", "Công chức", "Civil servant (công chức)"),
    ("category", "vien_chuc", "Viên chức", "Public employee (viên chức)"),
    (
        "category",
        "nguoi_lao_dong",
        "Người lao động",
        "Employee under a labour contract (người lao động)",
    ),
]


def q(
    type_: str,
    name: str,
    label: tuple[str, str] | None = None,
    hint: tuple[str, str] | dict[str, str] | None = None,
    required: str | None = None,
    required_message: tuple[str, str] | None = None,
    relevant: str | None = None,
    constraint: str | None = None,
    constraint_message: tuple[str, str] | dict[str, str] | None = None,
    *,
    appearance: str | None = None,
    choice_filter: str | None = None,
    calculation: str | None = None,
    default: str | None = None,
    personal: bool = False,
) -> dict[str, str]:
    """One survey row; texts are (Vietnamese, English)."""

    def pair(prefix: str, value: tuple[str, str] | dict[str, str] | None) -> dict[str, str]:
        if value is None:
            return {}
        vi, en = (value[VI], value[EN]) if isinstance(value, dict) else value
        return {f"{prefix}::{VI}": vi, f"{prefix}::{EN}": en}

    row = {"type": type_, "name": name}
    row |= pair("label", label) | pair("hint", hint)
    row |= pair("required_message", required_message)
    row |= pair("constraint_message", constraint_message)
    extra = {
        "required": required,
        "relevant": relevant,
        "constraint": constraint,
        "appearance": appearance,
        "choice_filter": choice_filter,
        "calculation": calculation,
        "default": default,
        PERSONAL: "true" if personal else None,
    }
    return row | {k: v for k, v in extra.items() if v is not None}


# --- vneid_level2 ---------------------------------------------------------------------------

VNEID_NOTICE = (
    "**Thông báo về việc thu thập thông tin cá nhân**\n\n"
    "Ủy ban nhân dân Quận 10 thu thập các thông tin trong phiếu này (họ và tên, số định danh cá "
    "nhân, ngày sinh, đơn vị công tác, đối tượng, số điện thoại, tình trạng đăng ký và kích hoạt "
    "tài khoản định danh điện tử) để theo dõi và hỗ trợ công chức, viên chức và người lao động "
    "đăng ký, kích hoạt tài khoản định danh điện tử mức độ 2 trên ứng dụng VNeID theo Nghị định "
    "số 59/2022/NĐ-CP ngày 05/9/2022 của Chính phủ quy định về định danh và xác thực điện tử.\n\n"
    "Việc tiếp nhận hồ sơ và kích hoạt tài khoản do cơ quan Công an thực hiện. Thông tin trong "
    "phiếu do Ủy ban nhân dân Quận 10 quản lý, chỉ được sử dụng để theo dõi tiến độ triển khai và "
    "phối hợp với Công an Quận 10 giải quyết các trường hợp còn vướng mắc, không sử dụng vào mục "
    "đích khác. Cán bộ đầu mối của đơn vị nơi Anh/Chị công tác được xem tình trạng kích hoạt tài "
    "khoản của Anh/Chị để hỗ trợ khi cần.",
    "**Notice on the collection of personal information**\n\n"
    "The District 10 People's Committee collects the information in this form (full name, "
    "personal identification number, date of birth, work unit, category, phone number, "
    "registration and activation status of the electronic identity account) to monitor and "
    "support civil servants, public employees and other staff in registering and activating a "
    "level-2 electronic identity account in the VNeID app, under Government Decree "
    "No. 59/2022/NĐ-CP of 5 September 2022 on electronic identification and authentication.\n\n"
    "Applications are received and accounts activated by the police. The information in this "
    "form is managed by the District 10 People's Committee and is used only to monitor progress "
    "and to work with the District 10 Police on cases that are still blocked, for no other "
    "purpose. The focal point of your unit can see your activation status in order to help you.",
)

ACTIVATED = "${vneid_status} = 'activated_level2'"

VNEID_SURVEY = [
    *META,
    q("note", "consent_notice", VNEID_NOTICE),
    q(
        "select_one yes_no",
        "consent",
        (
            "Anh/Chị có đồng ý cung cấp thông tin cho mục đích nêu trên không?",
            "Do you agree to provide your information for the purpose stated above?",
        ),
        (
            "Trường hợp cán bộ điền phiếu giúp: đọc thông báo trên cho người được hỗ trợ và chọn "
            "theo ý kiến của chính người đó.",
            "If you are filling in the form for a colleague, read the notice to them and record "
            "their own answer.",
        ),
        "yes",
        ("Vui lòng chọn Đồng ý hoặc Không đồng ý.", "Please choose I agree or I do not agree."),
    ),
    q(
        "note",
        "consent_declined",
        (
            "Người được hỗ trợ không đồng ý cung cấp thông tin. Phiếu sẽ không ghi nhận thông tin "
            "cá nhân nào. Vui lòng lưu và kết thúc phiếu.",
            "The person does not agree to provide information. No personal information will be "
            "recorded. Please save and finish the form.",
        ),
        relevant="${consent} = 'no'",
    ),
    q(
        "select_one_from_file units.csv",
        "unit",
        ("Đơn vị công tác", "Work unit"),
        UNIT_HINT,
        "yes",
        ("Vui lòng chọn đơn vị.", "Please choose the unit."),
        YES,
        appearance="minimal autocomplete",
    ),
    q(
        "text",
        "full_name",
        ("Họ và tên", "Full name"),
        (
            "Ghi đầy đủ, có dấu, đúng như trên thẻ Căn cước công dân.",
            "In full, with Vietnamese diacritics, as on the citizen identity card.",
        ),
        "yes",
        ("Vui lòng nhập họ và tên.", "Please enter the full name."),
        YES,
        NAME_CONSTRAINT,
        (
            "Họ và tên không được chứa chữ số. Số định danh cá nhân được nhập ở câu sau.",
            "The full name must not contain digits. The personal identification number is asked "
            "in the next question.",
        ),
        personal=True,
    ),
    q(
        "text",
        "cccd",
        (
            "Số định danh cá nhân (số CCCD)",
            "Personal identification number (citizen identity card number)",
        ),
        (
            "Gồm 12 chữ số, in trên thẻ Căn cước công dân (CCCD) hoặc thẻ Căn cước. Nhập đủ 12 "
            "số, giữ nguyên các số 0 ở đầu (ví dụ 079123456789).",
            "12 digits, printed on the citizen identity card (CCCD) or identity card. Enter all "
            "12 digits and keep leading zeros (e.g. 079123456789).",
        ),
        "yes",
        ("Vui lòng nhập số định danh cá nhân.", "Please enter the personal identification number."),
        YES,
        "regex(., '^[0-9]{12}$')",
        (
            "Số định danh cá nhân phải gồm đúng 12 chữ số (0–9), không có chữ cái hay khoảng "
            "trắng; giữ nguyên các số 0 ở đầu.",
            "The personal identification number must be exactly 12 digits (0–9), with no letters "
            "or spaces; keep leading zeros.",
        ),
        appearance="numbers",
        personal=True,
    ),
    q(
        "date",
        "birth_date",
        ("Ngày sinh", "Date of birth"),
        (
            "Không bắt buộc. Ghi đúng như trên thẻ Căn cước công dân.",
            "Optional. As on the citizen identity card.",
        ),
        relevant=YES,
        constraint=". <= today()",
        constraint_message=(
            "Ngày sinh không được sau ngày hôm nay.",
            "The date of birth cannot be in the future.",
        ),
        personal=True,
    ),
    q(
        "select_one category",
        "category",
        ("Đối tượng", "Category"),
        CATEGORY_HINT,
        "yes",
        ("Vui lòng chọn đối tượng.", "Please choose the category."),
        YES,
    ),
    q(
        "text",
        "phone",
        ("Số điện thoại di động", "Mobile phone number"),
        (
            "Không bắt buộc. Nên ghi số thuê bao chính chủ dùng để đăng ký tài khoản VNeID, ví dụ "
            "0912345678.",
            "Optional. Preferably the number, registered in the person's own name, used for the "
            "VNeID account, e.g. 0912345678.",
        ),
        relevant=YES,
        constraint=PHONE_CONSTRAINT,
        constraint_message=PHONE_MESSAGE,
        appearance="numbers",
        personal=True,
    ),
    q(
        "select_one vneid_status",
        "vneid_status",
        ("Tình trạng tài khoản định danh điện tử (VNeID)", "Electronic identity (VNeID) status"),
        (
            "Chọn tình trạng tại thời điểm ghi nhận. “Đã kích hoạt mức độ 2” nghĩa là hồ sơ đã "
            "được cơ quan Công an phê duyệt và người đó đã kích hoạt, đăng nhập được tài khoản "
            "mức độ 2 trên ứng dụng VNeID.",
            "The status at the time of recording. “Level 2 activated” means the police have "
            "approved the application and the person has activated the level-2 account and can "
            "sign in to it in the VNeID app.",
        ),
        "yes",
        ("Vui lòng chọn tình trạng tài khoản.", "Please choose the account status."),
        YES,
    ),
    q(
        "date",
        "activation_date",
        ("Ngày kích hoạt tài khoản mức độ 2", "Date the level-2 account was activated"),
        (
            "Nếu không nhớ chính xác, ghi ngày gần đúng nhất.",
            "If the exact date is not known, enter the closest date.",
        ),
        "yes",
        ("Vui lòng nhập ngày kích hoạt.", "Please enter the activation date."),
        f"{YES} and {ACTIVATED}",
        ". <= today()",
        (
            "Ngày kích hoạt không được sau ngày hôm nay.",
            "The activation date cannot be in the future.",
        ),
    ),
    q(
        "select_multiple reasons",
        "reasons",
        (
            "Lý do chưa kích hoạt được tài khoản mức độ 2",
            "Reasons the level-2 account is not activated yet",
        ),
        (
            "Chọn tất cả lý do phù hợp. Bắt buộc khi chưa đăng ký tài khoản.",
            "Select all that apply. Required when no account has been registered.",
        ),
        "${vneid_status} = 'not_registered'",
        ("Vui lòng chọn ít nhất một lý do.", "Please select at least one reason."),
        f"{YES} and ${{vneid_status}} != '' and ${{vneid_status}} != 'activated_level2'",
    ),
    q(
        "text",
        "reason_other",
        ("Lý do khác (ghi rõ)", "Other reason (please specify)"),
        None,
        "yes",
        ("Vui lòng ghi rõ lý do khác.", "Please specify the other reason."),
        f"{YES} and selected(${{reasons}}, 'other')",
    ),
    q(
        "text",
        "note",
        ("Ghi chú", "Notes"),
        (
            "Không bắt buộc. Ghi những vướng mắc khi đăng ký, kích hoạt tài khoản cần được hỗ trợ.",
            "Optional. Any problem with registration or activation that needs support.",
        ),
        relevant=YES,
        appearance="multiline",
    ),
]

VNEID_CHOICES = [
    *YES_NO,
    *CATEGORIES,
    (
        "vneid_status",
        "not_registered",
        "Chưa đăng ký tài khoản định danh điện tử",
        "Not registered for an electronic identity account",
    ),
    (
        "vneid_status",
        "registered_level1",
        "Đã có tài khoản mức độ 1, chưa đăng ký mức độ 2",
        "Has a level-1 account; level 2 not applied for yet",
    ),
    (
        "vneid_status",
        "pending_level2",
        "Đã đăng ký mức độ 2, đang chờ cơ quan Công an phê duyệt",
        "Applied for level 2, awaiting approval by the police",
    ),
    (
        "vneid_status",
        "activated_level2",
        "Đã kích hoạt tài khoản mức độ 2 (đăng nhập được)",
        "Level 2 activated (can sign in)",
    ),
    ("reasons", "no_smartphone", "Không có điện thoại thông minh", "Has no smartphone"),
    (
        "reasons",
        "no_chip_cccd",
        "Chưa có thẻ Căn cước công dân gắn chíp",
        "No chip-based citizen identity card yet",
    ),
    (
        "reasons",
        "awaiting_police",
        "Đang chờ cơ quan Công an xử lý hồ sơ",
        "Waiting for the police to process the application",
    ),
    (
        "reasons",
        "no_registered_phone",
        "Số điện thoại chưa đăng ký chính chủ",
        "The phone number is not registered in the person's own name",
    ),
    ("reasons", "declined", "Không có nhu cầu đăng ký", "Does not wish to register"),
    ("reasons", "other", "Lý do khác", "Other reason"),
]

VNEID_SETTINGS = {
    "form_title": "Phiếu ghi nhận kích hoạt tài khoản định danh điện tử mức độ 2 (VNeID)",
    "form_id": "vneid_level2",
    "name": "vneid_level2",
    "version": VERSION,
    "default_language": VI,
    "instance_name": "if(${consent} = 'no', 'Không đồng ý cung cấp thông tin', "
    "concat(${full_name}, ' – ', ${cccd}))",
    "namespaces": NAMESPACES,
}

# --- vssid_residents_outreach ---------------------------------------------------------------

COUNT_REQUIRED = ("Vui lòng nhập số (nhập 0 nếu không có).", "Please enter a number (0 if none).")

OUTREACH_SURVEY = [
    *META,
    q(
        "select_one_from_file units.csv",
        "unit",
        ("Phường báo cáo", "Reporting ward"),
        (
            "Gõ số phường để tìm nhanh, ví dụ “Phường 1”.",
            "Type the ward's number, e.g. “Phường 1”.",
        ),
        "yes",
        ("Vui lòng chọn phường.", "Please choose the ward."),
        appearance="minimal autocomplete",
        choice_filter="kind = 'ward'",
    ),
    q(
        "calculate",
        "unit_name",
        calculation="instance('units')/root/item[name = ${unit}]/label",
    ),
    q(
        "date",
        "report_date",
        ("Ngày tổ chức / ngày báo cáo", "Date of the activity / report date"),
        (
            "Ngày tổ chức hoạt động tuyên truyền; nếu báo cáo gộp nhiều ngày, ghi ngày lập báo "
            "cáo.",
            "The day the outreach took place; if the report covers several days, the day of the "
            "report.",
        ),
        "yes",
        ("Vui lòng nhập ngày.", "Please enter the date."),
        None,
        ". <= today()",
        ("Ngày không được sau ngày hôm nay.", "The date cannot be in the future."),
        default="today()",
    ),
    q(
        "note",
        "intro",
        (
            "Mỗi báo cáo chỉ ghi kết quả phát sinh **kể từ lần báo cáo trước của phường**, không "
            "cộng dồn số liệu các lần trước; hệ thống tự cộng các báo cáo để tính kết quả chung "
            "của phường so với tổng số người dân trên địa bàn. Mỗi người dân chỉ tính một lần: "
            "không tính lại người đã có trong các báo cáo trước.",
            "Each report counts only what happened **since the ward's previous report**, not the "
            "totals so far; the system adds the reports up to measure the ward's result against "
            "its resident population. Count each resident once: do not count again anyone "
            "already counted in an earlier report.",
        ),
    ),
    q(
        "select_one activity",
        "activity",
        ("Hình thức tuyên truyền", "Outreach activity"),
        (
            "Nếu đợt này có nhiều hình thức, chọn hình thức chủ yếu và ghi các hình thức khác ở "
            "phần ghi chú.",
            "If several kinds of activity took place, choose the main one and list the others in "
            "the notes.",
        ),
        "yes",
        ("Vui lòng chọn hình thức tuyên truyền.", "Please choose the activity."),
    ),
    q(
        "text",
        "activity_other",
        ("Hình thức khác (ghi rõ)", "Other activity (please specify)"),
        None,
        "yes",
        ("Vui lòng ghi rõ hình thức tuyên truyền.", "Please specify the activity."),
        "${activity} = 'other'",
    ),
    q(
        "integer",
        "residents_reached",
        ("Số người dân được tuyên truyền", "Number of residents reached"),
        (
            "Số người dân được tuyên truyền về ứng dụng VssID kể từ lần báo cáo trước. Với loa "
            "phát thanh, mạng xã hội, ghi số ước tính. Nhập 0 nếu không có.",
            "Residents told about the VssID app since the previous report. For loudspeakers and "
            "social media, give an estimate. Enter 0 if none.",
        ),
        "yes",
        COUNT_REQUIRED,
        None,
        ". >= 0",
        ("Số người không được âm.", "The number cannot be negative."),
    ),
    q(
        "integer",
        "residents_helped",
        (
            "Số người dân được hỗ trợ cài đặt ứng dụng VssID",
            "Number of residents helped to install VssID",
        ),
        (
            "Số người dân được cán bộ hỗ trợ cài đặt thành công ứng dụng VssID kể từ lần báo cáo "
            "trước. Nhập 0 nếu không có.",
            "Residents whom staff helped to install the VssID app successfully since the previous "
            "report. Enter 0 if none.",
        ),
        "yes",
        COUNT_REQUIRED,
        None,
        ". >= 0 and . <= ${residents_reached}",
        (
            "Số người được hỗ trợ cài đặt phải từ 0 đến số người dân được tuyên truyền (nhập ở "
            "câu trên).",
            "The number helped to install must be between 0 and the number of residents reached, "
            "entered above.",
        ),
    ),
    q(
        "text",
        "reporter_name",
        ("Họ và tên người báo cáo", "Reporter's full name"),
        (
            "Không bắt buộc. Cán bộ phụ trách công tác tuyên truyền của phường.",
            "Optional. The ward official in charge of the outreach.",
        ),
        constraint=NAME_CONSTRAINT,
        constraint_message=(
            "Họ và tên không được chứa chữ số.",
            "The full name must not contain digits.",
        ),
        personal=True,
    ),
    q(
        "text",
        "reporter_phone",
        ("Số điện thoại người báo cáo", "Reporter's mobile phone number"),
        ("Không bắt buộc. Ví dụ 0912345678.", "Optional. E.g. 0912345678."),
        constraint=PHONE_CONSTRAINT,
        constraint_message=PHONE_MESSAGE,
        appearance="numbers",
        personal=True,
    ),
    q(
        "text",
        "note",
        ("Ghi chú", "Notes"),
        (
            "Không bắt buộc. Các hình thức tuyên truyền khác, khó khăn, vướng mắc cần Bảo hiểm xã "
            "hội Quận 10 hỗ trợ.",
            "Optional. Other activities, and difficulties District 10 Social Security should help "
            "with.",
        ),
        appearance="multiline",
    ),
]

OUTREACH_CHOICES = [
    (
        "activity",
        "meeting",
        "Họp khu phố, tổ dân phố",
        "Neighbourhood or residential group meeting",
    ),
    (
        "activity",
        "booth",
        "Điểm hỗ trợ cài đặt ứng dụng",
        "Help desk for installing the app",
    ),
    ("activity", "door_to_door", "Đến từng hộ gia đình", "Door-to-door visits"),
    ("activity", "loudspeaker", "Loa phát thanh", "Public loudspeakers"),
    ("activity", "online", "Mạng xã hội, nhóm Zalo", "Social media, Zalo groups"),
    ("activity", "other", "Hình thức khác", "Other activity"),
]

OUTREACH_SETTINGS = {
    "form_title": "Báo cáo kết quả tuyên truyền ứng dụng VssID – BHXH số đến người dân",
    "form_id": "vssid_residents_outreach",
    "name": "vssid_residents_outreach",
    "version": VERSION,
    "default_language": VI,
    "instance_name": "concat(coalesce(${unit_name}, ${unit}), ' – ', "
    "format-date(${report_date}, '%d/%m/%Y'))",
    "namespaces": NAMESPACES,
}

FORMS = {
    "vneid_level2.xlsx": (VNEID_SURVEY, VNEID_CHOICES, VNEID_SETTINGS),
    "vssid_residents_outreach.xlsx": (OUTREACH_SURVEY, OUTREACH_CHOICES, OUTREACH_SETTINGS),
}


# --- writing ----------------------------------------------------------------------------------


def write_form(
    path: Path,
    survey: list[dict[str, str]],
    choices: list[tuple[str, str, str, str]],
    settings: dict[str, str],
) -> None:
    """Write one XLSForm: survey, choices and settings sheets, bold headers, wrapped text."""
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    wb.properties.creator = "BHXH Quận 10"
    ws = wb.active
    ws.title = "survey"
    names = [name for name, _ in SURVEY_COLUMNS]
    for row in survey:
        unknown = set(row) - set(names)
        if unknown:
            raise ValueError(f"{path.name}: unknown columns {sorted(unknown)}")
    ws.append(names)
    for row in survey:
        ws.append([row.get(name) for name in names])
    _style(ws, [w for _, w in SURVEY_COLUMNS], "C2", bold, wrap)

    wc = wb.create_sheet("choices")
    wc.append([name for name, _ in CHOICE_COLUMNS])
    for choice in choices:
        wc.append(list(choice))
    _style(wc, [w for _, w in CHOICE_COLUMNS], "A2", bold, wrap)

    st = wb.create_sheet("settings")
    st.append(SETTINGS_COLUMNS)
    st.append([settings[name] for name in SETTINGS_COLUMNS])
    _style(st, [30] * len(SETTINGS_COLUMNS), None, bold, None)
    wb.save(path)


def _style(
    ws: Worksheet, widths: list[int], freeze: str | None, bold: Font, wrap: Alignment | None
) -> None:
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for cell in ws[1]:
        cell.font = bold
    if wrap is not None:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.value is not None:
                    cell.alignment = wrap
    ws.freeze_panes = freeze


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    for name, (survey, choices, settings) in FORMS.items():
        write_form(args.out / name, survey, choices, settings)
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
