"""the log takes reviewers' corrections: submissions with source ``correction``

A reviewer's correction is a new version of a record (``ingest.submissions.correction``),
appended to the log like any edit; its source says where it came from.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

WITH = "source IN ('openrosa', 'kobo', 'import', 'selfreport', 'correction')"
WITHOUT = "source IN ('openrosa', 'kobo', 'import', 'selfreport')"


def _source_check(old: str, new: str) -> None:
    """Replace the log's source check ``old`` by ``new``."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_submission_source'), 'submission', type_='check')
        op.create_check_constraint(op.f('ck_submission_source'), 'submission', new)
        return
    # SQLite cannot alter a constraint; rebuilding the log (the largest table, with partial
    # unique indexes) to widen it is costly and risky, so its schema text is edited in place,
    # as SQLite documents (lang_altertable.html §7) and as 0010 does: a check is only read.
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submission'"
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f'submission table has no {old!r} check')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar_one()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'submission'",
        (sql.replace(old, new),),
    )
    bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade() -> None:
    _source_check(WITHOUT, WITH)


def downgrade() -> None:
    # Corrections cannot be told in the older schema: refuse rather than relabel or lose them.
    count = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM submission WHERE source = 'correction'")
    )
    if count:
        raise RuntimeError(
            f"{count} corrections are in the log; the schema before 0012 cannot hold them"
        )
    _source_check(WITH, WITHOUT)
