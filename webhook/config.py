"""Configuration: the documented defaults, overridden by ``VSSID_*`` environment variables.

=========================  ===========================================================
``VSSID_DATABASE_URL``     SQLAlchemy URL; default SQLite at ``instance/vssid.sqlite3``;
                           production ``postgresql+psycopg://user@host/db``
``VSSID_SECRET_KEY``       signs sessions and Digest nonces; if unset, a random key is
                           created once in ``instance/secret_key`` (shared by workers); a
                           short or repetitive one is accepted with a warning in the log
``VSSID_FORMS_DIR``        where the XLSForms are (default ``forms``)
``VSSID_MEDIA_DIR``        where submission attachments are kept (default
                           ``instance/media``)
``VSSID_MAX_CONTENT_LENGTH``  largest request body in bytes (default 100 MB, as ODK
                           Central); announced to Collect as X-OpenRosa-Accept-Content-Length
``VSSID_PUBLIC_URL``       the address phones reach the server at (form download URLs,
                           QR codes); default: the address of each request
``VSSID_REALM``            the HTTP Digest realm (changing it invalidates Digest secrets)
``VSSID_DIGEST``           ``on`` (default) or ``off``: HTTP Digest offered and accepted; off,
                           phones use Basic over HTTPS or token URLs (as ODK Central)
``VSSID_DIGEST_NONCE_TTL`` seconds a Digest nonce stays valid before ``stale=true``
                           (default 3600)
``VSSID_DEFAULT_CAMPAIGN`` the campaign reports show when none is named (default
                           ``vssid``); targets and thresholds are each campaign's own
``VSSID_CONSUMERS_INTERVAL_SECONDS``  how often each server worker runs the log's consumers
                           in the background (default 1; 0: only when a reader settles)
``VSSID_SETTLE_SECONDS``   a page or API answer waits at most this long for the consumers
                           to apply what is pending (default 10)
``VSSID_STATEMENT_TIMEOUT_SECONDS``  ``vssid serve`` on PostgreSQL cancels a statement
                           running (or waiting for a lock) longer than this and answers
                           503 "retry later" (default 30; 0: no limit)
``VSSID_SUBMISSIONS_PER_HOUR``  submissions one account may store in an hour (default
                           2000; 0: no limit); past it, 429 with Retry-After
``VSSID_SUBMISSION_BYTES_PER_DAY``  bytes (payloads and attachments) one account may store
                           in a day (default 2000000000, 2 GB; 0: no limit)
``VSSID_SELFREPORT_POSTS_PER_LINK``  submissions one self-report link takes in an hour
                           (default 600; 0: no limit); past it, 429 with Retry-After
``VSSID_SELFREPORT_POSTS_PER_ADDRESS``  self-report submissions from one address in an
                           hour (default 120: an office NAT is one address; 0: no limit)
``VSSID_SIGN_IN_HOURS``    a dashboard sign-in lasts at most this long (default 8)
``VSSID_SIGN_IN_MAX_FAILURES`` / ``VSSID_SIGN_IN_WINDOW_MINUTES``  failed sign-ins per
                           account and address before a pause (default 5 in 15 minutes)
``VSSID_HOOKS_RETRY_BASE_SECONDS``  webhooks: first retry after this many seconds, each
                           next one twice as late, for about a day (1440 × it; default 60)
``VSSID_HOOKS_INTERVAL_SECONDS``  how often each server worker sends due webhooks and runs
                           the daily jobs (default 2; 0: only ``vssid hooks deliver``)
``VSSID_HOOKS_CONCURRENCY`` webhook requests in flight per process (default 8)
``VSSID_SMTP_URL``         the daily digest's SMTP server: ``smtp://``, ``smtp+starttls://``
                           or ``smtps://[user:password@]host[:port][?from=address]``
                           (unset: no digest)
``VSSID_DIGEST_HOUR``      local hour (Asia/Ho_Chi_Minh) from which the day's digest and
                           ``campaign.daily_summary`` are sent (default 17)
``VSSID_AUDIT_RETENTION_DAYS``  days the audit trail of personal-data views is kept before
                           ``vssid audit prune`` deletes it (default 1825: five years, long
                           enough for an investigation)
=========================  ===========================================================
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # resolved against the instance folder
    "SECRET_KEY": None,  # resolved against the instance folder
    "FORMS_DIR": "forms",
    "MEDIA_DIR": None,  # resolved against the instance folder
    "MAX_CONTENT_LENGTH": 100_000_000,
    "PUBLIC_URL": None,
    "REALM": "VssID",
    "DIGEST": True,
    "DIGEST_NONCE_TTL": 3600,
    "DEFAULT_CAMPAIGN": "vssid",
    "CONSUMERS_INTERVAL_SECONDS": 1.0,
    "SETTLE_SECONDS": 10.0,
    "STATEMENT_TIMEOUT_SECONDS": 30.0,
    # Per-account quotas, far above a campaign's busiest collector or Kobo project (a phone
    # sends a few hundred records a day): they stop garbage filling the log, nothing else.
    "SUBMISSIONS_PER_HOUR": 2000,
    "SUBMISSION_BYTES_PER_DAY": 2_000_000_000,
    # Events out (DESIGN §8).
    "HOOKS_RETRY_BASE_SECONDS": 60.0,
    "HOOKS_INTERVAL_SECONDS": 2.0,
    "HOOKS_CONCURRENCY": 8,
    "SMTP_URL": None,
    "DIGEST_HOUR": 17,
    # Public self-report links (no account): a unit's staff in an hour, with room to spare.
    "SELFREPORT_POSTS_PER_LINK": 600,
    "SELFREPORT_POSTS_PER_ADDRESS": 120,
    # The audit trail of personal-data views (Law 91/2025): five years.
    "AUDIT_RETENTION_DAYS": 1825,
}


def resolve(config: dict[str, Any], instance_path: str) -> None:
    """Fill the defaults that depend on the instance folder."""
    instance = Path(instance_path)
    if not config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'vssid.sqlite3'}"
    if not config.get("MEDIA_DIR"):
        config["MEDIA_DIR"] = str(instance / "media")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    config["MAX_CONTENT_LENGTH"] = int(config["MAX_CONTENT_LENGTH"])
    config["DIGEST"] = _switch("DIGEST", config.get("DIGEST", True))
    config["DIGEST_NONCE_TTL"] = int(config["DIGEST_NONCE_TTL"])
    config["SUBMISSIONS_PER_HOUR"] = int(config["SUBMISSIONS_PER_HOUR"])
    config["SUBMISSION_BYTES_PER_DAY"] = int(config["SUBMISSION_BYTES_PER_DAY"])
    config["HOOKS_RETRY_BASE_SECONDS"] = float(config["HOOKS_RETRY_BASE_SECONDS"])
    config["HOOKS_CONCURRENCY"] = max(1, int(config["HOOKS_CONCURRENCY"]))
    config["DIGEST_HOUR"] = int(config["DIGEST_HOUR"])
    if not 0 <= config["DIGEST_HOUR"] <= 23:
        raise ValueError(f"VSSID_DIGEST_HOUR must be 0-23, not {config['DIGEST_HOUR']}")
    config["SELFREPORT_POSTS_PER_LINK"] = int(config["SELFREPORT_POSTS_PER_LINK"])
    config["SELFREPORT_POSTS_PER_ADDRESS"] = int(config["SELFREPORT_POSTS_PER_ADDRESS"])
    config["AUDIT_RETENTION_DAYS"] = int(config["AUDIT_RETENTION_DAYS"])
    if config["AUDIT_RETENTION_DAYS"] < 1:
        raise ValueError(
            f"VSSID_AUDIT_RETENTION_DAYS must be 1 or more, not {config['AUDIT_RETENTION_DAYS']}"
        )


#: A secret key shorter than this (or of fewer distinct characters) can be guessed or was
#: typed by hand: ``secrets.token_hex(32)`` gives 64 characters of 16 kinds.
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 8


def weak_secret(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and nonces, or None if it is not."""
    if len(key) < SECRET_MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {SECRET_MIN_LENGTH}"
    if len(set(key)) < SECRET_MIN_DISTINCT:
        return f"it uses only {len(set(key))} different characters"
    return None


def _switch(name: str, value: object) -> bool:
    """``on``/``off`` (or true/false, yes/no, 1/0) as a bool; anything else is refused."""
    if isinstance(value, bool | int):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"on", "true", "yes", "1"}:
        return True
    if text in {"off", "false", "no", "0"}:
        return False
    raise ValueError(f"VSSID_{name} must be 'on' or 'off', not {value!r}")


def _instance_secret(path: Path) -> str:
    """A random key kept in the instance folder, so every worker and restart shares it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
