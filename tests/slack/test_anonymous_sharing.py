# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""An author can choose, in Slack, to appear to the enabler as "a team member": the journal
modal's "If shared" checkbox, kept with the entry, shown again when editing, and honoured in
the enabler's Home while the teammates still see who wrote it."""

from __future__ import annotations

import json

from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, message_text
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    ENABLER,
    command,
    open_home,
    pbot,
    pteam,
    view_text,
)

SHARED = {"visibility": {"type": "radio_buttons", "selected_option": {"value": "shared"}}}
HIDDEN = {"anonymous": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}}


def submit(bot, view: dict, text: str, *, anonymous: bool) -> None:
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": text}},
        "entry_visibility": SHARED,
    }
    if anonymous:
        values["entry_anonymous"] = HIDDEN
    sent = bot.sender.interaction(payloads.view_submission(ALICE, view, values))
    assert sent.status == 200 and sent.body == "", sent.body


def test_an_author_chooses_to_appear_to_the_enabler_as_a_team_member(pbot, pteam):
    pbot.journal.add_enabler(ENABLER, TEAM_CHANNEL)
    pbot.journal.grant_consent(ALICE, TEAM_CHANNEL)
    command(pbot, "journal")
    [opened] = pbot.fake.wait_for("views.open")
    view = opened.args["view"]
    [choice] = [b for b in view["blocks"] if b.get("block_id") == "entry_anonymous"]
    assert choice["optional"] and "a team member" in json.dumps(choice)
    submit(pbot, view, "Hidden from the enabler's eyes by name", anonymous=True)
    submit(pbot, view, "Signed with my name", anonymous=False)

    [confirm, _] = pbot.fake.wait_for("chat.postMessage", 2)
    pbot.fake.wait_for("views.publish", 2)  # each save refreshes Alice's Home
    assert 'sees you as "a team member"' in message_text(confirm)
    enabler_home = view_text(open_home(pbot, ENABLER))
    assert "Hidden from the enabler" in enabler_home and "a team member" in enabler_home
    assert enabler_home.count(f"<@{ALICE}>") == 1  # only on the entry she signed
    by_text = {e.text: e for e in pbot.journal.team_entries(BOB, TEAM_CHANNEL)}
    assert by_text["Hidden from the enabler's eyes by name"].author == ALICE  # teammates see her

    # Editing keeps the choice visible, and unticking it puts her name back.
    home = open_home(pbot, ALICE)
    hidden_id = by_text["Hidden from the enabler's eyes by name"].id
    [edit] = [
        option["value"]
        for menu in _entry_menus(home)
        for option in menu["options"]
        if json.loads(option["value"])["do"] == "edit"
        and json.loads(option["value"])["e"] == hidden_id
    ]
    click = payloads.block_action(ALICE, "entry_menu", None, view=home)
    click["actions"][0].update({"type": "overflow", "selected_option": {"value": edit}})
    pbot.sender.interaction(click)
    [_, reopened] = pbot.fake.wait_for("views.open", 2)
    edit_view = reopened.args["view"]
    [again] = [b for b in edit_view["blocks"] if b.get("block_id") == "entry_anonymous"]
    assert again["element"]["initial_options"][0]["value"] == "anonymous"
    before = len(pbot.fake.calls_to("views.publish"))
    submit(pbot, edit_view, "Now signed after all", anonymous=False)
    pbot.fake.wait_for("views.publish", before + 1)
    assert pbot.journal.get_entry(ALICE, hidden_id).anonymous is False
    assert view_text(open_home(pbot, ENABLER)).count(f"<@{ALICE}>") == 2


def _entry_menus(view: dict) -> list[dict]:
    """The overflow menus (Edit / Share / Delete) on the Home's entry cards."""
    return [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("type") == "overflow"
    ]


def test_a_personal_journal_offers_no_enabler_choice(pbot):
    command(pbot, "journal", channel="D0ALICE001")
    [opened] = pbot.fake.wait_for("views.open")
    assert "entry_anonymous" not in json.dumps(opened.args["view"])
