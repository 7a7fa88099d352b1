"""The weekly DM, from the prompt to a saved entry, and the messages Ripple must ignore."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bot.slack.app import build_client
from bot.slack.scheduler import tick
from tests.slack import payloads
from tests.slack.conftest import ALICE, BOB, TEAM_CHANNEL, buttons, message_text

TURNS = [
    "Our partnership board keeps arguing about who pays for the pooled budget, and the "
    "council and the health trust each think the other is dodging the cost.",
    "I think the conflict is really about trust and whether we share a purpose. We never "
    "agreed what outcome we are buying together for residents.",
    "Maybe I could bring the finance leads together to agree one shared outcome first.",
    "I will invite both finance leads to a one-hour session next Tuesday to agree the "
    "outcome we want for residents.",
    "I'll send the invitation tomorrow morning.",
    "Yes, that's my commitment.",
]


def test_weekly_prompt_to_saved_entry(bot, team):
    # Monday 30 March 2026, 09:00 in London (BST, UTC+1) is 08:00 UTC.
    now = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    report = tick(bot.services, build_client(bot.services.settings), now)
    assert (ALICE, TEAM_CHANNEL) in report.sent
    assert all(user != BOB for user, _ in report.sent)  # 04:00 in New York: not yet

    dm = "D0ALICE001"  # the fake's conversations.open answer for Alice
    [prompt] = bot.fake.wait_for("chat.postMessage", channel=dm)
    assert [b["text"]["text"] for b in buttons(prompt).values()] == [
        "Start",
        "Snooze 1 day",
        "Skip this week",
    ]

    saved = None
    for i, text in enumerate(TURNS):
        bot.sender.event(payloads.dm_message(ALICE, text, channel=dm))
        reply = bot.fake.wait_for("chat.postMessage", i + 2, channel=dm)[-1]
        if "Saved to your journal" in message_text(reply):
            saved = reply
            break
    assert saved is not None, "the reflection never reached a saved entry"
    assert "Only you can see it" in message_text(saved)

    [entry] = bot.journal.list_entries(ALICE)
    assert entry.team == TEAM_CHANNEL and not entry.shared
    assert entry.commitment
    assert "pooled budget" in entry.text
    assert not bot.services.coach.in_reflection(bot_who(bot))

    # The saved reply offers to share the entry with the team, privately confirmed.
    share = buttons(saved)["share_entry"]
    posted = len(bot.fake.wait_for("chat.postMessage", channel=dm))
    bot.sender.interaction(payloads.block_action(ALICE, "share_entry", share["value"], channel=dm))
    confirm = bot.fake.wait_for("chat.postMessage", posted + 1, channel=dm)[-1]
    assert "now shared" in message_text(confirm)
    assert [e.id for e in bot.journal.team_entries(BOB, TEAM_CHANNEL)] == [entry.id]


def bot_who(bot):
    from bot.coaching.ports import Who

    return Who(user=ALICE, team=TEAM_CHANNEL, workspace="T0RIPPLE01")


def test_start_button_opens_the_reflection_in_the_dm(bot, team):
    now = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    tick(bot.services, build_client(bot.services.settings), now)
    [prompt] = bot.fake.wait_for("chat.postMessage", channel="D0ALICE001")
    start = buttons(prompt)["reflect_start"]
    click = payloads.block_action(
        ALICE, "reflect_start", start["value"], channel=prompt.args["channel"]
    )
    assert bot.sender.interaction(click).status == 200
    bot.fake.wait_for("chat.postMessage", 2, channel="D0ALICE001")
    assert bot.journal.prompt_status(ALICE, TEAM_CHANNEL, 2026, 14).status == "started"


def test_messages_ripple_must_ignore_get_200_and_no_reply(bot, team):
    dm = "D0ALICE001"
    for envelope in (
        payloads.message_changed(ALICE, dm),
        payloads.message_deleted(dm),
        payloads.bot_message(dm),
        payloads.file_share(ALICE, dm),
        payloads.channel_join(ALICE, TEAM_CHANNEL),
        payloads.channel_leave(BOB, TEAM_CHANNEL),
        payloads.dm_message(ALICE, "   ", channel=dm),
        payloads.dm_message("U0RIPPLEBOT", "my own words", channel=dm, bot_id="B0RIPPLEBOT"),
    ):
        sent = bot.sender.event(envelope)
        assert sent.status == 200, (envelope["event"].get("subtype"), sent.body)
    time.sleep(1.0)
    assert bot.fake.calls_to("chat.postMessage") == []


def test_a_very_long_dm_is_answered_without_error(bot, team):
    text = "We keep disagreeing about the pooled budget and trust between partners. " * 600
    assert len(text) > 40_000
    sent = bot.sender.event(payloads.dm_message(ALICE, text, channel="D0ALICE001"))
    assert sent.status == 200
    [reply] = bot.fake.wait_for("chat.postMessage")
    assert reply.args["channel"] == "D0ALICE001"
    assert "went wrong" not in message_text(reply)


def test_membership_changes_are_followed(bot, team):
    from tests.slack.conftest import CAROL

    bot.sender.event(payloads.member_joined("U0RIPPLEBOT", TEAM_CHANNEL))  # Ripple invited
    new_user = "U0DAVE0004"
    bot.fake.add_user(new_user, "dave", "Europe/Paris")
    bot.sender.event(payloads.member_joined(new_user, TEAM_CHANNEL))
    bot.fake.wait_for("users.info")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not bot.journal.is_team_member(new_user, TEAM_CHANNEL):
        time.sleep(0.05)
    assert bot.journal.is_team_member(new_user, TEAM_CHANNEL)
    bot.sender.event(payloads.member_left(CAROL, TEAM_CHANNEL))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and bot.journal.is_team_member(CAROL, TEAM_CHANNEL):
        time.sleep(0.05)
    assert not bot.journal.is_team_member(CAROL, TEAM_CHANNEL)
    assert not bot.journal.is_team_member("U0RIPPLEBOT", TEAM_CHANNEL)


def test_not_now_ends_the_reflection_without_saving(bot, team):
    form = payloads.slash(ALICE, TEAM_CHANNEL, "reflect", response_url=bot.fake.response_url())
    bot.sender.command(form)
    [question] = bot.fake.wait_for("chat.postMessage", channel="D0ALICE001")
    assert bot.services.coach.in_reflection(bot_who(bot))
    stop = buttons(question)["reflect_stop"]
    click = payloads.block_action(ALICE, "reflect_stop", stop["value"], channel="D0ALICE001")
    assert bot.sender.interaction(click).status == 200
    ended = bot.fake.wait_for("chat.postMessage", 2, channel="D0ALICE001")[-1]
    assert "Nothing from this conversation was saved" in message_text(ended)
    assert not bot.services.coach.in_reflection(bot_who(bot))
    assert bot.journal.list_entries(ALICE) == []
