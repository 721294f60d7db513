"""URL converters of the app: ``<int:…>`` is a database id, bounded to what a database holds."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id: ids are INTEGER columns, PostgreSQL's 4-byte integer (SQLAlchemy binds
#: the value as one, so a larger number is an error there, and past 2**63 one on SQLite).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` with an upper bound: a larger number matches no route (404) instead of
    reaching the database driver, which cannot bind it (SQLite: OverflowError, a 500)."""

    regex = r"[0-9]+"  # \d would also take other scripts' digits: /submissions/１ is not 1

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
