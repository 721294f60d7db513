"""A real ``vssid serve`` (gunicorn) process for tests that need more than the test client."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung or black-holed
    database host); yield the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in held:
            connection.close()


class ServerProcess:
    """``vssid serve`` in its own process group, so that a test can kill it like a crash
    (SIGKILL to the gunicorn master and every worker at once) and start it again."""

    def __init__(
        self,
        database_url: str,
        media_dir: Path,
        workers: int = 4,
        port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.media_dir = media_dir
        self.workers = workers
        self.port = port or free_port()
        self.env = env or {}  # more VSSID_* settings
        self.log = media_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[str] | None = None

    def start(self, timeout: float = 30) -> None:
        """Start the server and wait until ``/healthz`` answers."""
        env = {
            **os.environ,
            "VSSID_DATABASE_URL": self.database_url,
            "VSSID_SECRET_KEY": "test-secret",
            "VSSID_MEDIA_DIR": str(self.media_dir),
            # One account sends whole streams (thousands with VSSID_FAULT_SCALE): no quota.
            "VSSID_SUBMISSIONS_PER_HOUR": "0",
            "VSSID_SUBMISSION_BYTES_PER_DAY": "0",
            **self.env,
        }
        command = [
            sys.executable, "-c", "from webhook.cli import main; main()",
            "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers),
        ]  # fmt: skip
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("a")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vssid serve did not start: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def pids(self) -> list[int]:
        """The master and its workers: every live process of the server's group."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields: state, ppid, pgrp, …; a zombie ("Z") is already dead.
            if fields[0] != "Z" and int(fields[2]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def kill(self) -> list[int]:
        """SIGKILL the master and all workers at once; return the pids killed."""
        assert self.process is not None
        killed = self.pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._close_log()
        return killed

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or kill after 20 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


@contextmanager
def vssid_server(
    database_url: str, media_dir: Path, workers: int = 4, env: dict[str, str] | None = None
) -> Iterator[int]:
    """Start ``vssid serve`` on a free port against ``database_url`` (with the ``VSSID_*``
    settings ``env``); yield the port."""
    server = ServerProcess(database_url, media_dir, workers, env=env)
    try:
        server.start()
        yield server.port
    finally:
        server.stop()
