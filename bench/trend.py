"""Benchmark of the national trend and the coverage page, before and after the daily tallies
and the paging, paired in one process on a database built by ``bench/coverage.py``.

Cases, each timed ``--runs`` times per side, the sides alternating (ABBA) and each run started
once the CPUs are idle (``--patience`` s at most; the busy share seen is logged):

- ``trend``: ``reports.trend.trend`` over the dashboard's days (the last 60 days of the
  campaign up to its last record, ``webhook.dashboard.figures.trend_days``) for every unit;
  before: the trend worked out from the person spans (``tests/reports/trend_before.py``, the
  code this branch replaced, kept as the tests' reference). The two results are compared
  (equal, or the script stops).
- ``/charts/trend.svg``: the dashboard's trend chart as a signed-in manager sees it (Flask's
  test client, in-process: a warm server worker), with the trend function of each side.
- ``/`` (the coverage page): after, the first page (100 units); before, every unit on one
  page, as before the paging (``per_page`` = the number of units). Bytes of HTML are printed.

Usage (repository root, the project's venv; the database from ``bench/coverage.py --no-run``)::

    .venv/bin/python bench/trend.py postgresql+psycopg://postgres@127.0.0.1/vssid_bench_scale
    .venv/bin/python bench/trend.py URL --runs 7 --patience 120 --campaign vssid
    .venv/bin/python bench/trend.py URL --runs 5 --trend-only    # the trend function alone
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import wait_idle  # noqa: E402  (bench/machine.py)
from sqlalchemy import func, select  # noqa: E402

from ingest import campaigns  # noqa: E402
from ingest.db import make_engine, make_sessionmaker  # noqa: E402
from ingest.models import DailyTally  # noqa: E402
from reports import trend as after_module  # noqa: E402
from tests.reports import trend_before  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(
    name: str, sides: dict[str, Callable[[], Any]], runs: int, patience: float
) -> dict[str, list[float]]:
    """Each side once untimed, then ``runs`` timed runs per side in ABBA order."""
    for call in sides.values():
        call()
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    names = list(sides)
    for n in range(runs):
        for side in names if n % 2 == 0 else reversed(names):
            busy = wait_idle(patience=patience)
            started = time.perf_counter()
            sides[side]()
            seconds[side].append(time.perf_counter() - started)
            log(f"{name} {side}: {seconds[side][-1]:.3f} s (CPUs {busy:.0%} busy before)")
    return seconds


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--patience", type=float, default=60.0)
    parser.add_argument("--campaign", default="vssid")
    parser.add_argument("--trend-only", action="store_true", help="time the trend function only")
    args = parser.parse_args()

    from webhook import create_app
    from webhook.dashboard import figures, paging
    from webhook.dashboard.scope import View

    engine = make_engine(args.url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        rows = session.scalar(
            select(func.count()).select_from(DailyTally).where(DailyTally.campaign == args.campaign)
        )
        log(f"daily_tally rows of {args.campaign}: {rows:,}")
    app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.test_request_context():
        with sessions() as session:
            campaign = campaigns.load(session, args.campaign)
        from webhook.database import get_session

        days = figures.trend_days(View(campaign, date(2999, 12, 31)))
        get_session().close()
    log(f"trend days: {days[0]} … {days[-1]} ({len(days)})")

    def run(function: Callable[..., Any]) -> Callable[[], Any]:
        def call() -> Any:
            with sessions() as session:
                return function(session, campaign, days)

        return call

    trend_after, trend_before_ = run(after_module.trend), run(trend_before.trend)
    got, expected = trend_after(), trend_before_()
    if got != expected:
        for (day, a), (_day, b) in zip(got, expected, strict=True):
            if a != b:
                log(f"DIFFERENT on {day}: after {a} before {b}")
        raise SystemExit("the trends differ")
    log(f"the trends are equal on all {len(got)} days; last: {got[-1][1].counts}")
    results = {"trend": timed("trend", {"before": trend_before_, "after": trend_after},
                              args.runs, args.patience)}  # fmt: skip

    if args.trend_only:
        _table(engine.dialect.name, results)
        return
    client = _manager(app, sessions)
    chart = f"/charts/trend.svg?campaign={args.campaign}"
    original = figures.trend

    def chart_with(function: Callable[..., Any]) -> Callable[[], Any]:
        def call() -> Any:
            figures.trend = function
            try:
                response = client.get(chart)
            finally:
                figures.trend = original
            assert response.status_code == 200, response.status_code
            return response

        return call

    results["/charts/trend.svg"] = timed(
        "chart", {"before": chart_with(trend_before.trend), "after": chart_with(original)},
        args.runs, args.patience,
    )  # fmt: skip

    with sessions() as session:
        from reports import queries

        n_units = len(queries.units(session, campaign, None))
    sizes: dict[str, int] = {}

    def page(side: str, query: str) -> Callable[[], Any]:
        def call() -> Any:
            most = paging.MAX_PER_PAGE
            paging.MAX_PER_PAGE = max(most, n_units)  # before: no paging, every unit
            try:
                response = client.get(f"/?campaign={args.campaign}{query}")
            finally:
                paging.MAX_PER_PAGE = most
            assert response.status_code == 200, response.status_code
            sizes[side] = len(response.data)
            return response

        return call

    results["/ (coverage page)"] = timed(
        "page", {"before": page("before", f"&per_page={n_units}"), "after": page("after", "")},
        args.runs, args.patience,
    )  # fmt: skip
    log(f"coverage page HTML: before {sizes['before']:,} bytes, after {sizes['after']:,} bytes")

    _table(engine.dialect.name, results)
    print(f"\ncoverage page: {sizes['before']:,} → {sizes['after']:,} bytes of HTML "
          f"({n_units:,} units, 100 a page)")  # fmt: skip


def _table(engine: str, results: dict[str, dict[str, list[float]]]) -> None:
    print()
    print(f"| case ({engine}) | before s | after s | after ÷ before |")
    print("|---|---:|---:|---:|")
    for name, seconds in results.items():
        ratio = statistics.median(seconds["after"]) / statistics.median(seconds["before"])
        print(f"| {name} | {cell(seconds['before'])} | {cell(seconds['after'])} | {ratio:.3f} |")


def _manager(app: Any, sessions: Any) -> Any:
    """A test client signed in as a manager (the account ``bench/coverage.py --pages`` uses)."""
    import re

    from ingest.models import User
    from ingest.registry import accounts

    password = "bench-manager-password"
    with sessions() as session:
        if session.scalar(select(User).where(User.username == "bench.manager")) is None:
            accounts.create_user(session, "bench.manager", "manager", password, app.config["REALM"])
            session.commit()
    client = app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    data = {"username": "bench.manager", "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    assert response.status_code in (302, 303), response.status_code
    return client


if __name__ == "__main__":
    main()
