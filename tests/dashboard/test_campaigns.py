"""The dashboard follows the campaign: the selector, each campaign's own words, its people or
its counts, and the campaign kept in every link.

Numbers are the hand-computed ones of ``tests/dashboard/scenario.py`` (``load_others``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.dashboard.scenario import AS_OF, FLAGGED_NAME, VNEID_FLAGGED_CCCD
from webhook.dashboard import selector

SignedIn = Callable[[str], FlaskClient]
pytestmark = pytest.mark.usefixtures("campaigns")

VNEID_TITLE = "Kích hoạt định danh điện tử mức độ 2 (VNeID)"
TITLES = {
    "vneid": VNEID_TITLE,
    "vssid": "Cài đặt ứng dụng VssID – BHXH số",
    "vssid_residents": "Tuyên truyền, hỗ trợ người dân cài đặt VssID",
}
NOT_DONE = '<section class="card" id="not-done">'  # who is not done
PICKER = re.compile(r'<form class="campaign-picker".*?</form>', re.S)


def options(page: str) -> list[tuple[str, str, bool]]:
    """The campaign selector's options: (value, text, selected)."""
    (picker,) = PICKER.findall(page)
    found = re.findall(r'<option value="([^"]*)"\s*(selected)?\s*>([^<]*)</option>', picker)
    return [(value, html.unescape(text), bool(chosen)) for value, chosen, text in found]


def hidden(page: str) -> dict[str, str]:
    """The selector's hidden inputs: the filters a change of campaign keeps."""
    (picker,) = PICKER.findall(page)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker))


def links(page: str) -> list[str]:
    """Every ``href`` and ``src`` of the page's main part, unescaped."""
    main = page.split('<main id="main">')[1]
    return [html.unescape(url) for url in re.findall(r'(?:href|src|action)="([^"]+)"', main)]


# --- the selector ---------------------------------------------------------------------------


def test_selector__lists_the_published_campaigns__current_one_selected(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/?as_of={AS_OF}&kind=ward").text
    assert options(page) == [(cid, title, cid == "vssid") for cid, title in TITLES.items()]
    assert hidden(page) == {"as_of": AS_OF, "kind": "ward"}  # the other filters are kept


def test_selector__english_titles(signed_in: SignedIn):
    page = signed_in("lanh.dao").get("/?campaign=vneid&lang=en").text
    assert ("vneid", "VNeID level-2 e-identity activation", True) in options(page)
    assert ("vssid_residents", "VssID outreach to residents", False) in options(page)


def test_selector__drops_a_category_and_keeps_the_unit(signed_in: SignedIn):
    manager = signed_in("lanh.dao")
    page = manager.get(f"/?as_of={AS_OF}&category=cong_chuc").text
    assert hidden(page) == {"as_of": AS_OF}  # each campaign has its own categories
    unit = manager.get(f"/units/27184?campaign=vneid&as_of={AS_OF}").text
    assert 'action="/units/27184"' in PICKER.findall(unit)[0]
    assert ("vneid", VNEID_TITLE, True) in options(unit)


def test_selector__hidden_with_one_campaign(signed_in: SignedIn, monkeypatch: Any):
    only = selector.all_campaigns
    monkeypatch.setattr(selector, "all_campaigns", lambda s: only(s)[1:2])  # vssid alone
    page = signed_in("lanh.dao").get(f"/?as_of={AS_OF}").text
    assert 'name="campaign"' not in page and "21,1 %" in page


# --- a campaign's own words -----------------------------------------------------------------


def test_vneid__its_title_and_labels__no_vssid_word(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/?campaign=vneid&as_of={AS_OF}").text
    assert f"<title>Tiến độ · {VNEID_TITLE}</title>" in page
    assert f'<h1>{VNEID_TITLE} · <span data-testid="scope">Toàn quận</span></h1>' in page
    assert "<h2>Đã kích hoạt mức độ 2</h2>" in page and "<h2>Chưa kích hoạt</h2>" in page
    assert ">Đã kích hoạt mức độ 2 (%)</button>" in page
    assert "CÔNG AN QUẬN 10" in page  # the campaign's agency
    assert "Đang sử dụng" not in page  # VNeID has no further level
    outside = PICKER.sub("", page)  # the selector names the other campaigns, rightly
    for word in ("VssID", "BHXH", "cài đặt", "Cài đặt"):
        assert word not in outside, word


def test_vneid__numbers_and_english(signed_in: SignedIn):
    manager = signed_in("lanh.dao")
    unit = manager.get(f"/units/27184?campaign=vneid&as_of={AS_OF}").text
    assert "33,3 %" in unit and "1 / 3 người" in unit
    english = manager.get(f"/?campaign=vneid&as_of={AS_OF}&lang=en").text
    assert (
        'VNeID level-2 e-identity activation · <span data-testid="scope">Whole district' in english
    )
    assert "<h2>Level 2 activated</h2>" in english and "<h2>Not activated</h2>" in english
    assert "VssID" not in PICKER.sub("", english)


def test_vneid__unit_page_lists_by_cccd_with_the_forms_words(signed_in: SignedIn):
    page = signed_in("quan.tri").get(f"/units/27184?campaign=vneid&as_of={AS_OF}").text
    listed = page.split(NOT_DONE)[1]
    assert "<h2>Danh sách chưa kích hoạt</h2>" in listed
    assert ">Số định danh cá nhân (số CCCD)</button>" in listed  # the form's label
    assert "Mã số BHXH" not in page
    assert "001090000002" in listed and "Trần Thị Bình" in listed
    assert "Nguyễn Văn An" not in listed  # activated: not listed
    assert "Đã đăng ký mức độ 2, đang chờ cơ quan Công an phê duyệt" in listed  # outcome
    assert "Chưa có thẻ Căn cước công dân gắn chíp" in listed  # reason
    assert "<h2>Lý do chưa kích hoạt</h2>" in page


def test_vneid__unit_page_in_english(signed_in: SignedIn):
    page = signed_in("quan.tri").get(f"/units/27184?campaign=vneid&as_of={AS_OF}&lang=en").text
    assert "<h2>Who is not activated</h2>" in page
    assert ">Personal identification number (citizen identity card number)</button>" in page
    assert "No chip-based citizen identity card yet" in page


def test_vneid__manager_sees_a_count_not_names(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/units/27184?campaign=vneid&as_of={AS_OF}").text
    assert "2 người trong danh sách chưa kích hoạt." in page
    assert "Trần Thị Bình" not in page and "001090000002" not in page


@pytest.mark.parametrize("username", ["quan.tri", "lanh.dao", "phuong1"])
def test_count_only_campaign__pages_without_a_personal_list(signed_in: SignedIn, username: str):
    browser = signed_in(username)
    home = browser.get(f"/?campaign=vssid_residents&as_of={AS_OF}")
    assert home.status_code == 200
    assert "<h2>Đã hỗ trợ cài đặt</h2>" in home.text and "<h2>Đã tuyên truyền</h2>" in home.text
    unit = browser.get(f"/units/27184?campaign=vssid_residents&as_of={AS_OF}")
    assert unit.status_code == 200
    text = unit.text
    assert "0,2 %" in text and "0,7 %" in text and "35 / 17.850 người" in text
    assert "Người dân" in text and "<h2>Chưa được hỗ trợ</h2>" in text
    assert NOT_DONE not in text and "Họ và tên" not in text and "Lý do" not in text


# --- links keep the campaign ----------------------------------------------------------------


def test_links__keep_the_campaign(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/?campaign=vneid&as_of={AS_OF}&kind=ward").text
    found = links(page)
    units = [url for url in found if url.startswith("/units/")]
    assert units and all("campaign=vneid" in url and f"as_of={AS_OF}" in url for url in units)
    assert all("kind=" not in url for url in units)  # a unit's page has no filters
    for prefix in ("/download/coverage.", "/charts/trend.svg", "/charts/coverage.svg"):
        chosen = [url for url in found if url.startswith(prefix)]
        assert chosen and all("campaign=vneid" in url and "kind=ward" in url for url in chosen)
    filters = page.split('<form class="filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="campaign" value="vneid">' in filters
    menu = page.split('<nav class="main-nav"')[1].split("</nav>")[0]
    assert 'href="/?campaign=vneid"' in menu and 'href="/review?campaign=vneid"' in menu


def test_links__unit_page_keeps_the_campaign(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/units/27184?campaign=vneid&as_of={AS_OF}").text
    found = links(page)
    assert f"/?campaign=vneid&as_of={AS_OF}" in found  # crumbs and the way back
    trend = [url for url in found if url.startswith("/charts/trend.svg")]
    assert trend and all("campaign=vneid" in url and "unit=27184" in url for url in trend)
    downloads = [url for url in found if url.startswith("/download/")]
    assert downloads and all("campaign=vneid" in url for url in downloads)
    filters = page.split('<form class="filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="campaign" value="vneid">' in filters


def test_links__default_campaign_stays_short(signed_in: SignedIn):
    page = signed_in("lanh.dao").get(f"/?as_of={AS_OF}").text
    assert not any("campaign=" in url for url in links(page))


# --- unknown campaign -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/", "/units/27184", "/review", "/download/coverage.csv", "/download/coverage.xlsx",
    "/charts/trend.svg", "/charts/coverage.png",
])  # fmt: skip
def test_unknown_campaign__404_page(signed_in: SignedIn, path: str):
    response = signed_in("lanh.dao").get(f"{path}?campaign=khong-co")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Không có chiến dịch này: khong-co" in response.text


def test_unknown_campaign__strange_value__404_not_500(signed_in: SignedIn):
    for value in ("%00", "x" * 500, "vssid'--", "%E2%80%AE"):
        assert signed_in("lanh.dao").get(f"/?campaign={value}").status_code == 404, value


# --- review queue ---------------------------------------------------------------------------


def test_review__every_campaign_by_default_each_card_names_its_campaign(signed_in: SignedIn):
    page = signed_in("quan.tri").get("/review").text
    assert FLAGGED_NAME in page and VNEID_FLAGGED_CCCD in page
    assert ("", "Mọi chiến dịch", True) in options(page)
    cards = re.findall(r'<dd data-testid="campaign">([^<]*)</dd>', page)
    assert sorted(cards) == sorted([TITLES["vssid"], VNEID_TITLE])


def test_review__one_campaign(signed_in: SignedIn):
    admin = signed_in("quan.tri")
    vneid = admin.get("/review?campaign=vneid").text
    assert VNEID_FLAGGED_CCCD in vneid and FLAGGED_NAME not in vneid
    assert ("vneid", VNEID_TITLE, True) in options(vneid)
    assert f"Phiếu cần duyệt · {VNEID_TITLE}" in vneid
    tabs = vneid.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert tabs.count("campaign=vneid") == 3
    assert "campaign=vneid" in vneid.split('<form class="decide"')[1].split(">")[0]
    vssid = admin.get("/review?campaign=vssid").text
    assert FLAGGED_NAME in vssid and VNEID_FLAGGED_CCCD not in vssid
    assert admin.get("/review?campaign=vssid_residents").text.count('class="card submission"') == 0


def test_review__decision_returns_to_the_same_campaign(signed_in: SignedIn):
    admin = signed_in("quan.tri")
    page = admin.get("/review?campaign=vneid").text
    (action,) = re.findall(r'<form class="decide" method="post" action="([^"]+)"', page)
    action = html.unescape(action)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"decision": "reject", "reason": "Sai số CCCD", "csrf_token": token.group(1)}
    done = admin.post(action, data=form)
    assert done.status_code == 302
    assert done.headers["Location"] == "/review?status=flagged&campaign=vneid"


# --- downloads and charts -------------------------------------------------------------------


@pytest.mark.parametrize(("campaign_id", "fmt", "name"), [
    ("vneid", "xlsx", "bao-cao-vneid-2021-03-31.xlsx"),
    ("vneid", "csv", "bao-cao-vneid-2021-03-31-27184.csv"),
    ("vssid_residents", "json", "bao-cao-vssid_residents-2021-03-31.json"),
    ("vssid_residents", "xlsx", "bao-cao-vssid_residents-2021-03-31.xlsx"),
])  # fmt: skip
def test_downloads__named_after_the_campaign(
    signed_in: SignedIn, campaign_id: str, fmt: str, name: str
):
    unit = "&unit=27184" if "27184" in name else ""
    response = signed_in("quan.tri").get(
        f"/download/coverage.{fmt}?campaign={campaign_id}&as_of={AS_OF}{unit}"
    )
    assert response.status_code == 200
    assert f"filename={name}" in response.headers["Content-Disposition"]


def test_downloads__json_is_the_campaigns_api_document(signed_in: SignedIn):
    admin = signed_in("quan.tri")
    document = admin.get(f"/download/coverage.json?campaign=vneid&as_of={AS_OF}").json
    api = admin.get(f"/api/v1/coverage?campaign=vneid&as_of={AS_OF}").json
    assert document == api and document["campaign"] == "vneid"


@pytest.mark.parametrize("campaign_id", ["vneid", "vssid_residents"])
def test_charts__of_the_campaign(signed_in: SignedIn, campaign_id: str):
    manager = signed_in("lanh.dao")
    for path in ("/charts/coverage.svg", "/charts/trend.svg"):
        response = manager.get(f"{path}?campaign={campaign_id}&as_of={AS_OF}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        if campaign_id == "vneid":
            assert b"VssID" not in response.data, path
