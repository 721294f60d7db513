"""Retention: each campaign keeps personal data ``[privacy] retention_days`` after its
``end_date``, then a purge takes it out and keeps the numbers.

A purge is an erasure of every person of the campaign at once (kind ``retention``): each
identifier becomes ``erased-<erasure>-<n>``, personal fields, names, birth dates and
attachments go, and every count stays as it was (``ingest.privacy.erasure``). What an
earlier erasure already rewrote is not rewritten again, so a purge can run every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign
from ingest.consumers import CONSUMERS, runner
from ingest.models import Erasure, Form, RosterEntry, Submission
from ingest.privacy.erasure import Erased, rewrite, rewrite_people

#: Every pseudonym starts so: what a purge leaves alone.
ERASED_PREFIX = "erased-"
#: How many days ahead the privacy page announces a purge.
NOTICE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a campaign's personal data must go, and how much is still held."""

    campaign: Campaign
    due_on: date
    submissions: int
    persons: int

    def due(self, today: date) -> bool:
        """Whether a purge is due on ``today`` (something held, past its date)."""
        return today >= self.due_on and (self.submissions > 0 or self.persons > 0)


def due_on(campaign: Campaign) -> date | None:
    """The first day ``campaign``'s personal data is past its retention (None: it has no
    end date or no retention period)."""
    days = campaign.privacy.retention_days
    if campaign.end_date is None or days is None:
        return None
    return campaign.end_date + timedelta(days=days + 1)


def _erased(session: Session) -> set[int]:
    ids: set[int] = set()
    for submission_ids in session.scalars(select(Erasure.submission_ids)):
        ids.update(submission_ids or [])
    return ids


def _pending(session: Session, campaign: Campaign, erased: set[int]) -> list[int]:
    forms = select(Form.form_id).where(Form.campaign_id == campaign.id)
    return [
        i for i in session.scalars(
            select(Submission.id).where(Submission.form_id.in_(forms)).order_by(Submission.id)
        ) if i not in erased
    ]  # fmt: skip


def _people(session: Session, campaign: Campaign, submission_ids: list[int]) -> list[str]:
    keys = {
        k for k in session.scalars(
            select(Submission.person_key).where(
                Submission.id.in_(submission_ids), Submission.person_key.is_not(None)
            )
        ) if k
    } if submission_ids else set()  # fmt: skip
    keys |= set(
        session.scalars(select(RosterEntry.person_key).where(RosterEntry.campaign == campaign.id))
    )
    return sorted(k for k in keys if not k.startswith(ERASED_PREFIX))


def schedules(session: Session) -> list[Schedule]:
    """Every campaign with a retention period: when its purge is due, and what it holds."""
    erased = _erased(session)
    out = []
    for campaign in campaigns.all_campaigns(session):
        when = due_on(campaign)
        if when is None:
            continue
        pending = _pending(session, campaign, erased)
        out.append(Schedule(campaign, when, len(pending), len(_people(session, campaign, pending))))
    return out


def purge(
    session: Session, campaign: Campaign, *, by: str, reason: str, begun: bool = False
) -> Erased:
    """Erase every person of ``campaign`` (the caller decided it is due, and commits, then
    calls :meth:`Erased.remove_files`; ``begun`` as for ``erasure.erase``)."""
    runner.hold(session, CONSUMERS, begun=begun)
    pending = _pending(session, campaign, _erased(session))
    people = _people(session, campaign, pending)
    erasure = Erasure(kind="retention", campaign=campaign.id, pseudonym="", erased_by=by,
                      reason=reason)  # fmt: skip
    session.add(erasure)
    session.flush()
    erasure.pseudonym = f"{ERASED_PREFIX}{erasure.id}"
    mapping = {key: f"{erasure.pseudonym}-{n}" for n, key in enumerate(people, start=1)}
    counts, files = rewrite(session, campaign, pending, mapping, None, default=erasure.pseudonym)
    entries = rewrite_people(session, campaign.id, mapping)
    counts |= {"persons": len(mapping), "roster_entries": entries}
    erasure.submission_ids = pending
    erasure.counts = counts
    session.flush()
    return Erased(erasure, counts, files)


def overdue(session: Session, today: date) -> list[tuple[Campaign, date]]:
    """The campaigns past their retention period that still hold personal data: a record
    newer than their last purge, or a roster entry not erased. A cheap check, for a reminder
    on every page (the privacy page counts exactly: :func:`schedules`)."""
    out = []
    for campaign in campaigns.all_campaigns(session):
        when = due_on(campaign)
        if when is None or when > today:
            continue
        last = session.scalar(
            select(Erasure.submission_ids)
            .where(Erasure.kind == "retention", Erasure.campaign == campaign.id)
            .order_by(Erasure.id.desc())
            .limit(1)
        )
        newest = max(last) if last else 0
        forms = select(Form.form_id).where(Form.campaign_id == campaign.id)
        record = session.scalar(
            select(Submission.id)
            .where(Submission.form_id.in_(forms), Submission.id > newest)
            .limit(1)
        )
        entry = session.scalar(
            select(RosterEntry.id)
            .where(
                RosterEntry.campaign == campaign.id,
                RosterEntry.person_key.not_like(f"{ERASED_PREFIX}%"),
            )
            .limit(1)
        )
        if record is not None or entry is not None:
            out.append((campaign, when))
    return out
