# ruff: noqa: F811  (the fixtures of test_e2e, imported, are this module's arguments)
"""The pages of issue 16 in a real headless Chromium (as ``test_e2e``): the phone layout at
390 × 844, the date box in an English browser, the review desk's correction, the QR warning
and English charts. Skipped without Chromium or Playwright."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.scenario import AS_OF, FLAGGED_NAME
from tests.dashboard.test_e2e import (  # noqa: F401  (fixtures)
    ARGS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    base_url,
    browser,
    open_page,
    shoot,
    sign_in,
)

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.usefixtures("campaign"),
]
#: The smallest chart text a phone should show, in CSS pixels.
MIN_TEXT_PX = 11


def chart_text_px(page: Any, selector: str) -> float:
    """The smallest font of the chart image at ``selector`` as drawn on screen (its SVG's
    smallest font-size, scaled by the image's shown width over the SVG's own width)."""
    found: float = page.evaluate(
        """async (selector) => {
            const image = document.querySelector(selector);
            const svg = await (await fetch(image.currentSrc)).text();
            const width = parseFloat(svg.match(/viewBox="[\\d.]+ [\\d.]+ ([\\d.]+)/)[1]);
            const sizes = [...svg.matchAll(/font[^;"]*?([\\d.]+)px/g)].map((m) => parseFloat(m[1]));
            return Math.min(...sizes) * image.getBoundingClientRect().width / width;
        }""",
        selector,
    )
    return found


def test_phone__status_first_hint_shown_chart_readable(
    open_page: Any, base_url: str, tmp_path: Path
):
    page = open_page("lanh.dao", PHONE)
    page.goto(f"{base_url}/?as_of={AS_OF}")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    badge = page.locator("tr[data-unit='27184'] .badge")
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]  # seen, not cut
    scroller = page.locator(".table-scroll").first
    assert "overflowing" in (scroller.get_attribute("class") or "")
    hint = scroller.evaluate("(e) => getComputedStyle(e, '::before').content")
    assert "Vuốt ngang" in hint
    chart = "img[alt^='Tiến độ theo đơn vị']"
    page.locator(chart).scroll_into_view_if_needed()
    for _ in range(100):
        if page.evaluate(f'document.querySelector("{chart}").complete'):
            break
        page.wait_for_timeout(100)
    assert "narrow=1" in page.evaluate(f'document.querySelector("{chart}").currentSrc')
    assert chart_text_px(page, chart) >= MIN_TEXT_PX
    assert chart_text_px(page, "img[alt='Tiến độ theo ngày']") >= MIN_TEXT_PX
    shoot(page, tmp_path, "e2e-desk-coverage-phone", full_page=True)


def test_phone__unit_list_reasons_in_view(open_page: Any, base_url: str, tmp_path: Path):
    page = open_page("quan.tri", PHONE)
    page.goto(f"{base_url}/units/27184?as_of={AS_OF}")

    row = page.locator("#not-done tr", has_text="Hoàng Văn Em")
    reasons = row.locator("td").nth(2)
    assert "Không muốn cài đặt" in reasons.inner_text()
    box = reasons.bounding_box()
    assert box is not None and box["x"] < PHONE["width"]  # the reasons start on screen
    status = row.locator("td").nth(1).bounding_box()
    assert status is not None and status["x"] + status["width"] <= PHONE["width"]
    shoot(page, tmp_path, "e2e-desk-unit-phone", full_page=True)


@pytest.fixture(scope="module")
def english_browser(browser: Any) -> Iterator[Any]:
    """Chromium whose own UI language is English (as a browser installed in English)."""
    args = [a for a in ARGS if not a.startswith("--lang=")] + ["--lang=en-US"]
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=args, env={**os.environ, "LANG": "en_US.UTF-8"}
    )
    yield chromium
    chromium.close()


def test_date_box__english_browser__dd_mm_yyyy(english_browser: Any, base_url: str, tmp_path: Path):
    context = english_browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, base_url, "lanh.dao")
        page.goto(f"{base_url}/?as_of=2026-06-12")
        box = page.get_by_test_id("as-of")
        assert box.input_value() == "12/06/2026"  # 12 June, as the page writes it
        assert "12/06/2026" in page.locator(".page-head .muted").first.inner_text()
        assert page.locator("input[type=date][name]").count() == 0  # no browser-ordered box
        shoot(page, tmp_path, "e2e-desk-date-english-browser")
        # The calendar writes the day it picks into the box, day first.
        page.locator("input.calendar").evaluate(
            "(e) => { e.value = '2021-03-15'; e.dispatchEvent(new Event('change')); }"
        )
        assert box.input_value() == "15/03/2021"
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        assert "15/03/2021" in page.locator(".page-head .muted").first.inner_text()
        assert box.input_value() == "15/03/2021"
    finally:
        context.close()


def test_review_desk__correct_a_date_on_a_phone(open_page: Any, base_url: str, tmp_path: Path):
    page = open_page("quan.tri", PHONE)
    page.goto(f"{base_url}/review")
    card = page.locator("article.submission", has_text=FLAGGED_NAME)
    problems = card.locator(".problems li")
    assert problems.count() == 1 and "20/03/2021" in problems.inner_text()
    assert "2021-03-20" not in card.inner_text()
    assert "install_date" not in card.inner_text()  # only in the tooltip
    assert card.locator("th[title='install_date']").inner_text() == "Ngày cài đặt ứng dụng"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, tmp_path, "e2e-desk-review-phone", full_page=True)

    card.locator("details.correct summary").click()
    card.locator("select[name=field]").select_option(label="Ngày cài đặt ứng dụng")
    card.locator("details.correct input[name=value]").fill("2021-03-19")
    card.locator("details.correct textarea[name=why]").fill("Gọi điện: cài ngày 19/03")
    with page.expect_navigation():
        card.locator("details.correct button[type=submit]").click()

    assert "phiên bản mới là phiếu số" in page.locator(".flash.success").inner_text()
    assert "Gọi điện: cài ngày 19/03" in page.locator(".corrected").inner_text()
    assert page.locator(".badge", has_text="Đã chấp nhận").count() == 1
    shoot(page, tmp_path, "e2e-desk-review-corrected", full_page=True)
    page.goto(f"{base_url}/?as_of={AS_OF}")
    assert page.get_by_test_id("done-pct").inner_text() == "26,3 %"


def test_collectors__on_loopback_without_public_url__warned(
    open_page: Any, base_url: str, tmp_path: Path
):
    page = open_page("quan.tri")
    page.goto(f"{base_url}/collectors")
    warning = page.get_by_test_id("public-url-warning")
    assert warning.is_visible() and "VSSID_PUBLIC_URL" in warning.inner_text()
    assert page.locator("button", has_text="Tạo mã QR").count() == 0
    shoot(page, tmp_path, "e2e-desk-collectors-warning")


def test_english__charts_and_names(open_page: Any, base_url: str, tmp_path: Path):
    page = open_page("lanh.dao")
    page.goto(f"{base_url}/?as_of={AS_OF}&kind=ward&lang=en")
    assert page.get_by_test_id("scope").inner_text() == "Wards"
    assert page.locator("tr[data-unit='27184'] th a").inner_text() == "Ward 1"
    image = page.locator("img[alt^='Progress by unit']")
    image.scroll_into_view_if_needed()
    source = base_url + (image.get_attribute("src") or "")
    assert "lang=en" in source
    response = page.request.get(source)  # with the browser's session cookie
    assert response.status == 200, response.text()[:500]
    svg = response.text()
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "Wards: " in words and "Ward 1" in words and "Phường" not in words
    shoot(page, tmp_path, "e2e-desk-coverage-english", full_page=True)
