"""manifest.yml asks for exactly what the code uses: its events, its command, its scopes."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.listeners.commands import SUBCOMMANDS

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

# Each Web API method or event the adapter uses, and the scope that allows it.
NEEDS = {
    "app_mention event": "app_mentions:read",
    "assistant.threads.setStatus / setSuggestedPrompts / setTitle": "assistant:write",
    "chat.postMessage / postEphemeral / update": "chat:write",
    "/ripple": "commands",
    "message.im event": "im:history",
    "conversations.open": "im:write",
    "users.info (tz)": "users:read",
    "conversations.members in public channels": "channels:read",
    "conversations.members in private channels": "groups:read",
    "files.uploadV2 (/ripple export)": "files:write",
    "conversations.replies after a crash (exactly_once), public": "channels:history",
    "conversations.replies after a crash (exactly_once), private": "groups:history",
}


def load() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_scopes_are_exactly_what_the_code_needs():
    assert set(load()["oauth_config"]["scopes"]["bot"]) == set(NEEDS.values())


def test_events_match_the_listeners():
    events = set(load()["settings"]["event_subscriptions"]["bot_events"])
    assert events == {
        "app_home_opened",
        "app_mention",
        "assistant_thread_started",
        "member_joined_channel",
        "member_left_channel",
        "message.im",
    }


def test_command_interactivity_and_home_point_at_one_endpoint():
    manifest = load()
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/ripple"
    for name in SUBCOMMANDS:
        assert name in command["usage_hint"]
    urls = {
        command["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_the_side_panel_is_declared_and_its_prompts_set_in_code():
    from bot.slack.assistant import PROMPTS

    view = load()["features"]["assistant_view"]
    assert view["assistant_description"]
    assert [p["title"] for p in PROMPTS] == [
        "Start my weekly reflection",
        "What helped elsewhere with…",
        "Show my last commitment",
    ]
