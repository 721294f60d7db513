"""personal data: consent per record, a person's requests, erasures in the log

``submission_status`` gains what the projection now works out of each record: whether it
carries its person's consent, the hash of the notice its form version showed, its channel and
when the person answered. ``privacy_request`` keeps each request about a person's data (see,
correct, erase, withdraw, purge) with who handled it and why; ``erasure`` is an entry of the
log naming the rows an erasure rewrote. The projection and the consumers after it rebuild
their tables from the log on their next run (their cursors are dropped here, their tables
emptied), so that records without consent stop counting; the outbox is not replayed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ingest.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
#: The tables the replayable consumers derive, emptied with their cursors dropped.
DERIVED = ('person_record', 'unit_report', 'submission_status', 'person', 'person_span',
           'coverage_tally', 'reason_tally', 'daily_tally')
REPLAYED = ('projection', 'rules', 'persons', 'tallies')


def _tx_default() -> sa.TextClause:
    if op.get_bind().dialect.name == "postgresql":
        # The writing transaction's id, as on the log's other streams (migration 0006).
        return sa.text("(pg_current_xact_id()::text)::bigint")
    return sa.text("0")


def upgrade() -> None:
    with op.batch_alter_table('submission_status') as batch:
        batch.add_column(sa.Column('consent', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('notice_sha256', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('channel', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('consented_at', ingest.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table('privacy_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=True),
    sa.Column('person_ref', sa.String(length=64), nullable=True),
    sa.Column('handled_by', sa.String(length=150), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', JSON, nullable=False),
    sa.Column('erasure_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('see', 'correct', 'erase', 'withdraw', 'purge')", name=op.f('ck_privacy_request_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_request'))
    )
    op.create_index(op.f('ix_privacy_request_at'), 'privacy_request', ['at'], unique=False)
    op.create_index(op.f('ix_privacy_request_person_ref'), 'privacy_request', ['person_ref'], unique=False)
    op.create_table('erasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tx', sa.BigInteger(), server_default=_tx_default(), nullable=False),
    sa.Column('at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=True),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('erased_by', sa.String(length=150), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('submission_ids', JSON, nullable=False),
    sa.Column('counts', JSON, nullable=False),
    sa.CheckConstraint("kind IN ('erase', 'withdraw', 'retention')", name=op.f('ck_erasure_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure'))
    )
    op.create_index(op.f('ix_erasure_tx'), 'erasure', ['tx', 'id'], unique=False)
    # The projection and the consumers after it rebuild from the log (consent now decides
    # what is projected); the outbox keeps its cursor and sends nothing again.
    for table in DERIVED:
        op.execute(f"DELETE FROM {table}")
    op.execute(
        "DELETE FROM consumer_cursor WHERE consumer IN ("
        + ", ".join(f"'{name}'" for name in REPLAYED) + ")"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_erasure_tx'), table_name='erasure')
    op.drop_table('erasure')
    op.drop_index(op.f('ix_privacy_request_person_ref'), table_name='privacy_request')
    op.drop_index(op.f('ix_privacy_request_at'), table_name='privacy_request')
    op.drop_table('privacy_request')
    with op.batch_alter_table('submission_status') as batch:
        batch.drop_column('consented_at')
        batch.drop_column('channel')
        batch.drop_column('notice_sha256')
        batch.drop_column('consent')
