"""The dashboard end to end in a real headless Chromium, driven by Playwright.

Debian's ``chromium`` (``apt-get install chromium chromium-l10n``) and the ``playwright``
package are used as they are: Playwright never downloads a browser here. Without either, the
module is skipped. The app is served over real HTTP on a loopback port, on the
test database with the campaign of ``tests/dashboard/scenario.py``.

Set ``VSSID_SCREENSHOT_DIR`` to keep the screenshots the tests take (they always go to the
test's temporary folder); ``docs/`` holds ones taken on the ``vssid demo`` campaign.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.dashboard.scenario import AS_OF, FLAGGED_NAME

CHROMIUM = Path(os.environ.get("VSSID_CHROMIUM", "/usr/bin/chromium"))
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.usefixtures("campaign"),
]
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--lang=vi-VN",
]  # fmt: skip
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, env={**os.environ, "LANG": "vi_VN.UTF-8"}
        )
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app over real HTTP on a free loopback port (as ``tests.webforms.live_server``),
    waiting at the end for requests still running: a chart the browser gave up on must not
    hold a database connection past the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = False  # so that server_close() joins the request threads
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    """``open_page(username, viewport)``: a new browser context signed in through the form."""
    contexts = []

    def opener(username: str | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if username is not None:
            sign_in(page, base_url, username)
            assert page.url == f"{base_url}/", page.content()[:2000]
        return page

    yield opener
    for context in contexts:
        context.close()


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def shoot(page: Any, tmp_path: Path, name: str, full_page: bool = False) -> Path:
    """A screenshot in the test's folder, and in ``VSSID_SCREENSHOT_DIR`` when set."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # load lazy images
    # Polled: wait_for_function evaluates a string, which the pages' CSP (rightly) forbids.
    for _ in range(300):
        if page.evaluate("Array.from(document.images).every((image) => image.complete)"):
            break
        page.wait_for_timeout(100)
    page.evaluate("window.scrollTo(0, 0)")
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    keep = os.environ.get("VSSID_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def api_status(page: Any, path: str) -> int:
    """The status of a fetch from the page, with the browser's own session cookie."""
    status: int = page.evaluate("async (path) => (await fetch(path)).status", path)
    return status


def test_admin__sees_everything_and_sorts_the_table(open_page: Any, base_url: str, tmp_path: Path):
    page = open_page("quan.tri")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    assert page.get_by_test_id("done-pct").inner_text() == "21,1 %"
    assert page.locator("nav.main-nav").inner_text().split() == [
        "Tiến", "độ", "Duyệt", "phiếu", "Cộng", "tác", "viên", "Webhook",
        "Dữ", "liệu", "cá", "nhân", "Nhật", "ký", "truy", "cập",
    ]  # fmt: skip
    wards = page.locator("tbody", has=page.locator("tr[data-unit='27184']"))
    names = wards.locator("tr:not(.group) th a")
    assert names.first.inner_text() == "Phường 1"
    page.click("th:has-text('Đã cài đặt (%)') button")  # ascending: unknown first
    page.click("th:has-text('Đã cài đặt (%)') button")  # descending: Phường 2 (50 %) first
    assert names.first.inner_text() == "Phường 2"
    assert api_status(page, "/api/v1/units/27190") == 200
    page.goto(f"{base_url}/units/27184?as_of={AS_OF}")
    assert page.locator("#not-done").get_by_text("Hoàng Văn Em").is_visible()
    shoot(page, tmp_path, "e2e-unit-admin", full_page=True)


def test_manager__numbers_without_names(open_page: Any, base_url: str):
    page = open_page("lanh.dao")
    page.goto(f"{base_url}/units/27184?as_of={AS_OF}")
    assert page.get_by_test_id("done-pct").inner_text() == "40,0 %"
    assert page.get_by_test_id("names-hidden").is_visible()
    assert "Hoàng Văn Em" not in page.content()
    assert page.locator("a", has_text="Cộng tác viên").count() == 0
    page.goto(f"{base_url}/review")
    assert FLAGGED_NAME not in page.content()
    assert page.locator("button[name=decision]").count() == 0


def test_unit_user__other_unit_page_and_api_403(open_page: Any, base_url: str):
    page = open_page("phuong1")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    assert page.locator("tr[data-unit]").count() == 1
    assert page.get_by_test_id("done-pct").inner_text() == "40,0 %"
    response = page.goto(f"{base_url}/units/27190")
    assert response.status == 403
    assert page.get_by_role("heading", name="Không có quyền truy cập").is_visible()
    assert api_status(page, "/api/v1/units/27190") == 403
    assert api_status(page, "/api/v1/units/27184") == 200
    assert page.goto(f"{base_url}/download/coverage.csv?unit=27190").status == 403


@pytest.mark.parametrize(
    ("username", "words"),
    [("ctv.an", "chỉ dùng để gửi phiếu từ ODK Collect"), ("không-có-ai", "không đúng")],
)
def test_collector_or_stranger__cannot_sign_in(
    open_page: Any, base_url: str, username: str, words: str
):
    page = open_page()
    sign_in(page, base_url, username)
    assert words in page.locator(".flash.error").inner_text()
    assert page.url.startswith(f"{base_url}/login")


def test_download__excel_report_opens(open_page: Any, base_url: str, tmp_path: Path):
    page = open_page("lanh.dao")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    with page.expect_download() as event:
        page.click("a:has-text('Excel (.xlsx)')")
    download = event.value
    assert download.suggested_filename == "bao-cao-vssid-2021-03-31.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    book = load_workbook(path)
    assert book.sheetnames[0] == "Tổng hợp"
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert "Phường 1" in cells and "Phòng Nội vụ Quận 10" in cells


def test_home__opens_on_the_last_day_with_data__and_the_pdf_to_sign(
    open_page: Any, base_url: str, tmp_path: Path
):
    """The scenario's data ends on 23/03/2021: signing in lands on that day, says why, and
    the PDF of that day downloads, readable, with its Decree 30 heading and signature."""
    page = open_page("lanh.dao")  # lands on "/" without a date
    assert page.locator("input[name=as_of]").input_value() == "23/03/2021"  # the date box
    notice = page.get_by_test_id("data-ends")
    assert notice.is_visible() and "dừng ở ngày 23/03/2021" in notice.inner_text()
    with page.expect_download() as event:
        page.click("a:has-text('PDF để ký')")
    download = event.value
    assert download.suggested_filename == "bao-cao-vssid-2021-03-23.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    for line in ("PHỤ LỤC", "Số: …/BC-BHXH", "Quận 10, ngày 23 tháng 3 năm 2021", "Nơi nhận:",
                 "KT. GIÁM ĐỐC", "Phường 1", "TỔNG CỘNG"):  # fmt: skip
        assert line in text, line
    shoot(page, tmp_path, "home-data-ends")


def test_review__accept_and_watch_the_coverage_change(open_page: Any, base_url: str):
    page = open_page("quan.tri")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    assert page.get_by_test_id("done-pct").inner_text() == "21,1 %"
    page.click("nav.main-nav >> text=Duyệt phiếu")
    card = page.locator("article.submission", has_text=FLAGGED_NAME)
    assert "Ngày cài đặt" in card.locator(".problems").inner_text()
    card.locator("button[value=accept]").click()  # no reason: the browser asks for one
    assert page.locator("article.submission", has_text=FLAGGED_NAME).count() == 1
    card.locator("textarea[name=reason]").fill("Đã gọi điện xác nhận ngày cài đặt")
    card.locator("button[value=accept]").click()
    page.wait_for_load_state()
    assert "Đã chấp nhận phiếu số" in page.locator(".flash.success").inner_text()
    assert page.locator("article.submission", has_text=FLAGGED_NAME).count() == 0
    page.click("nav.main-nav >> text=Tiến độ")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    assert page.get_by_test_id("done-pct").inner_text() == "26,3 %"


def test_phone__page_fits_and_the_table_scrolls_inside(
    open_page: Any, base_url: str, tmp_path: Path
):
    page = open_page("lanh.dao", PHONE)
    page.goto(f"{base_url}/?as_of={AS_OF}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out of the screen
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("(e) => e.scrollWidth > e.clientWidth")
    shoot(page, tmp_path, "e2e-coverage-phone")


def test_language__switch_to_english_and_back(open_page: Any, base_url: str):
    page = open_page("lanh.dao")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    page.click("a.lang")
    assert page.get_by_test_id("done-pct").inner_text() == "21.1%"
    assert page.get_by_role("heading", name="Progress by unit", exact=True).is_visible()
    page.goto(f"{base_url}/review")
    assert page.get_by_role("heading", name="Submissions to review").is_visible()
    page.click("a.lang")
    assert page.get_by_role("heading", name="Phiếu cần duyệt").is_visible()


@pytest.mark.usefixtures("campaigns")
def test_campaign_selector__switch_to_vneid_keeps_the_filters(
    open_page: Any, base_url: str, tmp_path: Path
):
    page = open_page("quan.tri")
    page.goto(f"{base_url}/?as_of={AS_OF}&kind=ward")
    picker = page.locator("select[name=campaign]")
    assert picker.locator("option").all_inner_texts() == [
        "Kích hoạt định danh điện tử mức độ 2 (VNeID)",
        "Cài đặt ứng dụng VssID – BHXH số",
        "Tuyên truyền, hỗ trợ người dân cài đặt VssID",
    ]
    assert page.locator(".campaign-picker button").is_hidden()  # the script submits on change
    with page.expect_navigation():
        picker.select_option("vneid")
    assert page.url == f"{base_url}/?campaign=vneid&as_of={AS_OF}&kind=ward"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Kích hoạt định danh điện tử mức độ 2 (VNeID)")
    assert page.get_by_test_id("done-pct").inner_text() == "33,3 %"  # Phường 1 of the wards
    assert "VssID" not in page.locator("main").inner_text()
    shoot(page, tmp_path, "e2e-coverage-vneid")
    page.locator("tr[data-unit='27184'] a").click()
    page.wait_for_load_state()
    assert page.locator("#not-done th", has_text="Số định danh cá nhân (số CCCD)").is_visible()
    page.goto(f"{base_url}/?campaign=vssid_residents&as_of={AS_OF}")
    assert page.locator(".big.main h2").text_content() == "Đã hỗ trợ cài đặt"  # counts only
    page.goto(f"{base_url}/units/27184?campaign=vssid_residents&as_of={AS_OF}")
    assert page.locator("#not-done").count() == 0
