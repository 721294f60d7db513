"""Liveness and readiness probes, and JSON errors for unknown addresses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webhook import create_app

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nope?connect_timeout=3"


@pytest.fixture
def unreachable_app(tmp_path: Path) -> Iterator[Flask]:
    pytest.importorskip("psycopg")
    app = create_app_for(UNREACHABLE_DATABASE, tmp_path)
    yield app
    app.extensions["vssid.db"].engine.dispose()


def create_app_for(database_url: str, tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "MEDIA_DIR": str(tmp_path / "media"),
        }
    )


def test_healthz__200_json(client: FlaskClient):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


def test_readyz__database_answers__200_ok(client: FlaskClient):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_readyz__database_unreachable__503_json_within_seconds(unreachable_app: Flask):
    started = time.monotonic()
    response = unreachable_app.test_client().get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert elapsed < 5


def test_healthz__database_unreachable__still_200(unreachable_app: Flask):
    assert unreachable_app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v9/nothing", "/healthz/extra"])
def test_unknown_url__json_404_with_error_code(client: FlaskClient, path: str):
    response = client.get(path)

    assert response.status_code == 404
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "http.404"
    assert error["message"]
    assert error["message_en"] == "Not Found"


def test_wrong_method__json_405_with_allow_header(client: FlaskClient):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "http.405"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/no-such-page", "/bao-cao/cu", "/units/27184/extra"])
def test_unknown_url__in_a_browser__dashboard_page_in_vietnamese(client: FlaskClient, path: str):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = client.get(path, headers=browser)

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Không có trang này" in page and "Về trang tiến độ" in page


def test_unknown_url__in_a_browser__english_when_asked(client: FlaskClient):
    response = client.get(
        "/no-such-page", headers={"Accept": "text/html"}, query_string={"lang": "en"}
    )
    assert response.status_code == 404
    assert "There is no such page" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v9/nothing", "/kobo/nothing", "/formList/extra"])
def test_unknown_machine_url__json_404_even_from_a_browser(client: FlaskClient, path: str):
    response = client.get(path, headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "http.404"
