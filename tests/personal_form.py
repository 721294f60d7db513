"""A next campaign's form that declares its personal fields, written as an office saves it.

``ho_so`` keeps a person's name and citizen ID (``cccd``) inside a group (``thong_tin``) and
their children's names in a repeat (``con``), all declared personal the way the contract
says (the column ``bind::vssid:personal`` = ``true``, the setting ``namespaces`` =
``vssid="urn:vssid:xforms"``); their job title and the children's ages are not personal. No
name of these fields is known to the code: masking them follows the declaration alone.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from openpyxl import Workbook

from ingest import forms
from ingest.forms import formspec

FORM_ID = "ho_so"
VERSION = "2026120601"
PERSONAL = "bind::vssid:personal"
NAMESPACES = 'vssid="urn:vssid:xforms"'

SURVEY_HEADER = ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "constraint",
                 "calculation", PERSONAL]  # fmt: skip
SURVEY = [
    ["start", "start", None, None, None, None, None],
    ["end", "end", None, None, None, None, None],
    ["select_one_from_file units.csv", "unit", "Đơn vị", "Unit", None, None, None],
    ["begin_group", "thong_tin", "Thông tin cá nhân", "Personal details", None, None, None],
    ["text", "full_name", "Họ và tên", "Full name", None, None, "true"],
    ["text", "cccd", "Số CCCD", "Citizen ID", "regex(., '^[0-9]{12}$')", None, "true"],
    ["text", "job_title", "Chức vụ", "Job title", None, None, None],
    ["end_group", None, None, None, None, None, None],
    ["begin_repeat", "con", "Con", "Children", None, None, None],
    ["text", "ten_con", "Tên con", "Child's name", None, None, "true()"],
    ["integer", "tuoi", "Tuổi", "Age", None, None, None],
    ["end_repeat", None, None, None, None, None, None],
    ["calculate", "xung_ho", None, None, None, "concat('Bà ', ${full_name})", None],
]  # fmt: skip

FULL_NAME = "Nguyễn Thị Mai"
CCCD = "0791860123"  # 10 digits: the constraint wants 12, so the submission is flagged
JOB_TITLE = "Kế toán trưởng"
CHILD = "Trần Minh Khôi"


def write(folder: Path, *, declared: bool = True) -> Path:
    """The XLSForm in ``folder``; without ``declared``, the same form declaring nothing."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_HEADER if declared else SURVEY_HEADER[:-1])
    for row in SURVEY:
        survey.append(row if declared else row[:-1])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "name", "version", "default_language", "namespaces"])
    settings.append(["Hồ sơ", FORM_ID, FORM_ID, VERSION, "Tiếng Việt (vi)", NAMESPACES])
    path = folder / f"{FORM_ID}.xlsx"
    book.save(path)
    return path


def spec(folder: Path, *, declared: bool = True) -> formspec.FormSpec:
    """The spec of the form as published (:func:`write`)."""
    compiled = forms.compile_xlsform(write(folder, declared=declared))
    return formspec.spec_for(compiled.md5, compiled.xml)


def instance_xml(instance_id: str | None = None) -> bytes:
    """A submission of the form as ODK Collect sends it (flagged: the CCCD is too short)."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    return (
        f'<?xml version=\'1.0\' ?><{FORM_ID} id="{FORM_ID}" version="{VERSION}" '
        'xmlns:orx="http://openrosa.org/xforms">'
        "<start>2026-12-07T08:02:11.120+07:00</start><end>2026-12-07T08:05:47.902+07:00</end>"
        "<unit>27184</unit>"
        f"<thong_tin><full_name>{FULL_NAME}</full_name><cccd>{CCCD}</cccd>"
        f"<job_title>{JOB_TITLE}</job_title></thong_tin>"
        f"<con><ten_con>{CHILD}</ten_con><tuoi>7</tuoi></con>"
        f"<xung_ho>Bà {FULL_NAME}</xung_ho>"
        f"<orx:meta><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>"
        f"</{FORM_ID}>"
    ).encode()
