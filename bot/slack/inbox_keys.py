"""What the inbox needs to know about a Slack request: its key, where its person is, and
whether Slack already holds a message of its answer (see exactly_once.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from slack_bolt.request.payload_utils import (
    is_assistant_thread_started_event,
    is_user_message_event_in_assistant_thread,
)
from slack_sdk import WebClient

METADATA_TYPE = "ripple_answer"  # on every answer message: {"inbox": key, "part": n}
INTERACTIONS = ("block_actions", "view_submission")


@dataclass
class Resumable:
    """The interactions the inbox holds: those whose work posts a message and may safely run
    again on another replica (a changed row is remembered per request, journal/once.py).
    Never one that opens a modal: its trigger_id is dead 3 s after the click."""

    actions: set[str] = field(default_factory=set)  # block_actions, by action_id
    views: set[str] = field(default_factory=set)  # view_submission, by callback_id

    def covers(self, body: dict) -> bool:
        if body.get("type") == "view_submission":
            return (body.get("view") or {}).get("callback_id") in self.views
        actions = body.get("actions") or [{}]
        return body.get("type") == "block_actions" and actions[0].get("action_id") in self.actions


def request_key(body: dict) -> str | None:
    """One Slack request's own id, the same in every delivery of it: an event by its
    event_id; a slash command, a click or a modal submission by its trigger_id (Slack makes
    one per invocation, click and submission; a person's second click is a new one)."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    kind = body.get("type")
    if kind in INTERACTIONS and body.get("trigger_id"):
        return f"{'view' if kind == 'view_submission' else 'action'}:{body['trigger_id']}"
    return None


def inbox_key(body: dict, resumable: Resumable | None = None) -> str | None:
    """Which inbox row a request's work answers: every event and slash command, and the
    interactions `resumable` covers. Every interaction is also guarded by replay.py."""
    key = request_key(body)
    if key is None or not is_interaction(key):
        return key
    return key if resumable is not None and resumable.covers(body) else None


def is_interaction(key: str) -> bool:
    return key.startswith(("view:", "action:"))


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
        if form.get("payload"):  # a click or a modal: the person hears by DM
            return _interaction_where(form["payload"])
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


def _interaction_where(payload: str):
    from bot.slack.post import Where

    try:
        user = json.loads(payload).get("user") or {}
    except (ValueError, AttributeError):
        return None
    return Where.dm(str(user["id"])) if isinstance(user, dict) and user.get("id") else None


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


def runs_inline(raw_body: str) -> bool:
    """A stored side-panel event: Bolt's Assistant runs its listeners inline, never lazily."""
    try:
        body = json.loads(raw_body)
    except (ValueError, TypeError):
        return False
    return isinstance(body, dict) and is_panel_event(body)


def is_panel_event(body: dict) -> bool:
    """The side-panel events whose listeners always run (the tests Bolt's Assistant uses)."""
    return is_assistant_thread_started_event(body) or is_user_message_event_in_assistant_thread(
        body
    )
