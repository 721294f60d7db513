"""The production server's access log never shows a collector's URL token."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from gunicorn.config import Config

from webhook.server import MaskingLogger


def test_access_log__token_masked():
    logger = MaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/key/s3cr3t-t0ken/formList",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/key/s3cr3t-t0ken/formList",
        "HTTP_REFERER": "http://x/key/other-token/forms/a/manifest",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    assert atoms["r"] == "GET /key/***/formList HTTP/1.1"
    assert atoms["U"] == "/key/***/formList"
    assert "other-token" not in atoms["f"]


def atoms_for(raw_uri: str, path_info: str, referer: str = "-") -> dict[str, object]:
    logger = MaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path_info,
        "QUERY_STRING": "",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("Referer", referer)])
    atoms: dict[str, object] = logger.atoms(response, request, environ, timedelta(seconds=0))
    return atoms


@pytest.mark.parametrize(
    "raw",
    [
        "/%6Bey/s3cr3t-t0ken/formList",
        "/%6bey/s3cr3t-t0ken/formList",
        "/k%65y/s3cr3t-t0ken/formList",
        "/%6B%65%79/s3cr3t-t0ken/forms/vssid_install/form.xml",
        "/key%2Fs3cr3t-t0ken/formList",
        "/%256Bey/s3cr3t-t0ken/formList",
        "//key/s3cr3t-t0ken/formList",
        "/key/s3cr3t%2Dt0ken/formList",
        "/KEY/s3cr3t-t0ken/formList",
        "http://bhxh-q10.example.vn/%6Bey/s3cr3t-t0ken/submission?deviceID=x",
    ],
)
def test_access_log__token_masked_whatever_the_encoding(raw: str) -> None:
    """The router decodes the path, so ``/%6Bey/<token>/`` is ``/key/<token>/``: the log must
    not show the token in any spelling the router (or a proxy after it) may decode."""
    atoms = atoms_for(raw, unquote(raw), referer=f"http://x{raw}")
    for key, value in atoms.items():
        assert "s3cr3t" not in str(value), (key, value)
    assert str(atoms["r"]).startswith("GET ") and str(atoms["r"]).endswith(" HTTP/1.1")
    assert "/***/" in str(atoms["r"])


def test_access_log__encoded_token_path_is_routed(client: FlaskClient) -> None:
    """Why the masking must decode: the app routes the encoded prefix to the token views."""
    assert client.get("/%6Bey/khong-co-ma/formList").status_code == 403  # a token view's 403


def test_access_log__control_characters_decoded_stay_escaped() -> None:
    atoms = atoms_for("/%6Bey/s3cr3t/formList%0d%0aX-Injected:%20yes", "/key/s3cr3t/formList\r\n")
    assert "\r" not in str(atoms["r"]) and "\n" not in str(atoms["r"])
    assert "\n" not in str(atoms["U"])


def test_access_log__other_paths_unchanged() -> None:
    atoms = atoms_for(
        "/forms/vssid_install/media/%E1%BA%A3nh.png", "/forms/vssid_install/media/ảnh.png"
    )
    assert atoms["r"] == "GET /forms/vssid_install/media/%E1%BA%A3nh.png HTTP/1.1"
