"""Shared plumbing for the Journal's parts: lookups, get-or-create, and row -> view mapping."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.coaching.ports import Clock, Who
from bot.config import Settings
from bot.journal import access
from bot.journal.crypto import Cipher
from bot.journal.db import Database, insert_ignoring_duplicates
from bot.journal.errors import AccessDenied, InvalidInput, NotFound
from bot.journal.models import Entry, Member, Team, TeamMembership, Workspace
from bot.journal.views import EntryView, Schedule, TeamInfo

ANONYMOUS_AUTHOR = "a team member"
ENABLER_NOT_MEMBER = (
    "You support this team as its enabler, so you take no part in it as a member: you "
    "don't write in its journal, vote on its consent or count among its members."
)


def check_id(value: str, what: str, max_chars: int) -> str:
    """Ids are opaque, but must fit their column on every backend (PostgreSQL enforces it)."""
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise InvalidInput(f"A {what} is needed.")
    if len(value) > max_chars:
        raise InvalidInput(f"That {what} is too long (at most {max_chars} characters).")
    return value


class JournalBase:
    """State every part needs. `Journal` (service.py) mixes the parts together."""

    _db: Database
    _cipher: Cipher
    _clock: Clock
    settings: Settings

    def _now(self) -> datetime:
        return self._clock.now()

    # --- lookups ---------------------------------------------------------------------
    def _member(self, session: Session, user: str) -> Member | None:
        return session.scalar(sa.select(Member).where(Member.user_id == user))

    def _require_member(self, session: Session, user: str) -> Member:
        member = self._member(session, user)
        if member is None:
            raise NotFound(f"Ripple has no record of {user}.")
        return member

    def _team(self, session: Session, slug: str) -> Team | None:
        return session.scalar(sa.select(Team).where(Team.slug == slug))

    def _require_team(self, session: Session, slug: str) -> Team:
        team = self._team(session, slug)
        if team is None:
            raise NotFound(f"There is no team called {slug!r}.")
        return team

    def _membership(self, session: Session, team: Team, member: Member) -> TeamMembership | None:
        return session.scalar(
            sa.select(TeamMembership).where(
                TeamMembership.team_id == team.id, TeamMembership.member_id == member.id
            )
        )

    def _require_admin(self, session: Session, actor: str | None, team: Team) -> None:
        if actor is None:
            return  # the operator, through the CLI
        row = access.current_row(session, self._member(session, actor), team.id)
        if row is None or not row.is_admin:  # an enabler is never a member, so never an admin
            raise AccessDenied("Only a team admin can change this team's settings.")

    # --- get-or-create (safe when two replicas race: the unique keys decide) -------------
    def _workspace_id(self, session: Session, external_id: str) -> int:
        external_id = (external_id or "local")[:64]
        insert_ignoring_duplicates(
            session, Workspace, {"external_id": external_id, "created_at": self._now()}
        )
        return session.scalar(sa.select(Workspace.id).where(Workspace.external_id == external_id))

    def _ensure_member(self, session: Session, user: str, workspace: str = "local") -> Member:
        member = self._member(session, user)
        if member is None:
            check_id(user, "user id", 64)
            insert_ignoring_duplicates(
                session,
                Member,
                {
                    "workspace_id": self._workspace_id(session, workspace),
                    "user_id": user,
                    "timezone": "Europe/London",
                    "is_bot": False,
                    "created_at": self._now(),
                },
            )
            member = self._require_member(session, user)
        return member

    def _ensure_team(
        self, session: Session, slug: str, workspace: str = "local", name: str | None = None
    ) -> tuple[Team, bool]:
        team = self._team(session, slug)
        if team is not None:
            return team, False
        check_id(slug, "team id", 80)
        created = insert_ignoring_duplicates(
            session,
            Team,
            {
                "workspace_id": self._workspace_id(session, workspace),
                "slug": slug,
                "name": (name or slug)[:200],
                "schedule_weekday": 0,
                "schedule_time": "09:00",
                "schedule_enabled": True,
                "consent_rule": "admin",
                "consent_round": 0,
                "created_at": self._now(),
            },
        )
        return self._require_team(session, slug), created

    def _ensure_membership(
        self, session: Session, team: Team, member: Member, *, is_admin: bool | None = None
    ) -> TeamMembership:
        """Make `member` a current member of `team` (re-joining clears `left_at`)."""
        row = self._membership(session, team, member)
        if row is None:
            insert_ignoring_duplicates(
                session,
                TeamMembership,
                {
                    "team_id": team.id,
                    "member_id": member.id,
                    "is_admin": bool(is_admin),
                    "joined_at": self._now(),
                },
            )
            row = self._membership(session, team, member)
            assert row is not None
        else:
            if row.left_at is not None:
                row.left_at = None
                row.joined_at = self._now()
            if is_admin is not None:
                row.is_admin = is_admin
        return row

    def _ensure_who(self, session: Session, who: Who) -> tuple[Member, Team]:
        """The member and team behind a `Who`, created on first use.

        Adapters decide who belongs to which team (Slack: channel members; `ripple chat`:
        whatever --team says), so acting as `who` makes them a current member. Whoever first
        uses a brand-new team becomes its admin, so someone can always decide its settings.
        """
        member = self._ensure_member(session, who.user, who.workspace)
        team, created = self._ensure_team(session, who.team, who.workspace)
        if access.is_enabler(session, member, team.id):
            # An enabler is never a member of the team they support: acting "in" it must not
            # make them one. Adapters route an enabler to their own space before this.
            raise AccessDenied(ENABLER_NOT_MEMBER)
        row = self._membership(session, team, member)
        if row is None or row.left_at is not None:
            self._ensure_membership(session, team, member, is_admin=True if created else None)
        return member, team

    # --- mapping -----------------------------------------------------------------------
    def _team_info(self, session: Session, team: Team) -> TeamInfo:
        workspace = session.get(Workspace, team.workspace_id)
        return TeamInfo(
            slug=team.slug,
            name=team.name,
            workspace=workspace.external_id if workspace else "local",
            schedule=Schedule(team.schedule_weekday, team.schedule_time, team.schedule_enabled),
            consent_rule=team.consent_rule,
            retention_months=team.retention_months or self.settings.retention_months_default,
        )

    def _entry_view(
        self, entry: Entry, team: Team, author: Member, *, for_enabler: bool = False
    ) -> EntryView:
        hide = for_enabler and entry.author_anonymous
        return EntryView(
            id=entry.number,  # the author's own number; the row id stays inside the journal
            team=team.slug,
            team_name=team.name,
            author=None if hide else author.user_id,
            author_name=ANONYMOUS_AUTHOR if hide else (author.display_name or author.user_id),
            text=self._cipher.decrypt(entry.text_token),
            themes=tuple(entry.themes or ()),
            commitment=self._cipher.decrypt_optional(entry.commitment_token),
            visibility=entry.visibility,
            anonymous=entry.author_anonymous,
            source=entry.source,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )

    def _entries_query(self, where) -> sa.Select:
        """Entries joined with their team and author, newest first, filtered by `where`."""
        return (
            sa.select(Entry, Team, Member)
            .join(Team, Team.id == Entry.team_id)
            .join(Member, Member.id == Entry.author_id)
            .where(where)
            .order_by(Entry.created_at.desc(), Entry.id.desc())
        )
