"""Every `/ripple` subcommand, sent as Slack sends it: a signed form body."""

from __future__ import annotations

import time

from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, buttons, message_text


def run(bot, text: str, *, user: str = ALICE, channel: str = TEAM_CHANNEL):
    form = payloads.slash(user, channel, text, response_url=bot.fake.response_url())
    sent = bot.sender.command(form)
    assert sent.status == 200, sent.body
    return sent


def test_help_lists_every_command(bot):
    sent = run(bot, "help")
    for command in ("helped", "reflect", "journal", "team create", "settings"):
        assert f"/ripple {command}" in sent.body
    assert run(bot, "").body == sent.body  # bare /ripple shows help too


def test_unknown_subcommand_gets_the_help_text(bot):
    sent = run(bot, "frobnicate the budgets")
    assert "frobnicate" in sent.body and "/ripple helped" in sent.body
    time.sleep(0.3)
    assert bot.fake.methods() == []


def test_helped_answers_privately_in_the_channel(bot, team):
    sent = run(bot, "helped partners disagreed about pooling budgets")
    assert sent.seconds < 1.0
    [answer] = bot.fake.wait_for("chat.postEphemeral")
    assert answer.args["channel"] == TEAM_CHANNEL and answer.args["user"] == ALICE
    assert "Source:" in message_text(answer)
    assert "feedback_up" in buttons(answer)
    assert bot.fake.calls_to("chat.postMessage") == []  # nothing public


def test_helped_question_arrives_unescaped_in_the_feedback_context(bot, team):
    run(bot, "helped pooled budgets &amp; shared services")
    [answer] = bot.fake.wait_for("chat.postEphemeral")
    value = buttons(answer)["feedback_up"]["value"]
    assert "pooled budgets & shared services" in value


def test_helped_without_a_question_explains_how(bot):
    run(bot, "helped")
    [hint] = bot.fake.wait_for("chat.postEphemeral")
    assert "Add your question" in message_text(hint)


def test_reflect_starts_a_reflection_by_dm(bot, team):
    sent = run(bot, "reflect")
    assert "DM" in sent.body
    [opened] = bot.fake.wait_for("conversations.open")
    assert opened.args["users"] == ALICE
    [question] = bot.fake.wait_for("chat.postMessage")
    assert question.args["channel"].startswith("D")
    assert "?" in message_text(question)


def test_journal_modal_saves_a_shared_entry(bot, team):
    run(bot, "journal")
    [opened] = bot.fake.wait_for("views.open")
    view = opened.args["view"]
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "We agreed a shared aim."}},
        "entry_visibility": {
            "visibility": {
                "type": "radio_buttons",
                "selected_option": {
                    "value": "shared",
                    "text": {"type": "plain_text", "text": "Shared"},
                },
            }
        },
    }
    sent = bot.sender.interaction(payloads.view_submission(ALICE, view, values))
    assert sent.status == 200 and sent.body == ""  # the modal closes
    [entry] = bot.journal.list_entries(ALICE)
    assert entry.text == "We agreed a shared aim." and entry.shared and entry.team == TEAM_CHANNEL
    [confirm] = bot.fake.wait_for("chat.postMessage")
    assert "shared with" in message_text(confirm)
    assert [e.id for e in bot.journal.team_entries(BOB, TEAM_CHANNEL)] == [entry.id]


def test_journal_modal_rejects_an_empty_entry_in_place(bot, team):
    run(bot, "journal")
    [opened] = bot.fake.wait_for("views.open")
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "   "}},
        "entry_visibility": {"visibility": {"type": "radio_buttons", "selected_option": None}},
    }
    sent = bot.sender.interaction(payloads.view_submission(ALICE, opened.args["view"], values))
    assert sent.json()["response_action"] == "errors"
    assert bot.journal.list_entries(ALICE) == []


def test_team_create_registers_the_channel_and_its_members(bot):
    run(bot, "team create")
    [announcement] = bot.fake.wait_for("chat.postMessage")
    assert announcement.args["channel"] == TEAM_CHANNEL
    assert "3 members" in message_text(announcement)
    assert len(bot.fake.calls_to("conversations.members")) == 2  # paged with a cursor
    members = {m.user: m for m in bot.journal.team_members(TEAM_CHANNEL)}
    assert set(members) == {ALICE, BOB, CAROL}  # the bot itself is not a member
    assert members[ALICE].is_admin and not members[BOB].is_admin
    assert members[CAROL].timezone == "Asia/Kolkata"  # from users.info


def test_team_create_in_a_dm_explains_where_to_run_it(bot):
    run(bot, "team create", channel="D0ALICE001")
    [note] = bot.fake.wait_for("chat.postEphemeral")
    assert "team's channel" in message_text(note)


def test_settings_for_an_admin_opens_a_modal_and_saves(bot, team):
    run(bot, "settings")
    [opened] = bot.fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "team_settings"
    values = {
        "schedule_weekday": {
            "weekday": {"type": "static_select", "selected_option": {"value": "3"}}
        },
        "schedule_time": {"time": {"type": "timepicker", "selected_time": "14:30"}},
        "schedule_enabled": {
            "enabled": {"type": "checkboxes", "selected_options": [{"value": "on"}]}
        },
    }
    sent = bot.sender.interaction(payloads.view_submission(ALICE, view, values))
    assert sent.status == 200
    schedule = bot.journal.get_schedule(TEAM_CHANNEL)
    assert (schedule.weekday, schedule.time, schedule.enabled) == (3, "14:30", True)
    [note] = bot.fake.wait_for("chat.postMessage")
    assert "Thursdays at 14:30" in message_text(note)


def test_settings_can_switch_the_prompt_off(bot, team):
    run(bot, "settings")
    [opened] = bot.fake.wait_for("views.open")
    values = {
        "schedule_weekday": {
            "weekday": {"type": "static_select", "selected_option": {"value": "0"}}
        },
        "schedule_time": {"time": {"type": "timepicker", "selected_time": "09:00"}},
        "schedule_enabled": {"enabled": {"type": "checkboxes", "selected_options": []}},
    }
    bot.sender.interaction(payloads.view_submission(ALICE, opened.args["view"], values))
    assert bot.journal.get_schedule(TEAM_CHANNEL).enabled is False


def test_settings_refuses_a_non_admin(bot, team):
    run(bot, "settings", user=BOB)
    [note] = bot.fake.wait_for("chat.postEphemeral")
    assert "Only this team's admins" in message_text(note)
    assert bot.fake.calls_to("views.open") == []


def test_a_crafted_settings_submission_from_a_non_admin_changes_nothing(bot, team):
    from bot.slack import modals

    view = modals.team_settings(
        team=TEAM_CHANNEL, team_name="#t", schedule=bot.journal.get_schedule(TEAM_CHANNEL)
    )
    values = {
        "schedule_weekday": {
            "weekday": {"type": "static_select", "selected_option": {"value": "6"}}
        },
        "schedule_time": {"time": {"type": "timepicker", "selected_time": "03:00"}},
        "schedule_enabled": {"enabled": {"type": "checkboxes", "selected_options": []}},
    }
    sent = bot.sender.interaction(payloads.view_submission(BOB, view, values))
    assert sent.json()["response_action"] == "errors"
    assert bot.journal.get_schedule(TEAM_CHANNEL).enabled is True


def test_a_private_entry_never_reaches_a_channel(bot, team):
    secret = "I am worried the trust will pull out of the partnership."
    run(bot, "journal")
    [opened] = bot.fake.wait_for("views.open")
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": secret}},
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "private"}}
        },
    }
    bot.sender.interaction(payloads.view_submission(ALICE, opened.args["view"], values))
    bot.fake.wait_for("chat.postMessage")  # the private confirmation
    bot.sender.event(payloads.app_home_opened(ALICE))
    bot.sender.event(payloads.app_home_opened(BOB))
    bot.fake.wait_for("views.publish", 3)
    run(bot, "helped what helped when a partner pulled out?")
    bot.fake.wait_for("chat.postEphemeral")
    # A public answer in the team's channel, to a question close to the private entry.
    question = "what helped when we worried the trust would pull out of the partnership?"
    bot.sender.event(payloads.app_mention(BOB, TEAM_CHANNEL, question))
    bot.fake.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    for call in bot.fake.calls:
        channel = str(call.args.get("channel", ""))
        if channel.startswith("C"):
            assert secret not in message_text(call)
    bob_home = [c for c in bot.fake.calls_to("views.publish") if c.args["user_id"] == BOB]
    assert all(secret not in str(c.args["view"]) for c in bob_home)


def test_someone_in_two_teams_chooses_the_entrys_team(bot, team):
    from tests.slack.conftest import OTHER_CHANNEL

    bot.journal.ensure_team(OTHER_CHANNEL, name="#barnet-pooling", workspace="T0RIPPLE01")
    bot.journal.add_member(OTHER_CHANNEL, ALICE, workspace="T0RIPPLE01")
    run(bot, "journal", channel="D0ALICE001")
    [opened] = bot.fake.wait_for("views.open")
    view = opened.args["view"]
    [choice] = [b for b in view["blocks"] if b.get("block_id") == "entry_team"]
    assert {o["value"] for o in choice["element"]["options"]} == {TEAM_CHANNEL, OTHER_CHANNEL}
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": "For Barnet"}},
        "entry_team": {
            "team": {"type": "static_select", "selected_option": {"value": OTHER_CHANNEL}}
        },
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "shared"}}
        },
    }
    bot.sender.interaction(payloads.view_submission(ALICE, view, values))
    [entry] = bot.journal.list_entries(ALICE)
    assert entry.team == OTHER_CHANNEL and entry.shared
    assert bot.journal.team_entries(BOB, TEAM_CHANNEL) == []


def test_team_create_in_a_channel_ripple_cannot_see_says_to_invite_it(bot):
    run(bot, "team create", channel="C0PRIVATE09")  # not in the fake's channels
    [note] = bot.fake.wait_for("chat.postEphemeral")
    assert "/invite @Ripple" in message_text(note)
    assert bot.journal.teams_for(ALICE) == []


def test_team_create_in_a_channel_ripple_cannot_post_in_says_to_invite_it(bot):
    bot.fake.fail("chat.postMessage", error="not_in_channel")  # public: members are readable
    run(bot, "team create")
    [refused, advice] = bot.fake.wait_for("chat.postMessage", 2)
    assert refused.args["channel"] == TEAM_CHANNEL
    assert advice.args["channel"] == "D0ALICE001"
    assert "/invite @Ripple" in message_text(advice)
