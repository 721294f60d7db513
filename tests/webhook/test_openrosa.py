"""OpenRosa form discovery as ODK Collect, Enketo and Web Forms use it (docs/protocols.md §0-1)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from ingest.models import Form
from ingest.registry import accounts, tabular, units
from tests.conftest import PASSWORD, make_user
from tests.digest import authorization, parse_challenges

LIST_NS = {"x": "http://openrosa.org/xforms/xformsList"}
MANIFEST_NS = {"m": "http://openrosa.org/xforms/xformsManifest"}
OR_NS = {"r": "http://openrosa.org/http/response"}

pytestmark = pytest.mark.usefixtures("published")


def digest_get(
    client: FlaskClient, uri: str, username: str, password: str = PASSWORD, method: str = "GET"
) -> TestResponse:
    """Challenge, then answer it: the two requests Collect makes."""
    first = client.open(uri, method=method)
    assert first.status_code == 401
    challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
    header = authorization(challenge, method, uri, username, password)
    return client.open(uri, method=method, headers={"Authorization": header})


def assert_openrosa(response: TestResponse) -> None:
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert "text/xml" in response.headers["Content-Type"]
    assert response.headers["Date"]
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "100000000"


def form_list(response: TestResponse) -> dict[str, dict[str, str]]:
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == "xforms"
    assert etree.QName(root).namespace == LIST_NS["x"]
    forms: dict[str, dict[str, str]] = {}
    for item in root.findall("x:xform", LIST_NS):
        fields = {etree.QName(child).localname: child.text or "" for child in item}
        forms[fields["formID"]] = fields
    return forms


def test_form_list__no_credentials__401_with_digest_and_basic_challenges(client: FlaskClient):
    response = client.get("/formList")
    assert response.status_code == 401
    assert_openrosa(response)
    challenges = parse_challenges(response.headers.getlist("WWW-Authenticate"))
    assert challenges["digest"]["realm"] == "VssID"
    assert challenges["digest"]["qop"] == "auth"
    assert challenges["digest"]["nonce"]
    assert challenges["basic"]["realm"] == "VssID"
    message = etree.fromstring(response.data).findtext("r:message", namespaces=OR_NS)
    assert "đăng nhập" in message


def test_form_list__digest__lists_both_forms_with_md5_hashes(
    client: FlaskClient, session: Session, collector: str
):
    response = digest_get(client, "/formList", collector)
    assert response.status_code == 200
    assert_openrosa(response)
    listed = form_list(response)
    assert set(listed) == SHIPPED
    install = listed["vssid_install"]
    assert install["version"] == "2026120602"  # the current version only
    assert install["hash"].startswith("md5:") and len(install["hash"]) == 36
    assert install["name"].startswith("Phiếu")
    assert install["downloadUrl"] == "http://localhost/forms/vssid_install/form.xml"
    assert install["manifestUrl"] == "http://localhost/forms/vssid_install/manifest"


def test_form_download__body_matches_listed_hash(client: FlaskClient, collector: str):
    listed = form_list(digest_get(client, "/formList", collector))
    for form_id, fields in listed.items():
        response = digest_get(client, f"/forms/{form_id}/form.xml", collector)
        assert response.status_code == 200
        assert_openrosa(response)
        assert fields["hash"] == "md5:" + hashlib.md5(response.data).hexdigest()


def test_manifest__hash_and_url_match_the_units_media(client: FlaskClient, collector: str):
    response = digest_get(client, "/forms/vssid_install/manifest", collector)
    assert response.status_code == 200
    assert_openrosa(response)
    root = etree.fromstring(response.data)
    (media,) = root.findall("m:mediaFile", MANIFEST_NS)
    assert media.findtext("m:filename", namespaces=MANIFEST_NS) == "units.csv"
    url = media.findtext("m:downloadUrl", namespaces=MANIFEST_NS)
    assert url == "http://localhost/forms/vssid_install/media/units.csv"
    csv = digest_get(client, "/forms/vssid_install/media/units.csv", collector)
    assert csv.status_code == 200
    assert csv.headers["Content-Type"].startswith("text/csv")
    expected = "md5:" + hashlib.md5(csv.data).hexdigest()
    assert media.findtext("m:hash", namespaces=MANIFEST_NS) == expected
    lines = csv.data.decode("utf-8").splitlines()
    assert lines[0] == "name,label,kind,parent"
    assert "27184,Phường 1,ward," in lines
    assert len(lines) == 1 + 48


def test_units_media__new_unit_changes_hash_without_new_form_version(
    client: FlaskClient, session: Session, collector: str, tmp_path
):
    before = digest_get(client, "/forms/vssid_install/manifest", collector).data
    listed_before = form_list(digest_get(client, "/formList", collector))
    extra = tmp_path / "extra.csv"
    extra.write_text("code,name_vi,kind\nQ10-NEW,Trường Tiểu học Mới,public_service\n")
    units.import_units(session, tabular.read_rows(extra, units.ALIASES))
    session.commit()
    after = digest_get(client, "/forms/vssid_install/manifest", collector).data
    assert before != after
    csv = digest_get(client, "/forms/vssid_install/media/units.csv", collector).data
    assert "Q10-NEW,Trường Tiểu học Mới" in csv.decode()
    assert form_list(digest_get(client, "/formList", collector)) == listed_before


def test_form_list__formid_filter_for_enketo(client: FlaskClient, collector: str):
    response = digest_get(client, "/formList?formID=vssid_unit_report", collector)
    assert set(form_list(response)) == {"vssid_unit_report"}
    response = digest_get(client, "/formList?formID=nope", collector)
    assert form_list(response) == {}


def test_form_list__head_for_enketo_auth_check(client: FlaskClient, collector: str):
    response = digest_get(client, "/formList", collector, method="HEAD")
    assert response.status_code == 200
    assert_openrosa(response)


#: Every shipped campaign's forms.
SHIPPED = {
    "vssid_install", "vssid_unit_report", "vneid_level2", "vssid_residents_outreach",
    "vssid_selfreport",
}  # fmt: skip


def test_form_list__closed_form_not_listed(client: FlaskClient, session: Session, collector: str):
    form = session.scalar(select(Form).where(Form.form_id == "vssid_unit_report"))
    assert form is not None
    form.state = "closed"
    session.commit()
    listed = set(form_list(digest_get(client, "/formList", collector)))
    assert listed == SHIPPED - {"vssid_unit_report"}


@pytest.mark.parametrize(
    "uri", ["/forms/nope/form.xml", "/forms/nope/manifest", "/forms/vssid_install/media/x.csv"]
)
def test_unknown_form_or_media__404_openrosa_message(client: FlaskClient, collector: str, uri):
    response = digest_get(client, uri, collector)
    assert response.status_code == 404
    assert_openrosa(response)
    message = etree.fromstring(response.data).findtext("r:message", namespaces=OR_NS)
    assert "nope" in message or "x.csv" in message


def test_digest__wrong_password__401_again(client: FlaskClient, collector: str):
    response = digest_get(client, "/formList", collector, password="wrong-password")
    assert response.status_code == 401
    assert "stale" not in response.headers["WWW-Authenticate"]


def test_digest__unknown_user__401(client: FlaskClient, collector: str):
    assert digest_get(client, "/formList", "nobody").status_code == 401


def test_digest__response_for_another_uri__refused(client: FlaskClient, collector: str):
    first = client.get("/formList")
    challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
    header = authorization(challenge, "GET", "/forms/vssid_install/form.xml", collector, PASSWORD)
    assert client.get("/formList", headers={"Authorization": header}).status_code == 401


def test_digest__expired_nonce__stale_true_then_retry_succeeds(
    client: FlaskClient, app: Any, collector: str
):
    from webhook.auth import make_nonce

    with app.test_request_context():
        old_nonce = make_nonce(now=1_600_000_000)
    challenge = {"realm": "VssID", "nonce": old_nonce, "opaque": ""}
    header = authorization(challenge, "GET", "/formList", collector, PASSWORD)
    response = client.get("/formList", headers={"Authorization": header})
    assert response.status_code == 401
    assert "stale=true" in response.headers["WWW-Authenticate"]
    fresh = parse_challenges(response.headers.getlist("WWW-Authenticate"))["digest"]
    header = authorization(fresh, "GET", "/formList", collector, PASSWORD)
    assert client.get("/formList", headers={"Authorization": header}).status_code == 200


def test_digest__forged_nonce__refused(client: FlaskClient, collector: str):
    challenge = {"realm": "VssID", "nonce": "1900000000-" + "0" * 32, "opaque": ""}
    header = authorization(challenge, "GET", "/formList", collector, PASSWORD)
    response = client.get("/formList", headers={"Authorization": header})
    assert response.status_code == 401
    assert "stale" not in response.headers["WWW-Authenticate"]


def test_basic__for_https_clients(client: FlaskClient, collector: str):
    ok = client.get("/formList", auth=(collector, PASSWORD))
    assert ok.status_code == 200
    assert client.get("/formList", auth=(collector, "nope")).status_code == 401


@pytest.mark.parametrize(("role", "password"), [("manager", PASSWORD), ("integration", "x" * 30)])
def test_roles_without_collect_access__403(
    client: FlaskClient, session: Session, role: str, password: str
):
    accounts.create_user(session, "someone", role, password, "VssID")
    session.commit()
    response = digest_get(client, "/formList", "someone", password=password)
    assert response.status_code == 403
    assert_openrosa(response)


def test_unit_focal_point_may_collect(client: FlaskClient, session: Session):
    make_user(session, "dau.moi", "unit", unit_code="27184")
    assert digest_get(client, "/formList", "dau.moi").status_code == 200


def test_inactive_account__401(client: FlaskClient, session: Session, collector: str):
    user = accounts.find_user(session, collector)
    user.is_active = False
    session.commit()
    assert digest_get(client, "/formList", collector).status_code == 401


def test_token_url__no_password_needed_and_urls_keep_the_key(
    client: FlaskClient, session: Session, collector: str
):
    token = accounts.issue_token(accounts.find_user(session, collector))
    session.commit()
    response = client.get(f"/key/{token}/formList")
    assert response.status_code == 200
    assert_openrosa(response)
    install = form_list(response)["vssid_install"]
    assert install["downloadUrl"] == f"http://localhost/key/{token}/forms/vssid_install/form.xml"
    assert client.get(install["downloadUrl"]).status_code == 200
    manifest = etree.fromstring(client.get(install["manifestUrl"]).data)
    url = manifest.findtext("m:mediaFile/m:downloadUrl", namespaces=MANIFEST_NS)
    assert url.startswith(f"http://localhost/key/{token}/")
    assert client.get(url).status_code == 200


def test_token_url__wrong_key__403(client: FlaskClient, collector: str):
    response = client.get("/key/not-a-real-key/formList")
    assert response.status_code == 403
    assert_openrosa(response)


def test_public_url__used_in_download_urls(app: Any, collector: str):
    app.config["PUBLIC_URL"] = "https://bhxh-q10.example.vn/"
    client = app.test_client()
    install = form_list(digest_get(client, "/formList", collector))["vssid_install"]
    assert install["downloadUrl"] == "https://bhxh-q10.example.vn/forms/vssid_install/form.xml"
