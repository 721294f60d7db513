"""A private PostgreSQL cluster for a test that stops its database: never the shared server.

``initdb`` into a fresh folder, ``pg_ctl start`` on a free port with the socket in that
folder; run as the ``postgres`` account when the tests run as root (PostgreSQL refuses to run
as root). Skips the test, with the reason, when any of that is not available here.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.server import free_port


def _bindir() -> Path | None:
    """PostgreSQL's programs: ``pg_config --bindir``, else the newest /usr/lib/postgresql."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidate = Path(found.stdout.strip())
        if found.returncode == 0 and (candidate / "initdb").exists():
            return candidate
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    return versions[-1].parent if versions else None


class Cluster:
    """One PostgreSQL cluster in ``root``, listening on 127.0.0.1:``port``."""

    def __init__(self, bindir: Path, root: Path, port: int, as_user: list[str]) -> None:
        self.bindir, self.root, self.port, self.as_user = bindir, root, port, as_user
        self.data = root / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [*self.as_user, str(self.bindir / program), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def initdb(self) -> subprocess.CompletedProcess[str]:
        return self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "postgres.log")
        done = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        assert done.returncode == 0, done.stdout + done.stderr

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        done = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        assert done.returncode == 0 or not check, done.stdout + done.stderr


@contextmanager
def private_postgres() -> Iterator[Cluster]:
    """A running private cluster, stopped and deleted afterwards (or the test is skipped)."""
    pytest.importorskip("psycopg")
    bindir = _bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) not found")
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' account to run PostgreSQL")
        if runuser is None:
            pytest.skip("running as root and runuser is missing")
        as_user = [runuser, "-u", "postgres", "--"]
    # A short path: the Unix socket's name must fit in 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="vssid-pg-"))
    try:
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        cluster = Cluster(bindir, root, free_port(), as_user)
        made = cluster.initdb()
        if made.returncode != 0:
            pytest.skip(f"initdb failed: {made.stderr.strip()[-300:]}")
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop("immediate", check=False)  # already stopped if the test failed so
    finally:
        shutil.rmtree(root, ignore_errors=True)
