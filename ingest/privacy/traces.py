"""Searching the whole database and media store for a person: what an erasure must leave
none of, and what an administrator checks after one.

Every text, JSON and binary column of every table is searched for each value as typed, and
as JSON writes it with non-ASCII characters escaped (``Nguy\\u1ec5n``); every media file's
bytes are searched too (not the forms themselves: :data:`NOT_SEARCHED`). The search reads
everything: it is for a request, not a page view.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from ingest.db import Base
from ingest.privacy.erasure import contains

#: Columns that hold forms, not people: a form's hint may give an example phone number.
NOT_SEARCHED = frozenset({"form_version.xml", "form_attachment.content"})


@dataclass(frozen=True, slots=True)
class Trace:
    """Where a searched value still is: a table's column (rows), or a media file."""

    where: str
    rows: int


def _forms(value: str) -> set[str]:
    """A value as typed and as JSON writes it (non-ASCII escaped)."""
    return {value, json.dumps(value)[1:-1]}


def find(session: Session, values: Iterable[str], media_dir: Path | None = None) -> list[Trace]:
    """Where any of ``values`` (identifiers, names) is still held."""
    needles = sorted({
        form for value in values if value.strip() and value.isprintable()
        for form in _forms(value.strip())
    })  # fmt: skip
    if not needles:
        return []
    found: list[Trace] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if f"{table.name}.{column.name}" in NOT_SEARCHED:
                continue
            target: Any
            if isinstance(column.type, LargeBinary | String | Text):
                target = column
            elif isinstance(column.type, JSON):
                target = cast(column, Text)
            else:
                continue
            rows = session.scalar(
                select(func.count()).select_from(table)
                .where(or_(*(contains(session, target, needle) for needle in needles)))
            )  # fmt: skip
            if rows:
                found.append(Trace(f"{table.name}.{column.name}", rows))
    if media_dir is not None and media_dir.is_dir():
        encoded = [n.encode("utf-8") for n in needles]
        for path in sorted(p for p in media_dir.rglob("*") if p.is_file()):
            data = path.read_bytes()
            if any(n in data for n in encoded) or any(n in path.name for n in needles):
                found.append(Trace(f"media:{path.relative_to(media_dir)}", 1))
    return found
