"""The self-report link end to end in a real headless Chromium (Debian's, driven by
Playwright): a phone opens its unit's link, fills ODK Web Forms through its UI, presses Gửi,
and the record counts; a mismatched identity is kept, flagged, with the same answer; an
expired or revoked link answers a clear page. Skipped without Chromium or Playwright.

Set ``VSSID_SCREENSHOT_DIR`` to keep the screenshots (``docs/selfreport-*.png`` are these).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ingest.db import utcnow
from ingest.models import Person, SelfReportLink, Submission
from ingest.selfreport import links
from tests.conftest import make_user
from tests.pipeline import settle
from tests.selfreport.conftest import BORN, CODE, NAME, UNIT

CHROMIUM = Path(os.environ.get("VSSID_CHROMIUM", "/usr/bin/chromium"))
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--lang=vi-VN",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.problems = []  # console errors and CSP refusals: a page that works has none
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def shoot(page: Any, tmp_path: Path, name: str, full_page: bool = False) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    keep = os.environ.get("VSSID_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def question(page: Any, label: str) -> Any:
    exact = re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")
    return page.locator(".question-container").filter(
        has=page.locator(".control-text label").filter(has_text=exact)
    )


def choose(page: Any, label: str, value: str) -> None:
    question(page, label).locator(f"label.value-option:has(input[value='{value}'])").click()


def type_date(page: Any, label: str, iso: str) -> None:
    year, month, day = iso.split("-")
    field = question(page, label).locator("input").first
    field.click()
    field.press_sequentially(f"{month}/{day}/{year}")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def fill_self_report(page: Any, code: str, born: str, photo: Path | None = None) -> None:
    """Answer the form as a person would, in Vietnamese, and press Gửi."""
    page.locator(".form-questions").wait_for()
    choose(page, "Anh/Chị có đồng ý cung cấp thông tin cho mục đích nêu trên không?", "yes")
    question(page, "Họ và tên").locator("input").fill(NAME)
    question(page, "Mã số BHXH").locator("input").fill(code)
    type_date(page, "Ngày sinh", born)
    choose(page, "Đối tượng", "vien_chuc")
    choose(page, "Tình trạng cài đặt ứng dụng VssID", "account_active")
    type_date(page, "Ngày cài đặt ứng dụng", (utcnow() - timedelta(days=3)).date().isoformat())
    if photo is not None:
        with page.expect_file_chooser() as chooser:
            question(page, "Ảnh chụp màn hình ứng dụng VssID").get_by_role("button").click()
        chooser.value.set_files(str(photo))
        question(page, "Ảnh chụp màn hình ứng dụng VssID").locator("img").first.wait_for()
    page.get_by_role("button", name="Gửi").click()
    page.locator("#webform-status[data-kind='success']").wait_for()


def submissions(session: Session) -> list[Submission]:
    session.expire_all()
    return list(session.scalars(select(Submission).order_by(Submission.id)))


def test_phone__fills_the_form__record_counts(
    phone: Any, base_url: str, token: str, session: Session, tmp_path: Path
):
    page = phone
    page.goto(f"{base_url}/s/{token}")
    page.locator(".form-questions").wait_for()
    assert "Phường 1" in page.locator(".sr-unit").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways
    # Web Forms breaks its title anywhere ("ứng dụn|g"); ours breaks it between words.
    titles = page.locator("h1:visible")
    assert titles.count() >= 1
    assert {
        titles.nth(i).evaluate("h => getComputedStyle(h).wordBreak") for i in range(titles.count())
    } == {"normal"}
    shoot(page, tmp_path, "selfreport-phone")
    photo = tmp_path / "vssid.png"
    shutil.copy(Path(__file__).resolve().parents[2] / "docs" / "chart-trend.png", photo)
    fill_self_report(page, CODE, BORN, photo)
    said = page.locator("#webform-status").inner_text()
    assert said.startswith("Đã nhận phiếu tự khai")
    shoot(page, tmp_path, "selfreport-phone-sent")
    [row] = submissions(session)
    assert row.source == "selfreport" and row.verdict == "accepted", row.issues
    assert len(row.attachments) == 1 and row.attachments[0].size > 0  # shrunk by Web Forms
    settle(session)
    person = session.scalars(select(Person)).one()
    assert (person.person_key, person.unit_code, person.done) == (CODE, UNIT, True)
    # The form is fresh for the next person; nothing blocked by the page's policy.
    assert question(page, "Họ và tên").count() == 0 or not question(page, "Họ và tên").is_visible()
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems


def test_coverage_goes_up(phone: Any, base_url: str, token: str, session: Session, app: Flask):
    make_user(session, "quan.tri", "admin")
    auth = "Basic " + base64.b64encode("quan.tri:mật-khẩu-thử-1".encode()).decode()

    def installed() -> int:
        response = app.test_client().get(
            "/api/v1/coverage?campaign=vssid&by=unit", headers={"Authorization": auth}
        )
        row = next(r for r in response.json["rows"] if r["unit_code"] == UNIT)
        assert row["source"] == "roster"
        return int(row["done"])

    before = installed()
    phone.goto(f"{base_url}/s/{token}")
    fill_self_report(phone, CODE, BORN)
    assert installed() == before + 1


def test_mismatched_identity__flagged__same_answer(
    phone: Any, base_url: str, token: str, session: Session
):
    phone.goto(f"{base_url}/s/{token}")
    fill_self_report(phone, CODE, "1985-04-13")  # one day off
    wrong = phone.locator("#webform-status").inner_text()
    phone.reload()
    fill_self_report(phone, CODE, BORN)
    right = phone.locator("#webform-status").inner_text()
    assert wrong == right
    flagged, accepted = submissions(session)
    assert flagged.verdict == "flagged" and accepted.verdict == "accepted"
    assert [i["code"] for i in flagged.issues] == ["identity.not_matched"]


def test_english_switch__desktop(browser: Any, base_url: str, token: str, tmp_path: Path):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{base_url}/s/{token}")
        page.locator(".form-questions").wait_for()
        shoot(page, tmp_path, "selfreport-desktop")
        page.get_by_role("link", name="English").click()
        page.locator(".form-questions").wait_for()
        assert "Report your own" in page.locator(".sr-intro").inner_text()
        agree = "Do you agree to provide your information for the purpose stated above?"
        assert question(page, agree).count() == 1  # the form's English too
        assert page.get_by_role("button", name="Send").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_unusable_link__vietnamese_page(
    phone: Any, base_url: str, token: str, session: Session, tmp_path: Path, state: str
):
    link = session.scalars(select(SelfReportLink)).one()
    if state == "expired":
        link.expires_at = utcnow() - timedelta(days=1)
    else:
        links.revoke(session, link.id, utcnow())
    session.commit()
    response = phone.goto(f"{base_url}/s/{token}")
    assert response.status == 410
    text = phone.locator(".sr-gone").inner_text()
    assert ("đã hết hạn" if state == "expired" else "đã bị thu hồi") in text
    assert "focal point" in text  # English second
    shoot(phone, tmp_path, f"selfreport-{state}")


def test_page_weight__under_budget(phone: Any, base_url: str, token: str):
    sizes: list[int] = []
    phone.on("response", lambda r: sizes.append(int(r.headers.get("content-length") or 0)))
    phone.goto(f"{base_url}/s/{token}")
    phone.locator(".form-questions").wait_for()
    assert 0 < sum(sizes) < 2_500_000, json.dumps(sizes)


def test_collectors_page__admin_makes_a_link__prints_the_poster__revokes(
    browser: Any, base_url: str, rostered: None, session: Session, tmp_path: Path
):
    make_user(session, "quan.tri", "admin")
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.fill("input[name=username]", "quan.tri")
        page.fill("input[name=password]", "mật-khẩu-thử-1")
        page.click("form button[type=submit]")
        page.goto(f"{base_url}/collectors")
        section = page.locator("#selfreport")
        section.locator("select[name=unit]").select_option(UNIT)
        section.get_by_role("button", name="Tạo đường dẫn tự khai").click()
        page.locator(".poster svg").wait_for()
        assert "Phường 1" in page.locator(".poster .unit").inner_text()
        url = page.locator(".poster .url").inner_text()
        assert url.startswith(f"{base_url}/s/")
        page.emulate_media(media="print")
        shoot(page, tmp_path, "selfreport-poster", full_page=True)
        page.emulate_media(media="screen")
        page.goto(f"{base_url}/collectors")
        row = page.locator("tr[data-selfreport-link]")
        assert row.get_attribute("data-state") == "active" and url in row.inner_text()
        shoot(page, tmp_path, "selfreport-collectors", full_page=True)
        row.get_by_role("button", name="Thu hồi").click()
        assert page.locator("tr[data-selfreport-link]").get_attribute("data-state") == "revoked"
        assert page.goto(url).status == 410
    finally:
        context.close()


def test_fill__collector_in_the_browser__normal_intake(
    browser: Any, base_url: str, rostered: None, session: Session
):
    make_user(session, "thu.nguyen", "collector")
    context = browser.new_context(
        viewport=PHONE,
        locale="vi-VN",
        http_credentials={"username": "thu.nguyen", "password": "mật-khẩu-thử-1"},
    )
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        media: list[int] = []
        page.on("response", lambda r: "/media/units.csv" in r.url and media.append(r.status))
        page.goto(f"{base_url}/fill")
        page.get_by_role("link", name=re.compile("Phiếu ghi nhận cài đặt")).click()
        page.locator(".form-questions").wait_for()
        assert media == [200]  # units.csv reached the engine through fetchFormAttachment
        page.goto(f"{base_url}/fill/vssid_selfreport")
        page.problems = []
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        fill_self_report(page, CODE, BORN)
        assert page.locator("#webform-status").inner_text().startswith("Đã nhận phiếu")
    finally:
        context.close()
    [row] = submissions(session)
    assert (row.source, row.submitter) == ("openrosa", "thu.nguyen")
