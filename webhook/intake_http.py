"""What the two submission endpoints share: building an ``Incoming`` and storing it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request

from ingest import intake
from ingest.db import begin_write, utcnow
from ingest.errors import VssidError
from ingest.media import MediaStore
from webhook.database import get_session

#: Request headers worth keeping with the raw payload (never credentials or cookies).
KEPT_HEADERS = (
    "User-Agent",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "X-OpenRosa-Version",
    "X-OpenRosa-Instance-Id",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "Date",
)


def kept_headers() -> dict[str, str]:
    headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
    headers["remote_addr"] = request.remote_addr or ""
    return headers


def media_store() -> MediaStore:
    return MediaStore(Path(current_app.config["MEDIA_DIR"]))


def store(incoming: intake.Incoming, error: VssidError | None = None) -> intake.Receipt:
    """Run intake (or keep a payload refused with ``error``) and commit, whatever the outcome."""
    session = get_session()
    session.commit()  # ends the read-only transaction of authentication
    begin_write(session)
    if error is None:
        receipt = intake.receive(session, incoming, media_store())
    else:
        receipt = intake.refuse(session, incoming, error)
    session.commit()
    return receipt


def incoming(
    source: str,
    payload: bytes,
    submitter: str | None,
    files: tuple[intake.IncomingFile, ...] = (),
    form_hint: str | None = None,
) -> intake.Incoming:
    return intake.Incoming(
        source=source,
        payload=payload,
        content_type=request.content_type or "",
        submitter=submitter,
        received_at=utcnow(),
        headers=kept_headers(),
        files=files,
        form_hint=form_hint,
    )
