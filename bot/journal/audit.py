"""The team's audit trail: rows written for every enabler read and every enabler refusal.

A refusal must be on record even though the request fails, so work that refuses returns a
`Refusal` from inside its transaction (the audit row commits with it) and `raise_refusal`
raises the person-facing error only afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.errors import JournalError
from bot.journal.models import AuditRecord, Enabler, Member, Team

T = TypeVar("T")


class Refusal:
    """Returned (not raised) from a transaction so its audit rows commit before we raise."""

    def __init__(self, error: JournalError) -> None:
        self.error = error


def raise_refusal(result: T | Refusal) -> T:
    if isinstance(result, Refusal):
        raise result.error
    return result


def record(
    session: Session,
    *,
    team: Team | None,
    team_slug: str,
    actor: str,
    action: str,
    outcome: str,
    detail: str,
    at: datetime,
    entry_ids: Iterable[int] = (),
) -> None:
    session.add(
        AuditRecord(
            team_id=team.id if team else None,
            team_slug=team_slug[:80],
            actor=actor[:64],
            action=action[:32],
            outcome=outcome,
            detail=detail[:500],
            entry_ids=list(entry_ids),
            at=at,
        )
    )


def refuse_enabler(
    session: Session,
    member: Member | None,
    *,
    action: str,
    detail: str,
    at: datetime,
    team: Team | None = None,
) -> None:
    """If `member` is an enabler of any team, record this refusal: in `team`'s trail when the
    request named a team, else in the trail of every team they support (a stale or crafted
    Home button names no team, and the teams they support are the ones that should know)."""
    if member is None:
        return
    supported = list(
        session.scalars(
            sa.select(Team)
            .join(Enabler, Enabler.team_id == Team.id)
            .where(Enabler.member_id == member.id)
        )
    )
    if not supported:
        return  # not an enabler: an ordinary refusal, nothing for any team to see
    for where in [team] if team is not None else supported:
        record(
            session,
            team=where,
            team_slug=where.slug,
            actor=member.user_id,
            action=action,
            outcome="refused",
            detail=detail,
            at=at,
        )
