"""Teams, members, memberships, schedules and timezones."""

from __future__ import annotations

import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access
from bot.journal.base import JournalBase
from bot.journal.errors import AccessDenied, InvalidInput
from bot.journal.models import Member, Team, TeamMembership, Workspace
from bot.journal.views import WEEKDAYS, MemberInfo, Schedule, ScheduledMember, TeamInfo

ENABLER_NOT_ADMIN = (
    "{user} is this team's enabler, so they can't be one of its admins: an admin decides "
    "for the team, and an enabler supports it from outside. Remove them as enabler first."
)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_weekday(value: int | str) -> int:
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    text = str(value).strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if text and name.startswith(text[:3]):
            return index
    raise InvalidInput(f"{value!r} is not a weekday; try Monday to Sunday.")


def parse_time(value: str) -> str:
    match = _TIME.match(str(value).strip())
    if not match:
        raise InvalidInput(f"{value!r} is not a time of day; use 24-hour HH:MM, e.g. 09:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        message = f"{name!r} is not a timezone Ripple knows; try one like Europe/London."
        raise InvalidInput(message) from error
    return name


class TeamsMixin(JournalBase):
    def ensure_team(
        self,
        slug: str,
        *,
        name: str | None = None,
        workspace: str = "local",
        admin: str | None = None,
    ) -> TeamInfo:
        """Register a team (idempotent). `slug` is the Slack channel id or a CLI team name.

        `name` updates the display name; `admin`, if given, becomes a member and admin.
        """

        def work(session: Session) -> TeamInfo:
            team, _ = self._ensure_team(session, slug, workspace, name)
            if name and team.name != name[:200]:
                team.name = name[:200]
            if admin:
                member = self._ensure_member(session, admin, workspace)
                self._refuse_enabler_as_admin(session, team, member, True)
                self._ensure_membership(session, team, member, is_admin=True)
            return self._team_info(session, team)

        return self._db.run(work)

    def get_team(self, slug: str) -> TeamInfo:
        """A team's settings. Raises NotFound."""
        return self._db.run(lambda s: self._team_info(s, self._require_team(s, slug)))

    def list_teams(self) -> list[TeamInfo]:
        """Every team, by slug (no journal content)."""

        def work(session: Session) -> list[TeamInfo]:
            teams = session.scalars(sa.select(Team).order_by(Team.slug))
            return [self._team_info(session, t) for t in teams]

        return self._db.run(work)

    def upsert_member(
        self,
        user: str,
        *,
        display_name: str | None = None,
        timezone: str | None = None,
        is_bot: bool | None = None,
        workspace: str = "local",
    ) -> MemberInfo:
        """Record or update a person's profile (e.g. from Slack `users.info`)."""
        tz = check_timezone(timezone) if timezone else None

        def work(session: Session) -> MemberInfo:
            member = self._ensure_member(session, user, workspace)
            if display_name is not None:
                member.display_name = display_name.replace("\x00", "")[:200]
            if tz:
                member.timezone = tz
            if is_bot is not None:
                member.is_bot = is_bot
            return MemberInfo(user, member.display_name, member.timezone, member.is_bot)

        return self._db.run(work)

    def set_member_timezone(self, user: str, timezone: str) -> None:
        """Set the IANA timezone the weekly prompt is scheduled in. Raises InvalidInput."""
        self.upsert_member(user, timezone=timezone)

    def add_member(
        self,
        team: str,
        user: str,
        *,
        is_admin: bool | None = None,
        display_name: str | None = None,
        timezone: str | None = None,
        is_bot: bool | None = None,
        workspace: str = "local",
    ) -> None:
        """Make `user` a current member of `team` (creating either as needed).

        The team's enabler joining its channel is recorded (they sit there) but never makes
        them a member: `access.current_membership` ignores them. Making them an ADMIN is
        refused (AccessDenied): an admin decides for the team, an enabler supports it."""
        tz = check_timezone(timezone) if timezone else None

        def work(session: Session) -> None:
            team_row, _ = self._ensure_team(session, team, workspace)
            member = self._ensure_member(session, user, workspace)
            if display_name is not None:
                member.display_name = display_name.replace("\x00", "")[:200]
            if tz:
                member.timezone = tz
            if is_bot is not None:
                member.is_bot = is_bot
            self._refuse_enabler_as_admin(session, team_row, member, is_admin)
            self._ensure_membership(session, team_row, member, is_admin=is_admin)

        self._db.run(work)

    def remove_member(self, team: str, user: str) -> bool:
        """The person left the team: they stop seeing its shared entries. Their own entries
        stay theirs. Returns False if they were not a current member."""

        def work(session: Session) -> bool:
            team_row, member = self._team(session, team), self._member(session, user)
            if team_row is None or member is None:
                return False
            row = self._membership(session, team_row, member)
            if row is None or row.left_at is not None:
                return False
            row.left_at = self._now()
            return True

        return self._db.run(work)

    def set_members(
        self, team: str, users: Iterable[str], *, workspace: str = "local"
    ) -> tuple[list[str], list[str]]:
        """Make the team's current members exactly `users` (e.g. a Slack channel's members).

        Admin flags of people who stay are kept. Returns (added, removed) user ids.
        """
        wanted = list(dict.fromkeys(u for u in users if u))

        def work(session: Session) -> tuple[list[str], list[str]]:
            team_row, _ = self._ensure_team(session, team, workspace)
            current = set(self._active_user_ids(session, team_row.id))
            added = [u for u in wanted if u not in current]
            removed = sorted(current - set(wanted))
            for user in added:
                member = self._ensure_member(session, user, workspace)
                self._ensure_membership(session, team_row, member)
            for user in removed:
                row = self._membership(session, team_row, self._require_member(session, user))
                if row is not None:
                    row.left_at = self._now()
            return added, removed

        return self._db.run(work)

    def team_members(self, team: str) -> list[MemberInfo]:
        """Current members of a team, admins flagged (never its enablers). Raises NotFound."""

        def work(session: Session) -> list[MemberInfo]:
            team_row = self._require_team(session, team)
            rows = session.execute(
                sa.select(Member, TeamMembership.is_admin)
                .join(TeamMembership, TeamMembership.member_id == Member.id)
                .where(TeamMembership.team_id == team_row.id, access.current_membership())
                .order_by(Member.user_id)
            )
            return [
                MemberInfo(m.user_id, m.display_name, m.timezone, m.is_bot, admin)
                for m, admin in rows
            ]

        return self._db.run(work)

    def teams_for(self, user: str) -> list[TeamInfo]:
        """Teams the user is currently a member of (not those they support as enabler)."""

        def work(session: Session) -> list[TeamInfo]:
            member = self._member(session, user)
            if member is None:
                return []
            teams = session.scalars(
                sa.select(Team)
                .join(TeamMembership, TeamMembership.team_id == Team.id)
                .where(TeamMembership.member_id == member.id, access.current_membership())
                .order_by(Team.slug)
            )
            return [self._team_info(session, t) for t in teams]

        return self._db.run(work)

    def is_team_member(self, user: str, team: str) -> bool:
        """True when `user` is a current member of `team` (an enabler never is)."""
        return self._current_membership_flag(user, team, lambda row: True)

    def is_team_admin(self, user: str, team: str) -> bool:
        """True when `user` is a current admin of `team`."""
        return self._current_membership_flag(user, team, lambda row: row.is_admin)

    def _current_membership_flag(self, user: str, team: str, test) -> bool:
        """`test(row)` on the user's current (not left) membership of team; False without one."""

        def work(session: Session) -> bool:
            team_row = self._team(session, team)
            if team_row is None:
                return False
            row = access.current_row(session, self._member(session, user), team_row.id)
            return row is not None and bool(test(row))

        return self._db.run(work)

    def set_team_admin(self, team: str, user: str, is_admin: bool = True) -> None:
        """Grant or remove admin rights (operator or setup path; adapters check the caller)."""
        self.add_member(team, user, is_admin=is_admin)

    def get_schedule(self, team: str) -> Schedule:
        """When the team is prompted (weekday, HH:MM in each member's timezone, on/off)."""
        return self.get_team(team).schedule

    def set_schedule(
        self,
        actor: str | None,
        team: str,
        *,
        weekday: int | str | None = None,
        time: str | None = None,
        enabled: bool | None = None,
    ) -> Schedule:
        """Change when the team is prompted. `actor` must be a team admin (None = operator).

        Raises AccessDenied, NotFound, InvalidInput (bad weekday or time).
        """
        day = parse_weekday(weekday) if weekday is not None else None
        at = parse_time(time) if time is not None else None

        def work(session: Session) -> Schedule:
            team_row = self._require_team(session, team)
            self._require_admin(session, actor, team_row)
            if day is not None:
                team_row.schedule_weekday = day
            if at is not None:
                team_row.schedule_time = at
            if enabled is not None:
                team_row.schedule_enabled = enabled
            return Schedule(
                team_row.schedule_weekday, team_row.schedule_time, team_row.schedule_enabled
            )

        return self._db.run(work)

    def set_retention(self, actor: str | None, team: str, months: int | None) -> TeamInfo:
        """Keep this team's entries `months` months (None = installation default). Admin only."""
        if months is not None and not 1 <= months <= 120:
            raise InvalidInput("Retention must be between 1 and 120 months.")

        def work(session: Session) -> TeamInfo:
            team_row = self._require_team(session, team)
            self._require_admin(session, actor, team_row)
            team_row.retention_months = months
            return self._team_info(session, team_row)

        return self._db.run(work)

    def scheduled_members(self) -> list[ScheduledMember]:
        """Every (human member, team) whose team has its weekly prompt switched on."""

        def work(session: Session) -> list[ScheduledMember]:
            rows = session.execute(
                sa.select(Member, Team, Workspace.external_id, TeamMembership.joined_at)
                .join(TeamMembership, TeamMembership.member_id == Member.id)
                .join(Team, Team.id == TeamMembership.team_id)
                .join(Workspace, Workspace.id == Team.workspace_id)
                .where(
                    access.current_membership(),  # an enabler is never prompted as a member
                    Team.schedule_enabled.is_(True),
                    Member.is_bot.is_(False),
                )
                .order_by(Team.slug, Member.user_id)
            )
            return [
                ScheduledMember(
                    user=m.user_id,
                    team=t.slug,
                    workspace=ws,
                    timezone=m.timezone,
                    schedule=Schedule(t.schedule_weekday, t.schedule_time, t.schedule_enabled),
                    since=joined,
                )
                for m, t, ws, joined in rows
            ]

        return self._db.run(work)

    # --- helpers -----------------------------------------------------------------------
    def _refuse_enabler_as_admin(
        self, session: Session, team: Team, member: Member, is_admin: bool | None
    ) -> None:
        if is_admin and access.is_enabler(session, member, team.id):
            raise AccessDenied(ENABLER_NOT_ADMIN.format(user=member.user_id))

    def _active_user_ids(self, session: Session, team_id: int) -> list[str]:
        return list(
            session.scalars(
                sa.select(Member.user_id)
                .join(TeamMembership, TeamMembership.member_id == Member.id)
                .where(TeamMembership.team_id == team_id, TeamMembership.left_at.is_(None))
            )
        )
