"""SIGKILL a real `ripple serve` mid-burst: every acknowledged event is still answered once.

Real processes, real HTTP, signed events, the fake Slack Web API, SQLite and PostgreSQL. The
fake's chat.postMessage takes 150 ms to answer *after* it has posted, so a kill lands in every
window: before the answer was produced, while it was being posted, and after Slack accepted a
message but before the bot heard back. Then Slack redelivers every event (X-Slack-Retry-Num).

Phase 1: one replica, killed after N acks, restarted. Phase 2: two replicas, one killed; the
survivor takes over. Each phase counts, per event, the replies in its thread: 0 is lost, 2 or
more is duplicated. The evidence store is a closed port (what-helped answers then say the
library is unavailable, quickly), as in test_replicas.py.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.stack import (
    SIGNING_SECRET,
    ServeProcess,
    free_port,
    fresh_postgres,
    http_get,
    ripple_env,
)
from tests.conftest import TEST_DATABASE_URL
from tests.slack import payloads
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.signing import SlackSender

EVENTS = 60
KILL_AFTER = 20  # acks
CHANNEL = "C0BURST001"
POST_SECONDS = 0.15

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL"),
        ],
    ),
]


@contextlib.contextmanager
def _database(backend: str, work: Path):
    if backend == "sqlite":
        yield f"sqlite:///{work / 'journal.db'}"
    else:
        with fresh_postgres(TEST_DATABASE_URL) as url:
            yield url


class Burst:
    """Slack's side: the events, who acked them, and the replies that reached each thread."""

    def __init__(self, fake: FakeSlack, phase: str) -> None:
        self.fake = fake
        users = [f"U0B{phase}{n:05d}" for n in range(EVENTS)]
        self.envelopes = [
            payloads.app_mention(user, CHANNEL, f"what helped with pooled budgets, case {n}?")
            for n, user in enumerate(users)
        ]
        self.acked = 0
        self._lock = threading.Lock()

    def send(self, senders: list[SlackSender], kill: ServeProcess | None = None) -> None:
        """Send every event (8 at a time, round-robin over `senders`); SIGKILL `kill` once
        KILL_AFTER of them were acknowledged. Sends that fail are Slack's to retry."""

        def one(index: int) -> None:
            sender = senders[index % len(senders)]
            with contextlib.suppress(OSError):
                if sender.event(self.envelopes[index]).status == 200:
                    with self._lock:
                        self.acked += 1
                        if kill is not None and self.acked == KILL_AFTER:
                            kill.process.send_signal(signal.SIGKILL)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(EVENTS)))

    def redeliver(self, sender: SlackSender) -> list[int]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = pool.map(lambda e: sender.event(e, retry_num=1), self.envelopes)
            return [s.status for s in sent]

    def replies(self) -> list[int]:
        """How many messages reached each event's thread."""
        per_thread = Counter(
            c.args.get("thread_ts")
            for c in self.fake.calls_to("chat.postMessage")
            if c.args.get("channel") == CHANNEL
        )
        return [per_thread[e["event"]["ts"]] for e in self.envelopes]


def _inbox_states(database_url: str, burst: Burst) -> Counter:
    keys = {f"event:{e['event_id']}" for e in burst.envelopes}
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, status FROM inbox_events")).all()
    finally:
        engine.dispose()
    states = Counter(status for key, status in rows if key in keys)
    states["not recorded"] = len(keys) - sum(states.values())
    return states


def _wait_all_closed(database_url: str, burst: Burst, timeout: float = 90) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        states = _inbox_states(database_url, burst)
        if states["done"] + states["failed"] == EVENTS or time.monotonic() > deadline:
            time.sleep(1.0)  # long enough for a duplicate to show up
            return states
        time.sleep(0.2)


def _healthy(replica: ServeProcess, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert replica.process.poll() is None, replica.log_path.read_text()[-3000:]
        with contextlib.suppress(OSError):
            if http_get(replica.port, "/healthz")[0] == 200:
                return
        time.sleep(0.2)
    raise AssertionError("ripple serve never answered /healthz")


def _report(backend: str, replicas: int, burst: Burst, at_kill: Counter, replies: list[int]):
    row = {
        "backend": backend,
        "replicas": replicas,
        "events": EVENTS,
        "acked before kill": burst.acked,
        "at kill": dict(at_kill),
        "answered once": sum(1 for n in replies if n == 1),
        "lost": sum(1 for n in replies if n == 0),
        "duplicated": sum(1 for n in replies if n > 1),
    }
    print(f"\nSIGKILL {row}")
    return row


def _phase(backend, replicas, database_url, burst, survivor, killed=None) -> None:
    if killed is not None:
        killed.process.wait(timeout=10)
    at_kill = _inbox_states(database_url, burst)
    assert burst.redeliver(survivor) == [200] * EVENTS, "every redelivery is acked"
    closed = _wait_all_closed(database_url, burst)
    row = _report(backend, replicas, burst, at_kill, burst.replies())
    row["closed"] = dict(closed)
    assert KILL_AFTER <= burst.acked < EVENTS, "the kill must land mid-burst"
    assert at_kill["done"] < EVENTS, "some work must have been cut off"
    assert (row["lost"], row["duplicated"]) == (0, 0), row
    assert closed["done"] == EVENTS, closed


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, embedder) -> Path:
    """A data folder whose trained classifiers are cached, so each replica starts quickly."""
    from bot.coaching.classifier import default_cache_dir
    from bot.services import Services
    from tests.conftest import make_settings

    folder = tmp_path_factory.mktemp("replica-data")
    # The classifiers' cache is content-addressed: share the session's, rather than train
    # again for these replicas.
    shared = default_cache_dir()
    shared.mkdir(parents=True, exist_ok=True)
    (folder / "cache").mkdir()
    (folder / "cache" / "classifiers").symlink_to(shared, target_is_directory=True)
    _ = Services(make_settings(folder)).coach  # loads (or trains, once) the classifiers
    return folder


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_burst_loses_and_duplicates_nothing(backend, tmp_path, data_dir):
    fake = FakeSlack().start()
    fake.add_channel(CHANNEL, "burst", [BOT_USER_ID])
    fake.state.delays["chat.postMessage"] = POST_SECONDS
    started: list[ServeProcess] = []
    try:
        with _database(backend, tmp_path) as database_url:
            env = ripple_env(
                database_url=database_url,
                data_dir=data_dir,
                slack_api_url=fake.api_url,
                chroma_port=free_port(),  # nothing listens: the library is "down"
                RIPPLE_INBOX_LEASE_SECONDS="2",
                RIPPLE_INBOX_SWEEP_SECONDS="0.5",
            )

            def replica(name: str) -> ServeProcess:
                process = ServeProcess(env, tmp_path / f"{name}.log").start()
                started.append(process)
                return process

            # Two replicas, one SIGKILLed mid-burst; Slack redelivers everything to the other.
            first, second = replica("first"), replica("second")
            _healthy(first)
            _healthy(second)
            survivor = SlackSender(first.url, SIGNING_SECRET)
            burst = Burst(fake, "2")
            burst.send([survivor, SlackSender(second.url, SIGNING_SECRET)], kill=second)
            _phase(backend, 2, database_url, burst, survivor, second)
            assert "taking over an event" in (tmp_path / "first.log").read_text()

            # Then the one replica left, SIGKILLed mid-burst and restarted.
            fake.reset()
            fake.state.delays["chat.postMessage"] = POST_SECONDS
            burst = Burst(fake, "1")
            burst.send([survivor], kill=first)
            first.process.wait(timeout=10)
            restarted = replica("restarted")
            _healthy(restarted)
            _phase(backend, 1, database_url, burst, SlackSender(restarted.url, SIGNING_SECRET))
    finally:
        for process in started:
            process.stop(timeout=10)
        fake.stop()
