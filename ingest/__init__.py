"""The core: forms, units, accounts, and (later) submissions, validation and projections.

Knows no web framework and no pandas: functions take a SQLAlchemy ``Session`` and plain
values, and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from ingest.db import Base
from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound, VssidError

__all__ = ["Base", "Conflict", "ErrorCode", "InvalidInput", "NotFound", "VssidError"]
