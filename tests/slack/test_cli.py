"""`ripple serve` and `ripple schedule tick` refuse bad configuration with a clear message."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def env(monkeypatch, tmp_path, fake_slack):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    return monkeypatch


def test_socket_mode_without_an_app_token_says_what_to_set(env):
    result = CliRunner().invoke(app, ["serve", "--socket"])
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN" in result.output


def test_schedule_tick_with_no_teams_sends_nothing(env, fake_slack):
    result = CliRunner().invoke(app, ["schedule", "tick", "--now", "2026-03-30T08:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "0 weekly prompts sent" in result.output
    assert fake_slack.calls_to("chat.postMessage") == []


def test_schedule_tick_rejects_a_bad_time(env):
    result = CliRunner().invoke(app, ["schedule", "tick", "--now", "next tuesday"])
    assert result.exit_code != 0
    assert "ISO" in result.output


def test_schedule_tick_without_a_token_says_what_to_set(env):
    env.delenv("SLACK_BOT_TOKEN")
    result = CliRunner().invoke(app, ["schedule", "tick"])
    assert result.exit_code == 1
    assert "SLACK_BOT_TOKEN" in result.output


def test_enabler_add_from_the_cli_tells_the_team_and_the_enabler(env, fake_slack):
    from bot.config import Settings
    from bot.journal import Journal
    from tests.slack.conftest import ALICE, TEAM_CHANNEL, message_text

    journal = Journal(Settings())
    journal.ensure_team(TEAM_CHANNEL, name="#plymouth-alcohol", admin=ALICE)
    journal.close()
    result = CliRunner().invoke(app, ["enabler", "add", "U0SAM00009", "--team", TEAM_CHANNEL])
    assert result.exit_code == 0, result.output
    assert "have been told in Slack" in result.output
    [told_team] = fake_slack.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    assert "Ripple's operator named <@U0SAM00009>" in message_text(told_team)
    assert "until the team consents" in message_text(told_team)
    [told_enabler] = fake_slack.wait_for("chat.postMessage", channel="D0SAM00009")
    assert "only while the team consents" in message_text(told_enabler)

    again = CliRunner().invoke(app, ["enabler", "add", "U0SAM00009", "--team", TEAM_CHANNEL])
    assert "already an enabler" in again.output
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # nobody is told twice


def test_enabler_add_without_slack_says_to_tell_them(env, fake_slack):
    from bot.config import Settings
    from bot.journal import Journal

    env.delenv("SLACK_BOT_TOKEN")
    journal = Journal(Settings())
    journal.ensure_team("plymouth-alcohol", admin="alice")
    journal.close()
    result = CliRunner().invoke(app, ["enabler", "add", "U0SAM00009", "--team", "plymouth-alcohol"])
    assert result.exit_code == 0, result.output
    assert "Slack is not configured" in result.output
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.timeout(30)  # without the check, serve would start listening and never return
def test_serve_in_production_without_a_key_is_refused(env):
    env.setenv("RIPPLE_ENV", "production")
    env.delenv("RIPPLE_ENCRYPTION_KEYS", raising=False)
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "RIPPLE_ENCRYPTION_KEYS" in result.output and "Traceback" not in result.output


def test_serve_when_slack_cannot_be_reached_says_what_to_check(env):
    env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")  # nothing listens on port 9
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "SLACK_BOT_TOKEN" in result.output and "SLACK_API_URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
