"""the log indexed by submitter and arrival: per-account quotas count in it

Intake refuses a submission from an account that stored more than its quota in the last hour
or day (``ingest.submissions.quota``), counted in the log itself: the rows and bytes each
submitter stored since a moment, read through this index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f('ix_submission_submitter'), 'submission', ['submitter', 'received_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_submission_submitter'), table_name='submission')
