"""The campaign's vocabulary: which answers mean "installed", "active", and local time.

A next campaign of this kind (VNeID, another app) reuses the same field names in its forms
(``unit``, ``bhxh_code``, ``full_name``, ``category``, ``status``, ``install_date``,
``reasons``), so forms and data change, not code. A form is projected by what it contains:
a form with ``bhxh_code`` and ``status`` yields person records, a form with ``report_date``
and ``headcount_*`` yields unit reports.
"""

from __future__ import annotations

from datetime import timedelta, timezone

INSTALLED_STATUSES = frozenset({"installed_no_account", "registered_pending", "account_active"})
ACTIVE_STATUSES = frozenset({"account_active"})
CATEGORIES = ("cong_chuc", "vien_chuc", "nguoi_lao_dong")
PERSON_FIELDS = frozenset({"bhxh_code", "status"})
UNIT_REPORT_FIELDS = frozenset({"unit", "report_date", "headcount_cong_chuc"})

#: Vietnam has one time zone and no daylight saving: dates of collection are local dates.
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")

BHXH_CODE_LENGTH = 10

#: The field whose answer identifies a person (the log row's ``person_key``).
PERSON_KEY = "bhxh_code"
