"""The access rules, written once. Every read of journal text goes through one of these.

- An entry is readable by its author, and by current members of its team once shared
  (except the team's enabler, who reads only through the consented, audited path).
- Only the author may change, share, unshare or delete an entry.
- An enabler reads only shared entries of a team they are enabler for, and only while that
  team's newest consent record says "granted"; that check is part of the query itself, so a
  revocation committed a moment ago takes effect on the very next request.
- Operators have no read path at all: they get aggregate counts (`stats.py`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.journal.errors import AccessDenied
from bot.journal.models import Consent, Enabler, Entry, Member, TeamMembership
from bot.journal.views import SHARED


def active_team_ids(member_id: int) -> sa.Select:
    """Teams whose shared entries this person reads as a teammate.

    A team's enabler never reads it as a teammate, even if they sit in its channel: their only
    way in is the consented, audited `entries_for_enabler`.
    """
    enabled = sa.select(Enabler.team_id).where(Enabler.member_id == member_id)
    return sa.select(TeamMembership.team_id).where(
        TeamMembership.member_id == member_id,
        TeamMembership.left_at.is_(None),
        TeamMembership.team_id.not_in(enabled),
    )


def readable_by_member(member_id: int) -> ColumnElement[bool]:
    """Entries a person may read: their own, and shared entries of their current teams."""
    return sa.or_(
        Entry.author_id == member_id,
        sa.and_(Entry.visibility == SHARED, Entry.team_id.in_(active_team_ids(member_id))),
    )


def consent_granted(team_id) -> ColumnElement[bool]:
    """True when the team's newest consent record is a grant (evaluated inside the query)."""
    newest = (
        sa.select(Consent.action)
        .where(Consent.team_id == team_id)
        .order_by(Consent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return newest == "granted"


def is_enabler_of(enabler_member_id: int, team_id) -> ColumnElement[bool]:
    return sa.exists().where(Enabler.member_id == enabler_member_id, Enabler.team_id == team_id)


def readable_by_enabler(enabler_member_id: int, team_id: int) -> ColumnElement[bool]:
    return sa.and_(
        Entry.team_id == team_id,
        Entry.visibility == SHARED,
        is_enabler_of(enabler_member_id, Entry.team_id),
        consent_granted(Entry.team_id),
    )


def is_active_member(session: Session, member: Member | None, team_id: int) -> bool:
    if member is None:
        return False
    found = session.scalar(
        sa.select(TeamMembership.id).where(
            TeamMembership.team_id == team_id,
            TeamMembership.member_id == member.id,
            TeamMembership.left_at.is_(None),
        )
    )
    return found is not None


def require_author(entry: Entry, member: Member | None) -> None:
    if member is None or entry.author_id != member.id:
        raise AccessDenied(f"Entry {entry.id} is not yours, so you can't change it.")


def require_active_member(session: Session, member: Member | None, team_id: int) -> None:
    if not is_active_member(session, member, team_id):
        raise AccessDenied("Only members of this team can see its shared journal.")
