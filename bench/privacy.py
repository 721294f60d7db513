"""Benchmark of erasure and retention purges (Law 91/2025) on the coverage bench's data.

    .venv/bin/python bench/coverage.py sqlite:////tmp/p.sqlite3 --size small --no-run
    .venv/bin/python bench/privacy.py /tmp/p.sqlite3 [--runs 3]

Each run works on a fresh copy of that SQLite database (1,000 units, 50,000 persons per
campaign at ``--size small``) and times, as subprocesses of the real CLI (wall seconds):

- ``vssid privacy erase ID``: one person's erasure: the log searched for the identifier,
  the rewrite of their rows, then the search of every column and media file for what is left;
- ``vssid privacy purge``: campaign ``vssid``'s retention purge (every person of it).

Before timing, each run checks that the coverage documents (``vssid report coverage
--campaign vssid --format json``, today and as of 2026-10-15) are identical before and after
the purge, and that the erased identifier is nowhere (``vssid privacy traces``).
``--before ROOT`` times another checkout's code (``PYTHONPATH=ROOT``, this environment) in
turn with this one, ABBA, so that the machine's noise hits both. The numbers go to
bench/RESULTS.md by hand, with the machine's state.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VSSID = ROOT / ".venv" / "bin" / "vssid"
PASSWORD = "bench-privacy-password-2026"


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, str]:
    """Run ``vssid ARGS``; its wall time and output (exit on failure)."""
    started = time.perf_counter()
    done = subprocess.run([str(VSSID), *args], env=env, input=stdin, capture_output=True,
                          text=True, check=False)  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"vssid {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def coverage(env: dict[str, str]) -> list[str]:
    return [
        run(env, "report", "coverage", "--campaign", "vssid", "--format", "json", *extra)[1]
        for extra in ((), ("--as-of", "2026-10-15"))
    ]


def one_run(source: Path, folder: Path, code: Path | None = None) -> dict[str, float]:
    database = folder / "copy.sqlite3"
    shutil.copy(source, database)
    with sqlite3.connect(database) as db:
        person = db.execute(
            "SELECT person_key FROM person WHERE campaign = 'vssid' ORDER BY person_key LIMIT 1"
        ).fetchone()[0]
    env = {**os.environ, "VSSID_DATABASE_URL": f"sqlite:///{database}",
           "VSSID_MEDIA_DIR": str(folder / "media"), "VSSID_SECRET_KEY": "b" * 64}  # fmt: skip
    if code is not None:  # another checkout's code, with this one's environment
        env["PYTHONPATH"] = str(code)
    run(env, "users", "add", "bench.admin", "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n")  # fmt: skip
    before = coverage(env)
    erase, _ = run(env, "privacy", "erase", person, "--by", "bench.admin", "--reason", "bench",
                   "--yes")  # fmt: skip
    _, left = run(env, "privacy", "traces", person)
    if "không còn ở đâu" not in left:
        sys.exit(f"traces of {person} left:\n{left}")
    purge, said = run(env, "privacy", "purge", "--today", "2027-01-02", "--by", "bench.admin")
    if coverage(env) != before:
        sys.exit("the coverage changed with the purge")
    print(f"    {said.strip().splitlines()[-1]}")
    return {"erase": erase, "purge": purge}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a SQLite file built by bench/coverage.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout's root: timed in turn")
    args = parser.parse_args()
    codes: dict[str, Path | None] = {"after": None}
    if args.before:
        codes = {"before": args.before, "after": None}
    results: dict[str, dict[str, list[float]]] = {c: {"erase": [], "purge": []} for c in codes}
    for number in range(1, args.runs + 1):
        order = list(codes) if number % 2 else list(reversed(codes))  # ABBA
        for name in order:
            with tempfile.TemporaryDirectory() as folder:
                timings = one_run(args.database, Path(folder), codes[name])
            print(f"run {number} {name}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
            for key, value in timings.items():
                results[name][key].append(value)
    for name, measured in results.items():
        for key, values in measured.items():
            ordered = sorted(values)
            print(f"{name} {key}: median {ordered[len(ordered) // 2]:.2f} s "
                  f"(min {ordered[0]:.2f}, max {ordered[-1]:.2f}) over {len(values)} runs")  # fmt: skip


if __name__ == "__main__":
    main()
