"""Request bodies shaped like the examples in Slack's API documentation (Events API envelopes,
slash command forms, `block_actions` and `view_submission` payloads), not minimal dicts."""

from __future__ import annotations

import itertools
import time
import uuid

from tests.slack.fake_slack import BOT_USER_ID, WORKSPACE_ID

APP_ID = "A0RIPPLEAPP"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated by Slack, still sent
_counter = itertools.count(1)


def _ts() -> str:
    return f"{time.time():.6f}"


def _rich_text(text: str) -> list[dict]:
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def envelope(event: dict, *, event_id: str | None = None) -> dict:
    """The Events API `event_callback` wrapper around one event."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": WORKSPACE_ID,
        "context_team_id": WORKSPACE_ID,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):04d}{uuid.uuid4().hex[:8].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": WORKSPACE_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDBSSVBQTEUwMSJ9",
    }


def app_mention(user: str, channel: str, text: str, *, thread_ts: str | None = None) -> dict:
    ts = _ts()
    event = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> {text}",
        "user": user,
        "ts": ts,
        "blocks": _rich_text(text),
        "team": WORKSPACE_ID,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return envelope(event)


def dm_message(user: str, text: str, *, channel: str | None = None, **extra) -> dict:
    ts = _ts()
    event = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": _rich_text(text),
        "team": WORKSPACE_ID,
        "channel": channel or "D" + user.lstrip("U"),
        "event_ts": ts,
        "channel_type": "im",
        **extra,
    }
    return envelope(event)


def message_changed(user: str, channel: str) -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "message": {"type": "message", "user": user, "text": "edited", "ts": "1.000001"},
            "previous_message": {"type": "message", "user": user, "text": "old", "ts": "1.000001"},
            "channel": channel,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
        }
    )


def message_deleted(channel: str) -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "deleted_ts": "1.000001",
            "channel": channel,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
        }
    )


def bot_message(channel: str, text: str = "beep") -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "bot_message",
            "text": text,
            "ts": ts,
            "bot_id": "B0OTHERBOT",
            "username": "otherbot",
            "channel": channel,
            "event_ts": ts,
            "channel_type": "im",
        }
    )


def file_share(user: str, channel: str) -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "file_share",
            "text": "",
            "user": user,
            "files": [{"id": "F0FILE01", "name": "notes.pdf", "mimetype": "application/pdf"}],
            "upload": False,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "im",
        }
    )


def channel_join(user: str, channel: str) -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "channel_join",
            "text": f"<@{user}> has joined the channel",
            "user": user,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "channel",
        }
    )


def channel_leave(user: str, channel: str) -> dict:
    ts = _ts()
    return envelope(
        {
            "type": "message",
            "subtype": "channel_leave",
            "text": f"<@{user}> has left the channel",
            "user": user,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "channel",
        }
    )


def member_joined(user: str, channel: str, inviter: str | None = None) -> dict:
    return envelope(
        {
            "type": "member_joined_channel",
            "user": user,
            "channel": channel,
            "channel_type": "C",
            "team": WORKSPACE_ID,
            "inviter": inviter or user,
            "event_ts": _ts(),
        }
    )


def member_left(user: str, channel: str) -> dict:
    return envelope(
        {
            "type": "member_left_channel",
            "user": user,
            "channel": channel,
            "channel_type": "C",
            "team": WORKSPACE_ID,
            "event_ts": _ts(),
        }
    )


def app_home_opened(user: str) -> dict:
    return envelope(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user.lstrip("U"),
            "tab": "home",
            "event_ts": _ts(),
        }
    )


def url_verification(challenge: str) -> dict:
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


def slash(
    user: str, channel: str, text: str, *, response_url: str, channel_name: str = "general"
) -> dict:
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": WORKSPACE_ID,
        "team_domain": "ripple-test",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else channel_name,
        "user_id": user,
        "user_name": user.lower(),
        "command": "/ripple",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}",
    }


def _user(user: str) -> dict:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": WORKSPACE_ID}


def block_action(
    user: str,
    action_id: str,
    value: str | None,
    *,
    channel: str | None = None,
    message_ts: str = "1700000000.000100",
    view: dict | None = None,
    response_url: str = "",
    message_blocks: list[dict] | None = None,
    thread_ts: str | None = None,
) -> dict:
    """A click on a button in a message (channel set) or in a view (view set). Slack sends
    the clicked message's blocks with the click (`message_blocks`), and its `thread_ts` when
    the message is a thread reply."""
    action = {
        "action_id": action_id,
        "block_id": uuid.uuid4().hex[:6],
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "type": "button",
        "action_ts": _ts(),
    }
    if value is not None:
        action["value"] = value
    payload = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}",
        "team": {"id": WORKSPACE_ID, "domain": "ripple-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0HOME")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel, "name": "team-channel"}
        payload["message"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": message_ts,
            "bot_id": "B0RIPPLEBOT",
            "text": "Ripple",
            "blocks": list(message_blocks or []),
        }
        if thread_ts:
            payload["message"]["thread_ts"] = thread_ts
        payload["response_url"] = response_url
    return payload


def view_submission(user: str, view: dict, values: dict) -> dict:
    """Submit a modal the bot opened (`view` as sent to views.open) with `values`:
    {block_id: {action_id: element_state}}."""
    submitted = {
        **view,
        "id": view.get("id", "V0MODAL01"),
        "team_id": WORKSPACE_ID,
        "state": {"values": values},
        "hash": "1700000000.abcdef",
        "previous_view_id": None,
        "root_view_id": view.get("id", "V0MODAL01"),
        "app_id": APP_ID,
        "bot_id": "B0RIPPLEBOT",
    }
    return {
        "type": "view_submission",
        "team": {"id": WORKSPACE_ID, "domain": "ripple-test"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": f"{next(_counter)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:32]}",
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
