"""The campaign's vocabulary: which answers mean "installed", "active", and local time.

A next campaign of this kind (VNeID, another app) reuses the same field names in its forms
(``unit``, ``bhxh_code``, ``full_name``, ``category``, ``status``, ``install_date``,
``reasons``), so forms and data change, not code. A form is projected by what it contains:
a form with ``bhxh_code`` and ``status`` yields person records, a form with ``report_date``
and ``headcount_*`` yields unit reports. The answer to ``status`` is the person's app state
(:class:`AppState`), stored as ``app_state``.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from enum import StrEnum


class AppState(StrEnum):
    """A person's app state: the VssID form's answer to its ``status`` question."""

    NO_SMARTPHONE = "no_smartphone"
    NOT_INSTALLED = "not_installed"
    INSTALLED_NO_ACCOUNT = "installed_no_account"
    REGISTERED_PENDING = "registered_pending"
    ACCOUNT_ACTIVE = "account_active"


INSTALLED_APP_STATES = frozenset(
    {AppState.INSTALLED_NO_ACCOUNT, AppState.REGISTERED_PENDING, AppState.ACCOUNT_ACTIVE}
)
ACTIVE_APP_STATES = frozenset({AppState.ACCOUNT_ACTIVE})
CATEGORIES = ("cong_chuc", "vien_chuc", "nguoi_lao_dong")
PERSON_FIELDS = frozenset({"bhxh_code", "status"})
UNIT_REPORT_FIELDS = frozenset({"unit", "report_date", "headcount_cong_chuc"})

#: Vietnam has one time zone and no daylight saving: dates of collection are local dates.
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")

BHXH_CODE_LENGTH = 10

#: The field whose answer identifies a person (the log row's ``person_key``).
PERSON_KEY = "bhxh_code"
