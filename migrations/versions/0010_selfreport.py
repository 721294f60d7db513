"""self-report links (ODK Web Forms): links, posts counted for rate limits, source selfreport

- ``selfreport_link``: a unit's public self-report link in a campaign (its token, who made
  it, when it expires, when it was revoked);
- ``selfreport_post``: each submission posted through a link and from which address, counted
  for the per-link and per-address rate limits;
- ``submission.source`` may be ``selfreport``.

Downgrade drops both tables; submissions that came through a link stay in the log, with
their source written as ``openrosa`` (the check constraint of 0002 knows no other).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_SOURCES = "source IN ('openrosa', 'kobo', 'import')"
NEW_SOURCES = "source IN ('openrosa', 'kobo', 'import', 'selfreport')"


def _source_check(condition: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_submission_source'), 'submission', type_='check')
        op.create_check_constraint(op.f('ck_submission_source'), 'submission', condition)
        return
    # SQLite cannot alter a constraint, and rebuilding the log (the largest table, with
    # partial unique indexes) to widen it is costly and risky. Its schema text is edited in
    # place instead, the way SQLite documents for such changes (lang_altertable.html §7):
    # the check is only read, never stored in rows, so the table stays as it is.
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submission'"
    ).scalar_one()
    old = NEW_SOURCES if condition == OLD_SOURCES else OLD_SOURCES
    if old not in sql:
        raise RuntimeError(f'submission table has no {old!r} check')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar_one()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'submission'",
        (sql.replace(old, condition),),
    )
    bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade() -> None:
    op.create_table('selfreport_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=150), nullable=False),
    sa.Column('created_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', ingest.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_selfreport_link_unit_code_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selfreport_link')),
    sa.UniqueConstraint('token', name=op.f('uq_selfreport_link_token'))
    )
    op.create_index(op.f('ix_selfreport_link_campaign'), 'selfreport_link', ['campaign', 'unit_code'], unique=False)
    op.create_table('selfreport_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('posted_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['selfreport_link.id'], name=op.f('fk_selfreport_post_link_id_selfreport_link'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selfreport_post'))
    )
    op.create_index(op.f('ix_selfreport_post_address'), 'selfreport_post', ['address', 'posted_at'], unique=False)
    op.create_index(op.f('ix_selfreport_post_link_id'), 'selfreport_post', ['link_id', 'posted_at'], unique=False)
    op.create_index(op.f('ix_selfreport_post_posted_at'), 'selfreport_post', ['posted_at'], unique=False)
    _source_check(NEW_SOURCES)


def downgrade() -> None:
    op.execute("UPDATE submission SET source = 'openrosa' WHERE source = 'selfreport'")
    _source_check(OLD_SOURCES)
    op.drop_index(op.f('ix_selfreport_post_posted_at'), table_name='selfreport_post')
    op.drop_index(op.f('ix_selfreport_post_link_id'), table_name='selfreport_post')
    op.drop_index(op.f('ix_selfreport_post_address'), table_name='selfreport_post')
    op.drop_table('selfreport_post')
    op.drop_index(op.f('ix_selfreport_link_campaign'), table_name='selfreport_link')
    op.drop_table('selfreport_link')
