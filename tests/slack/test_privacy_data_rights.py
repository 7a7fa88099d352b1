# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""A leader's data rights over real HTTP: `/ripple export` DMs a Markdown and a JSON file
(files.uploadV2), `/ripple erase` asks first, then erases everything in every team, even a
reflection in progress, and says what it erased."""

from __future__ import annotations

import json

import pytest

from bot.coaching.ports import Who
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, OTHER_CHANNEL, TEAM_CHANNEL, buttons, message_text
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import (  # noqa: F401 - pbot, pteam are fixtures
    OUTSIDER,
    click,
    command,
    dms_to,
    pbot,
    pteam,
    write,
)


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only here (export and erase run on PostgreSQL in the journal's own tests); the
    consent tests, where concurrent clicks meet the database, run on both."""
    return f"sqlite:///{tmp_path / 'journal.db'}"


def test_export_dms_every_entry_and_commitment_as_markdown_and_json(pbot, pteam):
    write(pbot, ALICE, "We mapped who really decides", commitment="Ask the CEO for a mandate")
    write(pbot, ALICE, "Shared thought on conflict", shared=True)
    sent = command(pbot, "export")
    assert "DM" in sent.body
    [done] = pbot.fake.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "D" + ALICE[1:]
    files = pbot.fake.uploaded()
    markdown = files[f"ripple-export-{ALICE}.md"]
    assert "We mapped who really decides" in markdown
    assert "Ask the CEO for a mandate" in markdown and "Shared thought on conflict" in markdown
    data = json.loads(files[f"ripple-export-{ALICE}.json"])
    assert {e["text"] for e in data["entries"]} == {
        "We mapped who really decides",
        "Shared thought on conflict",
    }
    assert [e["commitment"] for e in data["entries"]] == ["Ask the CEO for a mandate", None]
    assert pbot.fake.calls_to("chat.postEphemeral") == []  # nothing shown in the channel


def test_export_of_someone_with_no_data_says_so_and_creates_nothing(pbot):
    command(pbot, "export", user=OUTSIDER, channel="D" + OUTSIDER[1:])
    [note] = pbot.fake.wait_for("chat.postMessage")
    assert note.args["channel"] == "D" + OUTSIDER[1:]
    assert "holds no data about you" in message_text(note)
    assert pbot.fake.calls_to("files.getUploadURLExternal") == []
    assert not pbot.journal.export_user(OUTSIDER).has_data  # asking left no trace


def test_export_when_slack_refuses_the_files_is_a_kind_message(pbot, pteam):
    write(pbot, ALICE, "Something to export")
    pbot.fake.fail("files.getUploadURLExternal", error="not_allowed_token_type")
    command(pbot, "export")
    [note] = pbot.fake.wait_for("chat.postMessage")
    text = message_text(note)
    # A permanent refusal says so plainly, and never "try again in a minute" (issue 12 §5).
    assert "refused your export files" in text and "trying again won't help" in text
    assert "in a minute" not in text


def test_export_that_fails_for_a_moment_says_try_again(pbot, pteam):
    write(pbot, ALICE, "Something to export")
    pbot.fake.fail("files.getUploadURLExternal", error="internal_error")
    command(pbot, "export")
    [note] = pbot.fake.wait_for("chat.postMessage")
    assert "didn't accept your export files" in message_text(note)
    assert "again in a minute" in message_text(note)


def test_erase_asks_first_then_erases_everything_in_every_team_mid_conversation(pbot, pteam):
    journal = pbot.journal
    journal.ensure_team(OTHER_CHANNEL, name="#other", workspace=WORKSPACE_ID, admin=BOB)
    journal.add_member(OTHER_CHANNEL, ALICE, workspace=WORKSPACE_ID)
    write(pbot, ALICE, "Alice in the first team", shared=True, commitment="Call the chair")
    write(pbot, ALICE, "Alice in the other team", team=OTHER_CHANNEL, shared=True)
    bobs = write(pbot, BOB, "Bob's own entry stays", shared=True)
    in_progress = Who(user=ALICE, team=OTHER_CHANNEL, workspace=WORKSPACE_ID)
    journal.save_conversation(in_progress, {"turns": ["half a reflection"]})  # mid-conversation

    command(pbot, "erase")
    [ask] = pbot.fake.wait_for("chat.postEphemeral")
    assert ask.args["user"] == ALICE and "cannot be undone" in message_text(ask)
    assert journal.list_entries(ALICE)  # nothing erased before confirming
    confirm = buttons(ask)["privacy_erase_confirm"]["value"]

    url = pbot.fake.response_url("erase")
    click(pbot, ALICE, "privacy_erase_confirm", confirm, channel=TEAM_CHANNEL, response_url=url)
    [told] = pbot.fake.wait_for("chat.postMessage", channel="D" + ALICE[1:])
    text = message_text(told)
    assert "Erased for you across 2 teams" in text and "2 entries" in text
    assert "1 conversation," in text  # "1 conversation", never "1 conversations"
    [replaced] = pbot.fake.wait_for("response_url")
    assert replaced.args["replace_original"] is True

    assert journal.list_entries(ALICE) == []
    assert journal.load_conversation(in_progress) is None
    assert not journal.is_team_member(ALICE, TEAM_CHANNEL)
    assert not journal.is_team_member(ALICE, OTHER_CHANNEL)
    assert not journal.export_user(ALICE).has_data
    assert [e.id for e in journal.team_entries(BOB, TEAM_CHANNEL)] == [bobs]
    assert journal.team_entries(BOB, OTHER_CHANNEL) == []

    # A second click on the same prompt erases nothing more and says so.
    click(pbot, ALICE, "privacy_erase_confirm", confirm, channel=TEAM_CHANNEL, response_url=url)
    again = pbot.fake.wait_for("chat.postMessage", 2, channel="D" + ALICE[1:])[-1]
    assert "held no data for you" in message_text(again)


def test_cancelling_erase_keeps_everything(pbot, pteam):
    write(pbot, ALICE, "Keep me")
    command(pbot, "erase")
    [ask] = pbot.fake.wait_for("chat.postEphemeral")
    cancel = buttons(ask)["privacy_erase_cancel"]["value"]
    url = pbot.fake.response_url("cancel")
    click(pbot, ALICE, "privacy_erase_cancel", cancel, channel=TEAM_CHANNEL, response_url=url)
    [replaced] = pbot.fake.wait_for("response_url")
    assert replaced.args["text"] == "Nothing was erased."
    assert [e.text for e in pbot.journal.list_entries(ALICE)] == ["Keep me"]
    assert dms_to(pbot, ALICE) == []


def test_erasing_in_the_middle_of_a_real_reflection(bot, team):
    """The real coach (model, evidence, journal): a reflection started by DM is erased
    mid-way, and the next DM starts afresh instead of resuming what was erased."""
    dm = "D" + ALICE[1:]
    first = "Our board keeps arguing about who pays for the pooled budget."
    bot.sender.event(payloads.dm_message(ALICE, first, channel=dm))
    bot.fake.wait_for("chat.postMessage", channel=dm)
    who = Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    assert bot.services.coach.in_reflection(who)

    command(bot, "erase", channel=dm)
    [ask] = bot.fake.wait_for("chat.postEphemeral")
    click(bot, ALICE, "privacy_erase_confirm", buttons(ask)["privacy_erase_confirm"]["value"])
    told = bot.fake.wait_for("chat.postMessage", 2, channel=dm)[-1]
    assert "Erased for you" in message_text(told)
    assert bot.journal.load_conversation(who) is None
    assert not bot.services.coach.in_reflection(who)
    assert first not in bot.journal.export_user(ALICE).json

    bot.sender.event(payloads.dm_message(ALICE, "Hello again", channel=dm))
    bot.fake.wait_for("chat.postMessage", 3, channel=dm)
    assert first not in bot.journal.export_user(ALICE).json  # nothing erased came back
