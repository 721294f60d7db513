"""The set of known unit codes, read once per process and database.

Validating a submission asks whether its unit exists; reading every unit code (10,000
nationally) for each submission would cost more than validating it. Units are only ever added
or updated, never deleted (``units import`` never deletes), so a code once seen stays valid; a
code not seen yet is looked up by :func:`knowing` when a submission names it, which is how a
units import is seen by the next submission. (A unit deleted by hand in the database is seen
after a restart.)
"""

from __future__ import annotations

import weakref
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ingest.models import Unit


@dataclass(frozen=True, slots=True)
class UnitCodes:
    """The unit codes known when it was read."""

    codes: frozenset[str] = field(default_factory=frozenset)


#: Unit codes per database (engine).
_codes: weakref.WeakKeyDictionary[Engine, frozenset[str]] = weakref.WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    return session.get_bind().engine


def load(session: Session) -> UnitCodes:
    """The known unit codes (read from the database once per process)."""
    engine = _engine(session)
    codes = _codes.get(engine)
    if codes is None:
        codes = frozenset(session.scalars(select(Unit.code)))
        _codes[engine] = codes
    return UnitCodes(codes)


def knowing(session: Session, known: UnitCodes, codes: Collection[str]) -> UnitCodes:
    """``known``, or a newer set if some of ``codes`` were added since it was read."""
    unseen = [code for code in codes if code not in known.codes]
    if not unseen:
        return known
    found = set(session.scalars(select(Unit.code).where(Unit.code.in_(unseen))))
    if not found:
        return known
    engine = _engine(session)
    merged = _codes.get(engine, frozenset()) | known.codes | found
    _codes[engine] = merged
    return UnitCodes(merged)
