"""Database plumbing: the declarative base, portable column types and engine set-up.

Everything here works the same on SQLite (the embedded default) and PostgreSQL (production):
timestamps are stored as UTC and come back timezone-aware on both, JSON becomes JSONB on
PostgreSQL, and constraint names follow one convention so Alembic diffs stay stable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Insert,
    MetaData,
    Table,
    any_,
    bindparam,
    create_engine,
    delete,
    event,
    false,
    insert,
    make_url,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Seconds to wait for PostgreSQL to accept a new connection. libpq waits forever by
#: default, so a database host that is silent (hung, or behind a network black hole) would
#: hang every request past the client's patience instead of answering 503 "retry later".
PG_CONNECT_TIMEOUT_S = 5


class Base(DeclarativeBase):
    """The one declarative base of the project."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime that survives SQLite (which has no time zones).

    Naive values are refused on the way in: a naive datetime is a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(UTC)
        # SQLite stores text: drop the offset so values sort and compare as strings.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's SQL: ``column`` holds one of ``values`` (plain words)."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets readers work while one writer writes; foreign keys are off by default in
    # SQLite; a busy timeout makes concurrent writers wait instead of failing at once.
    # pysqlite's own transaction handling breaks SAVEPOINT: turn it off and let SQLAlchemy
    # emit BEGIN itself (the recipe in SQLAlchemy's SQLite dialect documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Execution option marking a transaction that will write (see :func:`_sqlite_begin`).
WRITE_OPTIONS = {"vssid_write": True}


def _sqlite_begin(connection: Connection) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once with
    # "database is locked" if another writer committed in between: the busy timeout does
    # not apply to that upgrade. Writers therefore start with BEGIN IMMEDIATE and queue.
    immediate = connection.get_execution_options().get("vssid_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def limit_statements(engine: Engine, seconds: float) -> None:
    """Cancel any PostgreSQL statement of ``engine`` running longer than ``seconds`` (waiting
    for a lock included), on connections opened from now on; 0 or SQLite: no limit.

    The server sets it (``VSSID_STATEMENT_TIMEOUT_SECONDS``) so that a table locked by a
    migration or a forgotten ``psql`` session turns into "retry later" answers instead of
    requests hanging until gunicorn kills the worker. Commands run without it: a national
    rebuild may rightly run one long statement.
    """
    if seconds <= 0 or engine.dialect.name != "postgresql":
        return
    milliseconds = max(1, round(seconds * 1000))

    @event.listens_for(engine, "connect")
    def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {milliseconds}")
        dbapi_connection.commit()


def row_values(row: Base) -> dict[str, Any]:
    """The column values of an ORM object not in any session, for a Core INSERT (unset
    attributes are left out, so the columns' defaults apply)."""
    table = row.__table__
    return {c.key: v for c in table.columns if (v := getattr(row, c.key)) is not None}


def insert_row(connection: Connection, row: Base) -> None:
    """INSERT ``row`` with a Core statement: no unit of work.

    Intake's hot path writes rows nothing else in the session refers to (a just-stored
    submission, its attachments, review state, record, reasons and person); through the ORM
    each flush costs more than the statement (bench/RESULTS.md).
    """
    table = cast(Table, row.__table__)
    statement = _inserts.get(table)
    if statement is None:  # built once: building a statement costs about as much as running it
        statement = _inserts[table] = insert(table)
    connection.execute(statement, row_values(row))


_inserts: dict[Table, Insert] = {}


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows of ``table`` (all with the same keys) as fast as the database allows.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection (in its transaction),
    several times faster than an ``executemany`` of INSERTs, which psycopg sends row by row.
    Elsewhere: ``executemany``. JSON columns take Python lists and dicts on both.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    json_columns = {c.key for c in table.columns if isinstance(c.type, JSON)}
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(f'"{name}"' for name in names)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [json.dumps(row[n], ensure_ascii=False) if n in json_columns else row[n]
                 for n in names]
            )  # fmt: skip


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values`` for long lists: ``= ANY(array)`` on PostgreSQL (one parameter, so
    the statement is the same whatever the length, and cheap to send), ``IN (…)`` elsewhere."""
    if not values:
        return false()
    if session.get_bind().dialect.name != "postgresql":
        return cast(ColumnElement[bool], column.in_(list(values)))
    array = bindparam(None, list(values), type_=ARRAY(column.type))
    return cast(ColumnElement[bool], column == any_(array))


def upsert(dialect: Dialect) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The dialect's ``insert()`` with ``ON CONFLICT`` (PostgreSQL and SQLite only)."""
    return postgresql.insert if dialect.name == "postgresql" else sqlite.insert


def purge(session: Session, entity: Any, *where: ColumnElement[bool]) -> None:
    """DELETE the rows of ``entity`` (a mapped class with an ``id``-like primary key) that
    match ``where`` and that no other transaction is deleting: workers purging the same
    expired rows at once never wait on or deadlock each other (PostgreSQL's ``SKIP LOCKED``;
    SQLite has one writer at a time and no row locks)."""
    keys = list(entity.__table__.primary_key.columns)
    doomed = select(*keys).where(*where).with_for_update(skip_locked=True)
    if len(keys) == 1:
        session.execute(delete(entity).where(keys[0].in_(doomed)))
    else:
        session.execute(delete(entity).where(tuple_(*keys).in_(doomed)))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``, tuned for a multi-threaded server on either database."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S} | kwargs.get(
            "connect_args", {}
        )
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as a writer (``BEGIN IMMEDIATE`` on SQLite).

    Call it before the transaction's first statement.
    """
    session.connection(execution_options=WRITE_OPTIONS)
