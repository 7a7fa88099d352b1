"""What a scheduler tick would do at a moment, without sending anything or claiming anything.

`ripple schedule tick --dry-run --now ...` prints this, so an operator can try a team's
schedule (and the timezone arithmetic) with no Slack token and no one disturbed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.journal.views import ScheduledMember
from bot.slack.scheduler import due_week, scheduled_moment, zone


@dataclass(frozen=True)
class PlannedPrompt:
    user: str
    team: str
    timezone: str
    moment: datetime  # this week's (or next week's) prompt, in the member's own timezone
    verdict: str  # "would be prompted now", "already prompted this week", ...

    @property
    def due_now(self) -> bool:
        return self.verdict == "would be prompted now"


def _next_moment(member: ScheduledMember, now: datetime) -> datetime:
    tz = zone(member.timezone)
    local = now.astimezone(tz)
    for day in (local, local + timedelta(days=7)):
        year, week, _ = day.isocalendar()
        moment = scheduled_moment(member.schedule, tz, year, week)
        if moment >= now:
            return moment
    return moment  # pragma: no cover - next week's always lies ahead


def plan(journal, now: datetime) -> list[PlannedPrompt]:
    """Every scheduled member, with when their prompt falls and what a tick at `now` does."""
    planned: list[PlannedPrompt] = []
    for member in journal.scheduled_members():
        week = due_week(member, now)
        if week is None:
            moment, verdict = _next_moment(member, now), "not due yet"
        else:
            tz = zone(member.timezone)
            moment = scheduled_moment(member.schedule, tz, *week)
            record = journal.prompt_status(member.user, member.team, *week)
            verdict = (
                "would be prompted now"
                if record is None
                else {
                    "skipped": "skipped this week",
                    "snoozed": "snoozed",
                    "started": "already reflecting this week",
                }.get(record.status, "already prompted this week")
            )
        planned.append(
            PlannedPrompt(member.user, member.team, member.timezone or "", moment, verdict)
        )
    planned.sort(key=lambda p: (not p.due_now, p.moment, p.team, p.user))
    return planned
