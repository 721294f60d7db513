"""the log takes reviewers' corrections: submissions with source ``correction``

A reviewer's correction is a new version of a record (``ingest.submissions.correction``),
appended to the log like any edit; its source says where it came from.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None

WITH = "source IN ('openrosa', 'kobo', 'import', 'correction')"
WITHOUT = "source IN ('openrosa', 'kobo', 'import')"


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submission_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_submission_source'), sa.text(WITH))


def downgrade() -> None:
    # Corrections cannot be told in the older schema: refuse rather than relabel or lose them.
    count = op.get_bind().scalar(sa.text("SELECT count(*) FROM submission WHERE source = 'correction'"))
    if count:
        raise RuntimeError(
            f"{count} corrections are in the log; the schema before 0012 cannot hold them"
        )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submission_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_submission_source'), sa.text(WITHOUT))
