"""The shipped ODK Web Forms build: the pinned version, unchanged files, served cached and
gzipped, and inside the wheel's package data (no Node.js at install or run time)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

from flask.testing import FlaskClient

from webhook import webforms_assets

BUILD = Path(__file__).resolve().parents[2] / "webhook" / "webforms"
SHIPPED = webforms_assets.ROOT


def test_shipped_build__is_the_pinned_version():
    pinned = json.loads((BUILD / "package.json").read_text())["dependencies"]["@getodk/web-forms"]
    lock = json.loads((BUILD / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/@getodk/web-forms"]["version"]
    manifest = webforms_assets.manifest()
    assert manifest["package"] == "@getodk/web-forms" and manifest["license"] == "Apache-2.0"
    assert manifest["version"] == pinned == locked
    # The component carries its version as a constant ("v0.22.0", shown under the form).
    bundles = [SHIPPED / name for name in manifest["files"] if name.endswith(".js")]
    versions = {m for b in bundles for m in re.findall(r'"v(\d+\.\d+\.\d+)"', b.read_text())}
    assert versions == {pinned}


def test_shipped_files__match_their_hashes__gzip_too():
    files = webforms_assets.manifest()["files"]
    assert "LICENSE" in files and webforms_assets.manifest()["entry"] in files
    assert "Apache License" in (SHIPPED / "LICENSE").read_text()
    for name, facts in files.items():
        body = (SHIPPED / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == facts["sha256"], name
        if name.endswith(".js"):
            assert gzip.decompress((SHIPPED / f"{name}.gz").read_bytes()) == body, name
    listed = {p.relative_to(SHIPPED).as_posix() for p in SHIPPED.rglob("*") if p.is_file()}
    assert listed == set(files) | {f"{n}.gz" for n in files if n.endswith(".js")} | {
        "MANIFEST.json"
    }


def test_asset__gzip_when_accepted__cached_a_year(client: FlaskClient):
    entry = webforms_assets.manifest()["entry"]
    with client.get(f"/webforms/{entry}", headers={"Accept-Encoding": "gzip, br"}) as zipped:
        assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
        assert "immutable" in zipped.headers["Cache-Control"]
        assert zipped.headers["Content-Type"].startswith("text/javascript")
        unzipped = gzip.decompress(zipped.data)
    with client.get(f"/webforms/{entry}") as plain:
        assert "Content-Encoding" not in plain.headers
        assert unzipped == plain.data
    assert client.get("/webforms/../selfreport.css").status_code == 404
    assert client.get("/webforms/assets/nope.js").status_code == 404


def test_wheel_config__ships_static_files__not_the_npm_project():
    import tomllib

    pyproject = tomllib.loads((BUILD.parents[1] / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "webhook" in wheel["packages"] and "webhook/webforms" in wheel["exclude"]
