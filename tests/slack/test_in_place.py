"""Messages that change when clicked (issue 12 §1): the weekly prompt's Start, an answer's
👍 / 👎 and Undo. Real HTTP, signed requests, the fake Web API recording every chat.update."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bot.slack.app import build_client
from bot.slack.scheduler import tick
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, buttons, message_text

DM = "D0ALICE001"
QUESTION = "what helped elsewhere when partners disagreed about pooling budgets?"


def weekly_prompt(bot):
    # Monday 30 March 2026, 09:00 in London (BST) is 08:00 UTC.
    tick(bot.services, build_client(bot.services.settings), datetime(2026, 3, 30, 8, 0, tzinfo=UTC))
    [prompt] = bot.fake.wait_for("chat.postMessage", channel=DM)
    return prompt


def click_on(bot, user, message, action_id, *, ts, channel, thread_ts=None):
    element = buttons(message)[action_id]
    payload = payloads.block_action(
        user,
        action_id,
        element.get("value"),
        channel=channel,
        message_ts=ts,
        message_blocks=message.args["blocks"],
        thread_ts=thread_ts,
    )
    assert bot.sender.interaction(payload).status == 200


def test_start_replaces_the_prompts_buttons_and_never_says_part_way(bot, team):
    prompt = weekly_prompt(bot)
    question_blocks = [b for b in prompt.args["blocks"] if b["type"] != "actions"]
    click_on(bot, ALICE, prompt, "reflect_start", ts="1.0001", channel=DM)

    [updated] = bot.fake.wait_for("chat.update")
    assert updated.args["channel"] == DM and updated.args["ts"] == "1.0001"
    blocks = updated.args["blocks"]
    assert not [b for b in blocks if b["type"] == "actions"]  # no live buttons left
    assert blocks[: len(question_blocks)] == question_blocks  # the question stays readable
    assert blocks[-1]["elements"][0]["text"] == "Started ✓ · Monday 09:00"  # Alice's London time

    follow_up = bot.fake.wait_for("chat.postMessage", 2, channel=DM)[-1]
    assert "part-way" not in message_text(follow_up)
    assert "reply here" in message_text(follow_up).lower()
    assert bot.journal.prompt_status(ALICE, TEAM_CHANNEL, 2026, 14).status == "started"


def test_snooze_keeps_the_question_and_says_when(bot, team):
    prompt = weekly_prompt(bot)
    click_on(bot, ALICE, prompt, "snooze", ts="1.0002", channel=DM)
    [updated] = bot.fake.wait_for("chat.update")
    assert updated.args["ts"] == "1.0002"
    assert not [b for b in updated.args["blocks"] if b["type"] == "actions"]
    assert "Snoozed · I'll ask again Tuesday 09:00" in message_text(updated)


def answer(bot):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION)
    bot.sender.event(envelope)
    [posted] = bot.fake.wait_for("chat.postMessage", channel=TEAM_CHANNEL)
    return posted, envelope["event"]["ts"]


def test_feedback_glyphs_are_on_the_buttons(bot, team):
    posted, _ = answer(bot)
    labels = {k: b["text"]["text"] for k, b in buttons(posted).items()}
    assert labels["feedback_up"].startswith("👍") and labels["feedback_down"].startswith("👎")


def test_a_double_clicked_thumb_records_one_vote_one_thanks_and_marks_the_answer(bot, team):
    posted, thread = answer(bot)
    reply_ts = "1700000000.000200"
    for _ in range(2):
        click_on(
            bot, ALICE, posted, "feedback_up", ts=reply_ts, channel=TEAM_CHANNEL, thread_ts=thread
        )
    [thanks] = bot.fake.wait_for("chat.postEphemeral")
    time.sleep(1.0)  # the second click's lazy listener has had time to (not) answer
    assert len(bot.fake.calls_to("chat.postEphemeral")) == 1
    assert thanks.args["user"] == ALICE and thanks.args["thread_ts"] == thread  # in the thread
    assert bot.journal.feedback_counts() == {"up": 1, "down": 0}

    [updated] = bot.fake.calls_to("chat.update")
    assert updated.args["channel"] == TEAM_CHANNEL and updated.args["ts"] == reply_ts
    after = buttons(updated)
    assert "feedback_up" not in after and "feedback_down" not in after
    assert "save_to_journal" in after  # the other button stays
    assert "👍 Marked useful" in message_text(updated)
    undo = [b for b in updated.args["blocks"] if b.get("accessory", {}).get("text")]
    assert undo and undo[0]["accessory"]["text"]["text"] == "Undo"


def test_undo_takes_the_vote_back_and_restores_the_buttons(bot, team):
    posted, thread = answer(bot)
    reply_ts = "1700000000.000300"
    click_on(bot, ALICE, posted, "feedback_up", ts=reply_ts, channel=TEAM_CHANNEL, thread_ts=thread)
    [marked] = bot.fake.wait_for("chat.update")
    undo_block = next(b for b in marked.args["blocks"] if b.get("block_id") == "ripple_feedback")
    undo_value = undo_block["accessory"]["value"]

    # Bob cannot undo Alice's vote; he is told so, privately, and nothing changes.
    bob = payloads.block_action(
        BOB,
        "feedback_undo",
        undo_value,
        channel=TEAM_CHANNEL,
        message_ts=reply_ts,
        message_blocks=marked.args["blocks"],
        thread_ts=thread,
    )
    bot.sender.interaction(bob)
    notes = bot.fake.wait_for("chat.postEphemeral", 2)  # Alice's thanks, and Bob's answer
    [told] = [n for n in notes if n.args["user"] == BOB]
    assert "Only" in message_text(told)
    assert bot.journal.feedback_counts() == {"up": 1, "down": 0}

    alice = payloads.block_action(
        ALICE,
        "feedback_undo",
        undo_value,
        channel=TEAM_CHANNEL,
        message_ts=reply_ts,
        message_blocks=marked.args["blocks"],
        thread_ts=thread,
    )
    bot.sender.interaction(alice)
    restored = bot.fake.wait_for("chat.update", 2)[-1]
    assert restored.args["ts"] == reply_ts
    assert {"feedback_up", "feedback_down", "save_to_journal"} <= set(buttons(restored))
    assert "Marked useful" not in message_text(restored)
    assert bot.journal.feedback_counts() == {"up": 0, "down": 0}
