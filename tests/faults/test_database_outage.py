"""PostgreSQL stopped (``pg_ctl stop -m immediate``) for 4 s, twice, in the middle of a
stream of submissions, and started again each time. Uses a private cluster, never the shared server.

Proved with counts: during the outage every submission gets 503 with Retry-After and an
OpenRosa message in Vietnamese (never a 500, never a wait past the client's 10 s), /readyz
says 503 and /healthz 200; afterwards the phones' retries land and the database holds each
distinct submission exactly once; every worker's connection pool recovered.
"""

from __future__ import annotations

import http.client
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from ingest import forms
from ingest.db import make_engine, make_sessionmaker
from ingest.models import User
from ingest.registry import accounts, tabular, units
from tests.conftest import DEFAULT_UNITS, FORMS_DIR, PASSWORD, REALM
from tests.faults.pgcluster import Cluster, private_postgres
from tests.faults.stream import (
    Client,
    check_stored_once,
    join,
    run_stream,
    scale,
    statuses,
    submissions,
)
from tests.server import ServerProcess, silent_listener
from tests.wire import DATA, KOBO_SECRET, body, content_type
from webhook.migrate import upgrade

WORKERS = 2
THREADS = 6
OUTAGE = 4.0
#: Stop PostgreSQL when this share of the stream has been answered.
STOP_AT = (0.2, 0.6)
CLIENT_TIMEOUT = 10.0
KOBO_INSTANCE = "uuid:5a6f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_postgres() as running:
        yield running


@pytest.fixture
def engine(cluster: Cluster) -> Iterator[Engine]:
    engine = make_engine(cluster.url)
    upgrade(engine)
    yield engine
    engine.dispose()


def prepare(engine: Engine) -> str:
    """Units, the real forms, a collector and a Kobo hook; return the collector's URL token."""
    with make_sessionmaker(engine).begin() as session:
        rows = tabular.read_rows(DEFAULT_UNITS, units.ALIASES, ("code", "name_vi", "kind"))
        units.import_units(session, rows)
        for path in forms.xlsform_files(FORMS_DIR):
            compiled = forms.compile_xlsform(path)
            forms.publish(session, compiled, forms.media_dir_for(FORMS_DIR, path))
        accounts.create_user(session, "thu.nguyen", "collector", PASSWORD, REALM)
        accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
        user = session.scalar(select(User).where(User.username == "thu.nguyen"))
        assert user is not None
        return accounts.issue_token(user)


def probe(port: int, path: str) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        connection.close()


def kobo_post(port: int) -> tuple[int, str | None, bytes]:
    """KoboToolbox's REST Service delivering one submission (it retries only 502/503/504)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request(
            "POST",
            "/kobo/submission?form_id=vssid_install",
            (DATA / "kobo_install.json").read_bytes(),
            {"Content-Type": "application/json", "Authorization": f"Token {KOBO_SECRET}"},
        )
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After"), response.read()
    finally:
        connection.close()


def test_postgres_down_twice_mid_stream__503_then_every_retry_lands_once(
    cluster: Cluster, engine: Engine, tmp_path: Path
) -> None:
    token = prepare(engine)
    sent = submissions(80 * scale(), photo_every=3)
    server = ServerProcess(cluster.url, tmp_path / "media", workers=WORKERS)
    server.start()
    during: Counter[tuple[str, int | str]] = Counter()
    ready_after: list[float] = []
    try:
        client = Client(server.port, token, timeout=CLIENT_TIMEOUT, pause=0.3)
        threads, results = run_stream(client, sent, THREADS)
        for share in STOP_AT:
            client.progress.wait_for(int(len(sent) * share))
            cluster.stop("immediate")
            down_at = time.monotonic()
            kobo_during = kobo_post(server.port)
            while time.monotonic() - down_at < OUTAGE:
                for path in ("/readyz", "/healthz"):
                    during[path, probe(server.port, path)] += 1
                time.sleep(0.5)
            cluster.start()
            back_at = time.monotonic()
            while probe(server.port, "/readyz") != 200:
                assert time.monotonic() - back_at < 30, "never ready again"
                time.sleep(0.2)
            ready_after.append(round(time.monotonic() - back_at, 1))
        join(threads)
        # Every worker's pool is healthy again: fresh submissions, one attempt each, all 201.
        after = submissions(16, photo_every=2, tag=1)
        once = Client(server.port, token, timeout=CLIENT_TIMEOUT, retry=False)
        fresh = [once.post(s) for s in after]
        kobo_after = kobo_post(server.port)
    finally:
        server.stop()

    assert "Traceback" not in server.log.read_text()  # nothing went unhandled
    counted = statuses(results)
    assert set(counted) <= {201, 202, 503}, counted  # no 500, no timeout, no dropped line
    refused = [a for _, attempts in results for a in attempts if a.status == 503]
    assert len(refused) >= THREADS, counted  # the outages were felt by every client thread
    assert all(a.retry_after == "60" for a in refused)
    assert all(a.content_type == "text/xml; charset=utf-8" for a in refused)
    assert all("vui lòng gửi lại sau" in a.body.decode() for a in refused)
    slowest = max(a.seconds for _, attempts in results for a in attempts)
    assert slowest < CLIENT_TIMEOUT
    assert set(during) == {("/readyz", 503), ("/healthz", 200)}, during
    finals = [attempts[-1].status for _, attempts in results]
    assert set(finals) <= {201, 202}
    for _, attempts in results:
        if attempts[-1].status == 202:  # committed just as PostgreSQL died: the reply was 503
            assert any(a.status == 503 for a in attempts[:-1])
    assert [a.status for a in fresh] == [201] * len(after)
    assert kobo_during[:2] == (503, "60")
    assert b'"code":"service.database_unavailable"' in kobo_during[2].replace(b" ", b"")
    assert kobo_after[0] == 201

    with make_sessionmaker(engine)() as session:
        counts = check_stored_once(session, sent + after, tmp_path / "media", {KOBO_INSTANCE})
    assert counts["usable_rows"] == len(sent) + len(after) + 1
    waited = sum(1 for _, attempts in results if any(a.status == 503 for a in attempts))
    print(
        f"\n{len(sent)} distinct + {len(after)} after + 1 Kobo (503 then 201); "
        f"attempts {dict(counted)}; "
        f"{waited} submissions got 503 first and landed on retry ({finals.count(202)} of them "
        f"committed as PostgreSQL died: 202 on retry); ready again after {ready_after} s; "
        f"slowest attempt {slowest:.2f} s; probes during outage {dict(during)}; {counts}"
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    with silent_listener() as port:
        yield port


def test_database_silent__503_within_client_timeout__healthz_still_200(
    silent_port: int, tmp_path: Path
) -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{silent_port}/postgres"
    server = ServerProcess(url, tmp_path / "media", workers=1)
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)
        started = time.monotonic()
        connection.request(
            "POST",
            "/key/some-token/submission",
            body("collect_install_with_photo"),
            {"Content-Type": content_type("collect_install_with_photo")},
        )
        response = connection.getresponse()
        answer = response.read().decode()
        took = time.monotonic() - started
        connection.close()
        ready = probe(server.port, "/readyz")
        alive = probe(server.port, "/healthz")
    finally:
        server.stop()

    assert response.status == 503
    assert response.getheader("Retry-After") == "60"
    assert "vui lòng gửi lại sau" in answer
    assert took < CLIENT_TIMEOUT
    assert (ready, alive) == (503, 200)
