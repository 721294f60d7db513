"""The catalogue of texts: stable codes, templates in both languages, parameters inserted."""

from __future__ import annotations

import string

import pytest

from ingest.catalogue import (
    LIST_DYNAMIC,
    NAMED_LIST,
    TYPE_NAMES,
    IssueCode,
    RejectCode,
    Texts,
)
from ingest.errors import ErrorCode
from ingest.forms import validate
from ingest.forms.valuetypes import CHECKED_TYPES


def test_codes__unique_across_the_catalogues():
    codes = [c.code for enum in (ErrorCode, IssueCode, RejectCode) for c in enum]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", list(IssueCode), ids=lambda c: c.code)
def test_issue_code__documented_by_the_validator(code: IssueCode):
    assert validate.__doc__ is not None
    assert f"``{code.code}``" in validate.__doc__


@pytest.mark.parametrize("code", list(IssueCode), ids=lambda c: c.code)
def test_issue_templates__same_parameters_in_both_languages(code: IssueCode):
    # Each language's message stands alone. (A rejection's English part follows the Vietnamese
    # on the same line, and need not repeat its values.)
    def names(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert names(code.vi) == names(code.en)


def test_type_names__every_checked_type_has_a_name():
    assert set(TYPE_NAMES) == CHECKED_TYPES


def test_message__a_texts_parameter_gives_each_language_its_own():
    message = IssueCode.CHOICE_UNKNOWN.message(value="x", choices=NAMED_LIST.format(file="a.csv"))
    assert message == Texts(
        "lựa chọn 'x' không có trong danh sách a.csv.", "the choice 'x' is not in the list a.csv."
    )


def test_message__a_value_with_braces_is_inserted_not_parsed():
    message = IssueCode.CHOICE_NOT_CHECKED.message(value="{0}", reason=LIST_DYNAMIC)
    assert message.vi == "chưa kiểm tra lựa chọn '{0}': danh sách lấy từ câu trả lời."
    assert message.en == "the choice '{0}' was not checked: the list is dynamic."


def test_reason__vietnamese_then_english_or_vietnamese_alone():
    assert RejectCode.UNIT_NAME_EMPTY.reason() == "thiếu tên đơn vị (name_vi is empty)"
    assert RejectCode.ROSTER_DUPLICATE.reason(code="0790000001", row=2) == (
        "mã 0790000001 trùng dòng 2"
    )
