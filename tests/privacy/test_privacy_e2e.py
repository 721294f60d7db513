"""The personal data page in a real headless Chromium, on a phone (skipped without it, as
``tests/dashboard/test_e2e.py``): an administrator looks a person up, downloads their file,
erases their data on their request, and sees that nothing of them is left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import PrivacyRequest
from ingest.privacy import traces
from tests.dashboard.test_e2e import CHROMIUM, PHONE, base_url, browser, open_page
from tests.privacy.conftest import COUNTS, media_dir, snapshot

__all__ = ["base_url", "browser", "open_page"]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.usefixtures("district"),
]
AN = ("0791000001", "Nguyễn Văn An")


def test_phone__look_up_download_erase(
    open_page: Any, base_url: str, tmp_path: Path, district: Session, app: Flask
):
    counts = snapshot(district, COUNTS)
    page = open_page("quan.tri", PHONE)
    page.goto(f"{base_url}/privacy")
    page.fill("[data-testid=privacy-person]", AN[0])
    page.click("form.filters button.primary")
    page.wait_for_load_state()
    assert AN[1] in page.locator("table.privacy-held").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page must not scroll sideways on a phone"

    page.fill("[data-testid=privacy-see] textarea[name=reason]", "Đơn xin xem ngày 01/12/2026")
    with page.expect_download() as event:
        page.click("[data-testid=privacy-see] button")
    path = tmp_path / "ho-so.xlsx"
    event.value.save_as(str(path))
    assert AN[1] in [row[2] for row in load_workbook(path)["Danh sách đơn vị"].values]

    form = page.locator("[data-testid=privacy-erase]")
    form.locator("select[name=kind]").select_option("erase")
    form.locator("textarea[name=reason]").fill("Đơn yêu cầu xoá ngày 02/12/2026")
    form.locator("input[name=confirm]").fill(AN[0])
    form.locator("button").click()
    page.wait_for_load_state()

    flashes = " ".join(page.locator(".flash").all_inner_texts())
    assert "mã định danh không còn ở đâu" in flashes and "số liệu được giữ" in flashes
    rows = page.locator("table.requests tbody tr").all_inner_texts()
    assert "Xoá dữ liệu" in rows[0] and "Xem hồ sơ" in rows[1] and AN[0] not in " ".join(rows)
    district.rollback()
    assert traces.find(district, AN, media_dir(app)) == []
    assert snapshot(district, COUNTS) == counts
    assert [r.kind for r in district.scalars(select(PrivacyRequest))] == ["see", "erase"]
