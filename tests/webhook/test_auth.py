"""HTTP authentication held against an attacker (issue 13): a Digest response is accepted
once per nonce and nonce count and only for the request it signed, percent-encoded URLs
verify, lock-outs are counted in the database (two servers on one database share them), an
unknown username costs the same password hash as a wrong password, and Digest can be
turned off."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from ingest import forms
from ingest.models import Submission, User
from ingest.registry import accounts
from tests.conftest import FORMS_DIR, PASSWORD, make_user
from tests.dashboard.scenario import csrf_token
from tests.digest import authorization, parse_challenges
from tests.wire import body, content_type
from webhook import create_app

pytestmark = pytest.mark.usefixtures("published")

MANIFEST_NS = {"m": "http://openrosa.org/xforms/xformsManifest"}


def challenge_for(client: FlaskClient, uri: str = "/formList") -> dict[str, str]:
    first = client.get(uri)
    assert first.status_code == 401
    return parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]


def digest_get(
    client: FlaskClient, uri: str, username: str, password: str = PASSWORD
) -> TestResponse:
    """Challenge, then answer it: the two requests ODK Collect makes."""
    challenge = challenge_for(client, uri)
    header = authorization(challenge, "GET", uri, username, password)
    return client.get(uri, headers={"Authorization": header})


@pytest.fixture
def other_app(app: Flask) -> Iterator[Flask]:
    """A second server (another worker, another machine) on the same database."""
    other = create_app({**app.config, "MEDIA_DIR": app.config["MEDIA_DIR"]})
    yield other
    other.extensions["vssid.db"].engine.dispose()


# --- finding 3: Digest replay ---------------------------------------------------------------


def test_digest__same_nonce_and_nc_twice__the_copy_refused(client: FlaskClient, collector: str):
    header = authorization(challenge_for(client), "GET", "/formList", collector, PASSWORD)
    assert client.get("/formList", headers={"Authorization": header}).status_code == 200
    replay = client.get("/formList", headers={"Authorization": header})
    assert replay.status_code == 401
    # Stale: a client that counted wrong starts again with a fresh nonce, by itself.
    assert "stale=true" in replay.headers["WWW-Authenticate"]


def test_digest__higher_nc_on_the_same_nonce__accepted_once_each_in_any_order(
    client: FlaskClient, collector: str
):
    challenge = challenge_for(client)

    def get(nc: int) -> int:
        header = authorization(challenge, "GET", "/formList", collector, PASSWORD, nc=nc)
        return client.get("/formList", headers={"Authorization": header}).status_code

    assert [get(nc) for nc in (1, 2, 3, 5, 4)] == [200] * 5  # parallel requests arrive out of order
    assert [get(nc) for nc in (2, 5)] == [401, 401]


def test_digest__replayed_submission_with_another_body__refused_and_not_stored(
    client: FlaskClient, session: Session, collector: str
):
    challenge = challenge_for(client, "/submission")
    header = authorization(challenge, "POST", "/submission", collector, PASSWORD)
    headers = {"Authorization": header, "X-OpenRosa-Version": "1.0"}

    def post(name: str) -> TestResponse:
        return client.post("/submission", data=body(name), content_type=content_type(name),
                           headers=headers)  # fmt: skip

    assert post("collect_install_with_photo").status_code == 201
    for name in ("collect_install_conflict", "collect_install_edit", "collect_install_split_1"):
        assert post(name).status_code == 401, name
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_digest__replay_on_another_server__refused(
    client: FlaskClient, other_app: Flask, collector: str
):
    header = authorization(challenge_for(client), "GET", "/formList", collector, PASSWORD)
    assert client.get("/formList", headers={"Authorization": header}).status_code == 200
    replay = other_app.test_client().get("/formList", headers={"Authorization": header})
    assert replay.status_code == 401


@pytest.mark.parametrize(
    "signed",
    [
        "/key/abc/submission",  # any URI ending in /submission was accepted
        "/x/submission",
        "/submission?deviceID=1",
        "/submission/",
        "//submission",
        "http://evil.example/submission",
        "/forms/vssid_install/form.xml",
    ],
)
def test_digest__signed_for_another_uri__refused(client: FlaskClient, collector: str, signed: str):
    challenge = challenge_for(client, "/submission")
    header = authorization(challenge, "HEAD", signed, collector, PASSWORD)
    assert client.head("/submission", headers={"Authorization": header}).status_code == 401


def test_digest__absolute_uri_of_this_host__accepted(client: FlaskClient, collector: str):
    challenge = challenge_for(client, "/submission")
    header = authorization(challenge, "HEAD", "http://localhost/submission", collector, PASSWORD)
    assert client.head("/submission", headers={"Authorization": header}).status_code == 204


def test_digest__signed_for_another_uri__not_a_wrong_password(client: FlaskClient, collector: str):
    """A right response for the wrong URI is a replay or a rewriting proxy, not a guess: it
    never locks the account out."""
    for _ in range(6):
        challenge = challenge_for(client, "/submission")
        header = authorization(challenge, "HEAD", "/x/submission", collector, PASSWORD)
        assert client.head("/submission", headers={"Authorization": header}).status_code == 401
    assert digest_get(client, "/formList", collector).status_code == 200


# --- finding 7: percent-encoded URLs --------------------------------------------------------


@pytest.fixture
def photo_form(session: Session, tmp_path: Path) -> bytes:
    """A form whose note shows a picture named as a person names it: ``ảnh mẫu.png``."""
    (tmp_path / "anh.md").write_text(
        "| survey |      |       |          |              |\n"
        "|        | type | name  | label    | media::image |\n"
        "|        | note | intro | Xin chào | ảnh mẫu.png  |\n"
        "| settings |         |            |            |\n"
        "|          | form_id | version    | form_title |\n"
        "|          | anh     | 2024010101 | Ảnh        |\n",
        encoding="utf-8",
    )
    picture = (FORMS_DIR.parent / "tests" / "data" / "vssid_screenshot.png").read_bytes()
    media = tmp_path / "anh-media"
    media.mkdir()
    (media / "ảnh mẫu.png").write_bytes(picture)
    forms.publish(session, forms.compile_xlsform(tmp_path / "anh.md"), media)
    session.commit()
    return picture


def test_digest__percent_encoded_media_name__downloads(
    client: FlaskClient, collector: str, photo_form: bytes
):
    manifest = digest_get(client, "/forms/anh/manifest", collector)
    listed = etree.fromstring(manifest.data)
    path = urlsplit(listed.findtext("m:mediaFile/m:downloadUrl", namespaces=MANIFEST_NS)).path
    assert path == "/forms/anh/media/%E1%BA%A3nh%20m%E1%BA%ABu.png"
    # Collect signs the path as it requests it, percent-encoded; six times: no lock-out.
    for _ in range(6):
        response = digest_get(client, path, collector)
        assert response.status_code == 200
        assert response.data == photo_form
    lowercase = "/forms/anh/media/%e1%ba%a3nh%20m%e1%ba%abu.png"  # another client's encoding
    assert digest_get(client, lowercase, collector).data == photo_form


def test_digest__percent_encoded_query__verifies(client: FlaskClient, collector: str):
    uri = "/formList?formID=vssid_install&deviceID=collect%3Aabc%20123"
    assert digest_get(client, uri, collector).status_code == 200


# --- finding 4: lock-outs in the database -----------------------------------------------


def sign_in_form(client: FlaskClient, username: str, password: str) -> int:
    token = csrf_token(client.get("/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=form).status_code


@pytest.mark.parametrize("way", ["form", "basic", "digest"])
def test_lock_out__counted_in_the_database__holds_on_every_server(
    app: Flask, other_app: Flask, session: Session, way: str
):
    """Five wrong passwords spread over two servers (as a load balancer spreads them) lock
    the account out on both."""
    make_user(session, "quan.tri", "admin")

    def attempt(server: Flask, password: str) -> int:
        client = server.test_client()
        if way == "form":
            return sign_in_form(client, "quan.tri", password)
        if way == "basic":
            return client.get("/formList", auth=("quan.tri", password)).status_code
        return digest_get(client, "/formList", "quan.tri", password).status_code

    for server in (app, other_app, app, other_app, app):
        assert attempt(server, "sai-mật-khẩu") == 401
    assert attempt(app, PASSWORD) == 429
    assert attempt(other_app, PASSWORD) == 429


def test_lock_out__concurrent_guesses__at_most_five_checked(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
):
    """A burst of guesses in parallel: the count is taken before the password is checked,
    so no more than five are ever checked in a window."""
    from concurrent.futures import ThreadPoolExecutor

    make_user(session, "quan.tri", "admin")
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        checked.append(password)
        return real(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)

    def guess(n: int) -> int:
        return app.test_client().get("/formList", auth=("quan.tri", f"doan-{n}")).status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(16)))
    assert sorted(set(answers)) == [401, 429]
    assert answers.count(401) == len(checked) <= 5


def test_lock_out__right_passwords_in_parallel__all_accepted(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
):
    """Many requests with the right password at once (Kobo catching up after an outage, a
    phone sending in parallel) take turns; none is refused."""
    from concurrent.futures import ThreadPoolExecutor

    from webhook import auth

    make_user(session, "quan.tri", "admin")
    monkeypatch.setattr(auth, "_proven", type(auth._proven)())  # no password proven yet

    def request(_n: int) -> int:
        return app.test_client().get("/formList", auth=("quan.tri", PASSWORD)).status_code

    with ThreadPoolExecutor(12) as pool:
        assert set(pool.map(request, range(12))) == {200}


# --- finding 9: no username enumeration by timing ---------------------------------------


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes werkzeug's password check runs against (one per scrypt run)."""
    seen: list[str] = []
    real = accounts.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        seen.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return seen


def test_basic__unknown_user__pays_the_same_scrypt(
    client: FlaskClient, session: Session, collector: str, hashes: list[str]
):
    assert client.get("/formList", auth=("khong-co-ai", "sai-mat-khau")).status_code == 401
    stored = session.scalars(select(User.password_hash).where(User.username == collector)).one()
    assert len(hashes) == 1
    method = stored.split("$")[0]  # scrypt:32768:8:1
    assert hashes[0].split("$")[0] == method


def test_basic__inactive_user__pays_the_same_scrypt(
    client: FlaskClient, session: Session, collector: str, hashes: list[str]
):
    user = session.scalars(select(User).where(User.username == collector)).one()
    user.is_active = False
    session.commit()
    assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 401
    assert len(hashes) == 1


def test_basic__unknown_user_and_wrong_password__take_as_long(client: FlaskClient, collector: str):
    def median(username: str) -> float:
        times = []
        for n in range(5):
            started = time.perf_counter()
            response = client.get("/formList", auth=(username, f"sai-{n}"),
                                  environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})  # fmt: skip
            times.append(time.perf_counter() - started)
            assert response.status_code == 401
        return statistics.median(times)

    wrong, unknown = median(collector), median("khong-co-ai")
    assert wrong / 3 < unknown < wrong * 3, (wrong, unknown)


# --- turning Digest off ---------------------------------------------------------------


@pytest.fixture
def basic_only(app: Flask) -> Iterator[Flask]:
    server = create_app({**app.config, "DIGEST": "off"})
    yield server
    server.extensions["vssid.db"].engine.dispose()


def test_digest_off__challenge_is_basic_only_and_digest_refused(
    basic_only: Flask, client: FlaskClient, collector: str
):
    phone = basic_only.test_client()
    first = phone.get("/formList")
    assert first.status_code == 401
    assert [v.split()[0] for v in first.headers.getlist("WWW-Authenticate")] == ["Basic"]
    header = authorization(challenge_for(client), "GET", "/formList", collector, PASSWORD)
    refused = phone.get("/formList", headers={"Authorization": header})
    assert refused.status_code == 401
    assert phone.get("/formList", auth=(collector, PASSWORD)).status_code == 200
