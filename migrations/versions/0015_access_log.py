"""access log: the audit trail of who viewed personal data (Law 91/2025)

- ``access_log``: one row per view or export that showed person-level rows or personal
  values: when, the account and its role, the action, campaign, unit, submission and person
  (identifier only), how many people's rows, whether masked, the client's address and the
  request's path. Indexed for the administrators' filters: time, account, person, unit.

After 0014 (personal data: consent per record, requests, erasures).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('account', sa.String(length=150), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('person_key', sa.String(length=64), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('masked', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.CheckConstraint("action IN ('unit_people', 'submission', 'review_queue', 'export_names', 'api_submissions', 'api_submission', 'api_unit_people', 'cli_export', 'cli_review', 'audit_view', 'audit_export', 'person_request')", name=op.f('ck_access_log_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    op.create_index(op.f('ix_access_log_at'), 'access_log', ['at'], unique=False)
    op.create_index(op.f('ix_access_log_account'), 'access_log', ['account', 'at'], unique=False)
    op.create_index(op.f('ix_access_log_person_key'), 'access_log', ['person_key'], unique=False)
    op.create_index(op.f('ix_access_log_unit_code'), 'access_log', ['unit_code', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_access_log_unit_code'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_person_key'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_account'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_at'), table_name='access_log')
    op.drop_table('access_log')
