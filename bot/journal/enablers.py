"""Enablers: who supports which team, the ONE path by which an enabler reads entries, the
audit trail the team sees, and the enabler's private notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access, audit
from bot.journal.consent import ConsentMixin
from bot.journal.crypto import Cipher
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.errors import AccessDenied
from bot.journal.models import (
    AuditRecord,
    Enabler,
    EnablerNote,
    Entry,
    Member,
    Team,
    TeamMembership,
)
from bot.journal.reflection import clean_text
from bot.journal.views import (
    AuditEvent,
    EnablerInfo,
    EnablerNoteView,
    EnablerTeam,
    EntryView,
)

REFUSED_MESSAGE = (
    "This team has not consented to you reading its journal, so nothing is shown. "
    "The team can see this request in its audit trail."
)


LAST_ADMIN = (
    "{user} is this team's only admin, so they can't become its enabler: an enabler is "
    "never a member, and the team needs someone who can decide its settings. Name someone "
    "else, or ask Ripple's operator to make another member an admin first."
)


class _Refusal:
    """Returned from inside a transaction so the audit row commits before we raise."""

    def __init__(self, message: str) -> None:
        self.message = message


def themes_by_week(entries: Iterable[EntryView]) -> dict[str, dict[str, int]]:
    """{"2026-W10": {"conflict": 2, ...}, ...}, oldest week first, from entries already read
    through `entries_for_enabler` (so no second, unaudited read is needed)."""
    weeks: dict[str, Counter] = {}
    for entry in entries:
        year, week, _ = entry.created_at.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", Counter()).update(entry.themes)
    return {week: dict(counts) for week, counts in sorted(weeks.items())}


class EnablersMixin(ConsentMixin):
    _cipher: Cipher

    def add_enabler(
        self, user: str, team: str, *, added_by: str | None = None, workspace: str = "local"
    ) -> bool:
        """Name `user` as an enabler of `team`. `added_by` must be a team admin (None =
        operator via the CLI). True if newly added. Raises NotFound for an unknown team.

        Someone who is a current member of the team stops being one the moment they are
        named (their membership ends, admin rights with it, and their agreement in the
        current consent round no longer counts). One person never holds both roles: as a
        member they would vote on their own access and read shared entries unaudited. Ending
        the membership (rather than refusing) keeps the usual case working, a coach who was
        added to the channel first; `was_member(user, team)` beforehand tells the adapter to
        say so. Naming the team's last admin is refused: someone must be able to decide.
        """

        def work(session: Session) -> bool:
            team_row = self._require_team(session, team)
            self._require_admin(session, added_by, team_row)
            member = self._ensure_member(session, user, workspace)
            row = access.current_row(session, member, team_row.id)
            if row is not None:
                if row.is_admin and self._admin_count(session, team_row) <= 1:
                    raise AccessDenied(LAST_ADMIN.format(user=user))
                row.left_at, row.is_admin = self._now(), False
            return insert_ignoring_duplicates(
                session,
                Enabler,
                {
                    "member_id": member.id,
                    "team_id": team_row.id,
                    "added_by": (added_by or "operator")[:64],
                    "added_at": self._now(),
                },
            )

        return self._db.run(work)

    def remove_enabler(self, user: str, team: str, *, removed_by: str | None = None) -> bool:
        """Stop `user` being an enabler of `team` (admin or operator). True if they were."""

        def work(session: Session) -> bool:
            team_row = self._require_team(session, team)
            self._require_admin(session, removed_by, team_row)
            member = self._member(session, user)
            if member is None:
                return False
            result = session.execute(
                sa.delete(Enabler).where(
                    Enabler.member_id == member.id, Enabler.team_id == team_row.id
                )
            )
            return result.rowcount > 0

        return self._db.run(work)

    def _admin_count(self, session: Session, team: Team) -> int:
        return (
            session.scalar(
                sa.select(sa.func.count(TeamMembership.id)).where(
                    TeamMembership.team_id == team.id,
                    TeamMembership.is_admin.is_(True),
                    access.current_membership(),
                )
            )
            or 0
        )

    def list_enablers(self, team: str | None = None) -> list[EnablerInfo]:
        """Every enabler, or those of one team (no journal content)."""

        def work(session: Session) -> list[EnablerInfo]:
            query = (
                sa.select(Enabler, Member.user_id, Team.slug)
                .join(Member, Member.id == Enabler.member_id)
                .join(Team, Team.id == Enabler.team_id)
                .order_by(Team.slug, Member.user_id)
            )
            if team is not None:
                query = query.where(Team.slug == team)
            return [
                EnablerInfo(user, slug, row.added_by, row.added_at)
                for row, user, slug in session.execute(query)
            ]

        return self._db.run(work)

    def is_enabler(self, user: str, team: str) -> bool:
        """True when `user` is an enabler of `team` (says nothing about consent)."""
        return any(e.user == user for e in self.list_enablers(team))

    def enabler_teams(self, user: str) -> list[EnablerTeam]:
        """The teams `user` supports, each with its consent state (for the enabler's Home)."""

        def work(session: Session) -> list[EnablerTeam]:
            teams = session.scalars(
                sa.select(Team)
                .join(Enabler, Enabler.team_id == Team.id)
                .join(Member, Member.id == Enabler.member_id)
                .where(Member.user_id == user)
                .order_by(Team.slug)
            )
            return [
                EnablerTeam(self._team_info(session, t), self._consent_state(session, t))
                for t in teams
            ]

        return self._db.run(work)

    def entries_for_enabler(
        self, enabler: str, team: str, *, limit: int | None = None
    ) -> list[EntryView]:
        """The ONLY way an enabler reads a journal: the team's shared entries, newest first,
        and only while `enabler` is the team's enabler AND the team's newest consent record is
        a grant. Both conditions are part of the query itself.

        Every call writes an audit row in the same transaction: the entry ids shown, or the
        refusal. A refusal raises AccessDenied after its audit row is committed. Authors who
        chose anonymity appear as "a team member" (`author` is None).
        """

        def work(session: Session) -> list[EntryView] | _Refusal:
            team_row = self._team(session, team)
            member = self._member(session, enabler)
            if team_row is None or member is None:
                self._audit(session, team_row, team, enabler, "refused", "not an enabler")
                return _Refusal(REFUSED_MESSAGE)
            allowed, consented = session.execute(
                sa.select(
                    access.is_enabler_of(member.id, team_row.id),
                    access.consent_granted(team_row.id),
                )
            ).one()
            if not (allowed and consented):
                reason = "not this team's enabler" if not allowed else "no consent"
                self._audit(session, team_row, team, enabler, "refused", reason)
                return _Refusal(REFUSED_MESSAGE)
            query = self._entries_query(access.readable_by_enabler(member.id, team_row.id))
            rows = session.execute(query.limit(limit)).all()
            views = [self._entry_view(e, t, a, for_enabler=True) for e, t, a in rows]
            ids = [e.id for e, _, _ in rows]  # internal: the trail maps them to numbers
            detail = f"{len(ids)} shared entr{'y' if len(ids) == 1 else 'ies'}"
            self._audit(session, team_row, team, enabler, "allowed", detail, ids)
            return views

        result = self._db.run(work)
        if isinstance(result, _Refusal):
            raise AccessDenied(result.message)
        return result

    def audit_trail(
        self, team: str, *, viewer: str | None = None, limit: int = 200
    ) -> list[AuditEvent]:
        """Every enabler read and refusal for `team`, newest first. `viewer`, if given, must
        be a current member or enabler of the team (None = operator)."""

        def work(session: Session) -> list[AuditEvent]:
            team_row = self._require_team(session, team)
            if viewer is not None:
                member = self._member(session, viewer)
                enabler = member is not None and session.scalar(
                    sa.select(access.is_enabler_of(member.id, team_row.id))
                )
                if not (access.is_active_member(session, member, team_row.id) or enabler):
                    raise AccessDenied("Only the team and its enabler can see its audit trail.")
            rows = session.scalars(
                sa.select(AuditRecord)
                .where(AuditRecord.team_id == team_row.id)
                .order_by(AuditRecord.id.desc())
                .limit(limit)
            ).all()
            own = self._own_numbers(session, viewer, [i for r in rows for i in r.entry_ids])
            return [
                AuditEvent(
                    r.at,
                    r.actor,
                    r.action,
                    r.outcome,
                    r.detail,
                    tuple(own[i] for i in r.entry_ids if i in own),
                )
                for r in rows
            ]

        return self._db.run(work)

    def add_enabler_note(self, enabler: str, team: str, text: str) -> int:
        """A private note the enabler keeps about a team they support (encrypted; only they
        can read it). Raises AccessDenied if they are not the team's enabler."""
        body = clean_text(text, "A note")

        def work(session: Session) -> int | audit.Refusal:
            found = self._enabler_of(session, enabler, team, "add_note")
            if isinstance(found, audit.Refusal):
                return found
            member, team_row = found
            note = EnablerNote(
                enabler_id=member.id,
                team_id=team_row.id,
                text_token=self._cipher.encrypt(body),
                created_at=self._now(),
            )
            session.add(note)
            session.flush()
            return note.id

        return audit.raise_refusal(self._db.run(work))

    def enabler_notes(self, enabler: str, team: str) -> list[EnablerNoteView]:
        """The enabler's own notes about `team`, newest first."""

        def work(session: Session) -> list[EnablerNoteView] | audit.Refusal:
            found = self._enabler_of(session, enabler, team, "read_notes")
            if isinstance(found, audit.Refusal):
                return found
            member, team_row = found
            rows = session.scalars(
                sa.select(EnablerNote)
                .where(EnablerNote.enabler_id == member.id, EnablerNote.team_id == team_row.id)
                .order_by(EnablerNote.id.desc())
            )
            return [
                EnablerNoteView(n.id, team, self._cipher.decrypt(n.text_token), n.created_at)
                for n in rows
            ]

        return audit.raise_refusal(self._db.run(work))

    # --- helpers -----------------------------------------------------------------------
    def _own_numbers(self, session: Session, viewer: str | None, ids: list[int]) -> dict:
        """{row id: number} for the entries among `ids` that `viewer` wrote. Only their own
        numbers mean anything to them; other people's stay counted, never numbered."""
        member = self._member(session, viewer) if viewer else None
        if member is None or not ids:
            return {}
        found = session.execute(
            sa.select(Entry.id, Entry.number).where(
                Entry.id.in_(set(ids)), Entry.author_id == member.id
            )
        )
        return dict(found.all())

    def _enabler_of(
        self, session: Session, enabler: str, team: str, action: str
    ) -> tuple[Member, Team] | audit.Refusal:
        """The enabler and the team they support, or a Refusal (audited when the asker is an
        enabler of some team: a crafted note for a team they don't support is on record)."""
        team_row = self._team(session, team)
        member = self._member(session, enabler)
        if team_row is not None and access.is_enabler(session, member, team_row.id):
            return member, team_row
        audit.refuse_enabler(
            session,
            member,
            action=action,
            detail="notes about a team they are not the enabler of",
            at=self._now(),
            team=team_row,
        )
        return audit.Refusal(AccessDenied("Only the team's enabler can keep notes about it."))

    def _audit(
        self,
        session: Session,
        team: Team | None,
        team_slug: str,
        actor: str,
        outcome: str,
        detail: str,
        entry_ids: list[int] | None = None,
    ) -> None:
        audit.record(
            session,
            team=team,
            team_slug=team_slug,
            actor=actor,
            action="read_entries",
            outcome=outcome,
            detail=detail,
            entry_ids=entry_ids or [],
            at=self._now(),
        )
