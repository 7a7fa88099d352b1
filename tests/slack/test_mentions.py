"""@Ripple in a channel: answered in the thread, with quotes, sources and feedback buttons."""

from __future__ import annotations

import json
import time

from tests.slack import payloads
from tests.slack.conftest import ALICE, TEAM_CHANNEL, _running_bot, buttons, message_text

QUESTION = "what helped elsewhere when partners disagreed about pooling budgets?"


def test_mention_is_answered_in_its_thread_with_sources_and_buttons(bot, team):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION)
    sent = bot.sender.event(envelope)
    assert sent.status == 200
    assert sent.seconds < 1.0  # acked at once; the answer comes later

    [call] = bot.fake.wait_for("chat.postMessage")
    assert call.args["channel"] == TEAM_CHANNEL
    assert call.args["thread_ts"] == envelope["event"]["ts"]
    contexts = [b for b in call.args["blocks"] if b["type"] == "context"]
    assert contexts and all("Source:" in c["elements"][0]["text"] for c in contexts)
    quotes = [b for b in call.args["blocks"] if b.get("text", {}).get("text", "").startswith(">")]
    assert quotes, message_text(call)
    assert {"feedback_up", "feedback_down", "save_to_journal"} <= set(buttons(call))
    assert len(call.args["blocks"]) <= 50


def test_feedback_is_stored_and_acknowledged(bot, team):
    bot.sender.event(payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION))
    [answer] = bot.fake.wait_for("chat.postMessage")
    up = buttons(answer)["feedback_up"]
    click = payloads.block_action(
        ALICE, "feedback_up", up["value"], channel=TEAM_CHANNEL, message_ts=answer.args["thread_ts"]
    )
    assert bot.sender.interaction(click).status == 200
    [thanks] = bot.fake.wait_for("chat.postEphemeral")
    assert thanks.args["user"] == ALICE and "Thanks" in message_text(thanks)
    assert bot.journal.feedback_counts() == {"up": 1, "down": 0}


def test_save_to_journal_opens_a_prefilled_entry_modal(bot, team):
    bot.sender.event(payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION))
    [answer] = bot.fake.wait_for("chat.postMessage")
    save = buttons(answer)["save_to_journal"]
    bot.sender.interaction(
        payloads.block_action(ALICE, "save_to_journal", save["value"], channel=TEAM_CHANNEL)
    )
    [opened] = bot.fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "journal_entry"
    assert QUESTION in json.dumps(view)


def test_a_retried_event_gets_no_second_reply(bot, team):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION)
    assert bot.sender.event(envelope).status == 200
    retry = bot.sender.event(envelope, retry_num=1)
    assert retry.status == 200  # still 200, never 404: Slack must stop retrying
    bot.fake.wait_for("chat.postMessage")
    assert bot.sender.event(envelope, retry_num=2).status == 200
    time.sleep(1.0)
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_a_duplicate_event_on_another_replica_gets_no_second_reply(
    bot, team, slack_data_dir, tmp_path, embedder
):
    """A second app process on the same database (a replica, or this one after a restart)."""
    replica = _running_bot(
        slack_data_dir, str(bot.journal.settings.resolved_database_url), bot.fake, embedder
    )
    other = next(replica)
    try:
        envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION)
        assert bot.sender.event(envelope).status == 200
        assert other.sender.event(envelope, retry_num=1).status == 200
        bot.fake.wait_for("chat.postMessage")
        time.sleep(1.0)
        assert len(bot.fake.calls_to("chat.postMessage")) == 1
    finally:
        replica.close()


def test_a_mention_from_another_bot_gets_200_and_no_reply(bot, team):
    envelope = payloads.app_mention("U0OTHERBOT", TEAM_CHANNEL, QUESTION)
    envelope["event"]["bot_id"] = "B0OTHERBOT"  # e.g. a workflow or another app @mentioning us
    assert bot.sender.event(envelope).status == 200
    time.sleep(1.0)
    assert bot.fake.calls_to("chat.postMessage") == []


def test_empty_mention_gets_a_hint_in_thread(bot):
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "")
    assert bot.sender.event(envelope).status == 200
    [call] = bot.fake.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == envelope["event"]["ts"]
    assert "/ripple helped" in message_text(call)


def test_mention_in_a_channel_the_bot_cannot_post_to_tells_the_person_what_to_do(bot, team):
    bot.fake.fail("chat.postMessage", error="not_in_channel")
    bot.sender.event(payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION))
    calls = bot.fake.wait_for("chat.postMessage", 2)
    advice = calls[1]
    assert advice.args["channel"].startswith("D")  # privately, by DM
    assert "/invite @Ripple" in message_text(advice)


def test_a_rate_limited_post_is_retried_after_retry_after(bot, team):
    bot.fake.fail("chat.postMessage", status=429, retry_after=1)
    bot.sender.event(payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION))
    first, second = bot.fake.wait_for("chat.postMessage", 2)
    assert second.at - first.at >= 1.0  # waited as Slack asked
    assert second.args["channel"] == TEAM_CHANNEL
    time.sleep(0.5)
    assert len(bot.fake.calls_to("chat.postMessage")) == 2  # one failure, one success


def test_a_server_error_is_retried(bot, team):
    bot.fake.fail("chat.postMessage", status=500)
    bot.sender.event(payloads.app_mention(ALICE, TEAM_CHANNEL, QUESTION))
    calls = bot.fake.wait_for("chat.postMessage", 2)
    assert calls[1].args["thread_ts"] == calls[0].args["thread_ts"]
