"""submission log and attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:32:37.220146
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import ingest.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('submitter', sa.String(length=150), nullable=True),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('payload_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('form_id', sa.String(length=150), nullable=True),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('instance_id', sa.String(length=255), nullable=True),
    sa.Column('deprecated_id', sa.String(length=255), nullable=True),
    sa.Column('root_id', sa.String(length=255), nullable=True),
    sa.Column('instance_name', sa.String(length=500), nullable=True),
    sa.Column('collected_at', ingest.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('attachments_expected', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error_detail', sa.Text(), nullable=True),
    sa.CheckConstraint("source IN ('openrosa', 'kobo', 'import')", name=op.f('ck_submission_source')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], name=op.f('fk_submission_superseded_by_id_submission'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_form_id'), ['form_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_root_id'), ['root_id'], unique=False)
        batch_op.create_index('uq_submission_deprecated_id_usable', ['deprecated_id'], unique=True, sqlite_where=sa.text('error_code IS NULL AND deprecated_id IS NOT NULL'), postgresql_where=sa.text('error_code IS NULL AND deprecated_id IS NOT NULL'))
        batch_op.create_index('uq_submission_instance_id_usable', ['instance_id'], unique=True, sqlite_where=sa.text('error_code IS NULL'), postgresql_where=sa.text('error_code IS NULL'))

    op.create_table('submission_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('received_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_attachment_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_attachment')),
    sa.UniqueConstraint('submission_id', 'name', name=op.f('uq_submission_attachment_submission_id_name'))
    )
    with op.batch_alter_table('submission_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_attachment_sha256'), ['sha256'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('submission_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_attachment_sha256'))

    op.drop_table('submission_attachment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('uq_submission_instance_id_usable', sqlite_where=sa.text('error_code IS NULL'), postgresql_where=sa.text('error_code IS NULL'))
        batch_op.drop_index('uq_submission_deprecated_id_usable', sqlite_where=sa.text('error_code IS NULL AND deprecated_id IS NOT NULL'), postgresql_where=sa.text('error_code IS NULL AND deprecated_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_submission_root_id'))
        batch_op.drop_index(batch_op.f('ix_submission_form_id'))

    op.drop_table('submission')

