"""Server-side pages of a long table (the coverage page's units at national scale).

At 10,000 units the whole table was 6.8 MB of HTML; a page shows ``per_page`` rows of the
report's own order (``?page=N&per_page=M``), and the totals stay those of every unit. The links
keep the view's campaign, date and filters (``View.args``); a filter form starts again at page 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import request
from werkzeug.exceptions import BadRequest

from webhook.dashboard.i18n import _

#: Rows per page unless asked otherwise, and the most a page may hold.
PER_PAGE = 100
MAX_PER_PAGE = 1000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` (from 1) of ``count`` rows, ``per_page`` at a time."""

    number: int
    per_page: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def first_row(self) -> int:
        """The first row's position on this page, from 1 (0 when there are none)."""
        return min((self.number - 1) * self.per_page + 1, self.count)

    @property
    def last_row(self) -> int:
        return min(self.number * self.per_page, self.count)

    def rows(self, items: Sequence[T]) -> Sequence[T]:
        """This page's part of ``items`` (all the rows, in order)."""
        return items[(self.number - 1) * self.per_page : self.number * self.per_page]

    def links(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and ``around`` on each side of this
        one; None where numbers are left out."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    def args(self, number: int) -> dict[str, int]:
        """Query arguments for page ``number`` (``per_page`` only when not the default)."""
        values = {"page": number}
        if self.per_page != PER_PAGE:
            values["per_page"] = self.per_page
        return values


def page_from_request(count: int) -> Page:
    """The page asked for by ``?page=&per_page=`` over ``count`` rows (400 when malformed; a
    page past the end shows the last one, since filters change how many pages there are)."""
    per_page = _number("per_page", PER_PAGE)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(
            _(
                "Số dòng mỗi trang phải từ 1 đến {most}: {value}",
                most=MAX_PER_PAGE,
                value=per_page,
            )
        )
    number = _number("page", 1)
    if number < 1:
        raise BadRequest(_("Số trang phải từ 1 trở lên: {value}", value=number))
    page = Page(number, per_page, count)
    return page if number <= page.pages else Page(page.pages, per_page, count)


def _number(name: str, default: int) -> int:
    raw = request.args.get(name) or ""
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(
            _("Giá trị không hợp lệ cho {name}: {value}", name=name, value=raw)
        ) from None
