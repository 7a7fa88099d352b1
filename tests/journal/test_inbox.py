"""The durable event inbox: recorded once, taken over once, posted once; SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from bot.journal import Journal
from bot.journal.inbox import Arrival, Inbox

REQUEST = {"body": '{"event": {"text": "I nearly resigned after the budget meeting"}}'}


def _race(inboxes: list[Inbox], call) -> list:
    barrier = threading.Barrier(len(inboxes))
    results: list = []
    lock = threading.Lock()

    def go(index: int, inbox: Inbox) -> None:
        barrier.wait()
        got = call(index, inbox)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=go, args=(i, x)) for i, x in enumerate(inboxes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def replicas(journal, db_settings, clock):
    """Four inboxes on one database, each on its own engine, like four bot processes."""
    others = [Journal(db_settings, clock=clock) for _ in range(3)]
    yield [Inbox.of(j) for j in (journal, *others)]
    for other in others:
        other.close()


def test_one_event_reaching_four_replicas_at_once_is_owned_by_one(replicas):
    results = _race(
        replicas,
        lambda i, inbox: inbox.receive(
            "event:Ev1", "app_mention", REQUEST, owner=f"r{i}", lease_seconds=30
        ),
    )
    assert sorted(r.value for r in results) == ["new", "seen", "seen", "seen"]
    # A Slack retry much later, after the answer, is still recognised.
    replicas[0].finish("event:Ev1")
    again = replicas[2].receive("event:Ev1", "app_mention", REQUEST, owner="r2", lease_seconds=30)
    assert again is Arrival.SEEN


def test_an_expired_lease_is_taken_over_by_exactly_one_replica(replicas):
    dead = replicas[0]
    assert (
        dead.receive("event:Ev2", "message", REQUEST, owner="dead", lease_seconds=0.2)
        is Arrival.NEW
    )
    assert replicas[1].claim_orphans("r1", lease_seconds=30) == [], "the lease is still live"
    time.sleep(0.3)
    retry = replicas[1].receive("event:Ev2", "message", REQUEST, owner="r1", lease_seconds=30)
    assert retry is Arrival.ORPHANED, "a retry of an orphan is left to the takeover"

    claims = _race(replicas, lambda i, inbox: inbox.claim_orphans(f"r{i}", lease_seconds=30))
    won = [c for found in claims for c in found]
    assert len(won) == 1
    assert won[0].attempts == 2 and won[0].status == "working"
    assert won[0].request == REQUEST, "the takeover gets the request back to run it again"
    assert all(inbox.claim_orphans("late", lease_seconds=30) == [] for inbox in replicas)


def test_only_the_lease_holder_may_post_and_each_part_is_recorded_once(replicas):
    inbox, other = replicas[0], replicas[1]
    inbox.receive("event:Ev3", "app_mention", REQUEST, owner="me", lease_seconds=30)
    answer = {"channel": "C1", "thread_ts": "1.0", "text": "t", "chunks": [[], []]}
    assert not other.begin_answer("event:Ev3", "someone-else", answer)
    assert inbox.begin_answer("event:Ev3", "me", answer)
    assert not inbox.begin_answer("event:Ev3", "me", answer), "posting starts once"
    inbox.record_part("event:Ev3", "me", 0, "100.1")
    inbox.record_part("event:Ev3", "me", 0, "100.1")  # recorded twice: kept once
    assert inbox.status("event:Ev3") == ("posting", ["100.1"])
    inbox.record_part("event:Ev3", "me", 1, "100.2")
    inbox.finish("event:Ev3")
    inbox.finish("event:Ev3")
    assert inbox.status("event:Ev3") == ("done", ["100.1", "100.2"])


def test_an_attempt_a_takeover_superseded_can_neither_record_nor_close(replicas):
    slow, heir = replicas[0], replicas[1]
    slow.receive("event:Ev7", "app_mention", REQUEST, owner="slow", lease_seconds=0.1)
    answer = {"channel": "C1", "thread_ts": "1.0", "text": "t", "chunks": [[], []]}
    assert slow.begin_answer("event:Ev7", "slow", answer, attempt=1)
    time.sleep(0.2)  # the slow worker's lease ran out while it was still posting
    [claimed] = heir.claim_orphans("heir", lease_seconds=30)
    assert claimed.attempts == 2
    assert not slow.record_part("event:Ev7", "slow", 0, "300.1", attempt=1), "told to stop"
    assert not slow.finish("event:Ev7", "slow", 1), "cannot close its successor's work"
    assert heir.record_part("event:Ev7", "heir", 0, "300.1", attempt=2)
    assert heir.finish("event:Ev7", "heir", 2)
    assert heir.status("event:Ev7") == ("done", ["300.1"])


def test_a_takeover_of_a_posting_row_gets_the_stored_answer_and_what_was_posted(replicas):
    inbox = replicas[0]
    inbox.receive("event:Ev4", "app_mention", REQUEST, owner="dead", lease_seconds=0.1)
    answer = {"channel": "C1", "thread_ts": "1.0", "text": "t", "chunks": [["a"], ["b"]]}
    inbox.begin_answer("event:Ev4", "dead", answer)
    inbox.record_part("event:Ev4", "dead", 0, "200.1")
    time.sleep(0.2)
    [claimed] = replicas[3].claim_orphans("heir", lease_seconds=30)
    assert claimed.status == "posting"
    assert claimed.answer == answer and claimed.posted_ts == ["200.1"]


def test_attempts_are_counted_and_a_release_hands_the_row_on(replicas):
    inbox = replicas[0]
    inbox.receive("event:Ev5", "message", REQUEST, owner="a", lease_seconds=30)
    inbox.release("event:Ev5", "a")  # the listener raised
    [first] = inbox.claim_orphans("b", lease_seconds=30)
    inbox.release("event:Ev5", "b")
    [second] = inbox.claim_orphans("c", lease_seconds=30)
    assert (first.attempts, second.attempts) == (2, 3)
    assert inbox.give_up("event:Ev5", "c")
    assert not inbox.give_up("event:Ev5", "c"), "given up once"
    assert inbox.status("event:Ev5")[0] == "failed"
    assert inbox.claim_orphans("d", lease_seconds=30) == []


def test_what_a_person_wrote_is_encrypted_in_the_inbox_and_gone_once_done(journal):
    inbox = Inbox.of(journal)
    inbox.receive("event:Ev6", "message", REQUEST, owner="me", lease_seconds=30)
    engine = journal._db.engine
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT request_token FROM inbox_events")).scalar_one()
    assert "resigned" not in raw
    inbox.finish("event:Ev6")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT request_token, answer_token FROM inbox_events")).one()
    assert tuple(row) == (None, None)
