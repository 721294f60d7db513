"""campaigns are data: campaign definitions, and every record, roster and tally per campaign

A campaign (``campaign``) holds its resolved definition; a form belongs to one
(``form.campaign_id``); a campaign may declare its own denominators per unit
(``campaign_headcount``). Rosters belong to a campaign and name people by its identifier
(``roster_entry.person_key``, was ``bhxh_code``; categories are the campaign's, so the fixed
check goes). The derived tables are keyed by campaign and speak of a campaign's outcome
(``person_record`` replaces ``install_record`` and ``install_reason``: ``outcome``, ``done``,
``levels``; unit reports keep their figures per category as JSON; tallies count one
``measure`` per row).

Existing data belongs to the ``vssid`` campaign: it is created here with the definition that
VssID's code used to carry (``forms/vssid.campaign.toml`` resolved against the forms;
``vssid forms publish`` replaces it with the file's), its forms are assigned to it and its
rosters move over as they are. A unit's first roster now stands for every earlier date, as new imports do. The derived
tables are rebuilt, not converted: they are
emptied and the consumers' cursors dropped, so the consumers replay the log into them on
their next run (in every server process, or ``vssid consumers run --once`` /
``vssid reprocess`` at once).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:10:00
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ingest.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: The VssID campaign as the code defined it before campaigns were data (frozen here).
VSSID = {'id': 'vssid',
 'title': {'vi': 'Cài đặt ứng dụng VssID – BHXH số',
           'en': 'VssID – Digital Social Insurance app installation'},
 'forms': ['vssid_install', 'vssid_unit_report'],
 'categories': [{'key': 'cong_chuc',
                 'label': {'vi': 'Công chức', 'en': 'Civil servant (công chức)'}},
                {'key': 'vien_chuc',
                 'label': {'vi': 'Viên chức', 'en': 'Public employee (viên chức)'}},
                {'key': 'nguoi_lao_dong',
                 'label': {'vi': 'Người lao động',
                           'en': 'Employee under a labour contract (người lao động)'}}],
 'done': {'key': 'installed',
          'values': ['account_active', 'installed_no_account', 'registered_pending'],
          'label': {'vi': 'Đã cài đặt', 'en': 'Installed'},
          'not_label': {'vi': 'Chưa cài đặt', 'en': 'Not installed'}},
 'levels': [{'key': 'active',
             'values': ['account_active'],
             'label': {'vi': 'Đang sử dụng', 'en': 'Active'},
             'not_label': {'vi': 'Chưa đạt (đang sử dụng)', 'en': 'Not yet (active)'}}],
 'person': {'identifier': 'bhxh_code',
            'outcome': 'status',
            'name': 'full_name',
            'unit': 'unit',
            'category': 'category',
            'outcome_date': 'install_date',
            'reasons': 'reasons',
            'birth_date': 'birth_date'},
 'identifier_label': {'vi': 'Mã số BHXH', 'en': 'Social insurance number (mã số BHXH)'},
 'identifier_constraint': "regex(., '^[0-9]{10}$')",
 'outcome_labels': {'no_smartphone': {'vi': 'Không có điện thoại thông minh',
                                      'en': 'Has no smartphone'},
                    'not_installed': {'vi': 'Có điện thoại thông minh nhưng chưa cài đặt VssID',
                                      'en': 'Has a smartphone but has not installed VssID'},
                    'installed_no_account': {'vi': 'Đã cài đặt, chưa đăng ký tài khoản',
                                             'en': 'Installed, no account registered yet'},
                    'registered_pending': {'vi': 'Đã đăng ký tài khoản, đang chờ cơ quan BHXH '
                                                 'duyệt',
                                           'en': 'Account registration submitted, awaiting '
                                                 'approval by social security'},
                    'account_active': {'vi': 'Đã có tài khoản, đang sử dụng (đăng nhập được)',
                                       'en': 'Active: has an account and can sign in'}},
 'reason_labels': {'no_smartphone': {'vi': 'Không có điện thoại thông minh',
                                     'en': 'Has no smartphone'},
                   'phone_unsupported': {'vi': 'Điện thoại không cài được ứng dụng (hệ điều '
                                               'hành cũ, hết bộ nhớ…)',
                                         'en': 'The phone cannot install the app (old '
                                               'operating system, no storage…)'},
                   'no_registered_phone': {'vi': 'Chưa đăng ký số điện thoại với cơ quan BHXH',
                                           'en': 'No phone number registered with social '
                                                 'security'},
                   'forgot_password': {'vi': 'Quên mật khẩu tài khoản VssID',
                                       'en': 'Forgot the VssID password'},
                   'pending_approval': {'vi': 'Đang chờ cơ quan BHXH duyệt đăng ký tài khoản',
                                        'en': 'Waiting for social security to approve the '
                                              'account registration'},
                   'declined': {'vi': 'Không muốn cài đặt', 'en': 'Does not wish to install'},
                   'other': {'vi': 'Lý do khác', 'en': 'Other reason'}},
 'unit_report': {'date': 'report_date',
                 'unit': 'unit',
                 'mode': 'latest',
                 'headcount': 'headcount_{category}',
                 'done': 'installed_{category}',
                 'levels': {'active': 'active_{category}'}},
 'denominators': 'units',
 'target_pct': 100.0,
 'on_track_pct': 80.0,
 'start_date': '2021-03-10',
 'report': {'parent_agency': 'BẢO HIỂM XÃ HỘI TP. HỒ CHÍ MINH',
            'agency': 'BẢO HIỂM XÃ HỘI QUẬN 10',
            'number': '952/UBND-VX',
            'place': 'Quận 10',
            'letter_date': '2021-03-10',
            'title': {'vi': 'BÁO CÁO TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ',
                      'en': 'VssID INSTALLATION PROGRESS REPORT'},
            'legal_basis': ['Thực hiện Công văn số 952/UBND-VX ngày 10/3/2021 của Ủy ban nhân '
                            'dân Quận 10 về việc triển khai cài đặt và sử dụng ứng dụng VssID '
                            '– Bảo hiểm xã hội số trên thiết bị di động thông minh'],
            'recipients': ['Ủy ban nhân dân Quận 10 (để báo cáo)',
                           'Bảo hiểm xã hội TP. Hồ Chí Minh (để báo cáo)',
                           'Các phòng, ban, đơn vị sự nghiệp, Ủy ban nhân dân 14 phường',
                           'Lưu: VT'],
            'signer_title': 'GIÁM ĐỐC',
            'signer_name': ''}}
VSSID_FORMS = ('vssid_install', 'vssid_unit_report')
DERIVED_CONSUMERS = ('projection', 'rules', 'persons', 'tallies')
EARLIEST = date(1900, 1, 1)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _derived_tables() -> None:
    op.create_table('person_record',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('form_id', sa.String(length=150), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('outcome', sa.String(length=64), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('outcome_date', sa.Date(), nullable=True),
    sa.Column('reasons', _json(), nullable=False),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_person_record'))
    )
    op.create_index('ix_person_record_person', 'person_record', ['campaign', 'person_key', 'effective_at'])
    op.create_index('ix_person_record_unit', 'person_record', ['campaign', 'unit_code', 'effective_at'])
    op.create_index(op.f('ix_person_record_effective_at'), 'person_record', ['effective_at'])
    op.create_table('person',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('outcome', sa.String(length=64), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'person_key', name=op.f('pk_person'))
    )
    op.create_index(op.f('ix_person_submission_id'), 'person', ['submission_id'])
    op.create_index(op.f('ix_person_unit_code'), 'person', ['unit_code'])
    op.create_table('unit_report',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('figures', _json(), nullable=False),
    sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_unit_report'))
    )
    op.create_index('ix_unit_report_unit', 'unit_report', ['campaign', 'unit_code', 'report_date'])
    op.create_table('person_span',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('day_from', sa.Date(), nullable=False),
    sa.Column('day_to', sa.Date(), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'person_key', 'day_from', name=op.f('pk_person_span'))
    )
    op.create_index('ix_person_span_counted', 'person_span', ['campaign', 'unit_code', 'category', 'on_roster', 'day_from', 'day_to', 'done', 'levels', 'reasons'])
    op.create_index('ix_person_span_day_from', 'person_span', ['campaign', 'day_from'])
    op.create_index('ix_person_span_day_to', 'person_span', ['campaign', 'day_to'])
    op.create_table('coverage_tally',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('measure', sa.String(length=32), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'unit_code', 'category', 'on_roster', 'measure', name=op.f('pk_coverage_tally'))
    )
    op.create_table('reason_tally',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'unit_code', 'on_roster', 'reason', name=op.f('pk_reason_tally'))
    )


def upgrade() -> None:
    bind = op.get_bind()
    campaign = op.create_table('campaign',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('title_vi', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('definition', _json(), nullable=False),
    sa.Column('source_name', sa.String(length=300), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ingest.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    op.create_table('campaign_headcount',
    sa.Column('campaign', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.CheckConstraint('headcount >= 0', name=op.f('ck_campaign_headcount_headcount_not_negative')),
    sa.ForeignKeyConstraint(['campaign'], ['campaign.id'], name=op.f('fk_campaign_headcount_campaign_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign', 'unit_code', 'category', name=op.f('pk_campaign_headcount'))
    )
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_form_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_form_campaign_id_campaign'), 'campaign', ['campaign_id'], ['id'], ondelete='RESTRICT')

    # Today's data is the VssID campaign's.
    now = datetime.now(UTC)
    op.bulk_insert(campaign, [{
        'id': 'vssid', 'title_vi': VSSID['title']['vi'], 'title_en': VSSID['title']['en'],
        'definition': VSSID, 'source_name': 'vssid.campaign.toml', 'source_sha256': '',
        'published_at': now, 'updated_at': now,
    }])
    bind.execute(
        sa.text("UPDATE form SET campaign_id = 'vssid' WHERE form_id IN ('vssid_install', 'vssid_unit_report')")
    )

    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign', sa.String(length=32), server_default='vssid', nullable=False))
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign', sa.String(length=32), server_default='vssid', nullable=False))
        batch_op.drop_index(batch_op.f('ix_roster_entry_bhxh_code'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_unit_code'))
        batch_op.drop_constraint(batch_op.f('ck_roster_entry_category'), type_='check')
        batch_op.alter_column('bhxh_code', new_column_name='person_key', existing_type=sa.String(length=32), type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_index('ix_roster_entry_unit', ['campaign', 'unit_code', 'valid_from'], unique=False)
        batch_op.create_index('ix_roster_entry_person', ['campaign', 'person_key', 'valid_from'], unique=False)

    # A unit's first roster in a campaign stands for every earlier date (docs §4).
    firsts = bind.execute(sa.text(
        "SELECT campaign, unit_code, MIN(valid_from) FROM roster_entry GROUP BY campaign, unit_code"
    )).all()
    if firsts:
        bind.execute(
            sa.text(
                "UPDATE roster_entry SET valid_from = :earliest WHERE campaign = :campaign "
                "AND unit_code = :unit AND valid_from = :first"
            ),
            [{"earliest": EARLIEST, "campaign": c, "unit": u, "first": f} for c, u, f in firsts],
        )

    # The derived tables are rebuilt by the consumers from the log.
    for table in ('install_reason', 'install_record', 'person', 'unit_report', 'person_span',
                  'coverage_tally', 'reason_tally'):
        op.drop_table(table)
    _derived_tables()
    bind.execute(sa.text('DELETE FROM submission_status'))
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_submission_status_campaign'), ['campaign'], unique=False)
    bind.execute(
        sa.text('DELETE FROM consumer_cursor WHERE consumer IN (' + ', '.join(f"'{c}'" for c in DERIVED_CONSUMERS) + ')')
    )


def _previous_derived_tables() -> None:
    """0006's derived tables, empty: its consumers rebuild them from the log."""
    def stamp() -> sa.Column:
        return sa.Column('effective_at', ingest.db.UTCDateTime(timezone=True), nullable=False)

    op.create_table('install_record',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('form_id', sa.String(length=150), nullable=False),
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('app_state', sa.String(length=32), nullable=True),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('install_date', sa.Date(), nullable=True),
    sa.Column('reasons', _json(), nullable=False),
    stamp(),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_install_record'))
    )
    op.create_index(op.f('ix_install_record_bhxh_code'), 'install_record', ['bhxh_code', 'effective_at'])
    op.create_index(op.f('ix_install_record_effective_at'), 'install_record', ['effective_at'])
    op.create_index(op.f('ix_install_record_unit_code'), 'install_record', ['unit_code', 'effective_at'])
    op.create_table('install_reason',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('submission_id', 'reason', name=op.f('pk_install_reason'))
    )
    op.create_table('person',
    sa.Column('bhxh_code', sa.String(length=32), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('app_state', sa.String(length=32), nullable=True),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    stamp(),
    sa.PrimaryKeyConstraint('bhxh_code', name=op.f('pk_person'))
    )
    op.create_index(op.f('ix_person_submission_id'), 'person', ['submission_id'])
    op.create_index(op.f('ix_person_unit_code'), 'person', ['unit_code'])
    counts = [sa.Column(f'{m}_{c}', sa.Integer(), nullable=True)
              for m in ('headcount', 'installed', 'active')
              for c in ('cong_chuc', 'vien_chuc', 'nguoi_lao_dong')]
    op.create_table('unit_report',
    sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    *counts,
    stamp(),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_unit_report'))
    )
    op.create_index(op.f('ix_unit_report_unit_code'), 'unit_report', ['unit_code', 'report_date'])
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
    op.create_index(op.f('ix_person_span_day_from'), 'person_span', ['day_from'])
    op.create_index(op.f('ix_person_span_day_to'), 'person_span', ['day_to'])
    op.create_index(op.f('ix_person_span_unit_code'), 'person_span', ['unit_code', 'category', 'on_roster', 'day_from', 'day_to', 'installed', 'active', 'reasons'])
    op.create_table('coverage_tally',
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('installed', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'category', 'on_roster', name=op.f('pk_coverage_tally'))
    )
    op.create_table('reason_tally',
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'on_roster', 'reason', name=op.f('pk_reason_tally'))
    )


def downgrade() -> None:
    """Back to VssID alone: other campaigns' rosters and form assignments go (their forms and
    submissions stay in the log), and the derived tables are rebuilt by 0006's consumers."""
    bind = op.get_bind()
    bind.execute(sa.text('DELETE FROM consumer_cursor WHERE consumer IN (' + ', '.join(f"'{c}'" for c in DERIVED_CONSUMERS) + ')'))
    bind.execute(sa.text('DELETE FROM submission_status'))
    with op.batch_alter_table('submission_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_status_campaign'))
        batch_op.drop_column('campaign')
    for table in ('person_record', 'person', 'unit_report', 'person_span', 'coverage_tally',
                  'reason_tally'):
        op.drop_table(table)
    _previous_derived_tables()
    bind.execute(sa.text("DELETE FROM roster_entry WHERE campaign <> 'vssid'"))
    bind.execute(sa.text("DELETE FROM roster_import WHERE campaign <> 'vssid'"))
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_roster_entry_unit')
        batch_op.drop_index('ix_roster_entry_person')
        batch_op.alter_column('person_key', new_column_name='bhxh_code', existing_type=sa.String(length=64), type_=sa.String(length=32), existing_nullable=False)
        batch_op.drop_column('campaign')
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_check_constraint('category', "category IN ('cong_chuc', 'vien_chuc', 'nguoi_lao_dong')")
        batch_op.create_index(batch_op.f('ix_roster_entry_bhxh_code'), ['bhxh_code', 'valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_unit_code'), ['unit_code', 'valid_from'], unique=False)
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_column('campaign')
    with op.batch_alter_table('form', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_campaign_id_campaign'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_form_campaign_id'))
        batch_op.drop_column('campaign_id')
    op.drop_table('campaign_headcount')
    op.drop_table('campaign')
