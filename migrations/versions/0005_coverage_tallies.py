"""coverage tallies: person spans, per-unit tallies and the queue that keeps them current

The tables start empty and without a ``tally_state`` row: the first report (or
``vssid reprocess``) builds them from the install records and rosters already stored.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:19:34.614416
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coverage_tally',
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('installed', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'category', 'on_roster', name=op.f('pk_coverage_tally'))
    )
    op.create_table('person_span',
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('day_from', sa.Date(), nullable=False),
    sa.Column('day_to', sa.Date(), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('bhxh_code', 'day_from', name=op.f('pk_person_span'))
    )
    with op.batch_alter_table('person_span', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_span_day_from'), ['day_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_span_day_to'), ['day_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_span_unit_code'), ['unit_code', 'category', 'on_roster', 'day_from', 'day_to', 'installed', 'active', 'reasons'], unique=False)

    op.create_table('reason_tally',
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'on_roster', 'reason', name=op.f('pk_reason_tally'))
    )
    op.create_table('tally_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_queue'))
    )
    with op.batch_alter_table('install_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_install_record_effective_at'), ['effective_at'], unique=False)

    op.create_table('tally_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('built_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_state'))
    )


def downgrade() -> None:
    with op.batch_alter_table('install_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_install_record_effective_at'))

    op.drop_table('tally_state')
    op.drop_table('tally_queue')
    op.drop_table('reason_tally')
    with op.batch_alter_table('person_span', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_span_unit_code'))
        batch_op.drop_index(batch_op.f('ix_person_span_day_to'))
        batch_op.drop_index(batch_op.f('ix_person_span_day_from'))

    op.drop_table('person_span')
    op.drop_table('coverage_tally')
