"""The ceiling of this stack on this machine: a bare Flask endpoint behind the same gunicorn.

``POST /submission`` parses the multipart body exactly as the real endpoint does (werkzeug's
form parser, ``xml_submission_file`` read into memory) and discards it: no authentication, no
database, no XML parsing. It answers 201 with a small OpenRosaResponse, like the real one.
``GET /healthz`` answers 200. Served with the options of ``vssid serve``
(``webhook.server.options``), so only the application differs.

Usage: ``.venv/bin/python bench/bare_app.py PORT [WORKERS]`` (bench/load.py --bare runs it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response, request

from webhook.server import Gunicorn, options

ANSWER = (
    b"<?xml version='1.0' encoding='utf-8'?>\n"
    b'<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
    b'<message nature="submit_success">OK</message></OpenRosaResponse>'
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", content_type="text/plain")

    @app.post("/submission")
    def submission() -> Response:
        part = request.files.get("xml_submission_file")
        xml = part.read() if part is not None else b""
        status = 201 if xml else 400
        return Response(ANSWER, status=status, content_type="text/xml; charset=utf-8")

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    Gunicorn(create_app(), options("127.0.0.1", port, workers)).run()
