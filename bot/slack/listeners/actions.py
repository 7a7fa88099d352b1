"""Button clicks: feedback, save to journal, the weekly DM's Start / Snooze / Skip, the
reflection's own buttons, and the App Home's Share / Unshare / Edit / Delete / paging.

Every click is acked at once; the work runs lazily. Each button's value carries the context
it needs (see `blocks.button_value`), and every journal call is made as the person who clicked,
so the journal's own rules decide what they may change: a crafted payload gets nothing.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.coaching.ports import Who
from bot.coaching.reflection import ENDED
from bot.coaching.reply import Reply, ReplyKind
from bot.journal.errors import NotFound
from bot.services import Services
from bot.slack import home, interaction_inbox
from bot.slack.blocks import decode_value
from bot.slack.inbox_keys import request_key
from bot.slack.listeners import home_actions, message_actions
from bot.slack.listeners.common import kindly, new_entry_view, user_of, workspace_of
from bot.slack.post import Where, post
from bot.slack.replies import entry_ref, who_can_see
from bot.slack.turn_once import reflect_once
from bot.slack.who import who_for_dm, who_in_claimed_team

log = logging.getLogger(__name__)


def _ack(ack: Ack) -> None:
    ack()


class Click:
    """One button click, translated out of the `block_actions` payload."""

    def __init__(self, body: dict, client: WebClient, services: Services) -> None:
        self.body, self.client, self.services = body, client, services
        self.action = (body.get("actions") or [{}])[0]
        self.value = decode_value(self.action.get("value"))
        self.user = user_of(body)
        self.workspace = workspace_of(body)
        container = body.get("container") or {}
        self.channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
        self.message_ts = container.get("message_ts", "")
        self.thread_ts = (body.get("message") or {}).get("thread_ts")

    @property
    def key(self) -> str | None:
        """This click's own key, the same when a takeover runs it again (journal/once.py)."""
        return request_key(self.body)

    @property
    def who(self) -> Who:
        team = self.value.get("t")
        return who_in_claimed_team(
            self.services, self.user, str(team) if team else None, self.workspace
        )

    @property
    def here(self) -> Where:
        """A private note to the clicker, where they clicked (or by DM from the Home tab)."""
        if self.channel and not self.channel.startswith("D"):
            return Where(self.channel, user=self.user, ephemeral=True)
        return (
            Where(self.channel, thread_ts=self.thread_ts) if self.channel else Where.dm(self.user)
        )

    def entry_id(self) -> int:
        raw = self.value.get("e", self.value.get("v"))
        try:
            return int(str(raw))
        except ValueError:
            raise NotFound("I couldn't find that entry.") from None


def click_listener(app: App, services: Services):
    """`@on(action_id, what)`: ack at once, then run the work on a `Click` in a lazy
    listener, with failures turned into a kind message to the person who clicked.

    `resumable=True`: the work posts, and may run again if its replica dies (anything it
    changes in the journal is kept per `click.key`); the inbox then holds each click."""

    def on(action_id: str | re.Pattern, what: str, *, resumable: bool = False):
        if resumable:
            assert isinstance(action_id, str), "the inbox holds clicks by their action_id"
            interaction_inbox.resumable(app, action=action_id)

        def decorator(work):
            def lazy(body: dict, client: WebClient) -> None:
                click = Click(body, client, services)
                with kindly(client, lambda: click.here, what):
                    work(click)

            app.action(action_id)(ack=_ack, lazy=[lazy])
            return work

        return decorator

    return on


def register(app: App, services: Services) -> None:
    on = click_listener(app, services)
    # Start / Snooze / Skip and 👍 / 👎 change the message they were clicked on (issue 12).
    message_actions.register(on, services, _week)
    home_actions.register(app, on, services)  # the Home's entry cards: overflow, Show more

    # Not held: it opens a modal, and the trigger_id dies 3 s after the click. The save
    # itself is the modal's submission, which is held (views.py).
    @on("save_to_journal", "save_to_journal")
    def save_to_journal(click: Click) -> None:
        who = click.who
        question = str(click.value.get("q") or click.value.get("v") or "")
        draft = f"I asked: {question}\n\nWhat I take from what others found: "
        view = new_entry_view(services, who, draft)
        click.client.views_open(trigger_id=click.body["trigger_id"], view=view)

    @on("reflect_stop", "reflect_stop", resumable=True)
    def reflect_stop(click: Click) -> None:
        who = click.who
        # Remembered: a rerun after the first run ended the reflection would otherwise say
        # "there's no reflection in progress". Ending it twice is ending it.
        was_open = services.journal.remember(click.key, services.coach.in_reflection(who))
        if was_open and not services.coach.in_reflection(who):
            reply = Reply(ReplyKind.REFLECTION, ENDED, done=True, meta={"state": "ended"})
        else:
            reply = services.coach.reflect(who, "stop")
        post(click.client, click.here, reply)

    # Held: its turn goes through reflect_once, so a rerun never takes the words in twice.
    @on("retry", "retry", resumable=True)
    def retry(click: Click) -> None:
        who = click.who
        text = str(click.value.get("v") or "")
        reply = reflect_once(services, who, text) if text else services.coach.start_reflection(who)
        post(click.client, click.here, reply, context={"t": who.team})

    @on("share_entry", "share_entry", resumable=True)  # sharing twice is sharing
    def share_from_chat(click: Click) -> None:
        entry = services.journal.share_entry(click.user, click.entry_id())
        post(
            click.client,
            click.here,
            f"{entry_ref(entry.id, capital=True)} is now shared. " + who_can_see(True),
        )

    # --- App Home -------------------------------------------------------------------------
    def republish(click: Click) -> None:
        page = int(click.value.get("p", home.page_of(click.body.get("view"))))
        home.publish(click.client, services, click.user, click.workspace, page)

    @on("entry_share", "entry_share")
    def entry_share(click: Click) -> None:
        services.journal.share_entry(click.user, click.entry_id())
        republish(click)

    @on("entry_unshare", "entry_unshare")
    def entry_unshare(click: Click) -> None:
        services.journal.unshare_entry(click.user, click.entry_id())
        republish(click)

    @on("entry_delete", "entry_delete")
    def entry_delete(click: Click) -> None:
        services.journal.delete_entry(click.user, click.entry_id())
        republish(click)

    @on("entry_edit", "entry_edit")
    def entry_edit(click: Click) -> None:
        home_actions.open_editor(click, services.journal.get_entry(click.user, click.entry_id()))

    @on("home_write", "home_write")
    def home_write(click: Click) -> None:
        who = who_for_dm(services, click.user, click.workspace)
        view = new_entry_view(services, who)
        click.client.views_open(trigger_id=click.body["trigger_id"], view=view)

    @on(re.compile(r"^home_page_"), "home_page")
    def home_page(click: Click) -> None:
        republish(click)


def _week(click: Click) -> tuple[int, int] | None:
    try:
        return int(click.value["y"]), int(click.value["w"])
    except (KeyError, TypeError, ValueError):
        return None
