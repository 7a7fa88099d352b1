"""One consent card per team, always current.

`/ripple consent` posts the card and the journal remembers where it is; the card it replaces
(if any) becomes a plain "out of date" line with no buttons. Every consent change updates the
live card in place (`chat.update`, same ts), wherever the click came from; a click on an older
card also turns that one into the "out of date" line. A refusal names who can decide.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.journal.errors import JournalError
from bot.journal.views import ConsentState
from bot.services import Services
from bot.slack.blocks import as_dicts
from bot.slack.post import Where, post, update
from bot.slack.privacy_blocks import consent_card, consent_fallback, deciders, outdated_card
from bot.slack.replies import team_label

log = logging.getLogger(__name__)

KIND = "consent"


def admins_of(services: Services, team: str) -> list[str]:
    try:
        return [m.user for m in services.journal.team_members(team) if m.is_admin]
    except JournalError:
        return []


def render(services: Services, team: str, state: ConsentState | None = None):
    """(blocks, fallback text) of the team's card as things stand."""
    state = state or services.journal.consent_state(team)
    enablers = [e.user for e in services.journal.list_enablers(team)]
    label = team_label(team)
    blocks = consent_card(state, label, enablers, admins_of(services, team))
    return blocks, consent_fallback(state, label)


def post_card(client: WebClient, services: Services, team: str, user: str | None = None) -> None:
    """Post the team's card in its channel and make it the live one; the previous card is
    marked out of date. If Slack refuses, `user` is told what to do (by `post`)."""
    blocks, text = render(services, team)
    posted = post(client, Where(team, user=user), blocks, text=text)
    if not (posted.ok and posted.first_ts):
        return
    previous = services.journal.remember_card(team, KIND, posted.channel, posted.first_ts)
    if previous is not None:
        mark_outdated(client, team, *previous)


def refresh(
    client: WebClient,
    services: Services,
    team: str,
    state: ConsentState | None = None,
    clicked: tuple[str, str] | None = None,
) -> None:
    """Bring the live card up to date in place. `clicked` (channel, ts) is the card the person
    clicked: if it is not the live one it is marked out of date (and, when the team has no
    live card on record, it becomes the live one)."""
    blocks, text = render(services, team, state)
    live = services.journal.card_for(team, KIND)
    if live is None and clicked and clicked[0] == team and clicked[1]:
        services.journal.remember_card(team, KIND, *clicked)
        live = clicked
    if live is not None:
        update(client, live[0], live[1], text, as_dicts(blocks))
    if clicked and clicked[1] and live is not None and tuple(clicked) != tuple(live):
        mark_outdated(client, team, *clicked)


def mark_outdated(client: WebClient, team: str, channel: str, ts: str) -> None:
    blocks = as_dicts(outdated_card(team_label(team)))
    update(client, channel, ts, "This consent card is out of date.", blocks)


def refusal(services: Services, team: str, reason: str) -> str:
    """The journal's refusal, plus who can decide, by name."""
    try:
        state = services.journal.consent_state(team)
    except JournalError:
        return reason
    return f"{reason} Who decides here: {deciders(state, admins_of(services, team))}."
