"""Self-report page: time until ODK Web Forms shows the form, and bytes over the wire.

    .venv/bin/python bench/selfreport_page.py [--runs 7] [--out bench/selfreport.json]

Builds a fresh SQLite database (migrations, District 10's units, every shipped form), makes a
self-report link for Phường 1 and serves the app with gunicorn-free werkzeug on a loopback
port. Then, in Debian's headless Chromium (Playwright, ``/usr/bin/chromium``), each run opens
the link in a NEW browser context (empty cache: a person's first visit) at 390×844 and
measures, from ``page.goto`` until the form's first question is on screen (``.form-questions``
visible), the wall time, and the bytes Chromium received for the page and everything it
loaded (CDP ``Network.loadingFinished`` ``encodedDataLength``: compressed, with headers).
One warm run (same context again: the browser's cache) is reported beside them.

Targets (issue 14): under 2 s and under 2.5 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import cpu_busy  # type: ignore[import-not-found]
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def serve(folder: Path) -> tuple[str, str, object]:
    """A prepared app on a loopback port: its base URL, a link's path and the server."""
    from ingest import campaigns, forms
    from ingest.campaigns import publish
    from ingest.db import utcnow
    from ingest.registry import tabular, units
    from ingest.selfreport import links
    from webhook import create_app
    from webhook.migrate import upgrade

    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "b" * 64,
        "MEDIA_DIR": str(folder / "media"), "FORMS_DIR": str(REPO / "forms"),
        "CONSUMERS_INTERVAL_SECONDS": 0,
    })  # fmt: skip
    upgrade(app.extensions["vssid.db"].engine)
    with app.extensions["vssid.db"].sessionmaker() as session:
        units.import_units(session, tabular.read_rows(
            REPO / "forms" / "district10_units.csv", units.ALIASES, ("code", "name_vi", "kind")))
        publish.publish_folder(session, REPO / "forms")
        link = links.create(session, campaigns.load(session, "vssid"), "27184", "bench", utcnow())
        session.commit()
        token = link.token
    assert forms  # imported for its side effects in publish
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", f"/s/{token}", server


def measure(browser: object, url: str, context: object | None = None) -> dict[str, float]:
    """One visit: seconds until the form shows, bytes received, requests."""
    fresh = context is None
    context = context or browser.new_context(viewport={"width": 390, "height": 844},  # type: ignore[attr-defined]
                                             is_mobile=True, has_touch=True)
    page = context.new_page()  # type: ignore[attr-defined]
    cdp = context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("Network.enable")
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(int(e["encodedDataLength"])))
    start = time.perf_counter()
    page.goto(url)
    page.locator(".form-questions").wait_for(state="visible", timeout=30_000)
    seconds = time.perf_counter() - start
    page.wait_for_timeout(300)  # let the last loadingFinished events arrive
    result = {"seconds": seconds, "bytes": sum(received), "requests": len(received)}
    page.close()
    if fresh:
        result["context"] = context  # type: ignore[assignment]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        base, path, server = serve(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        measure(browser, base + path)["context"].close()  # type: ignore[attr-defined]  # warm-up
        busy = cpu_busy()
        cold = []
        for _ in range(args.runs):
            run = measure(browser, base + path)
            context = run.pop("context")
            cold.append(run)
        warm = measure(browser, base + path, context)
        context.close()  # type: ignore[attr-defined]
        browser.close()
        server.shutdown()  # type: ignore[attr-defined]
    seconds = [r["seconds"] for r in cold]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_busy_before": round(busy, 2),
        "runs": args.runs,
        "cold_seconds_median": round(statistics.median(seconds), 3),
        "cold_seconds_max": round(max(seconds), 3),
        "cold_bytes": int(statistics.median(r["bytes"] for r in cold)),
        "cold_requests": int(statistics.median(r["requests"] for r in cold)),
        "warm_seconds": round(warm["seconds"], 3),
        "warm_bytes": int(warm["bytes"]),
        "cold": [{k: round(v, 3) for k, v in r.items()} for r in cold],
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
