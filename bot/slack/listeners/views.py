"""Modal submissions: a journal entry (new or edited) and a team's schedule settings.

Validation errors go back in the `view_submission` ack (`response_action: errors`) so the
person can fix them in place; the save happens before the ack because Slack closes the modal
on a successful ack and the person should only see "saved" when it is. The save gets a time
budget inside Slack's 3 seconds: if the database is slow, the modal says so, and a DM follows
when the save finishes, with the person's own words if it failed, so nothing is lost.

Both submissions are held in the inbox (interaction_inbox.py): one whose replica died
mid-work is run again elsewhere, saves nothing twice (`entry_once_key`) and posts once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.coaching.ports import Who
from bot.journal.errors import JournalError, JournalUnavailable, NotFound
from bot.services import Services
from bot.slack import home, interaction_inbox, modals, replay
from bot.slack.blocks import mrkdwn_escape
from bot.slack.listeners.common import kind_message, modal_message, user_of, workspace_of
from bot.slack.post import Where, post
from bot.slack.replies import saved_message, team_label
from bot.slack.who import personal_team, personal_who

log = logging.getLogger(__name__)

SAVE_BUDGET_SECONDS = 1.5  # well inside Slack's 3 s, and under a database connect timeout
SLOW_SAVE = "Saving is taking longer than usual. I'll send you a DM as soon as it's done."
SLOW_SETTINGS = "The journal is slow to answer right now. Please try again in a minute."


def _number(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise NotFound("I couldn't find that entry among yours.") from None


def register(app: App, services: Services) -> None:
    # Every view_submission and block_actions (modals here, buttons everywhere) is let
    # through once: a replay of the same signed request does nothing (slack/replay.py).
    app.use(replay.middleware(services))
    saver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ripple-save")

    # Both modals post what they did, so each submission is held in the inbox: one whose
    # replica dies mid-work is run again by a sweep, and still saves and posts once.
    interaction_inbox.resumable(app, view=modals.JOURNAL_CALLBACK)
    interaction_inbox.resumable(app, view=modals.SETTINGS_CALLBACK)

    @app.view(modals.JOURNAL_CALLBACK)
    def save_entry(
        ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
    ) -> None:
        with interaction_inbox.holding(app, context):
            entry_submitted(ack, body, view, client, context)

    def entry_submitted(
        ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
    ) -> None:
        user, workspace = user_of(body), workspace_of(body)
        meta = modals.metadata(view)
        text = (modals.state_value(view, modals.ENTRY_TEXT).get("value") or "").strip()
        choice = modals.state_value(view, modals.ENTRY_VISIBILITY).get("selected_option") or {}
        chosen = modals.state_value(view, modals.ENTRY_TEAM).get("selected_option") or {}
        anonymous = bool(modals.state_value(view, modals.ENTRY_ANONYMOUS).get("selected_options"))
        takeover = interaction_inbox.is_takeover(context)
        if not text:
            ack(response_action="errors", errors={modals.ENTRY_TEXT[0]: "Write a few words."})
            return

        def save() -> str:
            """Save or edit the entry; returns the confirmation to DM.

            Nothing in the payload decides who may do what: the entry number is looked up
            among the submitter's OWN entries, and the team (metadata or select) must be one
            they are a current member of at this moment, checked in the saving transaction.
            """
            journal = services.journal
            shared = choice.get("value") == "shared"
            if meta.get("entry") is not None:  # an edit: doing it twice leaves it the same
                number = _number(meta.get("entry"))
                # Visibility first: if sharing is refused (they left the team), nothing changed.
                if shared:
                    journal.share_entry(user, number, anonymous=anonymous)
                else:
                    journal.unshare_entry(user, number)
                entry = journal.edit_entry(user, number, text=text)
                return saved_message(
                    entry.id, shared=shared, team_name=team_label(entry.team), anonymous=anonymous
                )
            claimed = str(chosen.get("value") or meta.get("team") or "")
            if not claimed or claimed == personal_team(user):
                who = personal_who(services, user, workspace)
                shared, member_only = False, False  # no team to share with
            else:
                who = Who(user=user, team=claimed, workspace=workspace)
                member_only = True  # refused, nothing saved, unless a member right now
            number = journal.save_entry(
                who,
                text,
                shared=shared,
                source="journal",
                anonymous=anonymous,
                member_only=member_only,
                once=entry_once_key(user, view, [text, shared, claimed, anonymous]),
            )
            return saved_message(
                number, shared=shared, team_name=team_label(who.team), anonymous=anonymous
            )

        def confirm(note: str) -> None:
            post(client, Where.dm(user), note)  # the submission's answer (inbox claim)
            try:
                home.publish(client, services, user, workspace, home.page_of(None))
            except JournalError as err:  # the entry IS saved; only the Home view is stale
                log.warning("home not refreshed after a save: %s", err)

        def failed(err: JournalError) -> None:
            """Nothing was saved, and no modal shows it: hand their words back, privately."""
            if takeover and isinstance(err, JournalUnavailable):
                raise err  # the inbox tries again later, then tells them if it never can
            replay.release(services, context)  # and let the same submission be re-sent
            words = mrkdwn_escape(text)  # their own words, shown as typed, never as markup
            post(client, Where.dm(user), f"{kind_message(err)}\n\nWhat you wrote:\n{words}")

        future = saver.submit(save)
        try:
            note = future.result(timeout=SAVE_BUDGET_SECONDS)
        except FutureTimeout:
            ack(response_action="errors", errors={modals.ENTRY_TEXT[0]: SLOW_SAVE})
            try:  # waited for here, under the inbox claim: the DM is this submission's answer
                note = future.result()
            except JournalError as err:
                failed(err)
                return
        except JournalError as err:  # rule refusals and outages alike: say so in the modal
            if takeover:  # ...but no modal is waiting for a takeover's ack
                failed(err)
                return
            replay.release(services, context)  # the person may submit these words again
            ack(response_action="errors", errors={modals.ENTRY_TEXT[0]: modal_message(err)})
            return
        else:
            ack()
        # Saved: a Home refresh failing after this must never read as a failed save.
        confirm(note)

    @app.view(modals.SETTINGS_CALLBACK)
    def save_settings(
        ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
    ) -> None:
        with interaction_inbox.holding(app, context):
            settings_submitted(ack, body, view, client, context)

    def settings_submitted(
        ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
    ) -> None:
        user = user_of(body)
        meta = modals.metadata(view)
        team = str(meta.get("team") or "")
        day = modals.state_value(view, modals.WEEKDAY).get("selected_option") or {}
        at = modals.state_value(view, modals.TIME).get("selected_time")
        enabled = bool(modals.state_value(view, modals.ENABLED).get("selected_options"))
        takeover = interaction_inbox.is_takeover(context)
        future = saver.submit(
            lambda: services.journal.set_schedule(
                user, team, weekday=int(day.get("value", 0)), time=at, enabled=enabled
            )
        )
        try:
            schedule = future.result(timeout=SAVE_BUDGET_SECONDS)
        except FutureTimeout:  # setting a schedule is idempotent: trying again is safe
            if takeover:
                raise JournalUnavailable() from None  # and the inbox will, later
            replay.release(services, context)
            ack(response_action="errors", errors={modals.TIME[0]: SLOW_SETTINGS})
            return
        except JournalError as err:  # rule refusals and outages alike: say so in the modal
            if takeover:  # no modal is waiting: retry an outage, tell a refusal by DM
                if isinstance(err, JournalUnavailable):
                    raise
                post(client, Where.dm(user), kind_message(err))
                return
            replay.release(services, context)
            ack(response_action="errors", errors={modals.TIME[0]: modal_message(err)})
            return
        ack()
        if schedule.enabled:
            text = (
                f"<@{user}> set {team_label(team)}'s weekly reflection prompt to "
                f"{schedule.weekday_name}s at {schedule.time}, in each member's own timezone."
            )
        else:
            text = f"<@{user}> switched off {team_label(team)}'s weekly reflection prompt."
        post(client, Where(team, user=user), text)


def entry_once_key(user: str, view: dict, submitted: list) -> str:
    """One modal saves one entry for what was submitted in it: the same modal sent again
    with the same words (a takeover, or the person pressing Save again after an error or a
    slow save) finds the entry already saved; different words are a new entry."""
    digest = hashlib.sha256(json.dumps([user, view.get("id"), submitted]).encode()).hexdigest()
    return f"entry:{digest[:40]}"
