"""Vietnamese alphabetical order (``ingest.collation``): pyuca's DUCET with CLDR's ``vi`` rules."""

from __future__ import annotations

import pytest

from ingest.collation import name_key, text_key


def test_text_key__d_stroke_after_d_and_u_hook_with_u() -> None:
    names = ["Ủy ban nhân dân Phường 1", "Đội Quản lý thị trường", "Văn phòng", "Dân vận", "Uông"]
    assert sorted(names, key=text_key) == [
        "Dân vận",
        "Đội Quản lý thị trường",
        "Uông",
        "Ủy ban nhân dân Phường 1",
        "Văn phòng",
    ]


def test_text_key__base_letters_before_tones__pham_before_phan() -> None:
    assert sorted(["Phan", "Phạm", "Phàm", "Pham"], key=text_key) == [
        "Pham", "Phàm", "Phạm", "Phan",
    ]  # fmt: skip


def test_text_key__tones_in_cldr_order() -> None:
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(["má", "mạ", "mã", "mà", "ma", "mả"], key=text_key) == [
        "ma", "mà", "mả", "mã", "má", "mạ",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after"),
    [("az", "ăn"), ("ăz", "ân"), ("ez", "êm"), ("oz", "ôm"), ("ôz", "ơn"), ("uz", "ưa"),
     ("Ưu", "Vân"), ("Ặc", "Ấm"), ("Ất", "Ba")],
)  # fmt: skip
def test_text_key__vietnamese_letters_of_their_own(before: str, after: str) -> None:
    assert text_key(before) < text_key(after)


def test_text_key__numbers_as_numbers_and_nfd_as_nfc() -> None:
    wards = ["Phường 10", "Phường 2", "Phường 1", "Phường 14"]
    assert sorted(wards, key=text_key) == ["Phường 1", "Phường 2", "Phường 10", "Phường 14"]
    import unicodedata

    assert text_key(unicodedata.normalize("NFD", "Phạm")) == text_key("Phạm")


def test_name_key__given_name_then_middle_then_family() -> None:
    people = ["Nguyễn Văn Bình", "Trần Thị An", "Nguyễn Văn An", "Lê An", "Đỗ Ánh", "Phạm Ân"]
    assert sorted(people, key=name_key) == [
        "Lê An",  # no middle name comes first
        "Trần Thị An",  # the middle name before the family name: "Thị" < "Văn"
        "Nguyễn Văn An",
        "Đỗ Ánh",
        "Phạm Ân",  # â after a
        "Nguyễn Văn Bình",
    ]


def test_name_key__empty_and_one_word() -> None:
    assert sorted(["Bình", "", "An"], key=name_key) == ["", "An", "Bình"]
