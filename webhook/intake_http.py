"""What the two submission endpoints share: building an ``Incoming`` and storing it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g, request

from ingest.db import begin_write, utcnow
from ingest.errors import Unavailable, VssidError
from ingest.submissions import intake, quota
from ingest.submissions.media import MediaStore
from webhook import policy
from webhook.bodies import DRAIN_LIMIT, drain
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
    if session.get_bind().dialect.name == "sqlite":
        # A writer must begin with BEGIN IMMEDIATE (ingest.db): end the read-only
        # transaction of authentication first. PostgreSQL continues in the same one.
        session.commit()
        begin_write(session)
    if error is None:
        try:
            receipt = intake.receive(session, incoming, media_store())
        except Unavailable as unavailable:
            # The disk refused an attachment. Keep the payload in the log all the same
            # (nothing that reached us is lost), with no row pointing at a file, and let the
            # error handler answer 503 "send again later": the retry is stored as new.
            session.rollback()
            begin_write(session)
            intake.refuse(session, incoming, unavailable)
            session.commit()
            raise
    else:
        receipt = intake.refuse(session, incoming, error)
    session.commit()
    return receipt


def over_quota(source: str, form_hint: str | None = None) -> intake.Receipt | None:
    """When the signed-in account is over its quota (``ingest.submissions.quota``), keep a
    row for the request without its body (who, when, its headers and size) and say so; the
    body is not read, beyond a bounded part so that the client reads the answer."""
    config = current_app.config
    limits = quota.Limits(config["SUBMISSIONS_PER_HOUR"], config["SUBMISSION_BYTES_PER_DAY"])
    size = request.content_length or 0
    refusal = quota.check(get_session(), g.user.username, limits, utcnow(), size)
    if refusal is None:
        return None
    drain(request.environ["wsgi.input"], min(size, DRAIN_LIMIT) if size else DRAIN_LIMIT)
    return store(incoming(source, b"", form_hint=form_hint), refusal)


def incoming(
    source: str,
    payload: bytes,
    files: tuple[intake.IncomingFile, ...] = (),
    form_hint: str | None = None,
) -> intake.Incoming:
    """The request's payload as intake takes it, sent by the signed-in account (``g.user``)
    with what the access policy lets it write."""
    user = g.user
    return intake.Incoming(
        source=source,
        payload=payload,
        content_type=request.content_type or "",
        submitter=user.username,
        received_at=utcnow(),
        headers=kept_headers(),
        files=files,
        form_hint=form_hint,
        rights=policy.write_rights(get_session(), user),
    )
