"""Events API listeners: @mentions, DMs, App Home opening, channel membership changes.

Each listener acks at once; the work (retrieval, coaching, the journal) runs in a lazy
listener after the HTTP response has gone back to Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.journal.errors import JournalError
from bot.logging_setup import Safe
from bot.services import Services
from bot.slack import home, teams
from bot.slack.listeners.common import clip, kindly, slack_unescape, workspace_of
from bot.slack.post import Where, post
from bot.slack.replies import help_text
from bot.slack.turn_once import reflect_once
from bot.slack.who import find_team, who_for_dm, who_for_question

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def _ack(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    def answer_mention(body: dict, event: dict, client: WebClient) -> None:
        if event.get("bot_id"):
            return
        channel = event["channel"]
        # `user` is who to tell privately if Slack refuses the post (e.g. not_in_channel).
        thread = event.get("thread_ts") or event.get("ts")
        where = Where(channel=channel, thread_ts=thread, user=event.get("user"))
        question = clip(slack_unescape(_MENTION.sub("", event.get("text") or "")).strip())
        if not question:
            post(client, where, help_text(mentioned=True))
            return
        with kindly(client, where, "app_mention"):
            who = who_for_question(services, event["user"], channel, workspace_of(body))
            reply = services.coach.helped(who, question)
            post(client, where, reply, context={"q": question[:1500], "t": who.team})

    def answer_message(body: dict, event: dict, client: WebClient) -> None:
        if not _is_person_in_dm(event):
            return
        text = clip(slack_unescape(event.get("text") or "").strip())
        where = Where(channel=event["channel"], thread_ts=event.get("thread_ts"))
        if not text:
            return  # e.g. a message that only held an attachment; nothing to answer
        with kindly(client, where, "dm_message"):
            who = who_for_dm(services, event["user"], workspace_of(body))
            reply = reflect_once(services, who, text)  # a rerun never takes the turn in twice
            # The last turn's reply itself says what was saved and who can see it.
            post(client, where, reply, context={"t": who.team})

    def open_home(body: dict, event: dict, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        home.publish(client, services, event["user"], workspace_of(body))

    def member_joined(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
        if event.get("user") == context.bot_user_id:
            return  # Ripple itself was invited: not a member of the team
        with _membership_change("member_joined_channel"):
            if find_team(services, event["channel"]) is None:
                return
            services.journal.add_member(
                event["channel"], event["user"], workspace=workspace_of(body)
            )
            teams.refresh_timezone(client, services, event["user"])

    def member_left(event: dict) -> None:
        with _membership_change("member_left_channel"):
            if find_team(services, event["channel"]) is None:
                return
            services.journal.remove_member(event["channel"], event["user"])

    app.event("app_mention")(ack=_ack, lazy=[answer_mention])
    app.event("message")(ack=_ack, lazy=[answer_message])
    app.event("app_home_opened")(ack=_ack, lazy=[open_home])
    app.event("member_joined_channel")(ack=_ack, lazy=[member_joined])
    app.event("member_left_channel")(ack=_ack, lazy=[member_left])


@contextmanager
def _membership_change(what: str) -> Iterator[None]:
    """Nobody is waiting on these, so a journal outage is logged, not told to anyone; the
    next `/ripple team create` in the channel re-reads its members."""
    try:
        yield
    except JournalError as error:
        log.warning("%s not recorded: %s", Safe(what), error)


def _is_person_in_dm(event: dict) -> bool:
    """Only a person's own new message in a DM with Ripple starts or continues a reflection."""
    if event.get("channel_type") != "im":
        return False
    # Any subtype (message_changed/deleted, file_share, channel_join/leave, bot_message...)
    # is not a person talking to Ripple.
    if event.get("subtype"):
        return False
    return not (event.get("bot_id") or event.get("bot_profile") or not event.get("user"))
