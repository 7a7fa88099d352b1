"""Modal submissions: a journal entry (new or edited) and a team's schedule settings.

Validation errors go back in the `view_submission` ack (`response_action: errors`) so the
person can fix them in place; the save itself happens before the ack because Slack closes
the modal on a successful ack and the person should only see "saved" when it is.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.journal.errors import JournalError
from bot.services import Services
from bot.slack import home, modals
from bot.slack.listeners.common import user_of, workspace_of
from bot.slack.post import Where, post
from bot.slack.replies import saved_message, team_label
from bot.slack.who import is_personal, who_in_claimed_team

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.view(modals.JOURNAL_CALLBACK)
    def save_entry(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user, workspace = user_of(body), workspace_of(body)
        meta = modals.metadata(view)
        text = (modals.state_value(view, modals.ENTRY_TEXT).get("value") or "").strip()
        choice = modals.state_value(view, modals.ENTRY_VISIBILITY).get("selected_option") or {}
        shared = choice.get("value") == "shared"
        if not text:
            ack(response_action="errors", errors={modals.ENTRY_TEXT[0]: "Write a few words."})
            return
        journal = services.journal
        try:
            if meta.get("entry"):
                entry_id = int(meta["entry"])
                journal.edit_entry(user, entry_id, text=text)
                if shared:
                    journal.share_entry(user, entry_id)
                else:
                    journal.unshare_entry(user, entry_id)
            else:
                chosen = modals.state_value(view, modals.ENTRY_TEAM).get("selected_option") or {}
                claimed = str(chosen.get("value") or meta.get("team") or "") or None
                who = who_in_claimed_team(services, user, claimed, workspace)
                shared = shared and not is_personal(who.team)  # no team to share with
                entry_id = journal.save_entry(who, text, shared=shared, source="journal")
        except JournalError as err:  # rule refusals and outages alike: say so in the modal
            ack(response_action="errors", errors={modals.ENTRY_TEXT[0]: str(err)[:150]})
            return
        ack()
        team = team_label(str(meta.get("team") or ""))
        if not meta.get("entry"):
            team = team_label(who.team)
        post(client, Where.dm(user), saved_message(entry_id, shared=shared, team_name=team))
        home.publish(client, services, user, workspace, home.page_of(None))

    @app.view(modals.SETTINGS_CALLBACK)
    def save_settings(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user = user_of(body)
        meta = modals.metadata(view)
        team = str(meta.get("team") or "")
        day = modals.state_value(view, modals.WEEKDAY).get("selected_option") or {}
        at = modals.state_value(view, modals.TIME).get("selected_time")
        enabled = bool(modals.state_value(view, modals.ENABLED).get("selected_options"))
        try:
            schedule = services.journal.set_schedule(
                user, team, weekday=int(day.get("value", 0)), time=at, enabled=enabled
            )
        except JournalError as err:  # rule refusals and outages alike: say so in the modal
            ack(response_action="errors", errors={modals.TIME[0]: str(err)[:150]})
            return
        ack()
        if schedule.enabled:
            text = (
                f"<@{user}> set {team_label(team)}'s weekly reflection prompt to "
                f"{schedule.weekday_name}s at {schedule.time}, in each member's own timezone."
            )
        else:
            text = f"<@{user}> switched off {team_label(team)}'s weekly reflection prompt."
        post(client, Where(team), text)
