"""the log indexed by submitter and arrival: per-account quotas count in it

Intake refuses a submission from an account that stored more than its quota in the last hour
or day (``ingest.submissions.quota``), counted in the log itself: the rows and bytes each
submitter stored since a moment, read through this index.

Revision ID: 0009
Revises: 0008 (when present), else 0007
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = '0009'
# 0008 is written on another branch at the same time as this one: this revision follows it
# once both are merged, and 0007 until then. (Once 0008 is in, this can say '0008'.)
down_revision = '0008' if any(Path(__file__).parent.glob('0008_*.py')) else '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f('ix_submission_submitter'), 'submission', ['submitter', 'received_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_submission_submitter'), table_name='submission')
