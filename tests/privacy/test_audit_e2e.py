"""The audit trail in a real headless Chromium (skipped without it, as ``tests/dashboard/
test_e2e.py``): a unit's list of people viewed, then an administrator finds that view on
``/audit`` by typing a day in the dd/mm/yyyy box and choosing the action, and downloads the
filtered rows as CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ingest.campaigns import LOCAL_TZ
from ingest.db import utcnow
from tests.dashboard.scenario import AS_OF
from tests.dashboard.test_e2e import base_url, browser, open_page, pytestmark
from tests.privacy.conftest import campaign, signed_in

__all__ = ["base_url", "browser", "campaign", "open_page", "pytestmark", "signed_in"]


def test_admin__finds_a_unit_view__and_downloads_it(open_page: Any, base_url: str, tmp_path: Path):
    unit = open_page("phuong1")
    unit.goto(f"{base_url}/units/27184?as_of={AS_OF}")
    assert unit.locator("table.people tbody tr").count() == 4  # 3 not done, 1 not on roster

    page = open_page("quan.tri")
    page.click("nav.main-nav a:has-text('Nhật ký truy cập')")
    today = utcnow().astimezone(LOCAL_TZ)  # the day in Vietnam, as the filter reads it
    page.fill("input[name=from]", f"{today:%d/%m/%Y}")
    page.select_option("select[name=action]", "unit_people")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()

    cells = page.locator("table.audit tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:4] == ["phuong1", "Đầu mối đơn vị", "Danh sách người của đơn vị"]
    assert cells[5] == "27184" and cells[8] == "4" and cells[11] == "/units/27184"
    with page.expect_download() as event:
        page.click("a:has-text('Tải CSV')")
    path = tmp_path / event.value.suggested_filename
    event.value.save_as(str(path))
    records = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[4] for r in records[1:]] == ["unit_people"] and records[1][2] == "phuong1"
