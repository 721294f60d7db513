"""Reading spreadsheets: CSV (any common encoding and delimiter) and XLSX, row by row.

Unit lists, rosters and bulk imports arrive as whatever an office exported. This module turns
either format into dictionaries keyed by canonical column names, keeping each row's number in
the file so a rejection can point at it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from ingest.errors import ErrorCode, InvalidInput

CSV_ENCODINGS = ("utf-8-sig", "cp1258", "latin-1")


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its line (CSV) or row (XLSX) number in the file, and its cells."""

    number: int
    cells: dict[str, str]


def normalise_header(text: str) -> str:
    """Lower-case, NFC, single spaces: ``' Mã  Đơn vị '`` -> ``'mã đơn vị'``."""
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    return " ".join(text.replace("_", " ").split())


def read_table(path: Path) -> tuple[list[str], Iterator[Row]]:
    """The header row as written, and the data rows keyed by those headers."""
    table = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
    header = next(table, None)
    if header is None:
        raise InvalidInput(ErrorCode.FILE_UNREADABLE, source=path.name, reason="empty file")
    headers = [_cell_text(h) for h in header]

    def rows() -> Iterator[Row]:
        for number, values in enumerate(table, start=2):
            cells = {
                name: _cell_text(value)
                for name, value in zip(headers, values, strict=False)
                if name
            }
            if any(cells.values()):
                yield Row(number, cells)

    return headers, rows()


def read_rows(
    path: Path, aliases: Mapping[str, str], required: tuple[str, ...] = ()
) -> Iterator[Row]:
    """Yield the rows of a CSV or XLSX file with headers mapped through ``aliases``.

    ``aliases`` maps normalised header text to a canonical column name. Unknown columns are
    ignored; a missing required column is an :class:`InvalidInput` before any row is read.
    """
    headers, rows = read_table(path)
    columns = {h: aliases.get(normalise_header(h)) for h in headers}
    missing = [c for c in required if c not in columns.values()]
    if missing:
        raise InvalidInput(
            ErrorCode.FILE_COLUMNS_MISSING, source=path.name, columns=", ".join(missing)
        )
    for row in rows:
        cells = {columns[h]: v for h, v in row.cells.items() if columns.get(h) is not None}
        if any(cells.values()):
            yield Row(row.number, cells)  # type: ignore[arg-type]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time(0):
        value = value.date()  # openpyxl reads date-only cells as midnight datetimes
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_csv(path: Path) -> Iterator[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(ErrorCode.FILE_UNREADABLE, source=path.name, reason=str(exc)) from exc
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _read_xlsx(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(
            ErrorCode.FILE_UNREADABLE, source=path.name, reason=f"not a readable XLSX ({exc})"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()
