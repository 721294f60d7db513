"""Text people typed, written into spreadsheets as text: the one writer every export uses.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
formula can send the sheet's data to another site (``HYPERLINK``, ``WEBSERVICE``) or, in old
Excel, run a program (DDE). A collector's name, a unit's name or an identifier is not ours to
trust, so DESIGN §10 keeps every such value text, as OWASP's "CSV Injection" page and ASVS 5
(1.2.10) advise, in CSV and in Excel alike: a value that starts with one of :data:`TRIGGERS`
gets a single quote in front (``=1+1`` becomes ``'=1+1``), which every spreadsheet shows as
text, and which shows the reader that the value was not what it seemed. The triggers are
OWASP's (``=``, ``+``, ``-``, ``@``, tab, carriage return), ASVS's NUL, the line feed (a line
break like the carriage return), and the full-width ``＝ ＋ － ＠``: LibreOffice 7.4 reads
those as text, but spreadsheets that fold full-width input (East Asian Excel) may not, and no
name or unit begins with one. Only text is touched: numbers we compute (counts, percentages,
a negative difference) stay numbers, and an identifier's leading zeros stay (``007``).

CSV (:func:`csv_bytes`): the spreadsheet, not the writer, decides where a cell starts. Excel
splits a ``.csv`` at the region's list separator, ``;`` where decimals take a comma (Vietnam
among them), and LibreOffice at what the person ticks; LibreOffice 7.4 told to split at ``;``
cuts inside quoted fields too, and shows a field ``a;=1+1;b`` as a cell ``2``. So after a ``,``,
a ``;``, a tab or a line break a formula's first character is neutralised as at the start
(:func:`csv_text`). Text fields are quoted as OWASP advises, numbers are not (so that they
stay numbers).

Excel (:func:`put`): openpyxl makes a formula of any string that starts with ``=`` and an error
of ``#N/A``; the writer sets the cell's type to text after the value, for every string, ours
included (a campaign's heading, a note that starts with "- "), so no cell of a report is ever a
formula. Values people typed (``typed=True``, the default) are also neutralised, so that they
stay text when someone edits the cell or saves the sheet as CSV. Characters XML cannot carry
(control characters openpyxl refuses) become U+FFFD: one odd name must not stop the report.

PDF (:func:`markup`): the same, and reportlab's markup characters escaped.

JSON and the terminal's table are not spreadsheets: they carry values as they are; nor is
``units.csv``, the form media phones read unit names from (``ingest.registry.units``), where a
quote would show on every phone.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: What starts a formula: OWASP's four, ASVS's NUL and their full-width forms.
FORMULA = "=+-@\x00＝＋－＠"
#: The first characters that make a spreadsheet read a cell as a formula or cut it (a tab, a
#: carriage return or a line feed ends the cell before, and a formula may follow).
TRIGGERS = frozenset(FORMULA + "\t\r\n")
#: What a neutralised value starts with: the spreadsheet's own "this is text" mark.
QUOTE = "'"
#: Where a spreadsheet may start a cell inside a CSV field: its start, and after a line break
#: or a separator Excel uses in some region ("," or ";") or LibreOffice offers first (a tab);
#: there, a tab or a line break is one more separator, and what follows it is looked at.
_CSV_CELL_START = re.compile(
    f"^(?=[{re.escape(''.join(sorted(TRIGGERS)))}])|(?<=[,;\t\r\n])(?=[{re.escape(FORMULA)}])"
)

#: The characters XML 1.0 cannot carry, which openpyxl refuses (its ``ILLEGAL_CHARACTERS_RE``).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = int | float | str | None


def text(value: str) -> str:
    """``value`` as a spreadsheet cell shows it as text: a quote before a leading trigger."""
    return QUOTE + value if value[:1] in TRIGGERS else value


def csv_text(value: str) -> str:
    """``value`` as a CSV field: neutralised at its start and after every separator."""
    return _CSV_CELL_START.sub(QUOTE, value)


def put(ws: Any, row: int, column: int, value: Cell, *, typed: bool = True) -> Any:
    """Write ``value`` into an openpyxl sheet's cell and return the cell: a string always as
    text (never a formula or an error), neutralised when a person ``typed`` it."""
    cell = ws.cell(row, column)
    if isinstance(value, str):
        value = _NOT_XML.sub("\ufffd", value)
        cell.value = text(value) if typed else value
        cell.data_type = "s"  # after the value: openpyxl made a formula of "=…"
    else:
        cell.value = value
    return cell


def markup(value: str, *, typed: bool = True) -> str:
    """``value`` for a PDF paragraph (reportlab's markup): neutralised when a person ``typed``
    it (a cell pasted from the PDF into a sheet stays text), characters XML cannot carry
    as U+FFFD, and ``&``, ``<``, ``>`` escaped, so a name never becomes markup."""
    value = _NOT_XML.sub("\ufffd", value)
    value = text(value) if typed else value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as CSV in UTF-8 with a BOM (so that Excel shows Vietnamese letters right),
    every text cell and header neutralised and quoted, numbers as they are."""
    from pandas.api.types import is_numeric_dtype

    table = table.rename(columns=lambda name: csv_text(str(name)))
    for column in table.columns:
        if not is_numeric_dtype(table[column]):
            table[column] = table[column].map(
                lambda v: csv_text(v) if isinstance(v, str) else v, na_action="ignore"
            )
    out = io.StringIO()
    table.to_csv(out, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")
