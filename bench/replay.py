"""Benchmark of ``vssid reprocess``: rewinding the log's consumers and replaying the whole log.

Uses a database built by ``bench/coverage.py`` (its two synthetic national campaigns over
10,000 units: VssID and VNeID, 1,000,000 persons each, ~2.2 M submissions in the log naming
the published forms' versions, with what the consumers derive from them). Then, CPUs idle
first:

1. counts what the generator derived (records, persons, unit reports, accepted statuses);
2. runs the real ``vssid reprocess --batch N`` as a subprocess under ``/usr/bin/time`` (wall
   seconds and peak RSS), which rewinds the projection, the rules and the tallies and replays;
3. checks that every replay derives the same counts as the first, and prints submissions per
   second. (The generator builds what the consumers would: a replay differing from it is
   printed; tests/bench/test_coverage.py checks it table by table at a tiny size.)

Target (the issue): ≥ 5,000 submissions/s on PostgreSQL on this machine (10⁶ in < 4 min).

Usage (repository root, the project's venv)::

    URL=postgresql+psycopg://postgres@127.0.0.1/vssid_bench_campaigns
    .venv/bin/python bench/coverage.py $URL --no-run
    .venv/bin/python bench/replay.py $URL
    .venv/bin/python bench/replay.py URL --batch 10000 --runs 2
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import wait_idle  # noqa: E402  (bench/machine.py)

COUNTS = {
    "submissions (usable)": "SELECT count(*) FROM submission WHERE error_code IS NULL",
    "accepted": "SELECT count(*) FROM submission_status WHERE review_state = 'accepted'",
    "flagged": "SELECT count(*) FROM submission_status WHERE review_state = 'flagged'",
    "person records": "SELECT count(*) FROM person_record",
    "persons": "SELECT count(*) FROM person",
    "persons done": "SELECT count(*) FROM person WHERE done",
    "unit reports": "SELECT count(*) FROM unit_report",
    "open spans": "SELECT count(*) FROM person_span WHERE day_to IS NULL",
    "tally people": "SELECT COALESCE(SUM(people), 0) FROM coverage_tally",
    "reason tally people": "SELECT COALESCE(SUM(people), 0) FROM reason_tally",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare(url: str) -> None:
    """Migrate to head; the generator published the forms its submissions name."""
    from ingest.db import make_engine, make_sessionmaker
    from ingest.models import Form
    from webhook import migrate

    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        if session.get(Form, "vssid_install") is None:
            raise SystemExit(f"{url}: no published forms; build it with bench/coverage.py")
    engine.dispose()


def counts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from ingest.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        found = {name: int(connection.scalar(text(sql)) or 0) for name, sql in COUNTS.items()}
    engine.dispose()
    return found


def settle(url: str) -> None:
    """Let the consumers apply whatever is pending (the generator's database starts with the
    tallies to build), so the timed replay starts from a current state."""
    from ingest.consumers import CONSUMERS, Pipeline
    from ingest.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    started = time.perf_counter()
    applied = Pipeline(CONSUMERS).run_until_idle(make_sessionmaker(engine), wait=True)
    engine.dispose()
    if applied:
        log(
            f"consumers brought up to date: {applied:,} entries"
            f" in {time.perf_counter() - started:.1f} s"
        )


def reprocess(url: str, batch: int) -> tuple[float, int, str]:
    """``vssid reprocess`` under /usr/bin/time: wall seconds, peak RSS in MB, its output."""
    env = {**os.environ, "VSSID_DATABASE_URL": url}
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-c",
               "from webhook.cli import main; main()",
               "reprocess", "--batch", str(batch)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"reprocess failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    wall, peak = done.stderr.strip().splitlines()[-1].split()
    return float(wall), int(peak) // 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a database built by bench/coverage.py")
    parser.add_argument("--batch", type=int, default=5000, help="log entries per transaction")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    prepare(args.url)
    settle(args.url)
    before = counts(args.url)
    log("derived before: " + ", ".join(f"{k} {v:,}" for k, v in before.items()))
    results: list[dict[str, Any]] = []
    for run in range(args.runs):
        busy = wait_idle()
        wall, peak, output = reprocess(args.url, args.batch)
        after = counts(args.url)
        if after != before:
            diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if run > 0:
                raise SystemExit(f"REPLAY DIFFERS from the first replay: {diff}")
            log(f"the first replay differs from the generator's tables: {diff}")
            before = after
        match = re.search(
            r"(\d+) submissions reprocessed \((\d+) log entries applied in ([\d.]+) s\)", output
        )
        submissions = int(match.group(1)) if match else before["submissions (usable)"]
        inside = float(match.group(3)) if match else wall
        results.append({"run": run + 1, "wall": wall, "inside": inside, "peak": peak,
                        "submissions": submissions, "busy": busy})  # fmt: skip
        log(f"run {run + 1}: {submissions:,} submissions in {wall:.1f} s wall "
            f"({inside:.1f} s replaying), {submissions / wall:,.0f}/s, peak {peak} MB, "
            f"CPUs {busy:.0%} busy before")  # fmt: skip
    print("| run | submissions | wall s | replay s | submissions/s | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['run']} | {r['submissions']:,} | {r['wall']:.1f} | {r['inside']:.1f} | "
              f"{r['submissions'] / r['wall']:,.0f} | {r['peak']} |")  # fmt: skip
    print("replay derived the same counts: " + ", ".join(f"{k} {v:,}" for k, v in before.items()))


if __name__ == "__main__":
    main()
