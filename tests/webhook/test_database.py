"""The request's session: a connection lost under a request never turns its answer into a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext

from tests.conftest import PASSWORD


@pytest.mark.usefixtures("published")
def test_connection_lost_at_closing_rollback__answer_kept(
    app: Flask, client: FlaskClient, collector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = app.extensions["vssid.db"].engine
    dbapi = engine.dialect.loaded_dbapi

    def lost(_connection: object) -> None:
        raise dbapi.OperationalError("server closed the connection unexpectedly")

    def is_disconnect(context: ExceptionContext) -> None:
        context.is_disconnect = True  # as the driver reports a connection the server cut

    monkeypatch.setattr(engine.dialect, "do_rollback", lost)
    event.listen(engine, "handle_error", is_disconnect)
    try:
        response = client.open("/submission", method="HEAD", auth=(collector, PASSWORD))
    finally:
        event.remove(engine, "handle_error", is_disconnect)
        monkeypatch.undo()

    assert response.status_code == 204  # the teardown's failed ROLLBACK was not the answer
    assert client.open("/submission", method="HEAD", auth=(collector, PASSWORD)).status_code == 204
