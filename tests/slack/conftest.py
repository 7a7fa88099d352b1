"""Fixtures for the Slack end-to-end tests: a fake Slack Web API, and the real bot served
over HTTP on a loopback port, built from real services (model, Chroma, SQLite).

The evidence index is built once per session in a shared data directory; each test gets its
own journal database, so tests never see each other's entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.coaching.ports import FixedClock
from bot.config import Settings
from bot.services import Services
from tests.conftest import make_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import SlackSender

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"

ALICE, BOB, CAROL = "U0ALICE001", "U0BOB00002", "U0CAROL003"
TEAM_CHANNEL = "C0TEAM0001"
OTHER_CHANNEL = "C0OTHER001"


@pytest.fixture(scope="session")
def slack_data_dir(tmp_path_factory, embedder) -> Path:
    """One data directory per session holding the ingested evidence index."""
    data_dir = tmp_path_factory.mktemp("slack-data")
    # The model itself is cached per process, so every Services below reuses `embedder`'s.
    Services(make_settings(data_dir)).evidence.ensure_ingested()
    return data_dir


@pytest.fixture(scope="session")
def fake_slack_server() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_slack(fake_slack_server: FakeSlack) -> FakeSlack:
    fake = fake_slack_server
    fake.reset()
    fake.state.users.clear()
    fake.state.channel_members.clear()
    fake.state.channel_names.clear()
    for user, name, tz in (
        (ALICE, "alice", "Europe/London"),
        (BOB, "bob", "America/New_York"),
        (CAROL, "carol", "Asia/Kolkata"),
    ):
        fake.add_user(user, name, tz)
    fake.add_channel(TEAM_CHANNEL, "plymouth-alcohol", [ALICE, BOB, CAROL, "U0RIPPLEBOT"])
    return fake


def slack_settings(data_dir: Path, db_url: str, api_url: str, **overrides) -> Settings:
    return make_settings(
        data_dir,
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api_url,
        scheduler_enabled=False,
        **overrides,
    )


@dataclass
class RunningBot:
    services: Services
    server: object
    sender: SlackSender
    fake: FakeSlack
    clock: FixedClock

    @property
    def journal(self):
        return self.services.journal


@pytest.fixture
def bot(slack_data_dir, fake_slack, tmp_path, embedder) -> Iterator[RunningBot]:
    """The real app on a loopback port, talking to the fake Slack Web API."""
    yield from _running_bot(
        slack_data_dir, f"sqlite:///{tmp_path / 'journal.db'}", fake_slack, embedder
    )


def _running_bot(data_dir, db_url, fake, embedder, *, ping: bool = True) -> Iterator[RunningBot]:
    from bot.slack.app import build_app
    from bot.slack.server import RippleServer, services_readiness

    clock = FixedClock(datetime(2026, 3, 30, 8, 0, tzinfo=UTC))
    services = Services(slack_settings(data_dir, db_url, fake.api_url), clock=clock)
    if ping:
        services.journal.ping()  # migrate before the first request
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-slack")
    app = build_app(services, executor=executor)
    server = RippleServer(
        app, readiness=services_readiness(services), executor=executor, port=0
    ).start()
    fake.reset()  # startup's auth.test is not part of any test's story
    try:
        yield RunningBot(services, server, SlackSender(server.url, SIGNING_SECRET), fake, clock)
    finally:
        server.shutdown(wait=True)
        if ping:
            services.journal.close()


def message_text(call) -> str:
    """Everything a person would read in one posted message: text plus every block's text."""
    parts = [str(call.args.get("text", ""))]
    for block in call.args.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), dict):
                parts.append(element["text"].get("text", ""))
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def buttons(call) -> dict[str, dict]:
    """action_id -> button, over every actions block of a posted message or view."""
    blocks = call.args.get("blocks") or (call.args.get("view") or {}).get("blocks") or []
    return {
        element["action_id"]: element
        for block in blocks
        if block.get("type") == "actions"
        for element in block["elements"]
    }


@pytest.fixture
def team(bot) -> str:
    """TEAM_CHANNEL registered as a team (Alice admin), as `/ripple team create` leaves it."""
    from tests.slack.fake_slack import WORKSPACE_ID

    journal = bot.journal
    journal.ensure_team(TEAM_CHANNEL, name="#plymouth-alcohol", workspace=WORKSPACE_ID, admin=ALICE)
    for user, tz in ((BOB, "America/New_York"), (CAROL, "Asia/Kolkata")):
        journal.add_member(TEAM_CHANNEL, user, timezone=tz, workspace=WORKSPACE_ID)
    return TEAM_CHANNEL
