"""ODK Web Forms' built files (``webhook/static/webforms/``), served to the pages that host it.

The files are built from npm by ``webhook/webforms/`` (``npm run refresh``) and shipped in
the package, so neither installing nor running the server needs Node.js. ``MANIFEST.json``
names the pinned version, the entry script and each file's SHA-256. File names carry a
content hash, so browsers may keep them for a year; a browser that accepts gzip gets the
precompressed ``.gz`` beside each script (about 1.2 MB instead of 3.2 MB).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request, send_file, url_for
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

ROOT = Path(__file__).parent / "static" / "webforms"
YEAR = 365 * 24 * 3600

bp = Blueprint("webforms", __name__)


@cache
def manifest() -> dict[str, Any]:
    """The shipped build's manifest: ``version``, ``entry``, ``files`` (name → sha256…)."""
    data: dict[str, Any] = json.loads((ROOT / "MANIFEST.json").read_text("utf-8"))
    return data


def entry_url() -> str:
    """The address of the page script that mounts the form."""
    return url_for("webforms.asset", name=manifest()["entry"])


@bp.get("/webforms/<path:name>")
def asset(name: str) -> Response:
    """One built file; gzip when the browser takes it; cached for a year (hashed names)."""
    if name not in manifest()["files"]:
        raise NotFound()
    path = safe_join(str(ROOT), name)
    if path is None:
        raise NotFound()
    gz = Path(path + ".gz")
    if "gzip" in request.headers.get("Accept-Encoding", "") and gz.is_file():
        response = send_file(gz, mimetype=_type(name), conditional=True, etag=True)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(path, mimetype=_type(name), conditional=True, etag=True)
    response.headers["Vary"] = "Accept-Encoding"
    immutable = name.startswith("assets/")
    response.headers["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if immutable else "public, max-age=3600"
    )
    return response


def _type(name: str) -> str:
    if name.endswith(".js"):
        return "text/javascript; charset=utf-8"
    if name.endswith(".css"):
        return "text/css; charset=utf-8"
    return "text/plain; charset=utf-8"
