"""Slack's Agents & AI Apps side panel, through Bolt's `Assistant` middleware.

The side panel is a DM thread: `assistant_thread_started` greets the person and offers
suggested prompts; each message in the thread is routed to the same coaching services as
the DM, the @mention and the slash command: a reflection turn, "what helped elsewhere", or
their last commitment. While an answer is produced the thread shows `set_status`; the first
message names the thread (`set_title`). Everything is posted through `post()`, in the thread.

Workspaces without the AI-app surface are unaffected: the middleware only takes DM messages
that sit in a thread, so the ordinary DM keeps working through `listeners/events.py`.

Answered exactly once, like every event: Bolt runs these listeners inline, not lazily, so
`_hold_panel_events` tells the inbox before Bolt routes that the work is in hand (the row is
not closed when routing returns), and each listener runs under the row's claim (`_claimed`):
a replica that dies mid-answer is finished by a sweep, and a panel turn goes through
`turn_once.py` like a DM's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient

from bot.coaching.ports import Who
from bot.services import Services
from bot.slack.blocks import mrkdwn_escape
from bot.slack.exactly_once import ATTEMPT, CLAIM
from bot.slack.inbox_keys import is_panel_event
from bot.slack.listeners.common import clip, kindly, slack_unescape, workspace_of
from bot.slack.post import Where, post
from bot.slack.turn_once import reflect_once
from bot.slack.who import who_for_dm

log = logging.getLogger(__name__)

GREETING = (
    "Hello, I'm Ripple. I can take you through your weekly reflection, find what helped "
    "other places in the evidence library, or remind you what you committed to. What would "
    "be useful?"
)
PROMPTS = [
    {"title": "Start my weekly reflection", "message": "Start my weekly reflection"},
    {
        "title": "What helped elsewhere with…",
        "message": "What helped elsewhere with partners who disagree about pooling budgets?",
    },
    {"title": "Show my last commitment", "message": "Show my last commitment"},
]
LOOKING = "Looking through the evidence…"
THINKING = "Reading what you wrote…"
NO_COMMITMENT = (
    "You haven't made a commitment with me yet. When a reflection ends, I ask what you'll "
    "do next, and it shows up here and at the top of my Home tab."
)

_HELPED = re.compile(r"^\s*(what|who|how)\b.*\b(helped|worked|others? (found|did))\b", re.I)
_COMMITMENT = re.compile(r"\b(last|latest|my)\s+commitment\b", re.I)
_START = re.compile(r"^\s*(start|begin)\b.*\breflect", re.I)


def intent(text: str) -> str:
    """ "reflect_start", "commitment", "helped" or "reflect" (a reflection turn)."""
    if _START.search(text):
        return "reflect_start"
    if _COMMITMENT.search(text) and len(text) < 80:
        return "commitment"
    if _HELPED.search(text):
        return "helped"
    return "reflect"


def title_for(kind: str, text: str) -> str:
    if kind in ("reflect_start", "reflect"):
        return "Weekly reflection"
    if kind == "commitment":
        return "My last commitment"
    return ("What helped: " + " ".join(text.split()))[:60]


HELD = "ripple_panel_held"  # in Bolt's context: this panel event's work is in the inbox's hands


def _hold_panel_events(app: App):
    def middleware(body: dict, context: BoltContext, next) -> None:
        runner = getattr(app, "inbox", None)
        key = context.get(CLAIM)
        if runner is not None and key and is_panel_event(body):
            runner.started(key)  # before routing: the row stays open until the listener ends
            context[HELD] = key
        return next()

    return middleware


@contextmanager
def _claimed(app: App, context: BoltContext) -> Iterator[None]:
    runner = getattr(app, "inbox", None)
    key = context.get(HELD)
    if runner is None or not key:
        yield
        return
    with runner.claimed(key, int(context.get(ATTEMPT) or 1)):
        yield


def build(services: Services, app: App | None = None) -> Assistant:
    assistant = Assistant(logger=logging.getLogger("bot.slack.assistant"))

    @assistant.thread_started
    def started(
        payload: dict, client: WebClient, set_suggested_prompts, context: BoltContext
    ) -> None:
        thread = payload.get("assistant_thread") or {}
        where = Where(str(thread.get("channel_id") or ""), thread_ts=thread.get("thread_ts"))
        with _claimed(app, context):
            post(client, where, GREETING)
        set_suggested_prompts(prompts=PROMPTS, title="Try one of these")

    @assistant.thread_context_changed
    def context_changed() -> None:
        """Ripple's answers don't depend on which channel the person is looking at, so the
        context is not stored (the default store would need conversations.history)."""

    @assistant.user_message
    def message(
        payload: dict,
        body: dict,
        client: WebClient,
        set_status,
        set_title,
        context: BoltContext,
    ) -> None:
        text = clip(slack_unescape(payload.get("text") or "").strip())
        where = Where(str(payload.get("channel") or ""), thread_ts=payload.get("thread_ts"))
        kind = intent(text)
        with _claimed(app, context), kindly(client, where, "assistant_message"):
            if not text:
                return
            who = who_for_dm(services, str(payload.get("user") or ""), workspace_of(body))
            _name_thread(set_title, kind, text)
            set_status(LOOKING if kind == "helped" else THINKING)
            answer(client, services, who, where, kind, text)

    return assistant


def _name_thread(set_title, kind: str, text: str) -> None:
    try:
        set_title(title_for(kind, text))
    except Exception as error:  # a title is a nicety: never lose the answer over it
        log.warning("assistant title not set", extra={"error": type(error).__name__})


def answer(client: WebClient, services: Services, who: Who, where: Where, kind: str, text: str):
    """The same coaching services as every other surface, posted in the thread."""
    coach = services.coach
    if kind == "commitment":
        found = services.journal.last_commitment(who)
        if found is None:
            post(client, where, NO_COMMITMENT)
        else:
            when = found.made_at.strftime("%A %d %B")
            post(client, where, f"On {when} you committed to:\n> {mrkdwn_escape(found.text)}")
        return
    if kind == "helped":
        reply = coach.helped(who, text)
        post(client, where, reply, context={"q": text[:1500], "t": who.team})
        return
    reply = (
        coach.start_reflection(who)
        if kind == "reflect_start"
        else reflect_once(services, who, text)  # a rerun never takes the turn in twice
    )
    post(client, where, reply, context={"t": who.team})


def register(app: App, services: Services) -> None:
    app.use(_hold_panel_events(app))
    app.assistant(build(services, app))
