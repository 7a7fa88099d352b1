# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""Crafted payloads naming a team the clicker does not belong to get them nothing: no
membership, no entry (a modal naming that team is refused with a clear message), no look at
its shared entries."""

from __future__ import annotations

import json

from bot.slack import modals
from tests.slack import payloads
from tests.slack.conftest import ALICE, OTHER_CHANNEL
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import pbot, pteam  # noqa: F401 - fixtures

OUTSIDER = "U0EVE00005"


def test_a_forged_team_in_a_modal_is_refused_and_nothing_is_saved(pbot, pteam):
    bot = pbot
    bot.journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=ALICE)
    view = modals.journal_entry(team=OTHER_CHANNEL, team_name="#other")
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "Trying to get in"}},
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "shared"}}
        },
    }
    sent = bot.sender.interaction(payloads.view_submission(OUTSIDER, view, values))
    assert sent.status == 200
    assert "not a member of #other" in sent.json()["errors"]["entry_text"]  # the modal says so
    assert not bot.journal.is_team_member(OUTSIDER, OTHER_CHANNEL)
    assert bot.journal.list_entries(OUTSIDER) == []  # nothing saved anywhere
    assert bot.journal.team_entries(ALICE, OTHER_CHANNEL) == []


def test_a_forged_team_on_a_button_does_not_make_anyone_a_member(bot, team):
    bot.journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=ALICE)
    value = json.dumps({"v": "", "t": OTHER_CHANNEL, "y": 2026, "w": 14})
    click = payloads.block_action(OUTSIDER, "reflect_start", value, channel="D0EVE00005")
    assert bot.sender.interaction(click).status == 200
    bot.fake.wait_for("chat.postMessage")
    assert not bot.journal.is_team_member(OUTSIDER, OTHER_CHANNEL)
