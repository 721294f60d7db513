"""Retake the screenshots in docs/ from a server running the ``vssid demo`` campaigns.

Not part of the application or the tests: run it by hand after a change that shows on a page.

    export VSSID_DATABASE_URL=sqlite:////tmp/shots/v.sqlite3 VSSID_MEDIA_DIR=/tmp/shots/media
    .venv/bin/vssid db upgrade && .venv/bin/vssid units import forms/district10_units.csv
    .venv/bin/vssid forms publish && .venv/bin/vssid demo
    .venv/bin/vssid serve --port 8123 &
    .venv/bin/python docs/screenshots.py --base-url http://127.0.0.1:8123 --password demo-admin-2021

Needs ``playwright`` in the venv (``pip install playwright``; it is not a dependency of the
project) and Debian's Chromium (``/usr/bin/chromium``); for the report's pages, pypdfium2
(``pip install pypdfium2``) and, for the Excel ones, LibreOffice (``soffice``), with the same
``VSSID_DATABASE_URL`` as the server. ``--only NAME`` retakes one file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
VSSID = Path(sys.executable).with_name("vssid")
AS_OF = "2021-03-31"  # the VssID demo campaign's last day
VNEID_AS_OF = "2026-11-30"  # the VNeID demo campaign (November 2026)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--lang=vi-VN"]


def settle(page: Any) -> None:
    """Scroll to the bottom so lazy images load, wait for every image, scroll back."""
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    for _ in range(300):
        if page.evaluate("Array.from(document.images).every((image) => image.complete)"):
            break
        page.wait_for_timeout(100)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)


def shot(page: Any, url: str, out: Path, **options: Any) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    settle(page)
    page.screenshot(path=str(out), **options)
    print(out.name)


def stacked(top: Path, bottom: Path, out: Path, gap: int = 12) -> None:
    """Two screenshots one above the other, a grey band between them."""
    a, b = Image.open(top), Image.open(bottom)
    image = Image.new("RGB", (max(a.width, b.width), a.height + gap + b.height), (110, 117, 125))
    image.paste(a, (0, 0))
    image.paste(b, (0, a.height + gap))
    image.save(out)
    print(out.name)


def excel_page(out: Path, last: Path, work: Path) -> None:
    """The first and the last page of the coverage workbook's summary as LibreOffice prints
    it: A4 landscape at 80 dpi, 936 × 662 px like the picture it replaces."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office, "needs LibreOffice"
    book = work / "report.xlsx"
    commands = [
        [str(VSSID), "report", "coverage", "--campaign", "vssid", "--format", "xlsx",
         "--as-of", AS_OF, "--out", str(book)],
        [office, f"-env:UserInstallation=file://{work}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(work), str(book)],
    ]  # fmt: skip
    for command in commands:
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (our own arguments)
    pages = pdf_pages(work / "report.pdf")
    closing = next(n for n, text in enumerate(pages) if "Nơi nhận:" in text)
    render(work / "report.pdf", {0: out, closing: last})


def pdf_report(first: Path, last: Path, work: Path) -> None:
    """The first and the last page of ``vssid report coverage --format pdf``."""
    report = work / "report-reportlab.pdf"
    subprocess.run(
        [str(VSSID), "report", "coverage", "--campaign", "vssid", "--format", "pdf",
         "--as-of", AS_OF, "--out", str(report)],
        check=True, capture_output=True,
    )  # fmt: skip  # noqa: S603 (our own arguments)
    render(report, {0: first, len(pdf_pages(report)) - 1: last})


def pdf_pages(path: Path) -> list[str]:
    """Each page's text (pypdf, a test dependency)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def render(path: Path, pages: dict[int, Path], dpi: int = 80) -> None:
    """PDF pages as PNG, with pypdfium2 (``pip install pypdfium2``: PDFium, Chromium's PDF
    engine, as a wheel; not a dependency of the project)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    for index, out in pages.items():
        document[index].render(scale=dpi / 72).to_pil().save(out)
        print(out.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8123")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="demo-admin-2021")
    parser.add_argument("--unit", default="27184", help="the unit page's unit (Phường 1)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", action="append", help="a file name in docs/ (repeatable)")
    options = parser.parse_args()
    base = options.base_url.rstrip("/")

    def wanted(name: str) -> bool:
        return not options.only or name in options.only

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        work = Path(folder)
        browser = playwright.chromium.launch(  # Vietnamese date fields need LANG too
            executable_path=options.chromium, args=ARGS, env={**os.environ, "LANG": "vi_VN.UTF-8"}
        )

        def signed_in(viewport: dict[str, int]) -> Any:
            context = browser.new_context(viewport=viewport, locale="vi-VN")
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", options.username)
            page.fill("input[name=password]", options.password)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            assert page.url == f"{base}/", f"sign-in failed: {page.url}"
            return page

        desktop = signed_in(DESKTOP)
        vssid = f"?campaign=vssid&as_of={AS_OF}"
        vneid = f"?campaign=vneid&as_of={VNEID_AS_OF}"
        if wanted("dashboard-coverage-desktop.png"):
            shot(desktop, f"{base}/{vssid}", DOCS / "dashboard-coverage-desktop.png")
        if wanted("dashboard-unit.png"):
            shot(desktop, f"{base}/units/{options.unit}{vssid}", DOCS / "dashboard-unit.png",
                 full_page=True)  # fmt: skip
        if wanted("dashboard-review.png"):
            shot(desktop, f"{base}/review?campaign=vssid", DOCS / "dashboard-review.png",
                 full_page=True, clip={"x": 0, "y": 0, "width": 1366, "height": 1700})  # fmt: skip
        if wanted("dashboard-vneid.png"):
            shot(desktop, f"{base}/{vneid}", DOCS / "dashboard-vneid.png")
        if wanted("dashboard-campaign-selector.png"):
            short = {"x": 0, "y": 0, "width": 1366, "height": 600}
            shot(desktop, f"{base}/{vssid}", work / "top.png", clip=short)
            shot(desktop, f"{base}/{vneid}", work / "bottom.png", clip=short)
            stacked(work / "top.png", work / "bottom.png", DOCS / "dashboard-campaign-selector.png")
        for name, path in (("chart-coverage-by-unit.png", "coverage.png"),
                           ("chart-trend.png", "trend.png")):  # fmt: skip
            if wanted(name):
                response = desktop.request.get(f"{base}/charts/{path}{vssid}")
                assert response.ok, f"{path}: {response.status}"
                (DOCS / name).write_bytes(response.body())
                print(name)
        if wanted("dashboard-coverage-phone.png"):
            shot(signed_in(PHONE), f"{base}/{vssid}", DOCS / "dashboard-coverage-phone.png")
        browser.close()
        if wanted("report-excel-page1.png"):
            excel_page(DOCS / "report-excel-page1.png", DOCS / "report-excel-last.png", work)
        if wanted("report-pdf-page1.png"):
            pdf_report(DOCS / "report-pdf-page1.png", DOCS / "report-pdf-last.png", work)


if __name__ == "__main__":
    main()
