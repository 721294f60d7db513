"""Vietnamese alphabetical order: the Unicode Collation Algorithm with CLDR's Vietnamese rules.

pyuca implements the UCA over the DUCET (the Unicode default table, shipped inside the
package), which already puts "Đ" after "D" and sorts "Ủ" with "U". The DUCET treats
ă, â, ê, ô, ơ and ư as "a", "a", "e", "o", "o", "u" with an accent, though; Vietnamese has
them as letters of their own (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), and
puts the five tones in the order ngang, huyền, hỏi, ngã, sắc, nặng. CLDR's ``vi`` collation
says so as a tailoring of the DUCET::

    &̀<<̉<<̃<<́<<̣
    &a<ă<<<Ă<â<<<Â  &e<ê<<<Ê  &o<ô<<<Ô<ơ<<<Ơ  &u<ư<<<Ư

:data:`TAILORING` is that rule as data, applied to pyuca's table the way the UCA describes a
tailoring: each new letter is a contraction (base letter + its mark, as NFD writes it) with
a primary weight of its own just after its base's; each tone mark gets a secondary weight
in CLDR's order. Numbers compare as numbers. Tones stay secondary, so "Phạm" < "Phan"
(m < n) before any tone counts.

:func:`text_key` orders unit names and any text; :func:`name_key` orders people as
Vietnamese lists do: by given name (the last word), then the middle names, then the family
name ("Nguyễn Văn An" under "An").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pyuca import Collator

#: CLDR ``vi``: each base letter, then the combining marks that make its new letters, in order.
TAILORING: dict[str, tuple[str, ...]] = {
    "a": ("\u0306", "\u0302"),  # ă, â
    "e": ("\u0302",),  # ê
    "o": ("\u0302", "\u031b"),  # ô, ơ
    "u": ("\u031b",),  # ư
}
#: The tones after ngang (no mark): huyền, hỏi, ngã, sắc, nặng.
TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

SortKey = tuple[Any, ...]
#: Numbers inside names compare as numbers ("Phường 2" before "Phường 10"), as CLDR's
#: numeric option does: each run of digits is zero-padded to this width before collating.
DIGITS = re.compile(r"\d+")
NUMBER_WIDTH = 12


@lru_cache(maxsize=1)
def _collator() -> Collator:
    """pyuca's collator with the Vietnamese tailoring; the DUCET is read once (~0.5 s)."""
    collator = Collator()
    table = collator.table
    for base, marks in TAILORING.items():
        for letter in (base, base.upper()):
            (primary, secondary, tertiary), *_rest = table.find_prefix([ord(letter)])[1]
            for n, mark in enumerate(marks, start=1):
                # a primary strictly between the base's and the next letter's: a float
                # compares with the DUCET's integer weights in the key's tuple
                weight = primary + n / (len(marks) + 1)
                table.add([ord(letter), ord(mark)], [[weight, secondary, tertiary]])
    first = table.find_prefix([ord(TONES[0])])[1][0]
    for n, tone in enumerate(TONES):
        table.add([ord(tone)], [[0, first[1] + n / len(TONES), first[2]]])
    return collator


def text_key(text: str | None) -> SortKey:
    """The sort key of ``text`` (a unit's name) in Vietnamese order; ``None`` sorts first."""
    value = unicodedata.normalize("NFC", (text or "").strip())
    value = DIGITS.sub(lambda m: m.group().zfill(NUMBER_WIDTH), value)
    return tuple(_collator().sort_key(value))


def name_key(full_name: str | None) -> SortKey:
    """A person's sort key as Vietnamese lists order them: given name, middle names, family
    name, then the whole name as written (so equal names keep a stable, total order)."""
    words = (full_name or "").split()
    if not words:
        return ((), (), (), ())
    given, family, middle = words[-1], words[0] if len(words) > 1 else "", words[1:-1]
    return (text_key(given), text_key(" ".join(middle)), text_key(family), text_key(full_name))


def sorted_names(values: Sequence[str]) -> list[str]:
    """``values`` (unit names or other text) in Vietnamese order."""
    return sorted(values, key=text_key)
