"""daily tallies: what each day adds to a campaign's counts, per unit, for the trend

``daily_tally`` holds, per campaign, day, unit, category, roster membership and measure, the
people the spans starting that day add less those ending that day take away, so the trend
sums one range of it instead of grouping the person spans. Derived: the tallies consumer
keeps it, and its cursor is dropped here so that it rebuilds its tables (spans, tallies and
this one) from the log on its next run, as every derived table is built.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_tally',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('measure', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'day', 'on_roster', 'category', 'measure', 'unit_code', name=op.f('pk_daily_tally'))
    )
    op.create_index('ix_daily_tally_measure', 'daily_tally', ['campaign', 'measure', 'on_roster', 'unit_code', 'day'], unique=False)
    op.create_index('ix_daily_tally_unit', 'daily_tally', ['campaign', 'unit_code', 'day'], unique=False)
    # The tallies consumer rebuilds spans, tallies and daily tallies from the log.
    op.execute("DELETE FROM consumer_cursor WHERE consumer = 'tallies'")


def downgrade() -> None:
    op.drop_index('ix_daily_tally_unit', table_name='daily_tally')
    op.drop_index('ix_daily_tally_measure', table_name='daily_tally')
    op.drop_table('daily_tally')
