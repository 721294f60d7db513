"""the log and its consumers: log positions, intake's verdict on the log row, consumer cursors

Intake's conclusion moves onto the submission row (``verdict``, ``issues``, ``person_key``,
``supersedes_id``: an edit now names what it replaces instead of the replaced row being
updated). Each stream of the log (submissions, reviews, roster imports) gets a position
``(tx, id)``. The tally queue and its state give way to the consumers' cursors. The derived
tables' ``status`` columns are named for what they hold: a submission's review state
(``submission_status.review_state``) and a person's app state (``install_record.app_state``,
``person.app_state``).

Existing data: the verdict is the stored status's issues without the cross-record rule's
(that one is a consumer's now); the projection, rules and persons cursors start at the end of
the log (their tables are current), the tallies have no cursor and rebuild on their first run.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from lxml import etree

import ingest.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TWO_UNITS = "domain.bhxh_code_two_units"
DERIVED_REFERENCES = (
    ('submission_status', 'submission'), ('install_record', 'submission'),
    ('install_reason', 'install_record'), ('person', 'submission'), ('unit_report', 'submission'),
)
CHECK_FAILED = "internal.check_failed"


def _tx_default() -> sa.TextClause:
    if op.get_bind().dialect.name == "postgresql":
        # The writing transaction's id: consumers read only rows older than every running one.
        return sa.text("(pg_current_xact_id()::text)::bigint")
    return sa.text("0")


def _person_key(payload: bytes, content_type: str) -> str | None:
    """The ``bhxh_code`` answer of a stored payload (XML or Kobo JSON), if any."""
    try:
        if "json" in (content_type or "").lower():
            data = json.loads(payload)
            for key, value in data.items():
                if key.rsplit("/", 1)[-1] == "bhxh_code" and isinstance(value, str | int):
                    return str(value).strip() or None
            return None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(payload, parser)
        for element in root.iter():
            if isinstance(element.tag, str) and etree.QName(element).localname == "bhxh_code":
                return (element.text or "").strip()[:64] or None
    except (ValueError, etree.XMLSyntaxError, AttributeError):
        return None
    return None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tx', sa.BigInteger(), server_default=_tx_default(), nullable=False))
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('verdict', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('issues', ingest.db.JSONType, server_default='[]', nullable=False))
    for table in ('review', 'roster_import'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tx', sa.BigInteger(), server_default=_tx_default(), nullable=False))
            if table == 'roster_import':
                batch_op.add_column(sa.Column('person_keys', ingest.db.JSONType, server_default='[]', nullable=False))
            batch_op.create_index(batch_op.f(f'ix_{table}_tx'), ['tx', 'id'], unique=False)

    # Backfill what intake now writes on the row.
    # (Row by row from Python, in executemany batches: a correlated UPDATE over the whole log
    # would scan it once per row.)
    edits = bind.execute(sa.text(
        "SELECT superseded_by_id, id FROM submission WHERE superseded_by_id IS NOT NULL"
    )).all()
    if edits:
        bind.execute(
            sa.text("UPDATE submission SET supersedes_id = :old WHERE id = :new"),
            [{"new": new, "old": old} for new, old in edits],
        )
    verdicts = []
    for submission_id, issues in bind.execute(sa.text("SELECT submission_id, issues FROM submission_status")):
        if isinstance(issues, str):
            issues = json.loads(issues)
        own = [i for i in issues or [] if i.get("code") != TWO_UNITS]
        verdict = "flagged" if any(i.get("blocking", True) for i in own) else "accepted"
        verdicts.append({"verdict": verdict, "issues": json.dumps(own, ensure_ascii=False), "id": submission_id})
    if verdicts:
        bind.execute(
            sa.text("UPDATE submission SET verdict = :verdict, issues = :issues WHERE id = :id"),
            verdicts,
        )
    bind.execute(sa.text(
        "UPDATE submission SET verdict = 'accepted' WHERE verdict IS NULL AND error_code IS NULL"
    ))
    rows = bind.execute(sa.text(
        "SELECT id, payload, content_type FROM submission WHERE error_code IS NULL"
    )).all()
    keys = [
        {"key": key, "id": submission_id}
        for submission_id, payload, content_type in rows
        if (key := _person_key(bytes(payload), content_type)) is not None
    ]
    if keys:
        bind.execute(sa.text("UPDATE submission SET person_key = :key WHERE id = :id"), keys)

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint('fk_submission_superseded_by_id_submission', type_='foreignkey')
        batch_op.drop_column('superseded_by_id')
        batch_op.create_foreign_key(batch_op.f('fk_submission_supersedes_id_submission'), 'submission', ['supersedes_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(
            'verdict', "verdict IS NULL OR verdict IN ('accepted', 'flagged')"
        )
        batch_op.create_index(batch_op.f('ix_submission_tx'), ['tx', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_person_key'), ['person_key'], unique=False)
        batch_op.create_index('uq_submission_supersedes_id_usable', ['supersedes_id'], unique=True, sqlite_where=sa.text('error_code IS NULL AND supersedes_id IS NOT NULL'), postgresql_where=sa.text('error_code IS NULL AND supersedes_id IS NOT NULL'))

    op.create_table('consumer_cursor',
    sa.Column('consumer', sa.String(length=64), nullable=False),
    sa.Column('stream', sa.String(length=32), nullable=False),
    sa.Column('tx', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('applied', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'stream', name=op.f('pk_consumer_cursor'))
    )
    # The projection, the rules and the persons are current: they start at the end of each
    # stream. (The tallies have no cursor: they rebuild.)
    for consumer, streams in (("projection", ("submission", "review")), ("rules", ("submission", "review")), ("persons", ("submission", "review"))):
        for stream in streams:
            statement = sa.text(
                "INSERT INTO consumer_cursor (consumer, stream, tx, position, applied, updated_at) "
                f"SELECT :consumer, :stream, COALESCE(MAX(tx), 0), COALESCE(MAX(id), 0), 0, :now "
                f"FROM {stream}"
            ).bindparams(sa.bindparam("now", type_=ingest.db.UTCDateTime()))
            bind.execute(statement, {"consumer": consumer, "stream": stream, "now": ingest.db.utcnow()})
    op.drop_table('tally_queue')
    op.drop_table('tally_state')
    # Derived tables refer to the log without foreign keys (checking one per derived row
    # doubled the cost of a replay); the consumers keep the references.
    for table, target in DERIVED_REFERENCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_submission_id_{target}', type_='foreignkey')

    # ``status`` meant four things: a submission's review state and a person's app state
    # are named for what they are.
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_status_status'))
        batch_op.drop_constraint(batch_op.f('ck_submission_status_status'), type_='check')
        batch_op.alter_column('status', new_column_name='review_state', existing_type=sa.String(length=16), existing_nullable=False)
    # A second batch: SQLite's batch cannot index a column renamed in the same one.
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'review_state', "review_state IN ('accepted', 'flagged', 'rejected', 'superseded')"
        )
        batch_op.create_index(batch_op.f('ix_submission_status_review_state'), ['review_state', 'submission_id'], unique=False)
    for table in ('install_record', 'person'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('status', new_column_name='app_state', existing_type=sa.String(length=32), existing_nullable=True)


def downgrade() -> None:
    for table, target in reversed(DERIVED_REFERENCES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            column = 'submission_id' if target == 'install_record' else 'id'
            batch_op.create_foreign_key(f'fk_{table}_submission_id_{target}', target, ['submission_id'], [column], ondelete='CASCADE')
    for table in ('person', 'install_record'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('app_state', new_column_name='status', existing_type=sa.String(length=32), existing_nullable=True)
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_status_review_state'))
        batch_op.drop_constraint(batch_op.f('ck_submission_status_review_state'), type_='check')
        batch_op.alter_column('review_state', new_column_name='status', existing_type=sa.String(length=16), existing_nullable=False)
    # A second batch: SQLite's batch cannot index a column renamed in the same one.
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'status', "status IN ('accepted', 'flagged', 'rejected', 'superseded')"
        )
        batch_op.create_index(batch_op.f('ix_submission_status_status'), ['status', 'submission_id'], unique=False)
    op.create_table('tally_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('built_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_state'))
    )
    op.create_table('tally_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_queue'))
    )
    op.drop_table('consumer_cursor')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
    edits = op.get_bind().execute(sa.text(
        "SELECT id, supersedes_id FROM submission "
        "WHERE supersedes_id IS NOT NULL AND error_code IS NULL"
    )).all()
    if edits:
        op.get_bind().execute(
            sa.text("UPDATE submission SET superseded_by_id = :new WHERE id = :old"),
            [{"new": new, "old": old} for new, old in edits],
        )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('uq_submission_supersedes_id_usable', sqlite_where=sa.text('error_code IS NULL AND supersedes_id IS NOT NULL'), postgresql_where=sa.text('error_code IS NULL AND supersedes_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_submission_person_key'))
        batch_op.drop_index(batch_op.f('ix_submission_tx'))
        batch_op.drop_constraint('verdict', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_submission_supersedes_id_submission'), type_='foreignkey')
        batch_op.create_foreign_key('fk_submission_superseded_by_id_submission', 'submission', ['superseded_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('issues')
        batch_op.drop_column('verdict')
        batch_op.drop_column('person_key')
        batch_op.drop_column('supersedes_id')
        batch_op.drop_column('tx')
    for table in ('roster_import', 'review'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_tx'))
            if table == 'roster_import':
                batch_op.drop_column('person_keys')
            batch_op.drop_column('tx')
