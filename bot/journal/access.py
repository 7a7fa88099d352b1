"""The access rules, written once. Every read of journal text goes through one of these.

- An entry is readable by its author, and by current members of its team once shared
  (except the team's enabler, who reads only through the consented, audited path).
- Only the author may change, share, unshare or delete an entry.
- An enabler is never a member of a team they support, even when they sit in its channel and a
  membership row records that: `current_membership()` is the one definition of "a current
  member", and every count, vote, prompt and teammate read uses it.
- A person addresses only their own entries, by their own number (`Entry.number`): "not
  yours" and "no such entry" are the same answer, so no id reveals anything.
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


def current_membership() -> ColumnElement[bool]:
    """The ONE rule for "a current member", as a condition on a `TeamMembership` row: they
    have not left, and they are not an enabler of that team. An enabler who sits in the
    team's channel (a membership row says so) does not count, vote, get prompted or read as
    a teammate; their only way in is the consented, audited `entries_for_enabler`."""
    return sa.and_(
        TeamMembership.left_at.is_(None),
        ~sa.exists().where(
            Enabler.member_id == TeamMembership.member_id,
            Enabler.team_id == TeamMembership.team_id,
        ),
    )


def active_team_ids(member_id: int) -> sa.Select:
    """Teams whose shared entries this person reads as a teammate (never as an enabler)."""
    return sa.select(TeamMembership.team_id).where(
        TeamMembership.member_id == member_id, current_membership()
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


def is_enabler(session: Session, member: Member | None, team_id: int) -> bool:
    if member is None:
        return False
    return bool(session.scalar(sa.select(is_enabler_of(member.id, team_id))))


def supports_any_team(session: Session, member: Member | None) -> bool:
    """True when this person is an enabler of some team (their refusals are audited)."""
    if member is None:
        return False
    found = session.scalar(sa.select(Enabler.id).where(Enabler.member_id == member.id).limit(1))
    return found is not None


def current_row(session: Session, member: Member | None, team_id: int) -> TeamMembership | None:
    """This person's membership of the team if they are a current member (never an enabler)."""
    if member is None:
        return None
    return session.scalar(
        sa.select(TeamMembership).where(
            TeamMembership.team_id == team_id,
            TeamMembership.member_id == member.id,
            current_membership(),
        )
    )


def is_active_member(session: Session, member: Member | None, team_id: int) -> bool:
    return current_row(session, member, team_id) is not None


def require_active_member(session: Session, member: Member | None, team_id: int) -> None:
    if not is_active_member(session, member, team_id):
        raise AccessDenied("Only members of this team can see its shared journal.")
