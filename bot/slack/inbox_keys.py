"""What the inbox needs to know about a Slack request: its key, where its person is, and
whether Slack already holds a message of its answer (see exactly_once.py)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_sdk import WebClient

METADATA_TYPE = "ripple_answer"  # on every answer message: {"inbox": key, "part": n}


def inbox_key(body: dict) -> str | None:
    """Which inbox row a request's work answers: an event by its id, a slash command by its
    trigger_id (Slack makes one per invocation). Interactions are guarded by replay.py."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None


def kind_of(body: dict) -> str:
    if body.get("command"):
        return "command"
    return str((body.get("event") or {}).get("type") or body.get("type") or "unknown")


def where_for_event(request: dict | None):
    """Where to tell the person about work we gave up on: an event's own thread or DM, or
    (for a slash command) privately in the channel they typed it in."""
    from bot.slack.post import Where

    if request and "form" in str(request.get("content_type")):
        form = {k: v[0] for k, v in parse_qs(request.get("body") or "").items()}
        if form.get("channel_id") and form.get("user_id"):
            return Where(channel=form["channel_id"], user=form["user_id"], ephemeral=True)
        return None
    try:
        event = json.loads(request["body"])["event"] if request else None
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(event, dict) or not event.get("channel"):
        return None
    if event.get("channel_type") == "im":
        return Where(channel=event["channel"], thread_ts=event.get("thread_ts"))
    thread = event.get("thread_ts") or event.get("ts")
    return Where(channel=event["channel"], thread_ts=thread, user=event.get("user"))


def find_posted(client: WebClient, answer: dict, key: str, index: int, since: float) -> str | None:
    """The ts of part `index` of `key`'s answer if Slack already holds it, else None."""
    channel, thread = answer["channel"], answer.get("thread_ts")
    if thread:
        found = client.conversations_replies(
            channel=channel, ts=thread, include_all_metadata=True, limit=200
        )
    else:
        found = client.conversations_history(
            channel=channel, oldest=f"{since - 5:.6f}", include_all_metadata=True, limit=200
        )
    for message in found.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            metadata.get("event_type") == METADATA_TYPE
            and payload.get("inbox") == key
            and payload.get("part") == index
        ):
            return str(message.get("ts"))
    return None
