"""Reading what offices export: CSV in any common encoding and delimiter, and XLSX."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.errors import InvalidInput
from ingest.registry.tabular import Row, normalise_header, read_rows

ALIASES = {
    "code": "code",
    "mã đơn vị": "code",
    "name": "name",
    "tên đơn vị": "name",
    "headcount": "headcount",
    "số công chức": "headcount",
    "birth date": "birth_date",
    "ngày sinh": "birth_date",
}
REQUIRED = ("code", "name")
VIETNAMESE_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in VIETNAMESE_TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += (base + tones).encode("cp1258")
    return bytes(out)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read(path: Path) -> list[Row]:
    return list(read_rows(path, ALIASES, REQUIRED))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Mã đơn vị", "mã đơn vị"),
        ("  MÃ   ĐƠN VỊ ", "mã đơn vị"),
        ("mã_đơn_vị", "mã đơn vị"),
        (unicodedata.normalize("NFD", "Tên đơn vị"), "tên đơn vị"),
        ("Số\tcông  chức", "số công chức"),
        ("name_vi", "name vi"),
    ],
)
def test_normalise_header__spacing_case_underscores_and_nfd__canonical(header: str, expected: str):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-8"), id="utf-8"),
        pytest.param(lambda text: text.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(cp1258, id="cp1258"),
        pytest.param(
            lambda text: unicodedata.normalize("NFD", text).encode("utf-8"), id="utf-8-nfd"
        ),
    ],
)
def test_read_csv__vietnamese_in_any_common_encoding__nfc_text(tmp_path: Path, encode):
    text = "Mã đơn vị,Tên đơn vị,Số công chức\n27184,Phường 1,12\nQ10-YT,Phòng Y tế Quận 10,7\n"
    path = tmp_path / "units.csv"
    path.write_bytes(encode(text))

    assert read(path) == [
        Row(2, {"code": "27184", "name": "Phường 1", "headcount": "12"}),
        Row(3, {"code": "Q10-YT", "name": "Phòng Y tế Quận 10", "headcount": "7"}),
    ]


def test_read_csv__bom__first_header_still_recognised(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffcode,name\nA,Phường 1\n".encode())

    assert read(path) == [Row(2, {"code": "A", "name": "Phường 1"})]


def test_read_csv__latin1_accents__readable(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_bytes("code,name\nA,Café Noël\n".encode("latin-1"))

    assert read(path) == [Row(2, {"code": "A", "name": "Café Noël"})]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Mã đơn vị;Tên đơn vị\n"
            "Q10-BBT;Ban Bồi thường, giải phóng mặt bằng Quận 10\n"
            "Q10-VHTT;Phòng Văn hóa và Thông tin Quận 10\n",
            id="semicolon-with-commas-in-cells",
        ),
        pytest.param(
            "Mã đơn vị,Tên đơn vị\n"
            'Q10-BBT,"Ban Bồi thường, giải phóng mặt bằng Quận 10"\n'
            "Q10-VHTT,Phòng Văn hóa và Thông tin Quận 10\n",
            id="comma-quoted",
        ),
        pytest.param(
            "Mã đơn vị\tTên đơn vị\n"
            "Q10-BBT\tBan Bồi thường, giải phóng mặt bằng Quận 10\n"
            "Q10-VHTT\tPhòng Văn hóa và Thông tin Quận 10\n",
            id="tab",
        ),
        pytest.param(
            "Mã đơn vị,Tên đơn vị\r\n"
            'Q10-BBT,"Ban Bồi thường, giải phóng mặt bằng Quận 10"\r\n'
            "Q10-VHTT,Phòng Văn hóa và Thông tin Quận 10\r\n",
            id="crlf",
        ),
    ],
)
def test_read_csv__delimiter__detected(tmp_path: Path, text: str):
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8", newline="")

    assert read(path) == [
        Row(2, {"code": "Q10-BBT", "name": "Ban Bồi thường, giải phóng mặt bằng Quận 10"}),
        Row(3, {"code": "Q10-VHTT", "name": "Phòng Văn hóa và Thông tin Quận 10"}),
    ]


def test_read_csv__odd_headers__mapped_and_unknown_columns_ignored(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text(
        f"  MÃ  ĐƠN VỊ ,{unicodedata.normalize('NFD', 'Tên đơn vị')},Ghi chú,số_công_chức\n"
        "27184, Phường 1 ,bỏ qua,12\n",
        encoding="utf-8",
    )

    assert read(path) == [Row(2, {"code": "27184", "name": "Phường 1", "headcount": "12"})]


def test_read_csv__blank_rows__skipped_and_numbers_are_lines_of_the_file(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name\nA,Phường 1\n\n,\n , \nB,Phường 2\n",
        encoding="utf-8",
    )

    assert [(row.number, row.cells["code"]) for row in read(path)] == [(2, "A"), (6, "B")]


def test_read_csv__short_row__missing_cells_absent(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,headcount\nA,Phường 1\n", encoding="utf-8")

    assert read(path) == [Row(2, {"code": "A", "name": "Phường 1"})]


@pytest.mark.parametrize(
    ("header", "missing"),
    [("code,headcount", "name"), ("headcount,ghi chú", "code, name"), ("\n", "code, name")],
)
def test_read_csv__required_column_missing__columns_missing(
    tmp_path: Path, header: str, missing: str
):
    path = tmp_path / "units.csv"
    path.write_text(f"{header}\nA,1\n", encoding="utf-8")

    with pytest.raises(InvalidInput) as caught:
        read(path)

    assert caught.value.code == "file.columns_missing"
    assert caught.value.params == {"source": "units.csv", "columns": missing}
    assert "units.csv" in caught.value.message_vi
    assert missing in caught.value.message_en


def test_read_csv__empty_file__unreadable(tmp_path: Path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(InvalidInput) as caught:
        read(path)

    assert caught.value.code == "file.unreadable"
    assert caught.value.params["source"] == "empty.csv"


def test_read_csv__header_only__no_rows(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text("code,name\n", encoding="utf-8")

    assert read(path) == []


def test_read_xlsx__numbers_and_text__as_text(tmp_path: Path):
    path = write_xlsx(
        tmp_path / "units.xlsx",
        [
            [" Mã  đơn vị", "TÊN ĐƠN VỊ", "Số công chức"],
            [27184, "Phường 1", 12.0],
            ["Q10-YT", "  Phòng Y tế Quận 10 ", 7],
            ["Q10-TP", unicodedata.normalize("NFD", "Phòng Tư pháp"), 2.5],
        ],
    )

    assert read(path) == [
        Row(2, {"code": "27184", "name": "Phường 1", "headcount": "12"}),
        Row(3, {"code": "Q10-YT", "name": "Phòng Y tế Quận 10", "headcount": "7"}),
        Row(4, {"code": "Q10-TP", "name": "Phòng Tư pháp", "headcount": "2.5"}),
    ]


def test_read_xlsx__date_cell__iso_date(tmp_path: Path):
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        [["code", "name", "Ngày sinh"], ["0123456789", "Nguyễn Văn A", date(1985, 4, 12)]],
    )

    assert read(path)[0].cells["birth_date"] == "1985-04-12"


def test_read_xlsx__datetime_cell__iso_datetime(tmp_path: Path):
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        [
            ["code", "name", "birth_date"],
            ["0123456789", "Nguyễn Văn A", datetime(2021, 3, 10, 8, 30)],
        ],
    )

    assert read(path)[0].cells["birth_date"] == "2021-03-10T08:30:00"


def test_read_xlsx__blank_rows__skipped_and_numbers_are_sheet_rows(tmp_path: Path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name"])
    sheet.append(["A", "Phường 1"])
    sheet.append([None, None])
    sheet.append(["", "   "])
    sheet.cell(row=7, column=1, value="B")
    sheet.cell(row=7, column=2, value="Phường 2")
    path = tmp_path / "units.xlsx"
    workbook.save(path)

    assert [(row.number, row.cells["code"]) for row in read(path)] == [(2, "A"), (7, "B")]


def test_read_xlsx__required_column_missing__columns_missing(tmp_path: Path):
    path = write_xlsx(tmp_path / "units.xlsx", [["Mã đơn vị", "Loại"], ["A", "ward"]])

    with pytest.raises(InvalidInput) as caught:
        read(path)

    assert caught.value.code == "file.columns_missing"
    assert caught.value.params == {"source": "units.xlsx", "columns": "name"}


@pytest.mark.parametrize(
    "content",
    ["code,name\nA,Phường 1\n".encode(), b"", b"PK\x03\x04 truncated zip"],
    ids=["csv-named-xlsx", "empty", "truncated-zip"],
)
def test_read_xlsx__not_an_xlsx__unreadable(tmp_path: Path, content: bytes):
    path = tmp_path / "units.xlsx"
    path.write_bytes(content)

    with pytest.raises(InvalidInput) as caught:
        read(path)

    assert caught.value.code == "file.unreadable"
    assert caught.value.params["source"] == "units.xlsx"


def test_read_xlsx__empty_sheet__unreadable(tmp_path: Path):
    path = write_xlsx(tmp_path / "units.xlsx", [])

    with pytest.raises(InvalidInput) as caught:
        read(path)

    assert caught.value.code == "file.unreadable"
    assert "empty" in caught.value.message_en
