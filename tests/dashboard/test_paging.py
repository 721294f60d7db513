"""The coverage page in pages (webhook/dashboard/paging.py): one page of the units in the
report's order, page links that keep the campaign, date and filters, totals over every unit,
and a clear 400 for a malformed page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.dashboard.scenario import AS_OF
from webhook.dashboard.paging import Page

Open = Callable[[str], FlaskClient]


def unit_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)">', html)


def group_heads(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<th scope="rowgroup">([^<]+) <small>\((\d+)\)</small>', html)


def total_row(html: str) -> str:
    found = re.search(r'<tr class="total">(.*?)</tr>', html, re.S)
    assert found
    return found.group(1)


def test_one_page__the_units_in_order_and_the_totals_of_all(signed_in: Open):
    browser = signed_in("quan.tri")
    whole = browser.get(f"/?as_of={AS_OF}").text
    everyone = unit_rows(whole)
    assert len(everyone) == 48 and 'class="pages"' not in whole  # one page: no links
    groups = dict(group_heads(whole))
    assert groups["Phường"] == "14"
    seen = []
    for number in range(1, 6):
        response = browser.get(f"/?as_of={AS_OF}&per_page=10&page={number}")
        assert response.status_code == 200
        seen += unit_rows(response.text)
        assert total_row(response.text) == total_row(whole)
        for kind, count in group_heads(response.text):  # all the kind's units, with subtotal
            assert groups[kind] == count
    assert seen == everyone  # the pages cut the report's order, nothing twice or lost
    last = browser.get(f"/?as_of={AS_OF}&per_page=10&page=5").text
    assert "Đơn vị 41–48 trong 48; dòng tổng cộng tính mọi đơn vị." in last


def test_links__keep_campaign_date_and_filters(signed_in: Open):
    browser = signed_in("quan.tri")
    html = browser.get(f"/?as_of={AS_OF}&kind=department&category=cong_chuc&per_page=5&page=2").text
    links = set(re.findall(r'<a (?:rel="(?:prev|next)" )?href="(/\?[^"]+)"', html))
    assert links
    for link in links:
        assert f"as_of={AS_OF}" in link and "kind=department" in link, link
        assert "category=cong_chuc" in link and "per_page=5" in link, link
    assert 'aria-current="page">2<' in html
    assert any("page=3" in link for link in links) and any("page=1" in link for link in links)


def test_page_past_the_end__the_last_page(signed_in: Open):
    browser = signed_in("quan.tri")
    last = browser.get(f"/?as_of={AS_OF}&per_page=10&page=5").text
    assert unit_rows(browser.get(f"/?as_of={AS_OF}&per_page=10&page=99").text) == unit_rows(last)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=abc", "Giá trị không hợp lệ cho page: abc"),
        ("page=0", "Số trang phải từ 1 trở lên: 0"),
        ("per_page=0", "Số dòng mỗi trang phải từ 1 đến 1000: 0"),
        ("per_page=5000", "Số dòng mỗi trang phải từ 1 đến 1000: 5000"),
    ],
)
def test_malformed__400_with_a_message(signed_in: Open, query: str, message: str):
    response = signed_in("quan.tri").get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_english__page_words(signed_in: Open):
    html = signed_in("quan.tri").get(f"/?as_of={AS_OF}&per_page=20&page=3&lang=en").text
    assert "Units 41–48 of 48; the total row counts every unit." in html
    assert "Previous page" in html


@pytest.mark.parametrize(
    ("number", "pages", "expected"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, None, 5]),
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
        (3, 5, [1, 2, 3, 4, 5]),
    ],
)
def test_links__first_last_and_neighbours(number: int, pages: int, expected: list[int | None]):
    assert Page(number, 10, pages * 10).links() == expected
