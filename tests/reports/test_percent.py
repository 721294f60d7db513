"""Percentages: one decimal, rounded half up, exactly as Decimal arithmetic rounds them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports.model import percent


@given(st.integers(1, 10_000_000), st.integers(0, 10_000_000))
def test_percent__matches_decimal_half_up(whole: int, part: int):
    exact = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert percent(part, whole) == float(exact)


def test_percent__halves_round_up_and_unknown_is_none():
    assert percent(1, 8) == 12.5  # 12.5 exactly
    assert percent(1, 16) == 6.3  # 6.25 → 6.3
    assert percent(2, 3) == 66.7 and percent(1, 3) == 33.3
    assert percent(0, 0) is None and percent(3, None) is None
