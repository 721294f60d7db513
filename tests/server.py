"""A real ``vssid serve`` (gunicorn) process for tests that need more than the test client."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def vssid_server(database_url: str, media_dir: Path, workers: int = 4) -> Iterator[int]:
    """Start ``vssid serve`` on a free port against ``database_url``; yield the port."""
    port = free_port()
    env = {
        **os.environ,
        "VSSID_DATABASE_URL": database_url,
        "VSSID_SECRET_KEY": "test-secret",
        "VSSID_MEDIA_DIR": str(media_dir),
    }
    command = [
        sys.executable, "-c", "from webhook.cli import main; main()",
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    log = media_dir.parent / f"server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log_file = log.open("w")
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        deadline = time.monotonic() + 30
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                connection.close()
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vssid serve did not start: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
