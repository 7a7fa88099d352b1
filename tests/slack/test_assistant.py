# ruff: noqa: F811 - pytest fixtures imported from privacy_support are redefined as arguments
"""The Agents & AI Apps side panel over real HTTP (issue 12 §3): signed Events API requests to
the real app, Bolt's Assistant middleware, and the fake Web API recording every
assistant.threads.* call (setSuggestedPrompts, setStatus, setTitle) next to the posts."""

from __future__ import annotations

import time

from bot.coaching.ports import Who
from tests.slack import payloads
from tests.slack.conftest import ALICE, TEAM_CHANNEL, message_text
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.privacy_support import pbot, pteam  # noqa: F401 - fixtures

DM = "D0ALICE001"
THREAD = "1729999327.187299"


def thread_started(user: str = ALICE) -> dict:
    """`assistant_thread_started`, shaped like Slack's documented example."""
    return payloads.envelope(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": user,
                "context": {"channel_id": TEAM_CHANNEL, "team_id": WORKSPACE_ID},
                "channel_id": DM,
                "thread_ts": THREAD,
            },
            "event_ts": f"{time.time():.6f}",
        }
    )


def in_thread(text: str, user: str = ALICE) -> dict:
    """A message the person types in the side panel: a DM message inside the thread."""
    return payloads.dm_message(user, text, channel=DM, thread_ts=THREAD, parent_user_id=user)


def test_a_new_thread_gets_a_greeting_and_the_three_suggested_prompts(pbot, pteam):
    sent = pbot.sender.event(thread_started())
    assert sent.status == 200 and sent.seconds < 1.0
    [prompts] = pbot.fake.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.args["channel_id"] == DM and prompts.args["thread_ts"] == THREAD
    titles = [p["title"] for p in prompts.args["prompts"]]
    assert titles == [
        "Start my weekly reflection",
        "What helped elsewhere with…",
        "Show my last commitment",
    ]
    [greeting] = pbot.fake.wait_for("chat.postMessage", channel=DM, timeout=90)
    assert greeting.args["thread_ts"] == THREAD and "Ripple" in message_text(greeting)


def test_what_helped_shows_a_status_names_the_thread_and_answers_with_sources(bot, team):
    question = "What helped elsewhere with partners who disagree about pooling budgets?"
    assert bot.sender.event(in_thread(question)).status == 200
    [answer] = bot.fake.wait_for("chat.postMessage", channel=DM, timeout=90)
    assert answer.args["thread_ts"] == THREAD
    assert "Source:" in message_text(answer)
    assert any(b["type"] == "context" for b in answer.args["blocks"])  # the one-line sources
    [status] = bot.fake.calls_to("assistant.threads.setStatus")
    assert status.args["status"] == "Looking through the evidence…"
    assert status.args["thread_ts"] == THREAD and status.at <= answer.at  # before the answer
    [title] = bot.fake.calls_to("assistant.threads.setTitle")
    assert title.args["title"].startswith("What helped:")


def test_start_my_weekly_reflection_runs_the_same_reflection_as_the_dm(pbot, pteam):
    pbot.sender.event(in_thread("Start my weekly reflection"))
    [opening] = pbot.fake.wait_for("chat.postMessage", channel=DM, timeout=90)
    assert opening.args["thread_ts"] == THREAD
    assert pbot.services.coach.in_reflection(
        Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    )
    [title] = pbot.fake.wait_for("assistant.threads.setTitle", timeout=90)
    assert title.args["title"] == "Weekly reflection"
    # The person's answer in the thread is the reflection's next turn, answered in the thread.
    pbot.sender.event(in_thread("The council and the trust keep arguing about who pays."))
    turn = pbot.fake.wait_for("chat.postMessage", 2, channel=DM, timeout=90)[-1]
    assert turn.args["thread_ts"] == THREAD and "part-way" not in message_text(turn)


def test_show_my_last_commitment(pbot, pteam):
    who = Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    pbot.journal.save_entry(who, "Reflection", commitment="Invite both finance leads on Tuesday")
    pbot.sender.event(in_thread("Show my last commitment"))
    [reply] = pbot.fake.wait_for("chat.postMessage", channel=DM, timeout=90)
    assert reply.args["thread_ts"] == THREAD
    assert "Invite both finance leads on Tuesday" in message_text(reply)


def test_a_plain_dm_still_works_without_the_side_panel(pbot, pteam):
    pbot.sender.event(payloads.dm_message(ALICE, "hello", channel=DM))
    [reply] = pbot.fake.wait_for("chat.postMessage", channel=DM, timeout=90)
    assert not reply.args.get("thread_ts")
    time.sleep(0.5)
    assert not [m for m in pbot.fake.methods() if m.startswith("assistant.threads.")]
