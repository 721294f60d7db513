"""Write ``vssid_selfreport.xlsx``: the `vssid` campaign's self-report form (DESIGN.md §9).

    .venv/bin/python forms/tools/build_selfreport_form.py [--out forms]

A staff member fills it in for themself, in ODK Web Forms, from their unit's public link
(``/s/<token>``). It is ``vssid_install.xlsx`` (read from the same folder) with what a
self-report needs instead of what a collector needs:

- the consent notice speaks to the person, and names the birth date it asks for;
- ``unit`` is a ``hidden`` field: the server writes the link's unit into every submission
  and never trusts one sent by the page;
- ``birth_date`` (required, personal) follows ``bhxh_code``: both must match the campaign's
  roster in that unit for the record to count (else it is flagged ``identity.not_matched``);
- no ``username`` (nobody signs in).

A published version never changes: after editing a text here, raise ``VERSION``. Then run
``write_notice.py``: it writes the campaign's privacy notice (``[privacy.notice]`` in
``vssid.campaign.toml``) over the notice written here, which publishing would refuse.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

VERSION = "2026120702"
FORM_ID = "vssid_selfreport"
TITLE = "Tự khai cài đặt ứng dụng VssID – BHXH số"
NOTICE_VI = (
    "**Thông báo về việc thu thập thông tin cá nhân**\n\n"
    "Bảo hiểm xã hội Quận 10 thu thập các thông tin Anh/Chị khai trong phiếu này (họ và tên, "
    "mã số BHXH, ngày sinh, đối tượng, số điện thoại, tình trạng cài đặt ứng dụng VssID và ảnh "
    "chụp màn hình nếu có) để theo dõi và hỗ trợ việc cài đặt, sử dụng ứng dụng VssID – Bảo "
    "hiểm xã hội số theo Công văn số 952/UBND-VX ngày 10/3/2021 của Ủy ban nhân dân Quận 10. "
    "Mã số BHXH và ngày sinh được đối chiếu với danh sách cán bộ của đơn vị.\n\n"
    "Thông tin do Bảo hiểm xã hội Quận 10 quản lý và xử lý, chỉ được sử dụng cho việc triển "
    "khai cài đặt ứng dụng VssID tại các cơ quan, đơn vị trên địa bàn Quận 10, không sử dụng "
    "vào mục đích khác. Cán bộ đầu mối của đơn vị nơi Anh/Chị công tác được xem tình trạng cài "
    "đặt của Anh/Chị để hỗ trợ khi cần."
)
NOTICE_EN = (
    "**Notice on the collection of personal information**\n\n"
    "District 10 Social Security (BHXH Quận 10) collects the information you give in this "
    "form (full name, social insurance number, date of birth, category, phone number, VssID "
    "installation status and a screenshot if provided) to monitor and support the installation "
    "and use of the VssID – Digital Social Insurance app, as requested by the District 10 "
    "People's Committee in letter No. 952/UBND-VX of 10 March 2021. The social insurance "
    "number and date of birth are checked against your unit's staff list.\n\n"
    "The information is managed and processed by District 10 Social Security and is used only "
    "for the VssID installation campaign in the agencies and units of District 10, for no other "
    "purpose. The focal point of your unit can see your installation status in order to help you."
)
BIRTH_DATE = {
    "type": "date",
    "name": "birth_date",
    "label::Tiếng Việt (vi)": "Ngày sinh",
    "label::English (en)": "Date of birth",
    "hint::Tiếng Việt (vi)": "Như trên sổ BHXH hoặc căn cước.",
    "hint::English (en)": "As on the social insurance book or the identity card.",
    "required": "yes",
    "required_message::Tiếng Việt (vi)": "Vui lòng nhập ngày sinh.",
    "required_message::English (en)": "Please enter the date of birth.",
    "relevant": "${consent} = 'yes'",
    "constraint": ". < today() and . > date('1940-01-01')",
    "constraint_message::Tiếng Việt (vi)": "Ngày sinh không hợp lệ.",
    "constraint_message::English (en)": "The date of birth is not valid.",
    "bind::vssid:personal": "true",
}


def _rows(sheet: Any) -> tuple[list[str], list[dict[str, Any]]]:
    header = [str(c.value) for c in sheet[1] if c.value is not None]
    rows = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, values, strict=False))
        if any(v is not None for v in row.values()):
            rows.append(row)
    return header, rows


def _rewrite(sheet: Any, header: list[str], rows: list[dict[str, Any]]) -> None:
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(column) for column in header])


def build(source: Path, target: Path) -> None:
    """Derive the self-report form at ``target`` from the install form at ``source``."""
    book = load_workbook(source)
    survey = book["survey"]
    header, rows = _rows(survey)
    out: list[dict[str, Any]] = []
    for row in rows:
        name = row.get("name")
        if name == "username":
            continue
        if name == "consent_notice":
            row = {**row, "label::Tiếng Việt (vi)": NOTICE_VI, "label::English (en)": NOTICE_EN}
        elif name == "consent":
            row = {**row, "hint::Tiếng Việt (vi)": None, "hint::English (en)": None}
        elif name == "consent_declined":
            row = {
                **row,
                "label::Tiếng Việt (vi)": "Anh/Chị không đồng ý cung cấp thông tin. Phiếu sẽ "
                "không ghi nhận thông tin cá nhân nào. Cảm ơn Anh/Chị.",
                "label::English (en)": "You do not agree to provide information. No personal "
                "information will be recorded. Thank you.",
            }
        elif name == "unit":
            row = {"type": "hidden", "name": "unit"}
        out.append(row)
        if name == "bhxh_code":
            out.append(dict(BIRTH_DATE))
    _rewrite(survey, header, out)
    settings = book["settings"]
    s_header, s_rows = _rows(settings)
    s_rows[0].update(form_title=TITLE, form_id=FORM_ID, name=FORM_ID, version=VERSION)
    _rewrite(settings, s_header, s_rows)
    book.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    build(args.out / "vssid_install.xlsx", args.out / f"{FORM_ID}.xlsx")
    print(args.out / f"{FORM_ID}.xlsx")


if __name__ == "__main__":
    main()
