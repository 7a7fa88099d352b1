"""Retention: each team keeps entries for its chosen number of months, then they go.

`ripple retention apply` runs this; it says what it deleted, per team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.models import AuditRecord, ConversationState, Entry, ProcessedEvent, Team

EVENT_DEDUP_DAYS = 14  # Slack retries arrive within minutes; two weeks is ample
STALE_CONVERSATION_DAYS = 90  # a reflection untouched this long is abandoned draft text


def months_before(moment: datetime, months: int) -> datetime:
    """The same day-of-month `months` earlier (clamped to the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


@dataclass
class TeamRetention:
    team: str
    months: int
    cutoff: datetime
    entries: int
    audit_rows: int


@dataclass
class RetentionReport:
    dry_run: bool
    teams: list[TeamRetention] = field(default_factory=list)
    stale_conversations: int = 0
    processed_events: int = 0

    @property
    def entries(self) -> int:
        return sum(t.entries for t in self.teams)

    def describe(self) -> str:
        verb = "Would delete" if self.dry_run else "Deleted"
        lines = [
            f"{verb} {t.entries} entr{'y' if t.entries == 1 else 'ies'} and {t.audit_rows} "
            f"audit row(s) from {t.team} (kept {t.months} months: older than "
            f"{t.cutoff.date().isoformat()})"
            for t in self.teams
        ]
        lines.append(
            f"{verb} {self.stale_conversations} abandoned reflection(s) older than "
            f"{STALE_CONVERSATION_DAYS} days and {self.processed_events} Slack event id(s) "
            f"older than {EVENT_DEDUP_DAYS} days."
        )
        return "\n".join(lines)


class RetentionMixin(JournalBase):
    def apply_retention(self, *, dry_run: bool = False) -> RetentionReport:
        """Delete entries (and audit rows) older than each team's retention period, plus
        abandoned conversation state and old Slack event ids. `dry_run` only counts."""
        now = self._now()

        def count_or_delete(session: Session, model, where) -> int:
            if dry_run:
                return session.scalar(sa.select(sa.func.count()).select_from(model).where(where))
            return session.execute(sa.delete(model).where(where)).rowcount or 0

        def work(session: Session) -> RetentionReport:
            report = RetentionReport(dry_run=dry_run)
            for team in session.scalars(sa.select(Team).order_by(Team.slug)).all():
                months = team.retention_months or self.settings.retention_months_default
                cutoff = months_before(now, months)
                entries = count_or_delete(
                    session, Entry, sa.and_(Entry.team_id == team.id, Entry.created_at < cutoff)
                )
                audits = count_or_delete(
                    session,
                    AuditRecord,
                    sa.and_(AuditRecord.team_id == team.id, AuditRecord.at < cutoff),
                )
                report.teams.append(TeamRetention(team.slug, months, cutoff, entries, audits))
            report.stale_conversations = count_or_delete(
                session,
                ConversationState,
                ConversationState.updated_at < now - timedelta(days=STALE_CONVERSATION_DAYS),
            )
            report.processed_events = count_or_delete(
                session,
                ProcessedEvent,
                ProcessedEvent.processed_at < now - timedelta(days=EVENT_DEDUP_DAYS),
            )
            return report

        return self._db.run(work)
