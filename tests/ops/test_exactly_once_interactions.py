"""SIGKILL a real `ripple serve` while it works on signed clicks and modal submissions: each
one that reached the inbox still saves once and posts once, and a replay does nothing.

Real processes, real HTTP, signed interactions, the fake Slack Web API, SQLite and
PostgreSQL. Per phase, INTERACTIONS requests go out 8 at a time, mixed: journal-entry modal
submissions (each from its own person, personal journal: saves an entry, DMs "saved as entry
1") and consent "Grant" clicks (each by the admin of its own team: records the grant, posts
"gave consent" in the channel). The fake's chat.postMessage and chat.update take 150 ms to
answer *after* they have acted, so the kill lands before, during and after the work.

Slack never redelivers an interaction, so nothing is sent again: the survivor (two replicas)
or the restarted replica (one) finds the dead one's rows through its sweep. Then every
payload is replayed, the same signed bytes: nothing may change, except that one the dead
replica never received is then delivered for the first time, and saved and posted once.

Counted per interaction: entries saved (or grants recorded) and posts made. One that reached
the inbox must end with exactly 1 and 1; one the dead replica never received (refused at the
door: Slack shows the person an error) with 0 and 0.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bench.stack import SIGNING_SECRET, ServeProcess, free_port, ripple_env
from bot.slack import modals
from bot.slack.inbox_keys import request_key
from tests.ops.test_exactly_once import BACKENDS, _database, _healthy, data_dir  # noqa: F401
from tests.slack import payloads
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.signing import SlackSender

PER_KIND = 20  # modal submissions and as many clicks, per phase
KILL_AFTER = 12  # acks
SLOW_SECONDS = 0.15
GRANTED = "gave consent"


def _dm(user: str) -> str:
    return "D" + user[1:]  # the fake's DM channel with `user`


class Interactions:
    """Slack's side of one phase: the signed requests, who acked them, what reached Slack."""

    def __init__(self, fake: FakeSlack, phase: str) -> None:
        self.fake = fake
        self.writers = [f"U0W{phase}{n:05d}" for n in range(PER_KIND)]
        self.teams = [f"C0T{phase}{n:05d}" for n in range(PER_KIND)]
        self.admins = [f"U0A{phase}{n:05d}" for n in range(PER_KIND)]
        view = modals.journal_entry(team="", team_name="your journal")
        submissions = [
            payloads.view_submission(
                user,
                {**view, "id": f"V0{phase}{n:07d}"},
                {
                    "entry_text": {
                        "text": {"type": "plain_text_input", "value": f"Entry {n}, {phase}"}
                    },
                    "entry_visibility": {
                        "visibility": {
                            "type": "radio_buttons",
                            "selected_option": {"value": "private"},
                        }
                    },
                },
            )
            for n, user in enumerate(self.writers)
        ]
        clicks = [
            payloads.block_action(
                admin,
                "consent_grant",
                json.dumps({"t": team}),
                channel=team,
                message_ts=f"1700000{n:03d}.000100",
            )
            for n, (admin, team) in enumerate(zip(self.admins, self.teams, strict=True))
        ]
        # Interleaved: the kill cuts across both kinds.
        self.payloads = [p for pair in zip(submissions, clicks, strict=True) for p in pair]
        self.stamp = 0  # one timestamp per phase, so a replay is the same signed bytes
        self.acked: set[int] = set()
        self._lock = threading.Lock()

    def keys(self) -> list[str]:
        return [str(request_key(p)) for p in self.payloads]

    def send(self, senders: list[SlackSender], kill: ServeProcess | None = None) -> None:
        self.stamp = int(time.time())

        def one(index: int) -> None:
            sender = senders[index % len(senders)]
            with contextlib.suppress(OSError):
                sent = sender.interaction(self.payloads[index], timestamp=self.stamp)
                if sent.status == 200:
                    with self._lock:
                        self.acked.add(index)
                        if kill is not None and len(self.acked) == KILL_AFTER:
                            kill.process.send_signal(signal.SIGKILL)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(len(self.payloads))))

    def replay(self, sender: SlackSender) -> list[int]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = pool.map(lambda p: sender.interaction(p, timestamp=self.stamp), self.payloads)
            return [s.status for s in sent]

    def posts(self) -> list[int]:
        """Per request, the messages that reached its place: the DM, or the team channel."""
        calls = self.fake.calls_to("chat.postMessage")
        dms = Counter(c.args.get("channel") for c in calls if "Saved to your" in c.args["text"])
        grants = Counter(c.args.get("channel") for c in calls if GRANTED in c.args.get("text", ""))
        counts = []
        for writer, team in zip(self.writers, self.teams, strict=True):
            counts += [dms[_dm(writer)], grants[team]]
        return counts

    def effects(self, database_url: str) -> list[int]:
        """Per request, what it changed: entries by the writer, grants recorded for the team."""
        engine = sa.create_engine(database_url)
        try:
            with engine.connect() as conn:
                entries = dict(
                    conn.execute(
                        sa.text(
                            "SELECT m.user_id, COUNT(e.id) FROM entries e "
                            "JOIN members m ON m.id = e.author_id GROUP BY m.user_id"
                        )
                    ).all()
                )
                grants = dict(
                    conn.execute(
                        sa.text(
                            "SELECT t.slug, COUNT(c.id) FROM consents c JOIN teams t "
                            "ON t.id = c.team_id WHERE c.action = 'granted' GROUP BY t.slug"
                        )
                    ).all()
                )
        finally:
            engine.dispose()
        counts = []
        for writer, team in zip(self.writers, self.teams, strict=True):
            counts += [entries.get(writer, 0), grants.get(team, 0)]
        return counts


def _inbox_states(database_url: str, keys: list[str]) -> dict[str, str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, status FROM inbox_events")).all()
    finally:
        engine.dispose()
    wanted = set(keys)
    return {key: status for key, status in rows if key in wanted}


def _wait_all_closed(database_url: str, keys: list[str], timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        states = _inbox_states(database_url, keys)
        if all(s in ("done", "failed") for s in states.values()) or time.monotonic() > deadline:
            time.sleep(1.0)  # long enough for a duplicate to show up
            return states
        time.sleep(0.2)


def _create_teams(fake: FakeSlack, sender: SlackSender, batch: Interactions) -> None:
    """Each admin runs `/ripple team create` in their channel (before the burst)."""
    for admin, team in zip(batch.admins, batch.teams, strict=True):
        fake.add_user(admin, admin.lower())
        fake.add_channel(team, team.lower(), [BOT_USER_ID, admin])
    for writer in batch.writers:
        fake.add_user(writer, writer.lower())
    for admin, team in zip(batch.admins, batch.teams, strict=True):
        form = payloads.slash(admin, team, "team create", response_url=fake.response_url())
        assert sender.command(form).status == 200
    deadline = time.monotonic() + 60
    while len([c for c in fake.calls_to("chat.postMessage") if "Ripple team" in c.args["text"]]) < (
        PER_KIND
    ):
        assert time.monotonic() < deadline, "the teams were never created"
        time.sleep(0.2)


def _phase(backend, replicas, database_url, batch: Interactions, survivor, killed=None) -> dict:
    if killed is not None:
        killed.process.wait(timeout=10)
    keys = batch.keys()
    at_kill = Counter(_inbox_states(database_url, keys).values())
    states = _wait_all_closed(database_url, keys)
    effects, posts = batch.effects(database_url), batch.posts()
    assert batch.replay(survivor) == [200] * len(keys), "every replay is acked"
    time.sleep(1.5)  # a replay that did run would have posted by now
    replayed = list(zip(batch.effects(database_url), batch.posts(), strict=True))

    reached = [key in states for key in keys]
    # A replay of what reached the inbox changes nothing; one the dead replica never got is
    # that request's first delivery, and is saved and posted once like any other.
    expected_after = [
        (e, p) if r else (1, 1) for r, e, p in zip(reached, effects, posts, strict=True)
    ]
    lost = sum(1 for r, e, p in zip(reached, effects, posts, strict=True) if r and (e, p) != (1, 1))
    lost += sum(1 for i in batch.acked if not reached[i])  # acked yet never recorded
    row = {
        "backend": backend,
        "replicas": replicas,
        "interactions": len(keys),
        "acked": len(batch.acked),
        "at kill": dict(at_kill),
        "reached the inbox": sum(reached),
        "refused at the door": sum(
            1 for r, e, p in zip(reached, effects, posts, strict=True) if not r and (e, p) == (0, 0)
        ),
        "saved and posted once": sum(
            1 for r, e, p in zip(reached, effects, posts, strict=True) if r and (e, p) == (1, 1)
        ),
        "lost": lost,
        "duplicated": sum(1 for e, p in zip(effects, posts, strict=True) if e > 1 or p > 1),
        "wrong after the replay": sum(
            1 for want, got in zip(expected_after, replayed, strict=True) if want != got
        ),
        "closed": dict(Counter(states.values())),
    }
    print(f"\nSIGKILL interactions {row}")
    assert KILL_AFTER <= len(batch.acked) < len(keys), "the kill must land mid-burst"
    assert at_kill["done"] < len(keys), "some work must have been cut off"
    assert (row["lost"], row["duplicated"], row["wrong after the replay"]) == (0, 0, 0), row
    assert row["saved and posted once"] + row["refused at the door"] == len(keys), row
    assert set(states.values()) == {"done"}, states
    return row


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_interactions_saves_and_posts_each_once(backend, tmp_path, data_dir):  # noqa: F811
    fake = FakeSlack().start()
    started: list[ServeProcess] = []
    try:
        with _database(backend, tmp_path) as database_url:
            env = ripple_env(
                database_url=database_url,
                data_dir=data_dir,
                slack_api_url=fake.api_url,
                chroma_port=free_port(),  # nothing listens: no evidence is needed here
                RIPPLE_INBOX_LEASE_SECONDS="2",
                RIPPLE_INBOX_SWEEP_SECONDS="0.5",
            )

            def replica(name: str) -> ServeProcess:
                process = ServeProcess(env, tmp_path / f"{name}.log").start()
                started.append(process)
                return process

            first, second = replica("first"), replica("second")
            _healthy(first)
            _healthy(second)
            survivor = SlackSender(first.url, SIGNING_SECRET)
            two, one = Interactions(fake, "2"), Interactions(fake, "1")
            _create_teams(fake, survivor, two)
            _create_teams(fake, survivor, one)

            # Two replicas, one SIGKILLed mid-burst; the other's sweep finishes its work.
            fake.reset()
            for method in ("chat.postMessage", "chat.update"):
                fake.state.delays[method] = SLOW_SECONDS
            two.send([survivor, SlackSender(second.url, SIGNING_SECRET)], kill=second)
            _phase(backend, 2, database_url, two, survivor, second)
            assert "taking over an event" in (tmp_path / "first.log").read_text()

            # Then the one replica left, SIGKILLed mid-burst and restarted.
            fake.reset()
            for method in ("chat.postMessage", "chat.update"):
                fake.state.delays[method] = SLOW_SECONDS
            one.send([survivor], kill=first)
            first.process.wait(timeout=10)
            restarted = replica("restarted")
            _healthy(restarted)
            _phase(backend, 1, database_url, one, SlackSender(restarted.url, SIGNING_SECRET))
    finally:
        for process in started:
            process.stop(timeout=10)
        fake.stop()
