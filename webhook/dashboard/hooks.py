"""Outgoing webhooks (``/hooks``, administrators only): each subscription (never its secret)
with its deliveries per state, the latest attempts (status, time, answer), and a button that
sends a delivery again. Subscriptions are added and removed with ``vssid hooks``."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from ingest import errors as ingest_errors
from ingest.outbox import delivery, subscriptions
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _
from webhook.dashboard.scope import page
from webhook.database import commit_now, get_session

#: Attempts shown on the page.
RECENT = 100


@bp.get("/hooks")
@page("manage_hooks")
def hooks_page() -> str:
    """The subscriptions and the latest attempts."""
    session = get_session()
    return render_template(
        "dashboard/hooks.html",
        hooks=subscriptions.listing(session),
        attempts=subscriptions.attempts(session, limit=RECENT),
    )


@bp.post("/hooks/deliveries/<int:delivery_id>/redeliver")
@page("manage_hooks")
def hook_redeliver(delivery_id: int) -> Response:
    """Make a delivery due now: the delivery thread sends it within seconds."""
    try:
        commit_now(lambda session: delivery.redeliver(session, delivery_id))
    except ingest_errors.NotFound:
        raise NotFound(_("Không có lần gửi này.")) from None
    flash(_("Đã xếp lần gửi số {id} để gửi lại ngay.", id=delivery_id), "success")
    return redirect(url_for("dashboard.hooks_page"))
