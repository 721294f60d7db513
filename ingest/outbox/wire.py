"""The wire of an outgoing event (DESIGN §8, a contract): the JSON body, the headers, and
the signature a receiver checks.

Body: ``{"id", "type", "created_at", "campaign", "data"}``, UTF-8 JSON with sorted keys, so
the same event gives the same bytes on every attempt. Headers: ``X-Vssid-Event`` (the type),
``X-Vssid-Delivery`` (the event id, the same on every retry), ``X-Vssid-Timestamp`` (Unix
seconds of this attempt) and ``X-Vssid-Signature: sha256=<hex HMAC-SHA256(secret,
timestamp + "." + body)>``. Signing the timestamp with the body lets a receiver refuse an
old request replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

#: What a personal value is replaced by for a subscription not allowed it.
HIDDEN = "***"


def body(
    event_id: str,
    event_type: str,
    created_at: datetime,
    campaign: str | None,
    data: Mapping[str, Any],
    hidden: Collection[str] = (),
) -> bytes:
    """The request body of an event; the keys in ``hidden`` are masked in ``data``."""
    shown = {k: (HIDDEN if k in hidden and v is not None else v) for k, v in data.items()}
    document = {
        "id": event_id,
        "type": event_type,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "campaign": campaign,
        "data": shown,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = str(timestamp).encode() + b"." + payload
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(
    secret: str, event_id: str, event_type: str, timestamp: int, payload: bytes
) -> dict[str, str]:
    """The request headers of one attempt."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "vssid-hooks/1",
        "X-Vssid-Event": event_type,
        "X-Vssid-Delivery": event_id,
        "X-Vssid-Timestamp": str(timestamp),
        "X-Vssid-Signature": signature(secret, timestamp, payload),
    }


def verify(
    secret: str, timestamp: str, payload: bytes, signed: str, now: float, tolerance: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        when = int(timestamp)
    except ValueError:
        return False
    if abs(now - when) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, when, payload), signed)
