"""The submission log's subscribers: everything derived from a submission listens here.

Intake publishes each stored submission (and the one an edit supersedes) in the same
transaction; ``vssid reprocess`` publishes the whole log again. A new consumer (a
notification when a unit reaches its target, an export to another system) subscribes
without touching intake. Subscribers run in order of subscription and must be idempotent:
publishing a submission twice leaves the same state as once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ingest.models import Submission


@dataclass(slots=True)
class Registry:
    """What subscribers may want to know of the world, looked up once per batch."""

    unit_codes: frozenset[str] = field(default_factory=frozenset)


Subscriber = Callable[[Session, Submission, Registry], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register ``subscriber`` (usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def publish(session: Session, submissions: Iterable[Submission], registry: Registry) -> None:
    """Hand each submission to every subscriber, in order."""
    for submission in submissions:
        for subscriber in _subscribers:
            subscriber(session, submission, registry)


_cache: dict[tuple[object, ...], Registry] = {}


def load_registry(session: Session) -> Registry:
    """The :class:`Registry` as the database has it now.

    Reading every unit code for each submission would cost more than validating it, so the
    codes are kept per process and read again only when the registry's fingerprint (unit
    count and latest change) differs: a units import is seen by the next submission.
    """
    from sqlalchemy import func, select

    from ingest.models import Unit

    count, changed = session.execute(select(func.count(), func.max(Unit.updated_at))).one()
    key = (session.get_bind().engine.url.render_as_string(), count, changed)
    registry = _cache.get(key)
    if registry is None:
        registry = Registry(unit_codes=frozenset(session.scalars(select(Unit.code))))
        _cache.clear()
        _cache[key] = registry
    return registry
