"""The weekly reflection prompt: who is due, and one DM each, once per ISO week.

`tick(now)` is idempotent and safe to run from cron, from the in-process scheduler that
`ripple serve` starts, and from several replicas at once: the journal's unique claim per
(member, team, ISO week) decides who sends, so nobody is prompted twice, even after a crash.

A member is due when, in their own timezone, this week's scheduled weekday and time have come
and no more than a day has passed (a bot that was down for a few minutes still sends; one that
was down all week does not surprise people days late). Only a prompt that fell due while they
were a member is caught up: `/ripple team create` at 09:30 on a Monday with a 09:00 schedule
does not prompt the whole team a minute later; their first prompt is next week's. Snoozed
prompts are re-sent when their snooze runs out; skipped weeks are never prompted.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bot.coaching.ports import Who
from bot.coaching.reply import Action
from bot.journal.errors import JournalError
from bot.journal.views import Schedule, ScheduledMember
from bot.services import Services
from bot.slack.post import Where, post
from bot.slack.replies import plural
from bot.slack.teams import refresh_timezone

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=24)
DEFAULT_TZ = "Europe/London"


@dataclass
class TickReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (user, team)
    resent_after_snooze: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{plural(len(self.sent), 'weekly prompt')} sent, "
            f"{len(self.resent_after_snooze)} re-sent after a snooze, {len(self.failed)} failed."
        )


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def scheduled_moment(schedule: Schedule, tz: ZoneInfo, iso_year: int, iso_week: int) -> datetime:
    """When this ISO week's prompt falls, as an aware datetime in the member's timezone.

    A time that does not exist on the day the clocks go forward resolves with the offset in
    force before the change (PEP 495, fold=0), so it is sent, once, at the changeover.
    """
    day = date.fromisocalendar(iso_year, iso_week, schedule.weekday + 1)
    hour, minute = (int(part) for part in schedule.time.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def due_week(member: ScheduledMember, now: datetime) -> tuple[int, int] | None:
    """(ISO year, ISO week) if the member's prompt is due at `now`, else None."""
    tz = zone(member.timezone)
    local = now.astimezone(tz)
    # Last week too: a Sunday-evening prompt caught up just after midnight belongs to it.
    for day in (local, local - timedelta(days=7)):
        iso_year, iso_week, _ = day.isocalendar()
        moment = scheduled_moment(member.schedule, tz, iso_year, iso_week)
        elapsed = now - moment  # aware datetimes compare as instants: DST-safe
        if member.since is not None and moment < member.since:
            continue  # it fell before they joined: nothing was missed
        if timedelta(0) <= elapsed < CATCH_UP:
            return iso_year, iso_week
    return None


def prompt_actions(team: str, iso_year: int, iso_week: int) -> tuple[list[Action], dict]:
    """The weekly DM's buttons, and the context every button carries back to us."""
    actions = [
        Action("reflect_start", "Start"),
        Action("snooze", "Snooze 1 day"),
        Action("skip_week", "Skip this week"),
    ]
    return actions, {"t": team, "y": iso_year, "w": iso_week}


def send_prompt(
    client: WebClient, services: Services, who: Who, iso_year: int, iso_week: int
) -> bool:
    reply = services.coach.weekly_prompt(who)
    reply.actions, context = prompt_actions(who.team, iso_year, iso_week)
    sent = post(client, Where.dm(who.user), reply, context=context).ok
    # People travel and move: re-read their Slack timezone for next week's prompt.
    refresh_timezone(client, services, who.user)
    return sent


def tick(services: Services, client: WebClient, now: datetime | None = None) -> TickReport:
    """Prompt every member who is due at `now` (default: the services' clock)."""
    now = now or services.clock.now()
    journal = services.journal
    report = TickReport()
    for member in journal.scheduled_members():
        week = due_week(member, now)
        if week is None:
            continue
        who = Who(user=member.user, team=member.team, workspace=member.workspace)
        try:
            if not journal.claim_weekly_prompt(
                member.user, member.team, *week, workspace=member.workspace
            ):
                continue  # already prompted (or skipped) this week, here or on a replica
            ok = send_prompt(client, services, who, *week)
        except JournalError as err:
            log.warning("weekly prompt: journal error", extra={"error": err})
            ok = False
        (report.sent if ok else report.failed).append((member.user, member.team))
    for record in journal.due_snoozed_prompts(now):
        if not journal.claim_snoozed_prompt(
            record.user, record.team, record.iso_year, record.iso_week
        ):
            continue
        who = Who(user=record.user, team=record.team, workspace=_workspace(services, record))
        ok = send_prompt(client, services, who, record.iso_year, record.iso_week)
        (report.resent_after_snooze if ok else report.failed).append((record.user, record.team))
    if report.sent or report.resent_after_snooze or report.failed:
        log.info(
            "scheduler tick: sent=%d resent=%d failed=%d",
            len(report.sent),
            len(report.resent_after_snooze),
            len(report.failed),
        )
    return report


def _workspace(services: Services, record) -> str:
    try:
        return services.journal.get_team(record.team).workspace
    except JournalError:
        return "local"


class InProcessScheduler:
    """Runs `tick` every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, services: Services, client: WebClient, interval: float = 60.0) -> None:
        self.services, self.client, self.interval = services, client, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ripple-scheduler", daemon=True)

    def start(self) -> InProcessScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tick(self.services, self.client)
            except Exception:  # one bad tick must not stop next week's prompts
                log.exception("scheduler tick failed")
            self._stop.wait(self.interval)
