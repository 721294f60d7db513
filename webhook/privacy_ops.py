"""A person's requests and retention purges as the command line and the privacy page both
run them: one place for what each request does and records (``privacy_request``).

Each function works in the caller's transaction and does not commit; the caller commits,
then removes the erased files (:meth:`ingest.privacy.erasure.Erased.remove_files`) and may
search for what is left (:func:`traces_left`). Who may run them is ``manage_privacy``
(``webhook.policy``): the callers check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from ingest.errors import ErrorCode, NotFound
from ingest.models import Person, RosterEntry, SubmissionStatus, Unit
from ingest.privacy import audit, erasure, requests, retention, traces
from ingest.submissions.media import MediaStore
from reports import dossier


def sizes(held: list[erasure.Holding]) -> dict[str, int]:
    """How much is held, in numbers (what a request records)."""
    return {
        "submissions": sum(len(h.submission_ids) for h in held),
        "roster_entries": sum(len(h.roster_entry_ids) for h in held),
        "attachments": sum(h.attachments for h in held),
    }


def held_about(session: Session, identifier: str, campaign: str | None) -> list[erasure.Holding]:
    """What is held about the person (NotFound if nothing)."""
    held = erasure.holdings(session, identifier, campaign)
    if not held:
        raise NotFound(ErrorCode.PERSON_NOT_FOUND, identifier=identifier.strip())
    return held


def person_file(
    session: Session,
    by: str,
    identifier: str,
    campaign: str | None,
    reason: str,
    at: datetime,
    media: MediaStore | None = None,
) -> tuple[bytes, list[erasure.Holding]]:
    """The person's file (XLSX, with their photos from ``media``), and the request recorded."""
    held = held_about(session, identifier, campaign)
    request = dossier.Request(
        identifier.strip(), by, reason, at, viewings(session, identifier, held)
    )
    data = dossier.workbook(session, held, request, media)
    requests.record(session, "see", by=by, reason=reason, person=identifier.strip(),
                    campaign=campaign, outcome=sizes(held))  # fmt: skip
    return data, held


def erase_person(
    session: Session, by: str, identifier: str, campaign: str | None, reason: str, kind: str,
    *, begun: bool = False,
) -> erasure.Erased:  # fmt: skip
    """Erase (or, ``withdraw``, erase on withdrawn consent) and record the request."""
    done = erasure.erase(session, identifier, by=by, reason=reason, campaign=campaign,
                         kind=kind, begun=begun)  # fmt: skip
    requests.record(session, kind, by=by, reason=reason, person=done.erasure.pseudonym,
                    campaign=campaign, outcome=done.counts, erasure_id=done.erasure.id)  # fmt: skip
    return done


def purge(
    session: Session, by: str, campaign: Campaign, due_on: date, *, begun: bool = False
) -> erasure.Erased:
    """Purge one campaign past its retention period (due since ``due_on``), and record it."""
    reason = f"Hết thời hạn lưu trữ ({due_on:%d/%m/%Y}) / retention period over"
    done = retention.purge(session, campaign, by=by, reason=reason, begun=begun)
    requests.record(session, "purge", by=by, reason=reason, campaign=campaign.id,
                    outcome=done.counts, erasure_id=done.erasure.id)  # fmt: skip
    return done


@dataclass(frozen=True, slots=True)
class Left:
    """What a search after an erasure found: where the identifier is still held (a fault:
    should be nowhere), and where the names it was held under are (another person of the
    same name, or a note written about them)."""

    identifier: list[traces.Trace]
    names: list[traces.Trace]


def traces_left(session: Session, done: erasure.Erased, identifier: str, media_dir: Path) -> Left:
    """Search the database and media store for what ``done`` erased."""
    return Left(
        traces.find(session, [identifier], media_dir),
        traces.find(session, done.names, media_dir) if done.names else [],
    )


def viewings(
    session: Session, identifier: str, held: list[erasure.Holding]
) -> list[dossier.Viewing]:
    """Who saw the person's data: the audit trail's rows about them, their records, or a
    list of people of their units (and of every unit)."""
    ids = [i for h in held for i in h.submission_ids]
    units = set(
        session.scalars(
            select(RosterEntry.unit_code).where(RosterEntry.person_key == identifier.strip())
        )
    )
    units |= {
        code for code in session.scalars(
            select(SubmissionStatus.unit_code).where(SubmissionStatus.submission_id.in_(ids))
        ) if code
    }  # fmt: skip
    return [
        dossier.Viewing(row.at, row.account, row.action, row.address,
                        row.path + (f" #{row.submission_id}" if row.submission_id else ""))
        for row in audit.about(session, identifier.strip(), ids, with_parents(session, units))
    ]  # fmt: skip


def namesakes(
    session: Session, identifier: str, names: list[str], limit: int
) -> list[tuple[str, str]]:
    """(campaign, identifier) of the people held under one of ``names`` with another
    identifier (counted records and roster entries): maybe the same person in another
    campaign, whose identifier there is another (a BHXH code here, a CCCD there)."""
    if not names:
        return []
    found: set[tuple[str, str]] = set()
    for model in (Person, RosterEntry):
        query = select(model.campaign, model.person_key).where(
            model.full_name.in_(names), model.person_key != identifier
        )
        found |= {(campaign, key) for campaign, key in session.execute(query)}
    return sorted(found)[:limit]


def with_parents(session: Session, codes: set[str]) -> set[str]:
    """``codes`` and every unit above them (a unit's list of people includes those under it)."""
    out, frontier = set(codes), set(codes)
    while frontier:
        parents = {
            p for p in session.scalars(select(Unit.parent_code).where(Unit.code.in_(frontier))) if p
        }  # fmt: skip
        frontier = parents - out
        out |= parents
    return out
