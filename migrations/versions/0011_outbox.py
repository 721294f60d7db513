"""events out: the outbox, webhook subscriptions, deliveries, attempts; e-mail on accounts

- ``outbox_event``: each event once (its id derived from what caused it);
- ``hook_subscription``: URL, secret, event types, optional campaign, active, created_by;
- ``hook_delivery``: one per event and subscription, with its state and next attempt (also
  the lease of the worker sending it);
- ``hook_attempt``: every POST, its status and the start of the answer;
- ``unit_target_state``: whether each unit stands at its campaign's target (so
  ``unit.target_reached`` is sent once per crossing);
- ``daily_run``: the daily digest and summary, once per local day across workers;
- ``app_user.email``: where the daily digest goes.

The outbox consumer starts with no cursor; its first batch takes the log's current end as
its start (``ingest.outbox.consumer``), so upgrading does not send the history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ingest.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('email', sa.String(length=320), nullable=True))
    op.create_table('outbox_event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=True),
    sa.Column('created_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('personal', JSON, nullable=False),
    sa.CheckConstraint("type IN ('submission.accepted', 'submission.flagged', 'person.changed', 'unit.target_reached', 'campaign.daily_summary')", name=op.f('ck_outbox_event_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event'))
    )
    op.create_index(op.f('ix_outbox_event_created_at'), 'outbox_event', ['created_at'], unique=False)
    op.create_table('hook_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=255), nullable=False),
    sa.Column('events', JSON, nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=True),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=150), nullable=False),
    sa.Column('created_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_subscription'))
    )
    op.create_table('hook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', ingest.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name=op.f('ck_hook_delivery_state')),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_hook_delivery_event_id_outbox_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['hook_subscription.id'], name=op.f('fk_hook_delivery_subscription_id_hook_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_delivery')),
    sa.UniqueConstraint('event_id', 'subscription_id', name=op.f('uq_hook_delivery_event_id_subscription_id'))
    )
    op.create_index('ix_hook_delivery_due', 'hook_delivery', ['state', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_hook_delivery_subscription_id'), 'hook_delivery', ['subscription_id', 'id'], unique=False)
    op.create_table('hook_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['hook_delivery.id'], name=op.f('fk_hook_attempt_delivery_id_hook_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_attempt'))
    )
    op.create_index(op.f('ix_hook_attempt_delivery_id'), 'hook_attempt', ['delivery_id', 'id'], unique=False)
    op.create_table('unit_target_state',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('crossings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'unit_code', name=op.f('pk_unit_target_state'))
    )
    op.create_table('daily_run',
    sa.Column('job', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', ingest.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('job', 'day', name=op.f('pk_daily_run'))
    )
    # The outbox starts at the log's end: an upgraded database does not send its history.
    bind = op.get_bind()
    for stream in ('submission', 'review', 'roster_import'):
        head = bind.execute(
            sa.text(f'SELECT tx, id FROM {stream} ORDER BY tx DESC, id DESC LIMIT 1')
        ).first()
        if head is not None:
            statement = sa.text(
                'INSERT INTO consumer_cursor (consumer, stream, tx, position, applied, '
                "updated_at) VALUES ('outbox', :stream, :tx, :position, 0, :now)"
            ).bindparams(sa.bindparam('now', type_=ingest.db.UTCDateTime()))
            bind.execute(
                statement,
                {'stream': stream, 'tx': head[0], 'position': head[1], 'now': ingest.db.utcnow()},
            )


def downgrade() -> None:
    op.drop_table('daily_run')
    op.drop_table('unit_target_state')
    op.drop_index(op.f('ix_hook_attempt_delivery_id'), table_name='hook_attempt')
    op.drop_table('hook_attempt')
    op.drop_index(op.f('ix_hook_delivery_subscription_id'), table_name='hook_delivery')
    op.drop_index('ix_hook_delivery_due', table_name='hook_delivery')
    op.drop_table('hook_delivery')
    op.drop_table('hook_subscription')
    op.drop_index(op.f('ix_outbox_event_created_at'), table_name='outbox_event')
    op.drop_table('outbox_event')
    op.execute(sa.text("DELETE FROM consumer_cursor WHERE consumer = 'outbox'"))
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('email')
