"""The production server's access log never shows a collector's URL token."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

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
