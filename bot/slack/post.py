"""The one way Ripple posts to Slack: in a thread, in a DM, or ephemerally to one person.

Every listener and the scheduler post through `post()`. It splits long replies into several
messages within Block Kit's limits and turns Web API failures into a logged event plus a
message that tells the person what to do. HTTP 429 (honouring `Retry-After`) and 5xx are retried
by the retry handlers installed on the `WebClient` in `app.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.coaching.reply import Reply
from bot.slack.answer_claim import answer_claim
from bot.slack.blocks import as_dicts, chunk_blocks, fallback_text, notice_blocks, render_reply

log = logging.getLogger(__name__)

# What to tell a person when Slack refuses a post, by Web API error code.
_ADVICE = {
    "not_in_channel": "I'm not a member of that channel yet. Invite me with `/invite @Ripple`, "
    "then try again.",
    "channel_not_found": "I can't see that channel. If it's private, invite me with "
    "`/invite @Ripple`, then try again.",
    "is_archived": "That channel is archived, so I can't post there.",
    "msg_too_long": "That answer was too long for Slack; try a narrower question.",
}
_DEFAULT_ADVICE = "Slack didn't accept my reply just now. Please try again in a minute."
SLACK_SLOW = (
    "Slack didn't answer in time when I tried to reply, so my answer may not have arrived. "
    "Please ask again in a minute."
)


def advice_for(code: str) -> str:
    """What to tell a person when Slack refused a call with this error code."""
    return _ADVICE.get(code, _DEFAULT_ADVICE)


@dataclass(frozen=True)
class Where:
    """Where a reply goes. `user` set with `ephemeral` means only that person sees it."""

    channel: str
    thread_ts: str | None = None
    user: str | None = None
    ephemeral: bool = False

    @classmethod
    def dm(cls, user: str) -> Where:
        return cls(channel="", user=user)


@dataclass
class Posted:
    ok: bool
    channel: str = ""
    ts: list[str] | None = None
    error: str | None = None

    @property
    def first_ts(self) -> str | None:
        return self.ts[0] if self.ts else None


def open_dm(client: WebClient, user: str) -> str:
    return client.conversations_open(users=user)["channel"]["id"]


def post(
    client: WebClient,
    where: Where,
    content: Reply | Sequence[Block] | str,
    *,
    context: dict | None = None,
    text: str | None = None,
    tell_user_on_error: bool = True,
) -> Posted:
    """Post `content` (a Reply, blocks, or plain text) to `where`.

    Returns what was posted; never raises for Slack refusals or network trouble.
    """
    blocks, fallback = _content(content, context, text)
    try:
        channel = where.channel or open_dm(client, where.user or "")
        claim = None if where.ephemeral else answer_claim()
        if claim is not None:  # an event's answer: stored, tagged and recorded (exactly once)
            chunks = [as_dicts(chunk) for chunk in chunk_blocks(blocks)]
            stamps = claim.post(client, channel, where.thread_ts, chunks, fallback)
        else:
            stamps = [_send(client, where, channel, c, fallback) for c in chunk_blocks(blocks)]
        return Posted(ok=True, channel=channel, ts=stamps)
    except SlackApiError as err:
        code = str(err.response.get("error") or f"http_{err.response.status_code}")
        log.warning("slack post failed", extra={"error": code, "channel": where.channel})
        if tell_user_on_error and where.user and where.channel:
            _tell_user(client, where.user, advice_for(code))
        return Posted(ok=False, channel=where.channel, error=code)
    except OSError as err:  # connection refused, timeouts (after the retries): Slack unreachable
        log.warning("slack unreachable", extra={"error": err})
        if tell_user_on_error and where.user and where.channel:
            _tell_user(client, where.user, SLACK_SLOW)
        return Posted(ok=False, channel=where.channel, error="unreachable")


def update(
    client: WebClient, channel: str, ts: str, text: str, blocks: list[dict] | None = None
) -> bool:
    """Replace a message we posted in place (the weekly DM once started, an answer once
    marked useful): with `blocks` if given, else with `text` alone, without buttons."""
    try:
        blocks = blocks if blocks is not None else as_dicts(notice_blocks(text))
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        return True
    except (SlackApiError, OSError) as err:
        log.warning("slack update failed", extra={"error": err})
        return False


def _content(
    content: Reply | Sequence[Block] | str, context: dict | None, text: str | None
) -> tuple[list[Block], str]:
    if isinstance(content, Reply):
        return render_reply(content, context), text or fallback_text(content)
    if isinstance(content, str):
        return notice_blocks(content), text or content[:3000]
    return list(content), text or "Ripple"


def _send(client: WebClient, where: Where, channel: str, blocks: list[Block], text: str) -> str:
    if where.ephemeral and where.user:
        resp = client.chat_postEphemeral(
            channel=channel,
            user=where.user,
            blocks=as_dicts(blocks),
            text=text,
            thread_ts=where.thread_ts,
        )
        return str(resp.get("message_ts", ""))
    return post_message(client, channel, where.thread_ts, as_dicts(blocks), text)


def post_message(
    client: WebClient,
    channel: str,
    thread_ts: str | None,
    blocks: list[dict],
    text: str,
    *,
    metadata: dict | None = None,
) -> str:
    """One chat.postMessage; `metadata` names the event an answer belongs to (exactly_once)."""
    resp = client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        blocks=blocks,
        text=text,
        unfurl_links=False,
        unfurl_media=False,
        metadata=metadata,
    )
    return str(resp.get("ts", ""))


def _tell_user(client: WebClient, user: str, advice: str) -> None:
    """A private DM explaining why the post failed; the last resort, so it never raises."""
    try:
        channel = open_dm(client, user)
        blocks = as_dicts(notice_blocks(advice))
        client.chat_postMessage(channel=channel, text=advice, blocks=blocks)
    except (SlackApiError, OSError):
        log.warning("could not tell user about a failed post", extra={"user": user})
