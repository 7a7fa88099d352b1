"""Weekly prompt claims, snooze/skip, and Slack event dedup: exactly once, even when racing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.journal import Journal


def _race(journals: list[Journal], call) -> list[bool]:
    """Run `call(journal)` on every journal at the same instant; collect the answers."""
    barrier = threading.Barrier(len(journals))
    results: list[bool] = []
    lock = threading.Lock()

    def go(j: Journal) -> None:
        barrier.wait()
        got = call(j)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=go, args=(j,)) for j in journals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def replicas(journal, db_settings, clock):
    """Four journals on one database: separate engines, like separate bot processes."""
    journal.ensure_team("plymouth", admin="alice")
    others = [Journal(db_settings, clock=clock) for _ in range(3)]
    yield [journal, *others]
    for j in others:
        j.close()


def test_two_replicas_claiming_the_same_weekly_prompt_get_exactly_one_true(replicas):
    results = _race(replicas, lambda j: j.claim_weekly_prompt("alice", "plymouth", 2026, 10))
    assert sorted(results) == [False, False, False, True]
    # After a crash and restart the claim is still taken; next week is a new claim.
    assert not replicas[0].claim_weekly_prompt("alice", "plymouth", 2026, 10)
    assert replicas[0].claim_weekly_prompt("alice", "plymouth", 2026, 11)


def test_a_slack_event_is_processed_once_across_replicas(replicas):
    results = _race(replicas, lambda j: j.mark_event_processed("Ev0123ABC"))
    assert sorted(results) == [False, False, False, True]
    assert replicas[1].mark_event_processed("Ev0999XYZ")


def test_snooze_fires_once_after_a_day_and_skip_stops_the_week(journal, clock):
    journal.ensure_team("plymouth", admin="alice")
    assert journal.claim_weekly_prompt("alice", "plymouth", 2026, 10)
    snoozed = journal.snooze_prompt("alice", "plymouth", 2026, 10)
    assert snoozed.status == "snoozed" and snoozed.snooze_until == clock.now() + timedelta(days=1)
    assert journal.due_snoozed_prompts() == []
    clock.advance(days=1, minutes=1)
    [due] = journal.due_snoozed_prompts()
    assert (due.user, due.team, due.iso_week) == ("alice", "plymouth", 10)
    assert journal.claim_snoozed_prompt("alice", "plymouth", 2026, 10)
    assert not journal.claim_snoozed_prompt("alice", "plymouth", 2026, 10)
    assert journal.skip_prompt("alice", "plymouth", 2026, 10).status == "skipped"
    assert journal.prompt_status("alice", "plymouth", 2026, 10).status == "skipped"
    assert not journal.claim_weekly_prompt("alice", "plymouth", 2026, 10)


def test_schedule_and_timezones_feed_the_scheduler(journal):
    from bot.journal import AccessDenied, InvalidInput

    journal.ensure_team("plymouth", admin="alice")
    journal.add_member("plymouth", "bob", timezone="America/New_York")
    journal.add_member("plymouth", "botty", is_bot=True)
    with pytest.raises(AccessDenied):
        journal.set_schedule("bob", "plymouth", weekday="friday")
    schedule = journal.set_schedule("alice", "plymouth", weekday="Fri", time="8:30")
    assert (schedule.weekday, schedule.time, schedule.enabled) == (4, "08:30", True)
    with pytest.raises(InvalidInput):
        journal.set_schedule("alice", "plymouth", time="25:00")
    with pytest.raises(InvalidInput):
        journal.set_member_timezone("bob", "Mars/Olympus")
    members = {m.user: m for m in journal.scheduled_members()}
    assert set(members) == {"alice", "bob"}  # bots are never prompted
    assert members["bob"].timezone == "America/New_York"
    assert members["alice"].schedule.weekday_name == "Friday"
    journal.set_schedule("alice", "plymouth", enabled=False)
    assert journal.scheduled_members() == []


def test_feedback_is_one_vote_per_person_per_question(journal):
    journal.record_feedback("alice", "plymouth", "What helped pooling budgets?", "up")
    journal.record_feedback("alice", "plymouth", "what helped pooling budgets? ", "down")
    journal.record_feedback("bob", "plymouth", "What helped pooling budgets?", "up")
    assert journal.feedback_counts() == {"up": 1, "down": 1}
