"""Crafted payloads naming a team the clicker does not belong to get them nothing: no
membership, no entry in that team, no look at its shared entries."""

from __future__ import annotations

import json

from bot.slack import modals
from tests.slack import payloads
from tests.slack.conftest import ALICE, OTHER_CHANNEL
from tests.slack.fake_slack import WORKSPACE_ID

OUTSIDER = "U0EVE00005"


def test_a_forged_team_in_a_modal_saves_to_the_persons_own_space(bot, team):
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
    assert not bot.journal.is_team_member(OUTSIDER, OTHER_CHANNEL)
    [entry] = bot.journal.list_entries(OUTSIDER)
    assert entry.team != OTHER_CHANNEL and not entry.shared
    assert bot.journal.team_entries(ALICE, OTHER_CHANNEL) == []


def test_a_forged_team_on_a_button_does_not_make_anyone_a_member(bot, team):
    bot.journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=ALICE)
    value = json.dumps({"v": "", "t": OTHER_CHANNEL, "y": 2026, "w": 14})
    click = payloads.block_action(OUTSIDER, "reflect_start", value, channel="D0EVE00005")
    assert bot.sender.interaction(click).status == 200
    bot.fake.wait_for("chat.postMessage")
    assert not bot.journal.is_team_member(OUTSIDER, OTHER_CHANNEL)
