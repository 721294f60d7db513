"""rosters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:58:40.839954
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=300), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('imported_by', sa.String(length=150), nullable=True),
    sa.Column('imported_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import'))
    )
    op.create_table('roster_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("category IN ('cong_chuc', 'vien_chuc', 'nguoi_lao_dong')", name=op.f('ck_roster_entry_category')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_roster_entry_valid_period')),
    sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'], name=op.f('fk_roster_entry_import_id_roster_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_roster_entry_unit_code_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entry'))
    )
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entry_bhxh_code'), ['bhxh_code', 'valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_unit_code'), ['unit_code', 'valid_from'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entry_unit_code'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_bhxh_code'))

    op.drop_table('roster_entry')
    op.drop_table('roster_import')

