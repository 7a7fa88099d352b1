"""Clicks that change the message they were clicked on: the weekly prompt's Start / Snooze /
Skip, and a what-helped answer's 👍 / 👎 (and Undo).

Slack sends the clicked message's blocks with the click, so the message keeps what it said
and only its buttons change (`chat.update` on the same ts): "Started ✓ · Monday 09:00",
"👍 Marked useful · Undo". A repeated click changes nothing and thanks nobody twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime, timedelta

from bot.coaching.ports import Who
from bot.journal.errors import JournalError
from bot.services import Services
from bot.slack.blocks import FEEDBACK_UNDO, feedback_marked, feedback_restored, settled
from bot.slack.post import Where, post, update
from bot.slack.replies import person
from bot.slack.scheduler import zone

log = logging.getLogger(__name__)

THANKS = "Thanks, noted. It helps me find better evidence."
OVER_TO_YOU = (
    "Over to you: reply here to the question above, in your own words. There's no right "
    "answer, and nothing is shared unless you choose to share it."
)


def local_moment(services: Services, who: Who, moment: datetime) -> str:
    """ "Monday 09:00" in the member's own timezone (as the journal last heard it from Slack)."""
    tz_name = None
    with contextlib.suppress(JournalError):  # the DM still changes, in London time
        members = services.journal.team_members(who.team)
        tz_name = next((m.timezone for m in members if m.user == who.user), None)
    return moment.astimezone(zone(tz_name)).strftime("%A %H:%M")


def clicked_blocks(click) -> list[dict]:
    return list((click.body.get("message") or {}).get("blocks") or [])


def settle(click, line: str) -> bool:
    """Replace the clicked message's buttons with `line`; False if there is no message to
    change (or Slack refused), so the caller says it another way."""
    if not (click.channel and click.message_ts):
        return False
    return update(
        click.client, click.channel, click.message_ts, line, settled(clicked_blocks(click), line)
    )


def register(on, services: Services, week_of) -> None:
    """Add the listeners, using `actions.click_listener`'s `on` and `_week` (`week_of`)."""

    # --- the weekly prompt ------------------------------------------------------------------
    # Held in the inbox (resumable): a takeover runs the work again, so what it decides from
    # the state before the click is remembered per click (journal `remember`), and every
    # write is then the same write again.
    @on("reflect_start", "reflect_start", resumable=True)
    def reflect_start(click) -> None:
        who, week = click.who, week_of(click)
        waiting = False
        if week:
            before = services.journal.prompt_status(who.user, who.team, *week)
            first = before is None or before.status != "started"
            # Remembered: a rerun would find the prompt "started" (and maybe a reflection
            # the first run opened), and say something the first run would not have.
            waiting = services.journal.remember(
                click.key, first and services.coach.in_reflection(who)
            )
            services.journal.mark_prompt_started(who.user, who.team, *week)  # started twice
            when = local_moment(services, who, services.clock.now())
            settle(click, f"Started ✓ · {when}")
        if waiting:
            # The prompt itself opened this week's reflection and asked its question: nothing
            # was "part-way", so don't say so; hand the turn to the leader.
            post(click.client, Where.dm(click.user), OVER_TO_YOU)
            return
        reply = services.coach.start_reflection(who)
        post(click.client, Where.dm(click.user), reply, context={"t": who.team})

    @on("snooze", "snooze", resumable=True)
    def snooze(click) -> None:
        who, week = click.who, week_of(click)
        until = services.clock.now() + timedelta(days=1)
        if week:
            # Remembered, so a rerun snoozes to the same moment rather than a later one.
            until = datetime.fromisoformat(services.journal.remember(click.key, until.isoformat()))
            services.journal.snooze_prompt(who.user, who.team, *week, until=until)
        services.journal.clear_conversation(who)
        line = f"Snoozed · I'll ask again {local_moment(services, who, until)}"
        if not settle(click, line):
            post(click.client, click.here, "Snoozed. I'll ask again this time tomorrow.")

    # Resumable as it is: skipped twice is skipped, and a cleared conversation stays cleared.
    @on("skip_week", "skip_week", resumable=True)
    def skip_week(click) -> None:
        who, week = click.who, week_of(click)
        if week:
            services.journal.skip_prompt(who.user, who.team, *week)
        services.journal.clear_conversation(who)
        if not settle(click, "Skipped for this week · See you next week"):
            post(click.client, click.here, "Skipped for this week. See you next week.")

    # --- feedback on an answer ----------------------------------------------------------------
    @on("feedback_up", "feedback")
    def feedback_up(click) -> None:
        vote(click, "up")

    @on("feedback_down", "feedback")
    def feedback_down(click) -> None:
        vote(click, "down")

    def question_of(click) -> str:
        return str(click.value.get("q") or click.value.get("v") or "")

    def thread_of(click) -> Where:
        """A private note to the clicker in the answer's own thread (never the channel)."""
        message = click.body.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts") or click.message_ts or None
        if click.channel and not click.channel.startswith("D"):
            return Where(click.channel, thread_ts=thread, user=click.user, ephemeral=True)
        return Where(click.channel, thread_ts=thread) if click.channel else Where.dm(click.user)

    def vote(click, value: str) -> None:
        who = click.who
        changed = services.journal.record_feedback(
            who.user, who.team, question_of(click), value, workspace=click.workspace
        )
        if not changed:
            return  # a double click (or the same vote again): one vote, one thank-you
        marked = "👍 Marked useful" if value == "up" else "👎 Marked not useful"
        line = f"{marked} by {person(click.user)}"
        undo = json.dumps({**click.value, "u": click.user, "vote": value})
        blocks = clicked_blocks(click)
        if blocks and click.message_ts and click.channel:
            update(
                click.client,
                click.channel,
                click.message_ts,
                line,
                feedback_marked(blocks, line, undo),
            )
        post(click.client, thread_of(click), THANKS)

    @on(FEEDBACK_UNDO, "feedback_undo")
    def feedback_undo(click) -> None:
        voter = str(click.value.get("u") or "")
        if voter and voter != click.user:
            post(click.client, thread_of(click), f"Only {person(voter)} can undo their vote.")
            return
        who = click.who
        services.journal.withdraw_feedback(who.user, who.team, question_of(click))
        original = {k: v for k, v in click.value.items() if k not in ("u", "vote")}
        blocks = clicked_blocks(click)
        if blocks and click.message_ts and click.channel:
            restored = feedback_restored(blocks, json.dumps(original, ensure_ascii=False))
            update(click.client, click.channel, click.message_ts, "Vote undone", restored)
