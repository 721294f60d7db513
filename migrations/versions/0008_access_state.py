"""access state in the database: failed attempts, Digest nonce counts, signed-in browsers

Lock-outs were counted in each server process (``w`` workers allowed ``w × 5`` guesses), a
Digest header could be replayed for the nonce's lifetime, and signing out left the cookie
valid. Three tables move that state where every worker and machine sees it:

- ``password_attempt``: one row per password tried for an account from an address, written
  before the password is checked and marked when it proves wrong, counted in a sliding
  window;
- ``digest_nonce_use``: each (nonce, nonce count) that authenticated a request, until the
  nonce expires;
- ``web_session``: each browser signed in to the dashboard (the SHA-256 of its cookie's
  token); signing out deletes its row.

All three start empty: the lock-out counts kept in memory are forgotten (as on any restart),
and everyone signed in to the dashboard signs in again once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('password_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_attempt'))
    )
    op.create_index('ix_password_attempt_account', 'password_attempt', ['username', 'address', 'attempted_at'], unique=False)
    op.create_index(op.f('ix_password_attempt_attempted_at'), 'password_attempt', ['attempted_at'], unique=False)
    op.create_table('digest_nonce_use',
    sa.Column('nonce', sa.String(length=80), nullable=False),
    sa.Column('nc', sa.String(length=16), nullable=False),
    sa.Column('expires_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', 'nc', name=op.f('pk_digest_nonce_use'))
    )
    op.create_index(op.f('ix_digest_nonce_use_expires_at'), 'digest_nonce_use', ['expires_at'], unique=False)
    op.create_table('web_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('signed_in_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_web_session_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_web_session'))
    )
    op.create_index(op.f('ix_web_session_signed_in_at'), 'web_session', ['signed_in_at'], unique=False)
    op.create_index(op.f('ix_web_session_user_id'), 'web_session', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_session_user_id'), table_name='web_session')
    op.drop_index(op.f('ix_web_session_signed_in_at'), table_name='web_session')
    op.drop_table('web_session')
    op.drop_index(op.f('ix_digest_nonce_use_expires_at'), table_name='digest_nonce_use')
    op.drop_table('digest_nonce_use')
    op.drop_index(op.f('ix_password_attempt_attempted_at'), table_name='password_attempt')
    op.drop_index('ix_password_attempt_account', table_name='password_attempt')
    op.drop_table('password_attempt')
