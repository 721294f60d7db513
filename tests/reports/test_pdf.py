"""The PDF report (Decree 30/2020 appendix), read back with pypdf: its text, diacritics
intact, the heading and closing lines, the embedded font, and its pages: the table's last
rows, the notes and the signature always on one page, never a header without rows.

And the Excel workbook printed by LibreOffice (skipped without it): the same page rules."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports import pdf, wording
from reports.excel import workbook
from reports.export import KIND_NAMES
from tests.reports.test_excel import build, district10, sample

HEADING = [
    "BẢO HIỂM XÃ HỘI TP. HỒ CHÍ MINH",
    "BẢO HIỂM XÃ HỘI QUẬN 10",
    "Số: …/BC-BHXH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Quận 10, ngày 31 tháng 3 năm 2021",
    "PHỤ LỤC",
    "TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ",
    "(Kèm theo Báo cáo số …/BC-BHXH ngày 31/3/2021)",
    "Tính đến ngày 31/03/2021",
]
CLOSING = ["Nơi nhận:", "- Lưu: VT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Thu Hà"]


def pages(data: bytes) -> list[str]:
    """Each page's text, its lines' spaces evened out."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"[ \t]+", " ", page.extract_text()) for page in reader.pages]


def test_pdf__heading_and_closing_lines_with_diacritics() -> None:
    text = "\n".join(pages(pdf.document(district10())))
    for line in HEADING + CLOSING:
        assert line in text, line
    assert "Phòng Lao động - Thương binh và Xã hội Quận 10" in text.replace("\n", " ")
    assert "Đội Quản lý trật tự đô thị Quận 10" in text.replace("\n", " ")
    assert "BÁO CÁO TIẾN ĐỘ" not in text  # an appendix: its title is not the báo cáo's


def test_pdf__a4_landscape_with_liberation_serif_embedded() -> None:
    reader = PdfReader(io.BytesIO(pdf.document(sample())))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if (
                "/DescendantFonts" in font) else font.get("/FontDescriptor")  # fmt: skip
            assert descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= fonts
    assert reader.metadata is not None and reader.metadata.author == "BẢO HIỂM XÃ HỘI QUẬN 10"
    assert reader.metadata.title.startswith("PHỤ LỤC – TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID")


@pytest.mark.parametrize("size", [10, 18, 27, 33, 40, 48])
def test_pdf__last_rows_notes_and_signature_on_one_page(size: int) -> None:
    """Reports of 10 … 48 units end at different places on their pages: wherever, the total,
    the unit row before it, "Nơi nhận" and the signer share the last page, and every page
    that shows the table's header shows rows under it."""
    full = district10()
    report = build(list(full.units[:size]), full.findings)
    texts = pages(pdf.document(report))
    last = texts[-1]
    assert "TỔNG CỘNG" in last and "Nơi nhận:" in last and "Trần Thị Thu Hà" in last
    # the rows before the total too: the last kind's subtotal at least (and its last unit
    # when the notes leave room)
    last_kind = KIND_NAMES[report.units[-1].kind][0]
    assert f"Cộng {last_kind}" in last
    for n, text in enumerate(texts, start=1):
        if "Tên đơn vị" in text:  # the header: some unit's row (its STT and name) follows it
            after = text.split("(11)", 1)[-1]
            assert any(u.name_vi[:12] in after.replace("\n", " ") for u in report.units), n
    assert sum("TỔNG CỘNG" in t for t in texts) == 1
    assert [f"Trang {n}/{len(texts)}" in t for n, t in enumerate(texts, start=1)] == [True] * len(
        texts
    )


def test_pdf__not_done_total_reconciled_with_the_name_list() -> None:
    report = district10()
    named, unnamed, units = wording.not_done_split(report)
    assert unnamed > 0 and named + unnamed == report.total.counts.not_done
    text = " ".join(pages(pdf.document(report))).replace("\n", " ")
    assert (
        f"Tổng số chưa cài đặt: {named + unnamed} người, gồm {named} người ở các đơn vị đã nạp "
        f"danh sách"
    ) in text
    assert f"và {unnamed} người ở {units} đơn vị chưa nạp danh sách" in text


def test_pdf__names_people_typed_stay_text() -> None:
    report = sample()
    hostile = replace(report.units[0], name_vi='=HYPERLINK("http://x.example","a") <b>&amp;')
    text = " ".join(pages(pdf.document(replace(report, units=(hostile, *report.units[1:])))))
    assert "'=HYPERLINK(" in text  # a quote before the formula, as in the spreadsheets
    assert "<b>&amp;" in text  # markup characters shown, not obeyed


# --- the Excel workbook, printed by LibreOffice ------------------------------------------

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def _office_pdf(tmp_path: Path, data: bytes) -> list[str]:
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(data)
    subprocess.run(
        [str(OFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return pages((tmp_path / "bao-cao.pdf").read_bytes())


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("size", [18, 33, 48])
def test_libreoffice__summary_sheet_keeps_last_rows_with_the_signature(
    tmp_path: Path, size: int
) -> None:
    full = district10()
    report = build(list(full.units[:size]), full.findings)
    texts = _office_pdf(tmp_path, workbook(report))
    summary = [t for t in texts if "PHỤ LỤC" in t or "Tên đơn vị" in t]
    heading = summary[0]
    for line in HEADING:
        assert line in heading, line
    (closing,) = [t for t in texts if "Nơi nhận:" in t]
    for line in ["TỔNG CỘNG", *CLOSING]:
        assert line in closing, line
    assert report.units[-1].name_vi.split()[0] in closing  # the rows before the total too
    for text in summary:  # no header without rows under it
        after = text.split("(11)", 1)[-1].replace("\n", " ")
        assert any(u.name_vi[:12] in after for u in report.units) or "TỔNG CỘNG" in after
