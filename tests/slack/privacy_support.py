"""Fixtures and helpers for issue 5's Slack tests (test_privacy_*.py).

`pbot` is the real app over real HTTP, exactly as `bot` in conftest.py builds it, but on a
fresh data directory without the evidence index: nothing here searches the evidence, so these
tests skip the session's model-and-ingest cost and stay fast. The fake Slack server is the
session's shared one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.coaching.ports import Who
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, RunningBot, _running_bot
from tests.slack.fake_slack import WORKSPACE_ID

ENABLER = "U0SAM00009"  # the team's external coach: not a member of the team
OUTSIDER = "U0EVE00005"


@pytest.fixture
def pbot(fake_slack, tmp_path, db_url) -> Iterator[RunningBot]:
    """On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set (as in CI)."""
    yield from _running_bot(tmp_path / "data", db_url, fake_slack, None)


@pytest.fixture
def pteam(pbot) -> str:
    """TEAM_CHANNEL as `/ripple team create` leaves it: Alice (admin), Bob and Carol."""
    journal = pbot.journal
    journal.ensure_team(TEAM_CHANNEL, name="#plymouth-alcohol", workspace=WORKSPACE_ID, admin=ALICE)
    for user in (BOB, CAROL):
        journal.add_member(TEAM_CHANNEL, user, workspace=WORKSPACE_ID)
    return TEAM_CHANNEL


def write(bot, user: str, text: str, *, team: str = TEAM_CHANNEL, **kw) -> int:
    return bot.journal.save_entry(Who(user=user, team=team, workspace=WORKSPACE_ID), text, **kw)


def command(bot, text: str, *, user: str = ALICE, channel: str = TEAM_CHANNEL):
    form = payloads.slash(user, channel, text, response_url=bot.fake.response_url())
    sent = bot.sender.command(form)
    assert sent.status == 200, sent.body
    return sent


def click(bot, user: str, action_id: str, value: str, **kw):
    sent = bot.sender.interaction(payloads.block_action(user, action_id, value, **kw))
    assert sent.status == 200, sent.body
    return sent


def team_value(team: str = TEAM_CHANNEL) -> str:
    return json.dumps({"t": team})


def open_home(bot, user: str) -> dict:
    """Send app_home_opened and return the view the bot published for `user`."""
    before = len(bot.fake.calls_to("views.publish"))
    assert bot.sender.event(payloads.app_home_opened(user)).status == 200
    published = bot.fake.wait_for("views.publish", before + 1)[-1]
    assert published.args["user_id"] == user
    return published.args["view"]


def view_text(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def dms_to(bot, user: str) -> list:
    """Messages the bot posted in its DM with `user` (the fake's DM id is D + id[1:])."""
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "D" + user[1:]]
