"""Where one submission's CPU goes: intake in-process, without gunicorn, client or network.

Sets a database up as bench/load.py does (the real ``vssid`` commands), then posts distinct
ODK Collect submissions through Flask's test client to ``/key/<token>/submission`` (a token
URL: one SHA-256 and one indexed look-up, as after QR onboarding) and reports the process CPU
per submission, the SQL statements per submission, and optionally a profile. The same bodies
are also posted to a bare route that parses and discards the multipart body, so the app's own
cost is the difference.

Usage (from the repository root)::

    createdb -h 127.0.0.1 -U postgres vssid_profile
    .venv/bin/python bench/profile_intake.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/vssid_profile --count 2000
    .venv/bin/python bench/profile_intake.py --database-url URL --profile cprofile   # top 40
    .venv/bin/python bench/profile_intake.py --database-url URL --statements          # one trace

CPU is the process's (``time.process_time``): PostgreSQL's own CPU is in its server process and
is not counted here; bench/load.py measures both under a real server.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py: the same payloads and set-up)


def _app(database_url: str, media_dir: Path) -> object:
    from webhook import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "profile-intake-secret",
            "MEDIA_DIR": str(media_dir),
            "FORMS_DIR": str(ROOT / "forms"),
            "TALLY_REFRESH_SECONDS": 0,
            "WTF_CSRF_ENABLED": False,  # the bare route is no machine blueprint
        }
    )


def _bare(app: object) -> None:
    from flask import Flask, request

    assert isinstance(app, Flask)

    @app.post("/bare-submission")
    def bare() -> tuple[str, int]:
        request.files["xml_submission_file"].read()
        return "", 201


def _post_all(client: object, path: str, bodies: Sequence[bytes]) -> tuple[float, list[int]]:
    statuses = []
    start = time.process_time()
    for body in bodies:
        response = client.post(  # type: ignore[attr-defined]
            path,
            data=body,
            content_type=f"multipart/form-data; boundary={load.BOUNDARY}",
            headers={"X-OpenRosa-Version": "1.0"},
        )
        statuses.append(response.status_code)
    return time.process_time() - start, statuses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--profile", choices=("none", "cprofile"), default="none")
    parser.add_argument("--statements", action="store_true", help="print one submission's SQL")
    parser.add_argument("--dump", type=Path, help="with --profile: write the pstats file here")
    args = parser.parse_args(argv)

    load.fresh_database(args.database_url)
    media = Path(tempfile.mkdtemp(prefix="vssid-profile-"))
    username, _password, token = load.setup(args.database_url, media, "collect", "token")
    app = _app(args.database_url, media)
    _bare(app)
    client = app.test_client()  # type: ignore[attr-defined]
    bodies = [p.body for p in load.payloads("collect", args.warmup + args.count, 7, username)]
    path = f"/key/{token}/submission"

    _post_all(client, path, bodies[: args.warmup])
    _post_all(client, "/bare-submission", bodies[: args.warmup])

    if args.statements:
        from sqlalchemy import event

        engine = app.extensions["vssid.db"].engine  # type: ignore[attr-defined]
        seen: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        _post_all(client, path, bodies[args.warmup : args.warmup + 1])
        print(f"{len(seen)} statements for one new submission:")
        for statement in seen:
            print("  ", " ".join(statement.split())[:160])
        return 0

    timed = bodies[args.warmup :]
    bare_cpu, _ = _post_all(client, "/bare-submission", timed)
    profiler = cProfile.Profile() if args.profile == "cprofile" else None
    if profiler:
        profiler.enable()
    cpu, statuses = _post_all(client, path, timed)
    if profiler:
        profiler.disable()
    counts = {s: statuses.count(s) for s in set(statuses)}
    n = len(timed)
    print(f"{n} submissions, statuses {counts}")
    print(f"app  : {1000 * cpu / n:.2f} ms CPU per submission (in-process, test client)")
    print(f"bare : {1000 * bare_cpu / n:.2f} ms CPU per request (parse and discard)")
    print(f"own  : {1000 * (cpu - bare_cpu) / n:.2f} ms CPU per submission")
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(40)
        stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
