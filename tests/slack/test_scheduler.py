"""The weekly prompt: due at the team's weekday and time in each member's own timezone,
across daylight-saving changes, once per ISO week however many ticks or replicas run."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.coaching.ports import FixedClock, Who
from bot.journal.views import Schedule, ScheduledMember
from bot.services import Services
from bot.slack.app import build_client
from bot.slack.scheduler import due_week, tick
from tests.slack import payloads
from tests.slack.conftest import (
    ALICE,
    BOB,
    CAROL,
    TEAM_CHANNEL,
    _running_bot,
    buttons,
    slack_settings,
)
from tests.slack.fake_slack import WORKSPACE_ID

MONDAY_9 = Schedule(weekday=0, time="09:00", enabled=True)


def member(tz: str, schedule: Schedule = MONDAY_9) -> ScheduledMember:
    return ScheduledMember(user=ALICE, team="C1", workspace="T1", timezone=tz, schedule=schedule)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "due_from_utc"),
    [
        # London, the week BEFORE the clocks go forward (29 March 2026): GMT, UTC+0.
        ("Europe/London", utc(2026, 3, 23, 9, 0)),
        # London, the week AFTER: BST, UTC+1, so 09:00 local is 08:00 UTC.
        ("Europe/London", utc(2026, 3, 30, 8, 0)),
        # London, the week before the clocks go back (25 October 2026): still BST.
        ("Europe/London", utc(2026, 10, 19, 8, 0)),
        # London, the week after: GMT again.
        ("Europe/London", utc(2026, 10, 26, 9, 0)),
        # New York changed on 8 March: EDT, UTC-4.
        ("America/New_York", utc(2026, 3, 23, 13, 0)),
        # Kolkata: UTC+5:30 and no daylight saving; Monday 09:00 is 03:30 UTC.
        ("Asia/Kolkata", utc(2026, 3, 30, 3, 30)),
        # Auckland: Monday 09:00 NZDT (UTC+13) is still Sunday 20:00 UTC.
        ("Pacific/Auckland", utc(2026, 3, 22, 20, 0)),
    ],
)
def test_due_at_nine_local_time_in_each_timezone(tz, due_from_utc):
    someone = member(tz)
    assert due_week(someone, due_from_utc - timedelta(minutes=1)) is None
    week = due_week(someone, due_from_utc)
    assert week is not None
    assert due_week(someone, due_from_utc + timedelta(hours=23)) == week
    assert due_week(someone, due_from_utc + timedelta(hours=24, minutes=1)) is None


def test_a_prompt_that_fell_before_someone_joined_is_not_caught_up():
    # Monday 30 March 2026, 09:00 in London is 08:00 UTC; they joined at 08:29 UTC.
    joined = utc(2026, 3, 30, 8, 29)
    newcomer = replace(member("Europe/London"), since=joined)
    assert due_week(newcomer, utc(2026, 3, 30, 8, 30)) is None  # not a minute after joining
    assert due_week(member("Europe/London"), utc(2026, 3, 30, 8, 30)) == (2026, 14)
    assert due_week(newcomer, utc(2026, 4, 6, 8, 0)) == (2026, 15)  # next week's, on time
    on_time = replace(member("Europe/London"), since=utc(2026, 3, 30, 8, 0))
    assert due_week(on_time, utc(2026, 3, 30, 8, 0)) == (2026, 14)


def test_a_time_skipped_by_the_clocks_going_forward_is_still_prompted_once():
    # 01:30 on Sunday 29 March 2026 does not exist in London (01:00 GMT -> 02:00 BST).
    sunday_0130 = Schedule(weekday=6, time="01:30", enabled=True)
    someone = member("Europe/London", sunday_0130)
    assert due_week(someone, utc(2026, 3, 29, 1, 29)) is None
    assert due_week(someone, utc(2026, 3, 29, 1, 30)) == (2026, 13)


def test_a_time_repeated_by_the_clocks_going_back_is_due_from_its_first_occurrence():
    # 01:30 on Sunday 25 October 2026 happens twice in London; the first is 00:30 UTC.
    sunday_0130 = Schedule(weekday=6, time="01:30", enabled=True)
    someone = member("Europe/London", sunday_0130)
    assert due_week(someone, utc(2026, 10, 25, 0, 29)) is None
    assert due_week(someone, utc(2026, 10, 25, 0, 30)) == (2026, 43)
    assert due_week(someone, utc(2026, 10, 25, 1, 30)) == (2026, 43)  # same week: one claim


@pytest.fixture
def sched(tmp_path, fake_slack, db_url):
    """Services on the parametrised database (SQLite; PostgreSQL too when configured)."""
    # The team was set up the week before (a prompt is only caught up for members who had
    # joined by the time it fell due), then the clock moves to Monday morning.
    clock = FixedClock(utc(2026, 3, 25, 12, 0))
    # Its own data folder: prompting needs no evidence index, so none is built.
    settings = slack_settings(tmp_path / "data", db_url, fake_slack.api_url)
    services = Services(settings, clock=clock)
    journal = services.journal
    journal.ensure_team(TEAM_CHANNEL, name="#plymouth", workspace=WORKSPACE_ID, admin=ALICE)
    journal.add_member(TEAM_CHANNEL, BOB, timezone="America/New_York", workspace=WORKSPACE_ID)
    journal.add_member(TEAM_CHANNEL, CAROL, timezone="Asia/Kolkata", workspace=WORKSPACE_ID)
    client = build_client(services.settings)
    fake_slack.reset()
    clock.advance(seconds=(utc(2026, 3, 30, 8, 0) - clock.now()).total_seconds())
    yield services, client, clock
    journal.close()


@pytest.fixture
def bot(slack_data_dir, fake_slack, db_url, embedder):
    """The real app on the parametrised database, so the prompt's buttons (and `team`, which
    builds on `bot`) meet PostgreSQL too when it is configured."""
    yield from _running_bot(slack_data_dir, db_url, fake_slack, embedder)


def tick_at(services, client, clock: FixedClock, when: datetime):
    """Move the shared clock (the journal's too) to `when`, then tick."""
    clock.advance(seconds=(when - clock.now()).total_seconds())
    return tick(services, client)


def dm_recipients(fake) -> list[str]:
    opened = fake.calls_to("conversations.open")
    return sorted(c.args["users"] for c in opened)


def test_each_member_is_prompted_at_their_own_nine_oclock_once(sched, fake_slack):
    services, client, clock = sched
    # Walk a whole Monday (and the small hours of Tuesday) in 30-minute ticks.
    start = utc(2026, 3, 29, 18, 0)
    for step in range(0, 40):
        tick_at(services, client, clock, start + timedelta(minutes=30 * step))
    assert dm_recipients(fake_slack) == sorted([ALICE, BOB, CAROL])
    sent_at = {c.args["users"]: c.at for c in fake_slack.calls_to("conversations.open")}
    assert len(sent_at) == 3
    for user in (ALICE, BOB, CAROL):
        assert services.journal.prompt_status(user, TEAM_CHANNEL, 2026, 14).status == "sent"


def test_two_replicas_ticking_at_once_prompt_each_member_once(sched, fake_slack):
    services, client, clock = sched
    now = utc(2026, 3, 30, 13, 0)  # due for London (08:00 UTC) and New York (13:00 UTC)
    clock.advance(seconds=(now - clock.now()).total_seconds())
    other = Services(services.settings, clock=FixedClock(now))
    barrier = threading.Barrier(2)

    def run(svc):
        barrier.wait()
        tick(svc, build_client(svc.settings))

    threads = [threading.Thread(target=run, args=(s,)) for s in (services, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dm_recipients(fake_slack) == sorted([ALICE, BOB, CAROL])
    tick_at(services, client, clock, now + timedelta(minutes=5))  # and a later tick adds nothing
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    other.journal.close()


def test_a_switched_off_schedule_prompts_nobody(sched, fake_slack):
    services, client, clock = sched
    services.journal.set_schedule(None, TEAM_CHANNEL, enabled=False)
    tick_at(services, client, clock, utc(2026, 3, 30, 13, 0))
    assert fake_slack.calls_to("chat.postMessage") == []


def test_skip_means_no_prompt_until_next_week(sched, fake_slack):
    services, client, clock = sched
    services.journal.skip_prompt(BOB, TEAM_CHANNEL, 2026, 14)
    tick_at(services, client, clock, utc(2026, 3, 30, 13, 0))
    assert BOB not in dm_recipients(fake_slack)
    fake_slack.reset()
    tick_at(services, client, clock, utc(2026, 4, 6, 13, 0))  # next Monday
    assert BOB in dm_recipients(fake_slack)


def test_the_prompt_dm_recalls_nothing_private_in_a_channel(sched, fake_slack):
    services, client, clock = sched
    tick_at(services, client, clock, utc(2026, 3, 30, 8, 0))
    for call in fake_slack.calls_to("chat.postMessage"):
        assert call.args["channel"].startswith("D")  # only ever DMs


def test_snooze_button_defers_the_prompt_by_a_day(bot, team):
    client = build_client(bot.services.settings)
    tick_at(bot.services, client, bot.clock, utc(2026, 3, 30, 8, 0))
    [prompt] = [
        c for c in bot.fake.wait_for("chat.postMessage") if c.args["channel"] == "D0ALICE001"
    ]
    snooze = buttons(prompt)["snooze"]
    click = payloads.block_action(
        ALICE, "snooze", snooze["value"], channel=prompt.args["channel"], message_ts="1.0001"
    )
    assert bot.sender.interaction(click).status == 200
    [updated] = bot.fake.wait_for("chat.update")
    assert "Snoozed" in updated.args["text"]
    record = bot.journal.prompt_status(ALICE, TEAM_CHANNEL, 2026, 14)
    assert record.status == "snoozed"

    def alice_prompts() -> int:
        return len(bot.fake.wait_for("chat.postMessage", channel="D0ALICE001"))

    before = alice_prompts()
    tick_at(bot.services, client, bot.clock, utc(2026, 3, 31, 7, 59))  # not yet a day
    assert alice_prompts() == before
    report = tick_at(bot.services, client, bot.clock, utc(2026, 3, 31, 8, 1))
    assert report.resent_after_snooze == [(ALICE, TEAM_CHANNEL)]
    tick_at(bot.services, client, bot.clock, utc(2026, 3, 31, 8, 30))
    assert alice_prompts() == before + 1


def test_skip_button_ends_this_weeks_prompt(bot, team):
    client = build_client(bot.services.settings)
    tick_at(bot.services, client, bot.clock, utc(2026, 3, 30, 8, 0))
    [prompt] = bot.fake.wait_for("chat.postMessage", channel="D0ALICE001")
    skip = buttons(prompt)["skip_week"]
    click = payloads.block_action(
        ALICE, "skip_week", skip["value"], channel="D0ALICE001", message_ts="1.0002"
    )
    assert bot.sender.interaction(click).status == 200
    [updated] = bot.fake.wait_for("chat.update")
    assert "Skipped" in updated.args["text"]
    assert bot.journal.prompt_status(ALICE, TEAM_CHANNEL, 2026, 14).status == "skipped"
    assert not bot.services.coach.in_reflection(
        Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    )
    tick_at(bot.services, client, bot.clock, utc(2026, 3, 31, 8, 30))
    assert len(bot.fake.wait_for("chat.postMessage", channel="D0ALICE001")) == 1


def test_a_member_who_moved_is_prompted_in_their_new_timezone_next_week(sched, fake_slack):
    services, client, clock = sched
    fake_slack.add_user(BOB, "bob", "Asia/Tokyo")  # Bob changed his Slack timezone
    tick_at(services, client, clock, utc(2026, 3, 30, 13, 0))  # 09:00 in New York
    assert BOB in dm_recipients(fake_slack)
    members = {m.user: m for m in services.journal.team_members(TEAM_CHANNEL)}
    assert members[BOB].timezone == "Asia/Tokyo"
    fake_slack.reset()
    tick_at(services, client, clock, utc(2026, 4, 6, 0, 0))  # Monday 09:00 in Tokyo
    assert dm_recipients(fake_slack) == [BOB]


def test_a_team_created_after_this_weeks_prompt_time_is_not_prompted_a_minute_later(
    sched, fake_slack
):
    services, client, clock = sched
    journal = services.journal
    # Monday 30 March, 09:30 in London: a new team with the default Monday 09:00 schedule.
    tick_at(services, client, clock, utc(2026, 3, 30, 8, 30))
    fake_slack.reset()
    journal.ensure_team("C0NEWTEAM1", name="#new", workspace=WORKSPACE_ID, admin="U0NEW00001")
    journal.add_member("C0NEWTEAM1", "U0NEW00002", timezone="Europe/London", workspace=WORKSPACE_ID)
    report = tick_at(services, client, clock, utc(2026, 3, 30, 8, 31))
    assert not [who for who in report.sent if who[1] == "C0NEWTEAM1"]
    # Their first prompt is next Monday's, on time.
    report = tick_at(services, client, clock, utc(2026, 4, 6, 8, 0))
    assert ("U0NEW00002", "C0NEWTEAM1") in report.sent
