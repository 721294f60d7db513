"""Driving ODK's own XForm engine (../shared/tools/webforms) from tests, and a live server.

The harness is found at ``$VSSID_WEBFORMS_DIR`` (CI sets it) or at ``../shared/tools/webforms``
with its ``node_modules`` installed. Tests that need it are skipped cleanly without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parent.parent


def harness_dir() -> Path | None:
    candidates = [os.environ.get("VSSID_WEBFORMS_DIR"), REPO.parent / "shared/tools/webforms"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "node_modules").is_dir():
            return Path(candidate)
    return None


requires_harness = pytest.mark.skipif(
    harness_dir() is None or shutil.which("node") is None,
    reason="ODK webforms harness not installed (set VSSID_WEBFORMS_DIR, see .ci/run)",
)


def fill(*args: str, timeout: float = 120) -> tuple[int, dict[str, Any]]:
    """Run ``node fill.mjs ARGS``; its exit code and JSON report."""
    folder = harness_dir()
    assert folder is not None
    done = subprocess.run(
        ["node", "fill.mjs", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"harness printed no JSON report: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return done.returncode, report


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
