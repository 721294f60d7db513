"""reviews and projections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 18:54:11.122391
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import ingest.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('install_record',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=150), nullable=False),
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('install_date', sa.Date(), nullable=True),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_install_record_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_install_record'))
    )
    with op.batch_alter_table('install_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_install_record_bhxh_code'), ['bhxh_code', 'effective_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_install_record_unit_code'), ['unit_code', 'effective_at'], unique=False)

    op.create_table('person',
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_person_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bhxh_code', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_unit_code'), ['unit_code'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=150), nullable=False),
    sa.Column('decided_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('accept', 'reject')", name=op.f('ck_review_decision')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_review_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_status',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issues', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('accepted', 'flagged', 'rejected', 'superseded')", name=op.f('ck_submission_status_status')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_status_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_status'))
    )
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_status_status'), ['status', 'submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_status_unit_code'), ['unit_code'], unique=False)

    op.create_table('unit_report',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('headcount_cong_chuc', sa.Integer(), nullable=True),
    sa.Column('headcount_vien_chuc', sa.Integer(), nullable=True),
    sa.Column('headcount_nguoi_lao_dong', sa.Integer(), nullable=True),
    sa.Column('installed_cong_chuc', sa.Integer(), nullable=True),
    sa.Column('installed_vien_chuc', sa.Integer(), nullable=True),
    sa.Column('installed_nguoi_lao_dong', sa.Integer(), nullable=True),
    sa.Column('active_cong_chuc', sa.Integer(), nullable=True),
    sa.Column('active_vien_chuc', sa.Integer(), nullable=True),
    sa.Column('active_nguoi_lao_dong', sa.Integer(), nullable=True),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_unit_report_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_unit_report'))
    )
    with op.batch_alter_table('unit_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_report_unit_code'), ['unit_code', 'report_date'], unique=False)

    op.create_table('install_reason',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['install_record.submission_id'], name=op.f('fk_install_reason_submission_id_install_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'reason', name=op.f('pk_install_reason'))
    )



def downgrade() -> None:

    op.drop_table('install_reason')
    with op.batch_alter_table('unit_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_report_unit_code'))

    op.drop_table('unit_report')
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_status_unit_code'))
        batch_op.drop_index(batch_op.f('ix_submission_status_status'))

    op.drop_table('submission_status')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_submission_id'))

    op.drop_table('review')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_unit_code'))
        batch_op.drop_index(batch_op.f('ix_person_submission_id'))

    op.drop_table('person')
    with op.batch_alter_table('install_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_install_record_unit_code'))
        batch_op.drop_index(batch_op.f('ix_install_record_bhxh_code'))

    op.drop_table('install_record')

