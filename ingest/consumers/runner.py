"""Consumers of the log: cursors, batches, and who applies a batch when several processes run.

The log has three streams, each an append-only table: ``submission`` (what arrived, with
intake's verdict), ``review`` (reviewers' decisions) and ``roster_import`` (rosters as
imported). A :class:`Consumer` follows some of them: it is handed a :class:`Batch` of new
rows' ids, applies them to the tables it derives, and its cursor moves past them, in one
transaction that the runner owns. Consumers must be idempotent (applying an entry twice
leaves what applying it once leaves): a batch whose transaction failed is applied again.

Positions. A row's position is ``(tx, id)``. On PostgreSQL ``tx`` is the id of the transaction
that wrote it, and a consumer reads only rows whose transaction is older than every
transaction still running (``pg_snapshot_xmin``): ids are handed out at INSERT but rows become
visible at COMMIT, so reading by id alone would skip a row that commits late with a low id.
On SQLite one writer at a time commits, so ids are in commit order and ``tx`` is 0.

Arbitration. A batch is applied under the consumer's lock: on PostgreSQL a transaction-scoped
advisory lock (another process skips, or waits when asked to), on SQLite the write lock that
``BEGIN IMMEDIATE`` takes. So several server processes and ``vssid consumers run`` on several
machines may all run the consumers; each batch is applied once.

Order. A consumer may follow another (``after``): it then reads a stream only up to where the
other has applied it, so cross-record rules see the projection's records and tallies see the
rules' flags. A consumer with a ``rebuild`` starts, when it has no cursor at all, by building
its tables at once from what it follows (cheaper than replaying the log into them).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, text, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.db import begin_write, upsert, utcnow
from ingest.models import ConsumerCursor, Review, RosterImport, Submission

log = logging.getLogger(__name__)

SUBMISSIONS = "submission"
REVIEWS = "review"
ROSTERS = "roster_import"
STREAMS: dict[str, Table] = {
    SUBMISSIONS: cast(Table, Submission.__table__),
    REVIEWS: cast(Table, Review.__table__),
    ROSTERS: cast(Table, RosterImport.__table__),
}
#: Log entries per batch: one transaction each.
BATCH = 1000
#: The advisory locks' namespace (PostgreSQL's two-key form: this, then the consumer's key).
LOCK_SPACE = 7_510_002

Position = tuple[int, int]  # (tx, id)
ZERO: Position = (0, 0)


@dataclass(frozen=True, slots=True)
class Batch:
    """New log entries for one consumer: ids per stream, in log order."""

    ids: Mapping[str, Sequence[int]]

    def of(self, stream: str) -> Sequence[int]:
        return self.ids.get(stream, ())

    def __len__(self) -> int:
        return sum(len(ids) for ids in self.ids.values())


@dataclass(frozen=True, slots=True)
class Consumer:
    """Something derived from the log, applied batch by batch.

    ``apply(session, batch)`` brings what the consumer derives up to date with ``batch`` (and
    must not commit: the runner does). ``rebuild(session)``, if given, builds it from nothing
    out of what the consumers it follows have built; ``reset(session)`` empties it for a
    replay (``vssid reprocess``). A consumer without ``reset`` is never replayed (an outbox
    must not send again what it sent).
    """

    name: str
    apply: Callable[[Session, Batch], None]
    streams: tuple[str, ...] = (SUBMISSIONS,)
    after: str | None = None
    rebuild: Callable[[Session], object] | None = None
    reset: Callable[[Session], None] | None = None
    #: Called, in a transaction of its own, for one entry that cannot be applied (a bug):
    #: the runner then moves past it, so one bad entry never stops the consumer.
    failed: Callable[[Session, str, int], None] | None = None
    lock_key: int = field(init=False)

    def __post_init__(self) -> None:
        unknown = set(self.streams) - set(STREAMS)
        if unknown:
            raise ValueError(f"consumer {self.name!r} follows unknown streams {sorted(unknown)}")
        key = zlib.crc32(self.name.encode("utf-8")) - 2**31  # PostgreSQL's int4
        object.__setattr__(self, "lock_key", key)


@dataclass(frozen=True, slots=True)
class Lag:
    """One consumer's place in one stream: where it is, where the log ends, how far behind."""

    consumer: str
    stream: str
    position: Position
    head: Position
    behind: int
    applied: int


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _cursors(session: Session, name: str) -> dict[str, tuple[Position, int]]:
    rows = session.execute(
        select(
            ConsumerCursor.stream, ConsumerCursor.tx, ConsumerCursor.position,
            ConsumerCursor.applied,
        ).where(ConsumerCursor.consumer == name)
    )  # fmt: skip
    return {stream: ((tx, position), applied) for stream, tx, position, applied in rows}


def _head(session: Session, stream: str) -> Position:
    """The last position of ``stream`` that a consumer may read now."""
    table = STREAMS[stream]
    row = session.execute(
        select(table.c.tx, table.c.id)
        .where(_visible(session, table))
        .order_by(table.c.tx.desc(), table.c.id.desc())
        .limit(1)
    ).first()
    return ZERO if row is None else (row[0], row[1])


def _visible(session: Session, table: Table) -> Any:
    """Rows whose transaction ended before every one still running (PostgreSQL)."""
    if not _is_pg(session):
        return True
    return table.c.tx < text("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")


def _beyond(session: Session, table: Table, position: Position) -> Any:
    """SQL selecting the rows after ``position``. PostgreSQL compares the pair ``(tx, id)``
    along its index; SQLite would use only ``tx`` of a pair and walk the whole log index, and
    its ``tx`` is always 0 (one writer at a time), so there it is ``tx = 0 AND id > n``."""
    if _is_pg(session):
        return tuple_(table.c.tx, table.c.id) > tuple_(*position)
    return (table.c.tx == position[0]) & (table.c.id > position[1])


def _read(
    session: Session, stream: str, after: Position, upto: Position | None, limit: int
) -> list[Position]:
    table = STREAMS[stream]
    query = (
        select(table.c.tx, table.c.id)
        .where(_beyond(session, table, after), _visible(session, table))
        .order_by(table.c.tx, table.c.id)
        .limit(limit)
    )
    if upto is not None:
        query = query.where(~_beyond(session, table, upto))
    return [(tx, row_id) for tx, row_id in session.execute(query)]


def _save(session: Session, name: str, stream: str, position: Position, applied: int) -> None:
    statement = upsert(session.get_bind().dialect)(ConsumerCursor)
    values = {
        "consumer": name, "stream": stream, "tx": position[0], "position": position[1],
        "applied": applied, "updated_at": utcnow(),
    }  # fmt: skip
    session.execute(
        statement.values(**values).on_conflict_do_update(
            index_elements=["consumer", "stream"],
            set_={k: v for k, v in values.items() if k not in ("consumer", "stream")},
        )
    )


def _lock(session: Session, consumer: Consumer, wait: bool) -> bool:
    """Take ``consumer``'s lock for this transaction (False: another process holds it)."""
    begin_write(session)  # SQLite: BEGIN IMMEDIATE, one writer at a time
    if not _is_pg(session):
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    taken = session.scalar(
        text(f"SELECT {function}(:space, :key)"), {"space": LOCK_SPACE, "key": consumer.lock_key}
    )
    return wait or bool(taken)


class Pipeline:
    """The registered consumers, in order, and how to run them."""

    def __init__(self, consumers: Iterable[Consumer]) -> None:
        self.consumers = tuple(consumers)
        names = [c.name for c in self.consumers]
        if len(set(names)) != len(names):
            raise ValueError(f"two consumers share a name: {names}")
        self.by_name = {c.name: c for c in self.consumers}
        for consumer in self.consumers:
            if consumer.after is not None and consumer.after not in self.by_name:
                raise ValueError(f"{consumer.name!r} follows unknown {consumer.after!r}")
            if consumer.after is not None and names.index(consumer.after) > names.index(
                consumer.name
            ):
                raise ValueError(f"{consumer.name!r} is registered before {consumer.after!r}")

    def _limits(self, session: Session, consumer: Consumer) -> dict[str, Position | None]:
        """How far ``consumer`` may read each stream: up to its upstream's cursor."""
        if consumer.after is None:
            return dict.fromkeys(consumer.streams)
        upstream = self.by_name[consumer.after]
        theirs = _cursors(session, upstream.name)
        return {
            s: (theirs.get(s, (ZERO, 0))[0] if s in upstream.streams else None)
            for s in consumer.streams
        }

    def run_batch(
        self, sessions: sessionmaker[Session], consumer: Consumer, limit: int = BATCH,
        wait: bool = False,
    ) -> int:  # fmt: skip
        """Apply ``consumer``'s next batch in its own transaction; the entries applied (0: none
        pending, or another process holds the consumer; -1 only when it holds it and not
        ``wait``)."""
        with sessions() as session:
            try:
                # Idle consumers take no write lock (SQLite has one for the whole database).
                idle = not self._has_work(session, consumer)
                session.rollback()  # the check's read transaction: the batch begins anew
                if idle:
                    return 0
                if not _lock(session, consumer, wait):
                    session.rollback()
                    return -1
                done = self._apply(session, consumer, limit)
                session.commit()
            except SQLAlchemyError:
                session.rollback()
                raise  # the database is the problem: the batch is applied again later
            except Exception:
                session.rollback()
                if limit > 1:  # find the entry that fails, applying the others
                    return self.run_batch(sessions, consumer, max(1, limit // 8), wait)
                log.exception("consumer %s cannot apply its next log entry", consumer.name)
                return self._skip(sessions, consumer, wait)
            except BaseException:
                session.rollback()
                raise
        return done

    def _skip(self, sessions: sessionmaker[Session], consumer: Consumer, wait: bool) -> int:
        """Move ``consumer`` past the one entry it cannot apply, telling it which."""
        with sessions() as session:
            if not _lock(session, consumer, wait):
                session.rollback()
                return -1
            cursors = _cursors(session, consumer.name)
            limits = self._limits(session, consumer)
            for stream in consumer.streams:
                position, applied = cursors.get(stream, (ZERO, 0))
                rows = _read(session, stream, position, limits[stream], 1)
                if rows:
                    if consumer.failed is not None:
                        consumer.failed(session, stream, rows[0][1])
                    _save(session, consumer.name, stream, rows[0], applied + 1)
                    session.commit()
                    return 1
            session.rollback()
            return 0

    def _has_work(self, session: Session, consumer: Consumer) -> bool:
        """Whether ``consumer`` has something to apply (read-only: a few index probes)."""
        cursors = _cursors(session, consumer.name)
        if not cursors and consumer.rebuild is not None:
            return True
        limits = self._limits(session, consumer)
        return any(
            _read(session, s, cursors.get(s, (ZERO, 0))[0], limits[s], 1) for s in consumer.streams
        )

    def _apply(self, session: Session, consumer: Consumer, limit: int) -> int:
        cursors = _cursors(session, consumer.name)
        limits = self._limits(session, consumer)
        if not cursors and consumer.rebuild is not None:
            # From nothing: build at once, then go on from where the upstream is.
            heads = {s: limits[s] or _head(session, s) for s in consumer.streams}
            consumer.rebuild(session)
            for stream, head in heads.items():
                _save(session, consumer.name, stream, head, 0)
            return max(1, sum(1 for h in heads.values() if h != ZERO))
        read: dict[str, list[Position]] = {}
        for stream in consumer.streams:
            after = cursors.get(stream, (ZERO, 0))[0]
            read[stream] = _read(session, stream, after, limits[stream], limit)
        batch = Batch({s: [row_id for _tx, row_id in rows] for s, rows in read.items() if rows})
        if not len(batch):
            return 0
        consumer.apply(session, batch)
        for stream, rows in read.items():
            if rows:
                applied = cursors.get(stream, (ZERO, 0))[1] + len(rows)
                _save(session, consumer.name, stream, rows[-1], applied)
        return len(batch)

    def run_until_idle(
        self, sessions: sessionmaker[Session], limit: int = BATCH, wait: bool = False,
        deadline: float | None = None, progress: Callable[[str, int], None] | None = None,
        parallel: bool = False,
    ) -> int:  # fmt: skip
        """Run every consumer until none has anything left (or ``deadline``, a
        ``time.monotonic()`` value, passes); the entries applied.

        In order, one after the other; or, with ``parallel``, the consumers that follow the
        same one side by side, each on a connection of its own (a replay: the persons, one
        SQL statement, are built while the tallies' Python works)."""
        total = 0
        for level in self.levels() if parallel else [[c] for c in self.consumers]:
            if len(level) == 1:
                total += self._drain(sessions, level[0], limit, wait, deadline, progress)
                continue
            with ThreadPoolExecutor(len(level), thread_name_prefix="consumer") as pool:
                futures = [
                    pool.submit(self._drain, sessions, c, limit, wait, deadline, progress)
                    for c in level
                ]
                total += sum(future.result() for future in futures)
        return total

    def levels(self) -> list[list[Consumer]]:
        """The consumers in groups that may run side by side: each after the group holding
        the consumer it follows."""
        depth: dict[str, int] = {}
        for consumer in self.consumers:
            depth[consumer.name] = 0 if consumer.after is None else depth[consumer.after] + 1
        grouped: dict[int, list[Consumer]] = {}
        for consumer in self.consumers:
            grouped.setdefault(depth[consumer.name], []).append(consumer)
        return [grouped[d] for d in sorted(grouped)]

    def _drain(
        self, sessions: sessionmaker[Session], consumer: Consumer, limit: int, wait: bool,
        deadline: float | None, progress: Callable[[str, int], None] | None,
    ) -> int:  # fmt: skip
        total = 0
        while deadline is None or time.monotonic() < deadline:
            done = self.run_batch(sessions, consumer, limit, wait)
            if done <= 0:
                break
            total += done
            if progress is not None:
                progress(consumer.name, done)
        return total

    def pending(self, session: Session) -> bool:
        """Whether some consumer has not applied the end of a stream it follows (two small
        queries: the streams' ends and the cursors)."""
        heads = {s: _head(session, s) for s in STREAMS}
        rows = session.execute(
            select(ConsumerCursor.consumer, ConsumerCursor.stream, ConsumerCursor.tx,
                   ConsumerCursor.position)
        ).all()  # fmt: skip
        at = {(c, s): (tx, p) for c, s, tx, p in rows}
        return any(
            at.get((c.name, s), ZERO) < heads[s]
            for c in self.consumers
            for s in c.streams
            if heads[s] != ZERO
        )

    def settle(self, sessions: sessionmaker[Session], seconds: float = 10.0) -> bool:
        """Read-your-writes: apply what is pending, waiting for other processes' batches, for
        at most ``seconds``; True when nothing is left."""
        with sessions() as session:
            if not self.pending(session):
                return True
        self.run_until_idle(sessions, wait=True, deadline=time.monotonic() + seconds)
        with sessions() as session:
            return not self.pending(session)

    def lag(self, session: Session) -> list[Lag]:
        """Each consumer's position, the log's end and the entries in between, per stream."""
        out = []
        for consumer in self.consumers:
            cursors = _cursors(session, consumer.name)
            for stream in consumer.streams:
                table = STREAMS[stream]
                position, applied = cursors.get(stream, (ZERO, 0))
                behind = session.scalar(
                    select(func.count()).select_from(table).where(_beyond(session, table, position))
                )
                out.append(
                    Lag(consumer.name, stream, position, _head(session, stream), behind or 0,
                        applied)
                )  # fmt: skip
        return out

    def rewind(self, session: Session) -> list[str]:
        """Empty what the replayable consumers derived and drop their cursors, so that running
        them replays the log (``vssid reprocess``); the caller commits. Their names."""
        names = []
        for consumer in reversed(self.consumers):
            if consumer.reset is None:
                continue
            consumer.reset(session)
            session.execute(delete(ConsumerCursor).where(ConsumerCursor.consumer == consumer.name))
            names.append(consumer.name)
        return names[::-1]


def hold(session: Session, consumers: Iterable[Consumer], *, begun: bool = False) -> None:
    """Take every one of ``consumers``' locks for this transaction, waiting for each: while
    it lasts no consumer applies a batch (an erasure rewrites the log and what they derived
    from it at once: ``ingest.privacy.erasure``). Call it before the first statement, or
    right after ``begin_write`` (``begun``)."""
    if not begun:
        begin_write(session)  # SQLite: BEGIN IMMEDIATE, which no consumer gets past
    if not _is_pg(session):
        return
    for consumer in consumers:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": LOCK_SPACE, "key": consumer.lock_key},
        )
