"""Weekly prompt log, processed Slack events and "what helped" feedback.

Claims are single INSERT ... ON CONFLICT DO NOTHING statements (or a guarded UPDATE), so the
database decides who wins when two replicas, or a crashed-and-restarted one, race.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.errors import InvalidInput, NotFound
from bot.journal.models import Feedback, Member, ProcessedEvent, Team, WeeklyPrompt
from bot.journal.views import PromptRecord

PROMPT_STATUSES = ("sent", "snoozed", "skipped", "started")


def query_hash(query: str) -> str:
    """A stable key for a question; the question itself is never stored with feedback."""
    return hashlib.sha256(query.strip().lower().encode("utf-8")).hexdigest()


class SchedulingMixin(JournalBase):
    def claim_weekly_prompt(
        self, user: str, team: str, iso_year: int, iso_week: int, *, workspace: str = "local"
    ) -> bool:
        """Claim the right to send this member's prompt for this ISO week.

        True exactly once per (member, team, ISO year, ISO week), however many replicas or
        restarts ask; the caller sends the DM only when it gets True.
        """

        def work(session: Session) -> bool:
            member = self._ensure_member(session, user, workspace)
            team_row = self._require_team(session, team)
            now = self._now()
            return insert_ignoring_duplicates(
                session,
                WeeklyPrompt,
                {
                    "member_id": member.id,
                    "team_id": team_row.id,
                    "iso_year": iso_year,
                    "iso_week": iso_week,
                    "status": "sent",
                    "created_at": now,
                    "updated_at": now,
                },
            )

        return self._db.run(work)

    def prompt_status(
        self, user: str, team: str, iso_year: int, iso_week: int
    ) -> PromptRecord | None:
        """This week's prompt record for the member, or None if not prompted yet."""

        def work(session: Session) -> PromptRecord | None:
            row = self._prompt(session, user, team, iso_year, iso_week)
            return None if row is None else self._prompt_record(user, team, row)

        return self._db.run(work)

    def snooze_prompt(
        self,
        user: str,
        team: str,
        iso_year: int,
        iso_week: int,
        *,
        until: datetime | None = None,
    ) -> PromptRecord:
        """Snooze this week's prompt (default: one day from now). Raises NotFound."""
        return self._set_status(user, team, iso_year, iso_week, "snoozed", until)

    def skip_prompt(self, user: str, team: str, iso_year: int, iso_week: int) -> PromptRecord:
        """Skip this week: no more prompts until next week. Creates the record if needed."""
        return self._set_status(user, team, iso_year, iso_week, "skipped", None, create=True)

    def mark_prompt_started(
        self, user: str, team: str, iso_year: int, iso_week: int
    ) -> PromptRecord:
        """The member started this week's reflection; snoozes no longer fire."""
        return self._set_status(user, team, iso_year, iso_week, "started", None, create=True)

    def due_snoozed_prompts(self, now: datetime | None = None) -> list[PromptRecord]:
        """Snoozed prompts whose snooze has run out (for the scheduler tick)."""
        at = now or self._now()

        def work(session: Session) -> list[PromptRecord]:
            rows = session.execute(
                sa.select(WeeklyPrompt, Member.user_id, Team.slug)
                .join(Member, Member.id == WeeklyPrompt.member_id)
                .join(Team, Team.id == WeeklyPrompt.team_id)
                .where(WeeklyPrompt.status == "snoozed", WeeklyPrompt.snooze_until <= at)
            )
            return [self._prompt_record(user, slug, row) for row, user, slug in rows]

        return self._db.run(work)

    def claim_snoozed_prompt(self, user: str, team: str, iso_year: int, iso_week: int) -> bool:
        """Claim re-sending a snoozed prompt whose time has come: True for exactly one caller."""
        at = self._now()

        def work(session: Session) -> bool:
            row = self._prompt(session, user, team, iso_year, iso_week)
            if row is None:
                return False
            result = session.execute(
                sa.update(WeeklyPrompt)
                .where(
                    WeeklyPrompt.id == row.id,
                    WeeklyPrompt.status == "snoozed",
                    WeeklyPrompt.snooze_until <= at,
                )
                .values(status="sent", snooze_until=None, updated_at=at)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

        return self._db.run(work)

    def mark_event_processed(self, event_id: str) -> bool:
        """Record a Slack event id. True the first time it is seen (anywhere), else False.

        Use it before doing an event's work: a retried or duplicate delivery gets False.
        """
        if not event_id:
            raise InvalidInput("An event id is needed to deduplicate events.")

        def work(session: Session) -> bool:
            return insert_ignoring_duplicates(
                session,
                ProcessedEvent,
                {"event_id": event_id[:128], "processed_at": self._now()},
            )

        return self._db.run(work)

    def record_feedback(
        self, user: str, team: str, query: str, value: str, *, workspace: str = "local"
    ) -> bool:
        """Store 👍 ("up") or 👎 ("down") on a what-helped answer. Only a hash of the question
        is kept; clicking again changes the person's vote rather than adding one.

        True when this call changed something (a new vote, or a changed one); False for a
        repeat of the same vote, e.g. a double click, so the caller thanks them only once."""
        if value not in ("up", "down"):
            raise InvalidInput("Feedback is either 'up' or 'down'.")
        key = query_hash(query)

        def work(session: Session) -> bool:
            member = self._ensure_member(session, user, workspace)
            team_row, _ = self._ensure_team(session, team, workspace)
            existing = session.scalar(
                sa.select(Feedback).where(
                    Feedback.member_id == member.id,
                    Feedback.team_id == team_row.id,
                    Feedback.query_hash == key,
                )
            )
            if existing is not None:
                if existing.value == value:
                    return False
                existing.value, existing.created_at = value, self._now()
                return True
            return insert_ignoring_duplicates(
                session,
                Feedback,
                {
                    "member_id": member.id,
                    "team_id": team_row.id,
                    "query_hash": key,
                    "value": value,
                    "created_at": self._now(),
                },
            )

        return self._db.run(work)

    def withdraw_feedback(self, user: str, team: str, query: str) -> bool:
        """Undo a person's vote on an answer. True when there was one to withdraw."""
        key = query_hash(query)

        def work(session: Session) -> bool:
            member = self._member(session, user)
            team_row = session.scalar(sa.select(Team).where(Team.slug == team))
            if member is None or team_row is None:
                return False
            result = session.execute(
                sa.delete(Feedback).where(
                    Feedback.member_id == member.id,
                    Feedback.team_id == team_row.id,
                    Feedback.query_hash == key,
                )
            )
            return bool(result.rowcount)

        return self._db.run(work)

    def feedback_counts(self) -> dict[str, int]:
        """{"up": n, "down": m} over all teams (aggregate; for evals and stats)."""

        def work(session: Session) -> dict[str, int]:
            rows = session.execute(
                sa.select(Feedback.value, sa.func.count()).group_by(Feedback.value)
            )
            counts = {"up": 0, "down": 0}
            counts.update({value: n for value, n in rows})
            return counts

        return self._db.run(work)

    # --- helpers -----------------------------------------------------------------------
    def _prompt(
        self, session: Session, user: str, team: str, iso_year: int, iso_week: int
    ) -> WeeklyPrompt | None:
        return session.scalar(
            sa.select(WeeklyPrompt)
            .join(Member, Member.id == WeeklyPrompt.member_id)
            .join(Team, Team.id == WeeklyPrompt.team_id)
            .where(
                Member.user_id == user,
                Team.slug == team,
                WeeklyPrompt.iso_year == iso_year,
                WeeklyPrompt.iso_week == iso_week,
            )
        )

    def _set_status(
        self,
        user: str,
        team: str,
        iso_year: int,
        iso_week: int,
        status: str,
        until: datetime | None,
        *,
        create: bool = False,
    ) -> PromptRecord:
        def work(session: Session) -> PromptRecord:
            now = self._now()
            row = self._prompt(session, user, team, iso_year, iso_week)
            if row is None and create:
                insert_ignoring_duplicates(
                    session,
                    WeeklyPrompt,
                    {
                        "member_id": self._require_member(session, user).id,
                        "team_id": self._require_team(session, team).id,
                        "iso_year": iso_year,
                        "iso_week": iso_week,
                        "status": status,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                row = self._prompt(session, user, team, iso_year, iso_week)
            if row is None:
                raise NotFound("There is no prompt for that week to change.")
            row.status = status
            row.snooze_until = (until or now + timedelta(days=1)) if status == "snoozed" else None
            row.updated_at = now
            return self._prompt_record(user, team, row)

        return self._db.run(work)

    @staticmethod
    def _prompt_record(user: str, team: str, row: WeeklyPrompt) -> PromptRecord:
        return PromptRecord(user, team, row.iso_year, row.iso_week, row.status, row.snooze_until)
