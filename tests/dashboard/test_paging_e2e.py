"""The coverage page in pages, in a real Chromium: the page links move through the units with
the filters kept, and the totals stay those of every unit (tests/dashboard/test_e2e.py's
browser and server; skipped without Chromium or Playwright)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.scenario import AS_OF
from tests.dashboard.test_e2e import base_url, browser, open_page, shoot  # noqa: F401

pytestmark = pytest.mark.usefixtures("campaign")


def test_pages__next_keeps_filters_and_totals(open_page: Any, base_url: str, tmp_path: Path):  # noqa: F811
    page = open_page("quan.tri")
    page.goto(f"{base_url}/?as_of={AS_OF}")
    everyone = page.locator("tr[data-unit]").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    total = page.locator("tr.total").inner_text()
    page.goto(f"{base_url}/?as_of={AS_OF}&per_page=20")
    assert page.locator("tr[data-unit]").count() == 20
    seen = []
    for number in (1, 2, 3):
        assert page.locator("nav.pages [aria-current=page]").inner_text() == str(number)
        seen += page.locator("tr[data-unit]").evaluate_all("rows => rows.map(r => r.dataset.unit)")
        assert page.locator("tr.total").inner_text() == total
        assert f"as_of={AS_OF}" in page.url
        if number < 3:
            page.click("nav.pages a[rel=next]")
            page.wait_for_load_state()
    assert seen == everyone
    assert page.locator("nav.pages a[rel=next]").count() == 0
    shoot(page, tmp_path, "e2e-coverage-pages", full_page=True)
    # A filter chosen on a later page starts again at page 1, the filter kept in the links.
    page.select_option("select[name=kind]", "ward")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "page=" not in page.url
    assert page.locator("tr[data-unit]").count() == 14
