"""The HTTP edge: signatures, freshness, the URL challenge, health endpoints."""

from __future__ import annotations

import time

from tests.slack import payloads
from tests.slack.conftest import ALICE, TEAM_CHANNEL


def test_url_verification_echoes_the_challenge(bot):
    sent = bot.sender.event(
        payloads.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    )
    assert sent.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in sent.body


def test_bad_signature_is_refused_and_nothing_is_called(bot):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
    sent = bot.sender.event(envelope, secret="not-the-signing-secret")
    assert sent.status == 401
    time.sleep(0.3)  # give any (wrongly) scheduled work the chance to call Slack
    assert bot.fake.methods() == []


def test_stale_timestamp_is_refused_and_nothing_is_called(bot):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
    sent = bot.sender.event(envelope, timestamp=int(time.time()) - 10 * 60)
    assert sent.status == 401
    command = payloads.slash(ALICE, TEAM_CHANNEL, "help", response_url=bot.fake.response_url())
    assert bot.sender.command(command, timestamp=int(time.time()) - 3600).status == 401
    time.sleep(0.3)
    assert bot.fake.methods() == []


def test_health_and_readiness(bot):
    assert bot.sender.get("/healthz").status == 200
    ready = bot.sender.get("/readyz")
    assert ready.status == 200, ready.body
    assert ready.json()["checks"]["database"] == "ok"
    assert bot.sender.get("/nope").status == 404


def test_readiness_fails_when_the_database_is_unreachable(slack_data_dir, fake_slack, tmp_path):
    from bot.services import Services
    from bot.slack.server import services_readiness
    from tests.slack.conftest import slack_settings

    # A PostgreSQL URL on a closed port: the journal cannot connect.
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"
    services = Services(slack_settings(slack_data_dir, url, fake_slack.api_url))
    checks = services_readiness(services)()
    assert checks["database"] != "ok"


def test_malformed_and_oversized_bodies_are_refused_without_a_crash(bot):
    garbage = bot.sender.send("{not json", {"Content-Type": "application/json"})
    assert garbage.status in (400, 404)
    huge = bot.sender.send("x" * 4_000_000, {"Content-Type": "application/json"})
    assert huge.status == 413
    assert bot.sender.get("/healthz").status == 200  # still serving
    assert bot.fake.methods() == []


def test_unknown_buttons_and_events_are_acknowledged_quietly(bot):
    click = payloads.block_action(ALICE, "button_from_an_old_version", "{}", channel=TEAM_CHANNEL)
    assert bot.sender.interaction(click).status == 200
    reaction = payloads.envelope(
        {
            "type": "reaction_added",
            "user": ALICE,
            "reaction": "thumbsup",
            "item": {"type": "message", "channel": TEAM_CHANNEL, "ts": "1700000000.000100"},
            "event_ts": "1700000001.000200",
        }
    )
    assert bot.sender.event(reaction).status == 200
    time.sleep(0.3)
    assert bot.fake.methods() == []
