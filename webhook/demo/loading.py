"""Loading the demo: the units, campaigns and accounts it needs, then a plan through intake.

Submissions enter through :func:`ingest.submissions.intake.receive` like any others (source
``openrosa``); nothing is written around the pipeline. Every function takes the caller's
session and never commits; :func:`load` yields between batches so that the caller commits
there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns, forms
from ingest.campaigns import publish
from ingest.models import Unit, User
from ingest.registry import accounts, roster, tabular, units
from ingest.registry.tabular import Row
from ingest.submissions import intake
from ingest.submissions.media import MediaStore
from webhook.demo.generate import DemoPlan, World
from webhook.demo.records import UnitInfo
from webhook.demo.scenario import ACCOUNTS


def unit_infos(session: Session) -> list[UnitInfo]:
    """The registry's units, by code."""
    rows = session.execute(select(Unit.code, Unit.name_vi, Unit.kind).order_by(Unit.code))
    return [UnitInfo(code, name, kind) for code, name, kind in rows]


def world(session: Session) -> World:
    """What the demo fits: the units, the published campaigns, the spec of the current
    version of each of their forms, and each campaign's declared denominators."""
    found = {c.id: c for c in campaigns.all_campaigns(session)}
    return World(
        units=tuple(unit_infos(session)),
        campaigns=found,
        specs={f: forms.spec_of(session, f) for c in found.values() for f in c.forms},
        denominators={c: campaigns.declared_headcounts(session, c) for c in found},
    )


def ensure_units(session: Session, units_file: Path) -> list[str]:
    """Import the units of ``units_file`` that the registry lacks; the codes added."""
    known = set(session.scalars(select(Unit.code)))
    rows = tabular.read_rows(units_file, units.ALIASES, required=("code", "name_vi", "kind"))
    report = units.import_units(session, [r for r in rows if r.cells.get("code") not in known])
    return report.added


def ensure_published(session: Session, forms_dir: Path) -> list[publish.Published]:
    """Publish the forms and campaigns of ``forms_dir`` as ``vssid forms publish`` does (what
    is published already stays as it is); what publishing each file did, or its error."""
    return publish.publish_folder(session, forms_dir)


def ensure_accounts(session: Session, realm: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist; (username, role, password) of each new one."""
    existing = set(session.scalars(select(User.username)))
    codes = set(session.scalars(select(Unit.code)))
    created = []
    for username, role, unit, password in ACCOUNTS:
        if username in existing or (unit is not None and unit not in codes):
            continue
        accounts.create_user(session, username, role, password, realm, unit)
        created.append((username, role, password))
    return created


def load(
    session: Session,
    plan: DemoPlan,
    store: MediaStore,
    outcomes: Counter[str],
    batch: int = 500,
) -> Iterator[int]:
    """Store ``plan``: declared headcounts and the campaign's rosters, then the submissions
    through intake.

    Yields after each batch the number of submissions it received, so that the caller can
    commit there; counts each outcome (``accepted``, ``flagged``, ``duplicate``…) in
    ``outcomes``.
    """
    if plan.declared:
        known = {u.code: u for u in session.scalars(select(Unit))}
        rows = [
            Row(n, {"code": c, "name_vi": known[c].name_vi, "kind": known[c].kind,
                    **{f"headcount_{k}": str(v) for k, v in counts.items()}})
            for n, (c, counts) in enumerate(sorted(plan.declared.items()), start=2)
        ]  # fmt: skip
        units.import_units(session, rows)
    if plan.roster:
        campaign = campaigns.load(session, plan.campaign)
        lines = [
            Row(n, {"person_key": p.person_key, "full_name": p.full_name,
                    "birth_date": p.birth_date.isoformat(), "category": p.category,
                    "unit_code": p.unit_code})
            for n, p in enumerate(plan.roster, start=2)
        ]  # fmt: skip
        title = f"demo: {campaign.title.get('vi', campaign.id)}, danh sách cán bộ Quận 10"
        roster.import_roster(session, campaign, lines, plan.roster_as_of, title, "demo")
    yield 0
    for first in range(0, len(plan.submissions), batch):
        chunk = plan.submissions[first : first + batch]
        for incoming in chunk:
            receipt = intake.receive(session, incoming, store)
            created = receipt.outcome == intake.Outcome.CREATED
            outcome = receipt.verdict if created else receipt.outcome
            outcomes[outcome or receipt.outcome] += 1
        yield len(chunk)
