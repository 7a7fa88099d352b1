"""Clicks on the privacy surfaces: the consent card (Grant / I agree / Revoke), the erase
confirmation, and the enabler's Home ("Open team entries", "Add a private note" and its modal).

Every click is acked at once and handled lazily. The team named in a button value is only a
claim: the journal decides, as the person who clicked, whether they may vote, grant, revoke or
read. A double click changes nothing the second time (`ConsentState.changed` is False), so the
channel hears of each change exactly once.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.journal.errors import AccessDenied, JournalError
from bot.journal.views import ConsentState
from bot.services import Services
from bot.slack import consent_card as consent_card_
from bot.slack import home, modals
from bot.slack.enabler_blocks import note_modal, team_entries_modal
from bot.slack.listeners.actions import Click, click_listener
from bot.slack.listeners.common import user_of, workspace_of
from bot.slack.post import Where, post
from bot.slack.privacy_blocks import (
    CONSENT_AGREE,
    CONSENT_GRANT,
    CONSENT_REVOKE,
    ENABLER_NOTE,
    ENABLER_OPEN,
    ERASE_CANCEL,
    ERASE_CONFIRM,
    NOTE_CALLBACK,
    NOTE_TEXT,
    people,
)
from bot.slack.replies import team_label

log = logging.getLogger(__name__)


def _team(click: Click) -> str:
    return str(click.value.get("t") or "")


def register(app: App, services: Services) -> None:
    on = click_listener(app, services)

    # --- the consent card ----------------------------------------------------------------
    def decide(click: Click, change) -> None:
        team = _team(click)
        # The journal serialises changes per team, so of two concurrent clicks the second
        # sees the first one's result and reports `changed=False`.
        try:
            # Kept per click (journal/once.py): a takeover after the dead replica committed
            # gets this click's own result back, so it still announces what it changed.
            state: ConsentState = change(click.user, team, once=click.key)
        except AccessDenied as error:  # the journal refused (and audited); name who decides
            post(click.client, click.here, consent_card_.refusal(services, team, str(error)))
            return
        if not state.changed:
            return  # a double click, or nothing to do: the card already says so
        refresh_card(click, state)
        if state.granted or click.action["action_id"] == CONSENT_REVOKE:
            announce(click, state)  # a vote that decides nothing only updates the card

    def refresh_card(click: Click, state: ConsentState) -> None:
        """Update the team's one live card in place; a click on an older card marks that
        card out of date (consent_card.py)."""
        clicked = (click.channel, click.message_ts) if click.channel == state.team else None
        consent_card_.refresh(click.client, services, state.team, state, clicked)

    def announce(click: Click, state: ConsentState) -> None:
        """Tell the channel first, then the enablers (a DM on a grant; on a revocation their
        Home is republished at once, so no view keeps showing entries)."""
        if state.granted:
            if state.rule == "majority":
                who = f"A majority of members ({people(state.agreed)}) agreed:"
            else:
                who = f"<@{click.user}> gave consent:"
            text = (
                f"{who} the enabler can now see entries members share with the team, and "
                "nothing else. Every look shows in `/ripple audit`. Any member can revoke "
                "consent at any time."
            )
        else:
            text = (
                f"<@{click.user}> *revoked* enabler consent. From now on the enabler sees "
                "nothing of this team's journal."
            )
        post(click.client, Where(state.team, user=click.user), text)
        for enabler in services.journal.list_enablers(state.team):
            if state.granted:
                note = (
                    f"{team_label(state.team)} has consented: its shared entries are in my "
                    "Home tab. The team sees every look you take."
                )
                post(click.client, Where.dm(enabler.user), note)
            else:
                note = (
                    f"{team_label(state.team)} has revoked consent: you no longer see any of "
                    "its journal. Your own notes about the team stay with you."
                )
                post(click.client, Where.dm(enabler.user), note)
                home.publish(click.client, services, enabler.user, click.workspace)

    @on(CONSENT_GRANT, "consent_grant", resumable=True)
    def grant(click: Click) -> None:
        decide(click, services.journal.grant_consent)

    @on(CONSENT_AGREE, "consent_agree", resumable=True)
    def agree(click: Click) -> None:
        decide(click, services.journal.agree_consent)

    @on(CONSENT_REVOKE, "consent_revoke", resumable=True)
    def revoke(click: Click) -> None:
        decide(click, services.journal.revoke_consent)

    # --- erase -----------------------------------------------------------------------------
    def replace_prompt(click: Click, text: str) -> None:
        """Swap the ephemeral Erase/Cancel prompt for `text`, so it can't be clicked again."""
        url = click.body.get("response_url")
        if not url:
            return
        try:
            from slack_sdk.webhook import WebhookClient

            WebhookClient(url, timeout=10).send(text=text, replace_original=True)
        except OSError as error:
            log.warning("erase prompt not replaced", extra={"error": type(error).__name__})

    @on(ERASE_CONFIRM, "erase")
    def erase(click: Click) -> None:
        # Always the clicker's own data: no id in a payload can point this at someone else.
        summary = services.journal.erase_user(click.user)
        replace_prompt(click, "Done. I've sent you a DM saying what was erased.")
        text = summary.describe().replace(f"for {click.user}", "for you")
        post(click.client, Where.dm(click.user), ":wastebasket: " + text)
        home.publish_erased(click.client, click.user, text)  # the Home says what happened

    @on(ERASE_CANCEL, "erase_cancel")
    def erase_cancel(click: Click) -> None:
        replace_prompt(click, "Nothing was erased.")

    # --- the enabler's Home ------------------------------------------------------------------
    @on(ENABLER_OPEN, "enabler_open_team")
    def open_team(click: Click) -> None:
        team = _team(click)
        # The journal's one audited read: it writes the audit row (allowed or refused) and
        # raises AccessDenied for anything but a consented team of this enabler; `kindly`
        # then tells them, privately, that nothing is shown.
        entries = services.journal.entries_for_enabler(click.user, team, limit=24)
        view = team_entries_modal(team_label(team), entries)
        click.client.views_open(trigger_id=click.body["trigger_id"], view=view)

    @on(ENABLER_NOTE, "enabler_note_open")
    def open_note(click: Click) -> None:
        team = _team(click)
        # The journal decides (and audits a refusal): AccessDenied is told kindly by `on`.
        services.journal.enabler_notes(click.user, team)
        view = note_modal(team, team_label(team))
        click.client.views_open(trigger_id=click.body["trigger_id"], view=view)

    @app.view(NOTE_CALLBACK)
    def save_note(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user = user_of(body)
        team = str(modals.metadata(view).get("team") or "")
        text = (modals.state_value(view, NOTE_TEXT).get("value") or "").strip()
        if not text:
            ack(response_action="errors", errors={NOTE_TEXT[0]: "Write a few words."})
            return
        try:
            services.journal.add_enabler_note(user, team, text)
        except JournalError as error:  # not their team, or the journal is down: say so here
            ack(response_action="errors", errors={NOTE_TEXT[0]: str(error)[:150]})
            return
        ack()
        home.publish(client, services, user, workspace_of(body))
