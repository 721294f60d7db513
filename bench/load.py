"""Load benchmark of submission intake: distinct ODK Collect (or Kobo) submissions, posted hard.

Builds realistic, distinct submissions before the clock starts (an ODK Collect multipart body:
``xml_submission_file`` with a fresh ``meta/instanceID``, a person of District 10 with a
10-digit BHXH code, a unit from the registry, an app state and, when not installed, reasons; or
the same person as a KoboToolbox REST Service JSON document), posts them to a running server
at each concurrency level for a fixed count, and reports submissions/s and p50/p95/p99
latency. Then it checks the database: the rows added during the run are exactly the payloads
sent (same instance IDs, byte-identical payloads by SHA-256), none with an error, each with
a review state, and one install record per accepted submission.

The client is light on purpose (the server shares the machine): one thread per connection
with ``http.client`` and keep-alive, bodies and Digest secrets computed before timing, and its
own CPU time reported beside the results. Each level starts only once the CPUs are idle (up to
``--idle-wait`` seconds, as bench/coverage.py; the busy share seen is printed).

Authentication is the collector's real one: ``digest`` (the default; one 401 challenge per
connection, then the nonce is reused with a growing ``nc`` as ODK Collect does), ``basic``,
``token`` (a ``/key/<token>/submission`` URL, as after QR onboarding) or, for Kobo,
``Authorization: Token <secret>`` of an integration account.

Usage (from the repository root, with the project's venv)::

    # Start `vssid serve` against a database, set it up, post, check the database:
    .venv/bin/python bench/load.py --database-url sqlite:////tmp/vssid_load.sqlite3 --fresh
    createdb -h 127.0.0.1 -U postgres vssid_load_bench
    .venv/bin/python bench/load.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/vssid_load_bench --fresh \\
        --concurrency 1,4,16,64 --count 5000 --auth token
    # The ceiling of this stack: a bare Flask endpoint that parses and discards the body:
    .venv/bin/python bench/load.py --bare --concurrency 1,4,16,64 --count 5000
    # Growth: 100,000 submissions at concurrency 16 into an empty table, first/last 5,000:
    .venv/bin/python bench/load.py --database-url URL --fresh --growth 100000
    # A server that is already running (the account must exist; no database check unless
    # --database-url is given too):
    .venv/bin/python bench/load.py --server http://127.0.0.1:8000 --user thu.nguyen \\
        --password 'the password' --count 1000
    .venv/bin/python bench/load.py --server http://127.0.0.1:8000/key/TOKEN --auth token
    # Kobo REST Service JSON instead of ODK Collect multipart:
    .venv/bin/python bench/load.py --database-url URL --kind kobo

Set-up with ``--database-url`` runs the real commands: ``vssid db upgrade``, ``vssid units
import forms/district10_units.csv``, ``vssid forms publish``, ``vssid users add NAME --role
collector --password-stdin`` (``integration`` for Kobo), and for ``--auth token`` issues a URL
token to the account (what ``vssid collect-qr`` does). ``--fresh`` empties the database first
(the SQLite file, or every table of the PostgreSQL database); it refuses ``test``,
``postgres`` and ``vssid_bench``. The server is ``vssid serve --workers N`` (gunicorn, as in
production); ``--workers`` chooses N. ``--json FILE`` writes every result as JSON.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import http.client
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_busy, cpu_sample, wait_idle  # noqa: E402  (bench/machine.py)

UNITS_CSV = ROOT / "forms" / "district10_units.csv"
FORM_ID = "vssid_install"
FORM_VERSION = "2021031001"
BOUNDARY = "----CollectBoundary" + "7MA4YWxkTrZu0gW"
REFUSED_DATABASES = {"test", "postgres", "vssid_bench"}
DEFAULT_USER = "load.collector"
DEFAULT_PASSWORD = "mật-khẩu-tải-2021"
KOBO_USER = "load.kobo"
KOBO_SECRET = "kobo-rest-service-load-secret-2021"

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh", "Thu", "Đức", "Kim", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam"]
CATEGORIES = ["cong_chuc", "vien_chuc", "nguoi_lao_dong"]
APP_STATES = [  # the answer to ``status``, with its weight
    ("account_active", 45),
    ("registered_pending", 10),
    ("installed_no_account", 15),
    ("not_installed", 25),
    ("no_smartphone", 5),
]
REASONS = ["phone_unsupported", "no_registered_phone", "forgot_password", "pending_approval"]


# --- payloads ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payload:
    """One request body, and what the database must hold for it afterwards."""

    instance_id: str
    body: bytes
    stored_sha256: str  # of the XML part (OpenRosa) or of the body (Kobo)


def unit_codes() -> list[str]:
    with UNITS_CSV.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def _person(rng: random.Random, index: int, units: Sequence[str]) -> dict[str, Any]:
    app_state = rng.choices([s for s, _ in APP_STATES], [w for _, w in APP_STATES])[0]
    end = datetime(2021, 3, 16, 1, 0, tzinfo=UTC) + timedelta(seconds=37 * index)
    person: dict[str, Any] = {
        "instance_id": f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "unit": rng.choice(units),
        "full_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "bhxh_code": f"{rng.randrange(10**10):010d}",
        "category": rng.choice(CATEGORIES),
        "phone": f"09{rng.randrange(10**8):08d}",
        "status": app_state,
        "start": (end - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000+00:00"),
        "end": end.strftime("%Y-%m-%dT%H:%M:%S.000+00:00"),
        "install_date": end.date().isoformat(),
        "reasons": "",
    }
    if app_state == "not_installed":
        person["reasons"] = " ".join(sorted(rng.sample(REASONS, rng.randint(1, 2))))
    elif app_state == "no_smartphone":
        person["reasons"] = "no_smartphone"
    return person


def collect_xml(person: dict[str, Any], username: str) -> bytes:
    """An instance document as ODK Collect writes it for forms/vssid_install.xlsx."""
    installed = person["status"] not in ("not_installed", "no_smartphone")
    # Collect writes every field in form order; a non-relevant one is an empty element.
    install_date = person["install_date"] if installed else ""
    reasons = "" if installed else person["reasons"]
    return (
        "<?xml version='1.0' ?>"
        f'<vssid_install id="{FORM_ID}" version="{FORM_VERSION}" '
        'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms">'
        f"<start>{person['start']}</start><end>{person['end']}</end>"
        f"<deviceid>collect:LoadBench{person['bhxh_code'][-6:]}</deviceid>"
        f"<username>{username}</username>"
        "<consent_notice/><consent>yes</consent><consent_declined/>"
        f"<unit>{person['unit']}</unit><full_name>{person['full_name']}</full_name>"
        f"<bhxh_code>{person['bhxh_code']}</bhxh_code><category>{person['category']}</category>"
        f"<phone>{person['phone']}</phone><status>{person['status']}</status>"
        f"<install_date>{install_date}</install_date><reasons>{reasons}</reasons>"
        "<reason_other/><proof_photo/><note/>"
        f"<orx:meta><orx:instanceID>{person['instance_id']}</orx:instanceID>"
        f"<orx:instanceName>{person['full_name']} – {person['bhxh_code']}</orx:instanceName>"
        "</orx:meta></vssid_install>"
    ).encode()


def multipart(xml: bytes) -> bytes:
    """The body ODK Collect posts: one ``xml_submission_file`` part."""
    name = f"vssid_install_{hashlib.sha256(xml).hexdigest()[:12]}.xml"
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="xml_submission_file"; filename="{name}"\r\n'
            "Content-Type: text/xml\r\n\r\n"
        ).encode()
        + xml
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def kobo_json(person: dict[str, Any], index: int) -> bytes:
    """A KoboToolbox REST Service document (the shape of tests/data/kobo_install.json)."""
    uid = person["instance_id"].removeprefix("uuid:")
    doc: dict[str, Any] = {
        "_id": 200_000_000 + index,
        "_uuid": uid,
        "formhub/uuid": "d9e0d163e34c4524b5fd35b394f7aa26",
        "start": person["start"],
        "end": person["end"],
        "deviceid": f"collect:LoadBench{person['bhxh_code'][-6:]}",
        "username": KOBO_USER,
        "consent": "yes",
        "unit": person["unit"],
        "full_name": person["full_name"],
        "bhxh_code": person["bhxh_code"],
        "category": person["category"],
        "phone": person["phone"],
        "status": person["status"],
        "__version__": "vqu4EaVFry5MirsJcBbhsQ",
        "meta/instanceID": person["instance_id"],
        "meta/rootUuid": person["instance_id"],
        "meta/instanceName": f"{person['full_name']} – {person['bhxh_code']}",
        "_xform_id_string": "aXqK7d9ZpR2sT5uV8wY3bN",
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [None, None],
        "_submission_time": person["end"][:19],
        "_tags": [],
        "_notes": [],
        "_validation_status": {},
        "_submitted_by": KOBO_USER,
    }
    if person["status"] in ("not_installed", "no_smartphone"):
        doc["reasons"] = person["reasons"]
    else:
        doc["install_date"] = person["install_date"]
    return json.dumps(doc, ensure_ascii=False, indent=2).encode()


def payloads(kind: str, count: int, seed: int, username: str) -> list[Payload]:
    """``count`` distinct submissions (a fixed seed gives the same ones; the run id differs)."""
    rng = random.Random(f"{seed}-{time.time_ns()}")
    units = unit_codes()
    result = []
    for index in range(count):
        person = _person(rng, index, units)
        if kind == "kobo":
            body = kobo_json(person, index)
            result.append(Payload(person["instance_id"], body, hashlib.sha256(body).hexdigest()))
        else:
            xml = collect_xml(person, username)
            result.append(
                Payload(person["instance_id"], multipart(xml), hashlib.sha256(xml).hexdigest())
            )
    return result


# --- the client -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Where to post and how to authenticate."""

    host: str
    port: int
    path: str  # e.g. /submission, /key/<token>/submission, /kobo/submission?form_id=…
    auth: str  # digest | basic | token | kobo-token | none
    username: str = ""
    password: str = ""
    content_type: str = f"multipart/form-data; boundary={BOUNDARY}"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class Connection:
    """One keep-alive connection, authenticating as ODK Collect does."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.http = http.client.HTTPConnection(target.host, target.port, timeout=120)
        self.headers = {"Content-Type": target.content_type, "X-OpenRosa-Version": "1.0"}
        self.challenge: dict[str, str] | None = None
        self.nc = 0
        self.ha1 = ""
        if target.auth == "basic":
            secret = base64.b64encode(f"{target.username}:{target.password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {secret}"
        elif target.auth == "kobo-token":
            self.headers["Authorization"] = f"Token {target.password}"
        elif target.auth == "digest":
            self._handshake()

    def _handshake(self) -> None:
        """HEAD /submission, as Collect does before sending: learn the Digest challenge."""
        self.http.request("HEAD", self.target.path, headers={"X-OpenRosa-Version": "1.0"})
        response = self.http.getresponse()
        response.read()
        from werkzeug.http import parse_dict_header

        for value in response.headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = value.partition(" ")
            if scheme.lower() == "digest":
                self.challenge = parse_dict_header(rest)  # type: ignore[assignment]
        if self.challenge is None:
            raise SystemExit(f"no Digest challenge from HEAD {self.target.path}: {response.status}")
        realm = self.challenge["realm"]
        self.ha1 = _md5(f"{self.target.username}:{realm}:{self.target.password}")

    def _digest(self) -> str:
        assert self.challenge is not None
        self.nc += 1
        nc, cnonce, uri = f"{self.nc:08x}", os.urandom(8).hex(), self.target.path
        ha2 = _md5(f"POST:{uri}")
        nonce = self.challenge["nonce"]
        response = _md5(f"{self.ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        return (
            f'Digest username="{self.target.username}", realm="{self.challenge["realm"]}", '
            f'nonce="{nonce}", uri="{uri}", algorithm=MD5, response="{response}", '
            f'opaque="{self.challenge.get("opaque", "")}", qop=auth, nc={nc}, cnonce="{cnonce}"'
        )

    def post(self, body: bytes) -> tuple[int, float]:
        headers = self.headers
        if self.challenge is not None:
            headers = {**headers, "Authorization": self._digest()}
        started = time.perf_counter()
        self.http.request("POST", self.target.path, body=body, headers=headers)
        response = self.http.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.http.close()  # http.client reconnects on the next request
        return response.status, elapsed

    def close(self) -> None:
        self.http.close()


@dataclass(slots=True)
class Result:
    """One timed level."""

    label: str
    concurrency: int
    count: int
    seconds: float
    statuses: dict[int, int]
    latencies_ms: list[float] = field(repr=False)
    busy_before: float
    busy_during: float
    client_cpu_s: float
    server_cpu_ms: float = 0.0  # per submission, the server's process tree (0: unknown)
    db_cpu_ms: float = 0.0  # per submission, the PostgreSQL backends of its database

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def row(self) -> str:
        ok = sum(n for s, n in self.statuses.items() if s in (200, 201, 202))
        return (
            f"| {self.label} | {self.concurrency} | {self.count:,} | {self.rate:,.0f} | "
            f"{self.percentile(50):.1f} | {self.percentile(95):.1f} | {self.percentile(99):.1f} | "
            f"{ok:,}/{self.count:,} | {self.busy_before:.0%} | {self.busy_during:.0%} | "
            f"{self.client_cpu_s:.1f} | {self.server_cpu_ms:.2f} | {self.db_cpu_ms:.2f} |"
        )

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        del data["latencies_ms"]
        data.update(
            rate=round(self.rate, 1),
            p50_ms=round(self.percentile(50), 2),
            p95_ms=round(self.percentile(95), 2),
            p99_ms=round(self.percentile(99), 2),
        )
        return data


HEADER = (
    "| run | concurrency | count | subs/s | p50 ms | p95 ms | p99 ms | 2xx | busy before "
    "| CPU busy during | client CPU s | server CPU ms/sub | PostgreSQL CPU ms/sub |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def tree_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants."""
    if pid is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def backends_cpu(database_url: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database_url``'s database
    (read from /proc: the server runs on this machine), by pid; {} for SQLite."""
    if not database_url or not database_url.startswith("postgresql"):
        return {}
    from sqlalchemy import create_engine, make_url, text

    url = make_url(database_url)
    engine = create_engine(url)
    with engine.connect() as connection:
        pids = connection.scalars(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": url.database},
        ).all()
    engine.dispose()
    return {pid: tree_cpu(pid) for pid in pids}


#: The server process started by this script (its CPU is reported per submission).
SERVER_PID: list[int] = []


def run_level(
    target: Target,
    bodies: Sequence[Payload],
    concurrency: int,
    label: str,
    busy_before: float = 0.0,
    window: int = 0,
    database_url: str | None = None,
) -> tuple[Result, list[Result]]:
    """Post every body with ``concurrency`` connections; the result (and per-window results
    of ``window`` consecutive submissions, by the order they were sent, when asked)."""
    connections = [Connection(target) for _ in range(concurrency)]  # handshakes untimed
    next_index = itertools.count()
    done: list[tuple[int, float, float, int]] = []  # index, finished at, latency, status
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)

    def work(connection: Connection) -> None:
        local: list[tuple[int, float, float, int]] = []
        barrier.wait()
        while (index := next(next_index)) < len(bodies):
            status, elapsed = connection.post(bodies[index].body)
            local.append((index, time.perf_counter(), elapsed, status))
        with lock:
            done.extend(local)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in connections]
    for thread in threads:
        thread.start()
    server = SERVER_PID[0] if SERVER_PID else None
    # For windows: every 2 s, the time and the CPU used so far (server, PostgreSQL, machine).
    samples: list[tuple[float, float, float, int, int]] = []
    finished = threading.Event()

    def sample() -> None:
        base = backends_cpu(database_url)
        while True:
            db = sum(v - base.get(pid, 0.0) for pid, v in backends_cpu(database_url).items())
            samples.append((time.perf_counter(), tree_cpu(server), db, *cpu_sample()))
            if finished.wait(2.0):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    if window:
        sampler.start()
    backends0 = backends_cpu(database_url)
    cpu0, (total0, idle0), server0 = time.process_time(), cpu_sample(), tree_cpu(server)
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    finished.set()
    if window:
        sampler.join()
    total1, idle1 = cpu_sample()
    client_cpu = time.process_time() - cpu0
    server_cpu = tree_cpu(server) - server0
    backends1 = backends_cpu(database_url)
    db_cpu = sum(v - backends0.get(pid, 0.0) for pid, v in backends1.items())
    for connection in connections:
        connection.close()
    busy = 1 - (idle1 - idle0) / max(total1 - total0, 1)

    def between(t0: float, t1: float) -> tuple[float, float, float]:
        """Server CPU s, PostgreSQL CPU s and machine busy share from t0 to t1 (sampled)."""
        a = ([row for row in samples if row[0] <= t0] or samples[:1])[-1]
        b = ([row for row in samples if row[0] >= t1] or samples[-1:])[0]
        busy_share = 1 - (b[4] - a[4]) / max(b[3] - a[3], 1)
        return b[1] - a[1], b[2] - a[2], busy_share

    def result(rows: list[tuple[int, float, float, int]], name: str, span: float) -> Result:
        if rows is not done and samples:
            end = max(r[1] for r in rows)
            server_s, db_s, busy_share = between(end - span, end)
            n = max(len(rows), 1)
            return Result(
                label=name, concurrency=concurrency, count=len(rows), seconds=span,
                statuses=dict(Counter(r[3] for r in rows)),
                latencies_ms=[r[2] * 1000 for r in rows], busy_before=busy_before,
                busy_during=busy_share, client_cpu_s=client_cpu * len(rows) / len(done),
                server_cpu_ms=1000 * server_s / n if server else 0.0, db_cpu_ms=1000 * db_s / n,
            )  # fmt: skip
        return Result(
            label=name,
            concurrency=concurrency,
            count=len(rows),
            seconds=span,
            statuses=dict(Counter(r[3] for r in rows)),
            latencies_ms=[r[2] * 1000 for r in rows],
            busy_before=busy_before,
            busy_during=busy,
            client_cpu_s=client_cpu,
            server_cpu_ms=1000 * server_cpu / max(len(done), 1) if server else 0.0,
            db_cpu_ms=1000 * db_cpu / max(len(done), 1),
        )

    whole = result(done, label, seconds)
    windows = []
    if window:
        ordered = sorted(done)
        for first in range(0, len(ordered), window):
            chunk = ordered[first : first + window]
            previous = ordered[first - 1][1] if first else started
            span = max(r[1] for r in chunk) - previous
            windows.append(result(chunk, f"{label} #{first + 1:,}–{first + len(chunk):,}", span))
    return whole, windows


# --- servers and set-up -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(database_url: str, media_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VSSID_DATABASE_URL": database_url,
        "VSSID_SECRET_KEY": os.environ.get("VSSID_SECRET_KEY", "load-benchmark-secret"),
        "VSSID_MEDIA_DIR": str(media_dir),
        "VSSID_FORMS_DIR": str(ROOT / "forms"),
        # One account sends every level's submissions, far past a campaign's quota.
        "VSSID_SUBMISSIONS_PER_HOUR": "0",
        "VSSID_SUBMISSION_BYTES_PER_DAY": "0",
    }


def vssid(database_url: str, media_dir: Path, *args: str, stdin: str | None = None) -> str:
    """Run a ``vssid`` command against ``database_url``; its output."""
    done = subprocess.run(
        [sys.executable, "-c", "from webhook.cli import main; main()", *args],
        cwd=ROOT, env=_env(database_url, media_dir), input=stdin, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 and "exists" not in done.stderr + done.stdout:
        raise SystemExit(f"vssid {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def fresh_database(database_url: str) -> None:
    """Empty the database at ``database_url`` (refusing the shared ones)."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        return
    if url.database in REFUSED_DATABASES:
        raise SystemExit(f"refusing to empty the database {url.database!r}")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def setup(database_url: str, media_dir: Path, kind: str, auth: str) -> tuple[str, str, str]:
    """Migrate, load units, publish forms, add the account; (username, password, token)."""
    vssid(database_url, media_dir, "db", "upgrade")
    vssid(database_url, media_dir, "units", "import", str(UNITS_CSV))
    vssid(database_url, media_dir, "forms", "publish")
    if kind == "kobo":
        username, password, role = KOBO_USER, KOBO_SECRET, "integration"
    else:
        username, password, role = DEFAULT_USER, DEFAULT_PASSWORD, "collector"
    vssid(
        database_url, media_dir, "users", "add", username, "--role", role, "--password-stdin",
        stdin=f"{password}\n",
    )  # fmt: skip
    token = issue_token(database_url, username) if auth == "token" else ""
    return username, password, token


def issue_token(database_url: str, username: str) -> str:
    """A fresh URL token for ``username`` (as ``vssid collect-qr`` issues one)."""
    sys.path.insert(0, str(ROOT))
    from ingest.db import make_engine, make_sessionmaker
    from ingest.registry import accounts

    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as session:
        token = accounts.issue_token(accounts.find_user(session, username))
    engine.dispose()
    return token


@contextmanager
def serve(command: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[int]:
    """Run a server ``command`` until it answers ``GET /healthz``; stop it afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file
        )
        SERVER_PID[:] = [process.pid]
        try:
            deadline = time.monotonic() + 60
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
                    raise SystemExit(f"server did not start: {log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield port
        finally:
            SERVER_PID.clear()
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def vssid_serve(database_url: str, media_dir: Path, workers: int, log: Path) -> Any:
    port = free_port()
    command = [
        sys.executable, "-c", "from webhook.cli import main; main()",
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return serve(command, _env(database_url, media_dir), log, port)


def bare_serve(workers: int, log: Path) -> Any:
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port), str(workers)]
    return serve(command, dict(os.environ), log, port)


# --- the database check -----------------------------------------------------------------


def last_id(database_url: str) -> int:
    from sqlalchemy import func, select

    sys.path.insert(0, str(ROOT))
    from ingest.db import make_engine
    from ingest.models import Submission

    engine = make_engine(database_url)
    with engine.connect() as connection:
        value = connection.scalar(select(func.coalesce(func.max(Submission.id), 0)))
    engine.dispose()
    return int(value or 0)


def wait_consumers(database_url: str, patience: float = 120.0) -> str:
    """Wait until the server's consumers have applied the whole log; say how long it took
    after the load ended (the target: lag 0 within 10 s)."""
    sys.path.insert(0, str(ROOT))
    from ingest.consumers import CONSUMERS, Pipeline
    from ingest.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    flow, sessions = Pipeline(CONSUMERS), make_sessionmaker(engine)
    started = time.monotonic()
    try:
        while True:
            with sessions() as session:
                behind = sum(lag.behind for lag in flow.lag(session))
            waited = time.monotonic() - started
            if behind == 0:
                return f"consumers caught up (lag 0) {waited:.1f} s after the load ended"
            if waited > patience:
                raise SystemExit(f"CONSUMERS STILL BEHIND after {waited:.0f} s: {behind:,}")
            time.sleep(0.1)
    finally:
        engine.dispose()


def check_database(database_url: str, after_id: int, sent: Sequence[Payload]) -> str:
    """The rows after ``after_id`` are exactly ``sent``: one usable row per payload, same
    bytes, a review state each, an install record per accepted one, and every person counted.
    Raise with what differs."""
    from sqlalchemy import func, select

    sys.path.insert(0, str(ROOT))
    from ingest.db import make_engine
    from ingest.models import Person, PersonRecord, Submission, SubmissionStatus

    engine = make_engine(database_url)
    with engine.connect() as connection:
        people = select(PersonRecord.person_key).where(PersonRecord.submission_id > after_id)
        persons = connection.scalar(
            select(func.count(func.distinct(PersonRecord.person_key))).where(
                PersonRecord.submission_id > after_id
            )
        )
        counted = connection.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.campaign == "vssid", Person.person_key.in_(people))
        )
        rows = connection.execute(
            select(Submission.instance_id, Submission.payload_sha256, Submission.error_code).where(
                Submission.id > after_id
            )
        ).all()
        review_states = dict(
            connection.execute(
                select(SubmissionStatus.review_state, func.count())
                .join(Submission, Submission.id == SubmissionStatus.submission_id)
                .where(Submission.id > after_id)
                .group_by(SubmissionStatus.review_state)
            ).all()
        )
        records = connection.scalar(
            select(func.count())
            .select_from(PersonRecord)
            .where(PersonRecord.submission_id > after_id)
        )
    engine.dispose()
    expected = {p.instance_id: p.stored_sha256 for p in sent}
    stored = {r.instance_id: r.payload_sha256 for r in rows}
    problems = []
    if len(rows) != len(sent):
        problems.append(f"{len(rows):,} rows for {len(sent):,} submissions sent")
    if errors := Counter(r.error_code for r in rows if r.error_code):
        problems.append(f"rows with errors: {dict(errors)}")
    if missing := expected.keys() - stored.keys():
        problems.append(f"{len(missing):,} sent but not stored, e.g. {sorted(missing)[:3]}")
    if extra := stored.keys() - expected.keys():
        problems.append(f"{len(extra):,} stored but not sent, e.g. {sorted(extra)[:3]}")
    changed = [i for i in expected.keys() & stored.keys() if expected[i] != stored[i]]
    if changed:
        problems.append(f"{len(changed):,} stored with other bytes, e.g. {changed[:3]}")
    with_state = sum(review_states.values())
    if with_state != len(sent):
        problems.append(f"{with_state:,} review states for {len(sent):,} submissions")
    accepted = review_states.get("accepted", 0)
    if records != accepted:
        problems.append(f"{records:,} install records for {accepted:,} accepted")
    if counted != persons:
        problems.append(f"{counted:,} persons counted of {persons:,} recorded")
    if problems:
        raise SystemExit("DATABASE CHECK FAILED: " + "; ".join(problems))
    return (
        f"database check passed: {len(rows):,} rows = {len(sent):,} sent, payloads identical, "
        f"review states {dict(review_states)}, {records:,} install records, "
        f"{counted:,} persons counted"
    )


# --- main -------------------------------------------------------------------------------


def _target(args: argparse.Namespace, base: str, username: str, password: str) -> Target:
    parts = urlsplit(base)
    prefix = parts.path.rstrip("/")
    if args.kind == "kobo":
        path = f"{prefix}/kobo/submission?form_id={FORM_ID}"
        return Target(
            parts.hostname or "127.0.0.1", parts.port or 80, path, "kobo-token", username,
            password, "application/json",
        )  # fmt: skip
    if args.bare:
        return Target(parts.hostname or "127.0.0.1", parts.port or 80, "/submission", "none")
    auth = "none" if args.auth == "token" else args.auth
    return Target(
        parts.hostname or "127.0.0.1", parts.port or 80, f"{prefix}/submission", auth,
        username, password,
    )  # fmt: skip


def _levels(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_argument_group("server")
    where.add_argument("--server", help="URL of a running server (…/key/TOKEN for a token URL)")
    where.add_argument(
        "--database-url", help="the server's database: start `vssid serve` on it (unless "
        "--server is given), set it up, and check it after each level",
    )  # fmt: skip
    where.add_argument("--bare", action="store_true", help="post to bench/bare_app.py instead")
    where.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: "
                       "what `vssid serve` chooses)")  # fmt: skip
    where.add_argument("--fresh", action="store_true", help="empty the database first")
    where.add_argument("--log", type=Path, default=Path("/tmp/vssid-load"), help="server logs "
                       "and media folder (default /tmp/vssid-load)")  # fmt: skip
    who = parser.add_argument_group("client")
    who.add_argument("--kind", choices=("collect", "kobo"), default="collect",
                     help="ODK Collect multipart (default) or Kobo REST Service JSON")  # fmt: skip
    who.add_argument("--auth", choices=("digest", "basic", "token"), default="digest",
                     help="collectors: Digest (default), Basic, or a /key/<token>/ URL "
                     "(Kobo always sends its Token header)")  # fmt: skip
    who.add_argument("--user", default=None, help=f"account (default {DEFAULT_USER})")
    who.add_argument("--password", default=None, help="its password (Kobo: its secret)")
    who.add_argument("--concurrency", type=_levels, default=[1, 4, 16, 64],
                     help="comma-separated connection counts (default 1,4,16,64)")  # fmt: skip
    who.add_argument("--count", type=int, default=2000, help="submissions per level")
    who.add_argument("--warmup", type=int, default=200, help="untimed submissions first")
    who.add_argument("--growth", type=int, default=0, help="one run of N submissions at the "
                     "first concurrency, reported per --window")  # fmt: skip
    who.add_argument("--window", type=int, default=5000)
    who.add_argument("--seed", type=int, default=2021)
    who.add_argument("--idle-wait", type=float, default=60.0, help="seconds to wait for idle "
                     "CPUs before each level (0: do not wait)")  # fmt: skip
    who.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    if args.bare and args.database_url:
        parser.error("--bare has no database")
    if not (args.server or args.database_url or args.bare):
        parser.error("give --server, --database-url or --bare")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.log.mkdir(parents=True, exist_ok=True)
    media = args.log / "media"
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    username = args.user or (KOBO_USER if args.kind == "kobo" else DEFAULT_USER)
    password = args.password or (KOBO_SECRET if args.kind == "kobo" else DEFAULT_PASSWORD)
    token = ""
    if args.database_url and not args.server:
        if args.fresh:
            fresh_database(args.database_url)
        username, password, token = setup(args.database_url, media, args.kind, args.auth)
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; {' '.join(sys.argv[1:])}", flush=True)  # fmt: skip

    @contextmanager
    def server() -> Iterator[str]:
        if args.server:
            yield args.server
        elif args.bare:
            with bare_serve(workers, args.log / "bare.log") as port:
                yield f"http://127.0.0.1:{port}"
        else:
            with vssid_serve(args.database_url, media, workers, args.log / "server.log") as port:
                yield f"http://127.0.0.1:{port}" + (f"/key/{token}" if token else "")

    label = "bare" if args.bare else (urlsplit(args.database_url or "").scheme or "server")
    auth = "" if args.bare else ("token header" if args.kind == "kobo" else args.auth)
    label = f"{label.split('+')[0]} {args.kind} {auth}".strip()
    results: list[Result] = []
    with server() as base:
        target = _target(args, base, username, password)
        check = bool(args.database_url) and not args.bare
        if args.warmup:
            warm = payloads(args.kind, args.warmup, args.seed, username)
            before = last_id(args.database_url) if check else 0
            run_level(target, warm, min(4, max(args.concurrency)), "warm-up")
            if check:
                print(wait_consumers(args.database_url), flush=True)
                print(check_database(args.database_url, before, warm), flush=True)
        print(HEADER, flush=True)
        levels = [(args.concurrency[0], args.growth)] if args.growth else [
            (c, args.count) for c in args.concurrency
        ]  # fmt: skip
        for concurrency, count in levels:
            bodies = payloads(args.kind, count, args.seed + concurrency, username)
            before = last_id(args.database_url) if check else 0
            busy = wait_idle(patience=args.idle_wait) if args.idle_wait else cpu_busy(0.5)
            whole, windows = run_level(
                target, bodies, concurrency, label, busy, args.window if args.growth else 0,
                args.database_url,
            )  # fmt: skip
            for item in windows:
                print(item.row(), flush=True)
                results.append(item)
            print(whole.row(), flush=True)
            results.append(whole)
            if check:
                print(wait_consumers(args.database_url), flush=True)
                print(check_database(args.database_url, before, bodies), flush=True)
            del bodies
    if args.json:
        args.json.write_text(json.dumps([r.summary() for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
