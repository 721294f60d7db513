"""The request's session: a connection lost under a request never turns its answer into a 500."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext

from ingest.db import limit_statements, make_engine
from tests.conftest import PASSWORD
from tests.wire import post_collect


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


@pytest.mark.usefixtures("published")
def test_statement_timeout__locked_table__503_retry_later_then_lands(
    app: Flask, client: FlaskClient, collector: str, database_url: str
) -> None:
    """A table locked by someone else (a migration, a forgotten ``psql`` session): the server
    answers "retry later" within its statement timeout instead of hanging, and the retry lands
    once the lock is gone."""
    engine = app.extensions["vssid.db"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's (SQLite waits its busy timeout)")
    limit_statements(engine, 0.5)
    engine.dispose()  # connections opened from now on carry the limit
    other = make_engine(database_url)
    auth = (collector, PASSWORD)
    try:
        with other.begin() as locker:
            # Should the limit not work, PostgreSQL ends this idle session after 10 s and the
            # test fails on the request's late success instead of hanging.
            locker.execute(text("SET LOCAL idle_in_transaction_session_timeout = '10s'"))
            locker.execute(text("LOCK TABLE form IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            refused = post_collect(client, "collect_install_with_photo", auth)
            waited = time.monotonic() - started
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) > 0
        assert "X-OpenRosa-Version" in refused.headers  # Collect reads it as a server answer
        assert waited < 5
        landed = post_collect(client, "collect_install_with_photo", auth)
        assert landed.status_code == 201
    finally:
        other.dispose()
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW statement_timeout")) == "500ms"
        count = "SELECT count(*) FROM submission WHERE error_code IS NULL"
        assert connection.scalar(text(count)) == 1


def test_statement_timeout__sqlite__no_op(app: Flask) -> None:
    engine = app.extensions["vssid.db"].engine
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    listeners = len(engine.pool.dispatch.connect)
    limit_statements(engine, 0.5)
    assert len(engine.pool.dispatch.connect) == listeners  # nothing added to run on SQLite
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1
