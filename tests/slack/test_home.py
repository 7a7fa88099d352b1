"""App Home: own entries with Share / Unshare / Edit / Delete, teammates' shared entries,
paging, and Block Kit's limits. A private entry never reaches a channel."""

from __future__ import annotations

import json

from bot.coaching.ports import Who
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, buttons
from tests.slack.fake_slack import WORKSPACE_ID


def write(bot, text: str, *, user: str = ALICE, shared: bool = False) -> int:
    who = Who(user=user, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    return bot.journal.save_entry(who, text, shared=shared, source="journal")


def open_home(bot, user: str = ALICE) -> dict:
    before = len(bot.fake.calls_to("views.publish"))
    assert bot.sender.event(payloads.app_home_opened(user)).status == 200
    published = bot.fake.wait_for("views.publish", before + 1)[-1]
    assert published.args["user_id"] == user
    return published


def click(bot, user: str, action_id: str, value: str, view: dict) -> dict:
    before = len(bot.fake.calls_to("views.publish"))
    sent = bot.sender.interaction(payloads.block_action(user, action_id, value, view=view))
    assert sent.status == 200
    return bot.fake.wait_for("views.publish", before + 1)[-1]


def view_text(call) -> str:
    return json.dumps(call.args["view"])


def test_home_shows_own_entries_teams_and_teammates_shared_entries(bot, team):
    write(bot, "Alice's private thought about trust")
    who = Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    bot.journal.save_entry(who, "Reflection", commitment="Call both finance leads by Friday")
    write(bot, "Bob's shared note on the pooled budget", user=BOB, shared=True)
    write(bot, "Bob's private worry", user=BOB)
    published = open_home(bot)
    text = view_text(published)
    assert "Alice's private thought about trust" in text
    assert "Bob's shared note on the pooled budget" in text
    assert "Bob's private worry" not in text
    assert "Your last commitment" in text and "Call both finance leads by Friday" in text
    assert f"<#{TEAM_CHANNEL}>" in text
    assert {"entry_share", "entry_edit", "entry_delete"} <= set(buttons(published))


def test_share_unshare_and_delete_buttons(bot, team):
    entry_id = write(bot, "A reflection about shared purpose")
    home = open_home(bot)
    share = buttons(home)["entry_share"]
    home = click(bot, ALICE, "entry_share", share["value"], home.args["view"])
    assert bot.journal.get_entry(ALICE, entry_id).shared
    assert [e.id for e in bot.journal.team_entries(BOB, TEAM_CHANNEL)] == [entry_id]

    unshare = buttons(home)["entry_unshare"]
    home = click(bot, ALICE, "entry_unshare", unshare["value"], home.args["view"])
    assert not bot.journal.get_entry(ALICE, entry_id).shared
    assert bot.journal.team_entries(BOB, TEAM_CHANNEL) == []

    delete = buttons(home)["entry_delete"]
    assert delete["confirm"]["confirm"]["text"] == "Delete"  # Slack asks before deleting
    home = click(bot, ALICE, "entry_delete", delete["value"], home.args["view"])
    assert bot.journal.list_entries(ALICE) == []
    assert "A reflection about shared purpose" not in view_text(home)


def test_edit_opens_the_entry_in_a_modal_and_saves_changes(bot, team):
    entry_id = write(bot, "First draft")
    home = open_home(bot)
    edit = buttons(home)["entry_edit"]
    bot.sender.interaction(
        payloads.block_action(ALICE, "entry_edit", edit["value"], view=home.args["view"])
    )
    [opened] = bot.fake.wait_for("views.open")
    assert "First draft" in json.dumps(opened.args["view"])
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "Second draft"}},
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "private"}}
        },
    }
    bot.sender.interaction(payloads.view_submission(ALICE, opened.args["view"], values))
    assert bot.journal.get_entry(ALICE, entry_id).text == "Second draft"


def test_someone_elses_entry_cannot_be_shared_or_deleted_by_a_crafted_click(bot, team):
    entry_id = write(bot, "Alice only")
    home = open_home(bot, BOB)
    crafted = json.dumps({"e": entry_id, "p": 0})
    for action in ("entry_share", "entry_delete", "entry_edit"):
        bot.sender.interaction(payloads.block_action(BOB, action, crafted, view=home.args["view"]))
    notes = bot.fake.wait_for("chat.postMessage", 3)
    assert all(n.args["channel"].startswith("D") for n in notes)  # told privately
    entry = bot.journal.get_entry(ALICE, entry_id)
    assert entry.text == "Alice only" and not entry.shared
    assert bot.fake.calls_to("views.open") == []


def test_many_entries_are_paged_within_block_kit_limits(bot, team):
    for i in range(23):
        write(bot, f"Entry number {i:02d} " + "long words " * 400)
    home = open_home(bot)
    blocks = home.args["view"]["blocks"]
    assert len(blocks) <= 100
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "Entry number 22" in view_text(home) and "Entry number 17" not in view_text(home)
    older = buttons(home)["home_page_older"]
    page2 = click(bot, ALICE, "home_page_older", older["value"], home.args["view"])
    assert "Entry number 17" in view_text(page2) and "Entry number 22" not in view_text(page2)
    assert "home_page_newer" in buttons(page2)


def test_home_when_the_journal_is_down_is_a_calm_notice(slack_data_dir, fake_slack, embedder):
    from tests.slack.conftest import _running_bot

    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"
    gen = _running_bot(slack_data_dir, url, fake_slack, embedder, ping=False)
    down = next(gen)
    try:
        assert down.sender.event(payloads.app_home_opened(ALICE)).status == 200
        [published] = fake_slack.wait_for("views.publish")
        assert "unavailable" in view_text(published)
    finally:
        gen.close()
