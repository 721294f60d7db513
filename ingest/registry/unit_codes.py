"""The submission log's subscribers: everything derived from a submission listens here.

Intake publishes each stored submission (and the one an edit supersedes) in the same
transaction; ``vssid reprocess`` publishes the whole log again. A new consumer (a
notification when a unit reaches its target, an export to another system) subscribes
without touching intake. Subscribers run in order of subscription and must be idempotent:
publishing a submission twice leaves the same state as once.

Intake has just parsed what it stored: it hands the parsed instance over (:func:`hand_over`)
so that subscribers need not parse the payload again (:func:`handed_over`), and says whether
the submission is new in this transaction, so that nothing can refer to it yet.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ingest.models import Submission, Unit

if TYPE_CHECKING:
    from ingest.forms.formspec import FormSpec
    from ingest.submissions.parse import Instance


@dataclass(slots=True)
class Registry:
    """What subscribers may want to know of the world, looked up once per batch."""

    unit_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A submission as intake read it: its instance and the spec of its form version.

    ``new``: stored in this very transaction, so no review, status or record refers to it.
    """

    instance: Instance
    spec: FormSpec
    new: bool = False


Subscriber = Callable[[Session, Submission, Registry], None]
_subscribers: list[Subscriber] = []
_HANDED = "vssid.events.parsed"


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register ``subscriber`` (usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish(session: Session, submissions: Iterable[Submission], registry: Registry) -> None:
    """Hand each submission to every subscriber, in order."""
    try:
        for submission in submissions:
            for subscriber in _subscribers:
                subscriber(session, submission, registry)
    finally:
        session.info.pop(_HANDED, None)


def hand_over(session: Session, submission: Submission, parsed: Parsed) -> None:
    """Let the subscribers of the next :func:`publish` use ``parsed`` for ``submission``."""
    session.info.setdefault(_HANDED, {})[submission.id] = parsed


def handed_over(session: Session, submission: Submission) -> Parsed | None:
    """What intake handed over for ``submission`` (None: read it from the log)."""
    handed: dict[int, Parsed] = session.info.get(_HANDED, {})
    return handed.get(submission.id)


#: Unit codes per database (engine), read once per process.
_codes: weakref.WeakKeyDictionary[Engine, frozenset[str]] = weakref.WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    return session.get_bind().engine


def load_registry(session: Session) -> Registry:
    """The :class:`Registry`: the unit codes, read once per process and database.

    Reading every unit code (10,000 nationally) for each submission would cost more than
    validating it. Units are only ever added or updated, never deleted (``units import``
    never deletes), so a code once seen stays valid; a code not seen yet is looked up by
    :func:`knowing` when a submission names it, which is how a units import is seen by the
    next submission. (A unit deleted by hand in the database is seen after a restart.)
    """
    engine = _engine(session)
    codes = _codes.get(engine)
    if codes is None:
        codes = frozenset(session.scalars(select(Unit.code)))
        _codes[engine] = codes
    return Registry(unit_codes=codes)


def knowing(session: Session, registry: Registry, codes: Collection[str]) -> Registry:
    """``registry``, or a newer one if some of ``codes`` were added since it was read."""
    unseen = [code for code in codes if code not in registry.unit_codes]
    if not unseen:
        return registry
    found = set(session.scalars(select(Unit.code).where(Unit.code.in_(unseen))))
    if not found:
        return registry
    engine = _engine(session)
    known = _codes.get(engine, frozenset()) | registry.unit_codes | found
    _codes[engine] = known
    return Registry(unit_codes=known)
