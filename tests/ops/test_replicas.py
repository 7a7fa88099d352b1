"""Two `ripple serve` replicas on one PostgreSQL database, as docker compose runs them.

Real processes, real HTTP, real PostgreSQL, the fake Slack Web API: a retried event that
reaches both replicas is answered once, a scheduler tick run by both prompts each member once,
the health endpoints answer, logs are JSON without journal text, and SIGTERM lets in-flight
replies finish.

The evidence store is a closed port here: ingesting the library takes a minute, and what-helped
answers then say the library is unavailable, which is still exactly one reply per event.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.stack import (
    ENCRYPTION_KEY,
    SIGNING_SECRET,
    ServeProcess,
    free_port,
    fresh_postgres,
    http_get,
    ripple,
    ripple_env,
)
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.ops.deployfiles import dockerfile_instructions, load_compose
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import SlackSender

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL"),
]

SECRET_REFLECTION = "Nobody knows I nearly resigned after the Torbay budget meeting"
SCHEDULED_TEAM = "C0SCHEDULE"


class Stack:
    def __init__(self, database_url: str, fake: FakeSlack, work: Path) -> None:
        self.database_url, self.fake, self.work = database_url, fake, work
        self.evidence_port = free_port()  # nothing listens: the vector store is "down"
        self.env = ripple_env(
            database_url=database_url,
            data_dir=work / "data",
            slack_api_url=fake.api_url,
            chroma_port=self.evidence_port,
            RIPPLE_SCHEDULER_ENABLED="true",
            RIPPLE_SCHEDULER_INTERVAL_SECONDS="1",
        )
        self.replicas = [ServeProcess(self.env, work / f"serve-{n}.log") for n in range(2)]

    def senders(self) -> list[SlackSender]:
        return [SlackSender(r.url, SIGNING_SECRET) for r in self.replicas]

    def journal(self):
        from bot.journal.service import Journal

        return Journal(
            make_settings(
                self.work / "test", database_url=self.database_url, encryption_keys=ENCRYPTION_KEY
            )
        )

    def replies(self, channel: str, thread_ts: str | None = None) -> list:
        return [
            c
            for c in self.fake.calls_to("chat.postMessage")
            if c.args.get("channel") == channel
            and (thread_ts is None or c.args.get("thread_ts") == thread_ts)
        ]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    work = tmp_path_factory.mktemp("replicas")
    fake = FakeSlack().start()
    with fresh_postgres(TEST_DATABASE_URL) as database_url:
        stack = Stack(database_url, fake, work)
        stack.journal().close()  # migrate once, so the replicas start on a ready schema
        for replica in stack.replicas:
            replica.start()
        try:
            for replica in stack.replicas:
                _wait_healthy(replica)
            yield stack
        finally:
            for replica in stack.replicas:
                replica.stop()
            fake.stop()


def _wait_healthy(replica: ServeProcess, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert replica.process.poll() is None, replica.log_path.read_text()[-2000:]
        try:
            if http_get(replica.port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError("ripple serve never answered /healthz")


def _wait_for_replies(stack: Stack, count: int, channel: str, thread_ts=None, timeout=30):
    deadline = time.monotonic() + timeout
    while len(stack.replies(channel, thread_ts)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # long enough for a duplicate from the other replica to show up
    return stack.replies(channel, thread_ts)


def _both_at_once(*calls):
    results: list = [None] * len(calls)

    def run(index, call):
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_event_delivered_to_both_replicas_and_retried_is_answered_once(stack):
    first, second = stack.senders()
    envelope = payloads.app_mention(
        "U0ASKER001", "C0TEAMPLY1", "what helped when partners disagreed about budgets?"
    )
    ts = envelope["event"]["ts"]
    acks = _both_at_once(lambda: first.event(envelope), lambda: second.event(envelope))
    acks.append(first.event(envelope, retry_num=1))
    acks.append(second.event(envelope, retry_num=2))
    assert [a.status for a in acks] == [200, 200, 200, 200]
    assert all(a.seconds < 3 for a in acks), "Slack needs every ack within 3 s"

    replies = _wait_for_replies(stack, 1, "C0TEAMPLY1", ts)
    assert len(replies) == 1, f"expected one threaded reply, got {len(replies)}"
    assert "temporarily unavailable" in replies[0].args["text"], "the store is down: say so"


def test_a_dm_retried_across_replicas_gets_one_reply(stack):
    first, second = stack.senders()
    envelope = payloads.dm_message("U0LEADER77", SECRET_REFLECTION)
    channel = envelope["event"]["channel"]
    _both_at_once(lambda: first.event(envelope), lambda: second.event(envelope, retry_num=1))
    assert len(_wait_for_replies(stack, 1, channel)) == 1


def test_a_scheduler_tick_run_by_both_replicas_prompts_each_member_once(stack):
    # A Wednesday in an ISO week the replicas' own real-clock schedulers can never reach, and
    # the schedule set before anyone joins: otherwise a replica's scheduler could prompt the
    # members under the team's default schedule first (a test that failed only on Mondays).
    now = datetime(2030, 1, 9, 9, 5, tzinfo=UTC)  # Wednesday, five minutes after 09:00
    members = [f"U0SCHED{n:03d}" for n in range(6)]
    journal = stack.journal()
    journal.ensure_team(SCHEDULED_TEAM, name="tick test")
    journal.set_schedule(None, SCHEDULED_TEAM, weekday="wednesday", time="09:00", enabled=True)
    for user in members:
        journal.add_member(SCHEDULED_TEAM, user, timezone="Europe/London")
    journal.close()

    ticks = _both_at_once(
        *[
            lambda: ripple("schedule", "tick", "--now", now.isoformat(), env=stack.env)
            for _ in range(2)
        ]
    )
    assert all(t.returncode == 0 for t in ticks), [t.stderr[-500:] for t in ticks]
    sent = [int(re.search(r"(\d+) weekly prompt", t.stdout).group(1)) for t in ticks]
    assert sum(sent) == len(members), [t.stdout for t in ticks]
    for user in members:
        assert len(stack.replies("D" + user.lstrip("U"))) == 1, f"{user} not prompted once"
    logged = [json.loads(line) for t in ticks for line in t.stderr.splitlines() if line.strip()]
    assert any(r["logger"] == "bot.slack.scheduler" for r in logged), "the CLI logs JSON too"


def test_the_replicas_own_schedulers_prompt_each_due_member_once(stack):
    now = datetime.now(UTC) - timedelta(minutes=2)
    members = [f"U0LIVE{n:04d}" for n in range(4)]
    journal = stack.journal()
    journal.ensure_team("C0LIVETEAM", name="live scheduler")
    journal.set_schedule(
        None, "C0LIVETEAM", weekday=now.weekday(), time=now.strftime("%H:%M"), enabled=True
    )
    for user in members:
        journal.add_member("C0LIVETEAM", user, timezone="UTC")
    journal.close()
    # They joined before this week's prompt time (a prompt that fell before someone joined
    # is never caught up), so the schedulers owe each of them this week's prompt.
    engine = sa.create_engine(stack.env["RIPPLE_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE team_memberships SET joined_at = :at"), {"at": now - timedelta(hours=1)}
        )
    engine.dispose()
    for user in members:
        replies = _wait_for_replies(stack, 1, "D" + user.lstrip("U"), timeout=20)
        assert len(replies) == 1, f"{user}: {len(replies)} prompts from two schedulers"


def test_healthz_and_readyz_report_what_is_reachable(stack):
    replica = stack.replicas[0]
    assert http_get(replica.port, "/healthz")[0] == 200
    status, body = http_get(replica.port, "/readyz")
    checks = json.loads(body)["checks"]
    assert checks["database"] == "ok"
    assert checks["evidence"] != "ok", "nothing listens where the vector store should be"
    assert status == 503, "the vector store is down, so the replica is not ready"


def test_the_image_healthcheck_command_passes_against_a_live_replica(stack):
    final = dockerfile_instructions()
    check = next(i for i in reversed(final) if i.keyword == "HEALTHCHECK").arguments
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    command = [part.replace(":3000/", f":{stack.replicas[0].port}/") for part in command]
    assert command[0] == "python"
    assert subprocess.run([sys.executable, *command[1:]], timeout=10).returncode == 0

    compose_check = load_compose()["services"]["bot"]["healthcheck"]["test"]
    assert compose_check[1] == "python" and "/readyz" in compose_check[-1]


def test_production_logs_are_json_lines_without_journal_text(stack):
    for replica in stack.replicas:
        lines = [line for line in replica.log_path.read_text().splitlines() if line.strip()]
        assert lines, "a replica wrote no log at all"
        for line in lines:
            record = json.loads(line)  # every line is one JSON object
            assert {"ts", "level", "logger", "msg"} <= set(record)
            assert "Torbay" not in line and "resigned" not in line


def test_sigterm_lets_in_flight_replies_finish(stack):
    """Run last: it stops the second replica."""
    replica = stack.replicas[1]
    sender = SlackSender(replica.url, SIGNING_SECRET)
    stack.fake.fail("chat.postMessage", status=429, retry_after=2, times=4)
    envelopes = [payloads.dm_message(f"U0DRAIN{n:03d}", f"turn {n} of the week") for n in range(4)]
    for envelope in envelopes:
        assert sender.event(envelope).status == 200
    deadline = time.monotonic() + 20
    while not all(stack.replies(e["event"]["channel"]) for e in envelopes):
        assert time.monotonic() < deadline, "the replies never started"
        time.sleep(0.05)  # until every reply has made its first, rate-limited, attempt

    assert replica.stop(timeout=30) == 0, "ripple serve should exit cleanly on SIGTERM"
    for envelope in envelopes:
        attempts = stack.replies(envelope["event"]["channel"])
        assert len(attempts) == 2, "the rate-limited reply was retried and posted before exit"
