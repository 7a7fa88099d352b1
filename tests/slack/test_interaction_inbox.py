"""Clicks and modal submissions in the inbox, one window at a time, over real HTTP to the fake
Web API (the SIGKILL test, tests/ops/test_exactly_once_interactions.py, shows it end to end).

Each test plays a replica that acknowledged an interaction, passed the replay guard, made its
journal change and died before posting: the row sits with a dead owner's lease. A sweep takes
it over, gets past the replay guard (its in-process marker), finds the change already made
(journal/once.py), and posts it once. The same signed bytes from the network still do nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from urllib.parse import urlencode

import pytest

from bot.coaching.ports import Who
from bot.coaching.reflection import ENDED
from bot.slack import modals
from bot.slack.inbox_keys import inbox_key, request_key
from bot.slack.listeners.message_actions import OVER_TO_YOU
from bot.slack.listeners.views import entry_once_key
from bot.slack.replay import interaction_key
from tests.slack import payloads
from tests.slack.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, slack_settings
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.signing import SlackSender

WORDS = "We pooled the budget at last."
DM = "D" + ALICE[1:]  # the fake's conversations.open answer for Alice
WEEK = (2026, 14)


@pytest.fixture
def app(tmp_path, fake_slack) -> Iterator:
    from bot.services import Services
    from bot.slack.app import build_app
    from bot.slack.server import RippleServer, services_readiness

    settings = slack_settings(tmp_path, f"sqlite:///{tmp_path / 'journal.db'}", fake_slack.api_url)
    services = Services(settings)
    app = build_app(services)
    server = RippleServer(app, readiness=services_readiness(services), port=0).start()
    app.sender = SlackSender(server.url, SIGNING_SECRET)
    app.journal = services.journal
    app.services = services
    fake_slack.reset()
    yield app
    server.shutdown(wait=True)
    services.journal.close()


def _left_by_a_dead_replica(app, payload: dict) -> str:
    """Recorded with a lease that has run out, and past the replay guard, as a replica that
    acknowledged `payload` and then died would leave it."""
    key = inbox_key(payload, app.inbox.resumable)
    assert key is not None, "held in the inbox"
    request = {
        "body": urlencode({"payload": json.dumps(payload)}),
        "content_type": "application/x-www-form-urlencoded",
    }
    app.inbox.inbox.receive(key, payload["type"], request, owner="dead", lease_seconds=0.1)
    assert app.journal.first_delivery(interaction_key(payload))
    time.sleep(0.2)
    return key


def _wait_done(app, key: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (app.inbox.inbox.status(key) or ("absent",))[0] != "done":
        assert time.monotonic() < deadline, app.inbox.inbox.status(key)
        time.sleep(0.05)


def _texts(fake, channel: str) -> list[str]:
    return [
        c.args["text"] for c in fake.calls_to("chat.postMessage") if c.args["channel"] == channel
    ]


def _submission() -> dict:
    view = {**modals.journal_entry(team="", team_name="your journal"), "id": "V0DEAD0001"}
    values = {
        "entry_text": {"text": {"type": "plain_text_input", "value": WORDS}},
        "entry_visibility": {
            "visibility": {"type": "radio_buttons", "selected_option": {"value": "private"}}
        },
    }
    return payloads.view_submission(ALICE, view, values)


def test_a_submission_saved_by_a_dead_replica_is_confirmed_once_and_not_saved_again(
    app, fake_slack
):
    payload = _submission()
    key = _left_by_a_dead_replica(app, payload)
    personal = Who(user=ALICE, team=f"personal-{ALICE}", workspace=WORKSPACE_ID)
    app.journal.ensure_team(personal.team, name="Personal journal", workspace=WORKSPACE_ID)
    once = entry_once_key(ALICE, payload["view"], [WORDS, False, "", False])
    assert app.journal.save_entry(personal, WORDS, source="journal", once=once) == 1

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert [e.text for e in app.journal.list_entries(ALICE)] == [WORDS], "not saved twice"
    dm = "D" + ALICE[1:]
    assert [t for t in _texts(fake_slack, dm) if "Saved to your journal as entry 1" in t]

    before = len(fake_slack.calls)
    assert app.sender.interaction(payload).status == 200  # the same submission, replayed
    time.sleep(0.5)
    assert fake_slack.methods()[before:] == [], "a replay runs nothing"
    assert len(app.journal.list_entries(ALICE)) == 1


def test_a_submission_whose_replica_died_before_saving_is_saved_and_confirmed_once(app, fake_slack):
    key = _left_by_a_dead_replica(app, _submission())
    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert [e.text for e in app.journal.list_entries(ALICE)] == [WORDS]
    assert len(_texts(fake_slack, "D" + ALICE[1:])) == 1


def test_a_grant_committed_by_a_dead_replica_is_announced_once(app, fake_slack):
    app.journal.ensure_team(TEAM_CHANNEL, name="#t", workspace=WORKSPACE_ID, admin=ALICE)
    click = payloads.block_action(
        ALICE, "consent_grant", json.dumps({"t": TEAM_CHANNEL}), channel=TEAM_CHANNEL
    )
    key = _left_by_a_dead_replica(app, click)
    assert app.journal.grant_consent(ALICE, TEAM_CHANNEL, once=request_key(click)).changed

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    announced = [t for t in _texts(fake_slack, TEAM_CHANNEL) if "gave consent" in t]
    assert len(announced) == 1, "announced although the grant was already recorded"
    [message] = [
        c for c in fake_slack.calls_to("chat.postMessage") if "gave consent" in c.args["text"]
    ]
    assert message.args["metadata"]["event_payload"]["inbox"] == key
    assert [d.action for d in app.journal.consent_history(TEAM_CHANNEL)] == ["granted"]


def test_a_click_that_opens_a_modal_is_not_held(app):
    """Its trigger_id is dead 3 s after the click: a takeover could only fail at it."""
    click = payloads.block_action(ALICE, "home_write", None, view={"id": "V0HOME"})
    assert inbox_key(click, app.inbox.resumable) is None
    assert request_key(click) == f"action:{click['trigger_id']}"


def test_a_held_click_from_the_network_is_also_remembered_by_the_replay_guard(app, fake_slack):
    app.journal.ensure_team(TEAM_CHANNEL, name="#t", workspace=WORKSPACE_ID, admin=ALICE)
    click = payloads.block_action(
        ALICE, "consent_grant", json.dumps({"t": TEAM_CHANNEL}), channel=TEAM_CHANNEL
    )
    assert app.sender.interaction(click).status == 200
    _wait_done(app, inbox_key(click, app.inbox.resumable))
    assert not app.journal.first_delivery(interaction_key(click)), "the guard saw it"
    assert len([t for t in _texts(fake_slack, TEAM_CHANNEL) if "gave consent" in t]) == 1


def _prompted(app) -> Who:
    """Alice in the team, sent this week's prompt, whose reflection it opened (as tick does)."""
    app.journal.ensure_team(TEAM_CHANNEL, name="#t", workspace=WORKSPACE_ID, admin=ALICE)
    app.journal.add_member(TEAM_CHANNEL, ALICE, workspace=WORKSPACE_ID)
    assert app.journal.claim_weekly_prompt(ALICE, TEAM_CHANNEL, *WEEK, workspace=WORKSPACE_ID)
    who = Who(user=ALICE, team=TEAM_CHANNEL, workspace=WORKSPACE_ID)
    app.services.coach.weekly_prompt(who)
    assert app.services.coach.in_reflection(who)
    return who


def _prompt_click(action_id: str, value: dict) -> dict:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Time to reflect."}}]
    return payloads.block_action(
        ALICE, action_id, json.dumps(value), channel=DM, message_ts="1.0001", message_blocks=blocks
    )


def _replay_runs_nothing(app, fake_slack, payload: dict) -> None:
    before = len(fake_slack.calls)
    assert app.sender.interaction(payload).status == 200
    time.sleep(0.5)
    assert fake_slack.methods()[before:] == [], "a replay runs nothing"


def test_a_start_whose_replica_died_before_posting_hands_the_turn_over_once(app, fake_slack):
    _prompted(app)
    click = _prompt_click("reflect_start", {"v": "", "t": TEAM_CHANNEL, "y": 2026, "w": 14})
    key = _left_by_a_dead_replica(app, click)
    # The dead replica saw the prompt's own reflection waiting, marked the week started, died.
    assert app.journal.remember(request_key(click), True) is True
    app.journal.mark_prompt_started(ALICE, TEAM_CHANNEL, *WEEK)

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert _texts(fake_slack, DM) == [OVER_TO_YOU], "not 'part-way', although now 'started'"
    assert app.journal.prompt_status(ALICE, TEAM_CHANNEL, *WEEK).status == "started"
    _replay_runs_nothing(app, fake_slack, click)


def test_a_start_from_the_network_is_posted_once_and_its_replay_does_nothing(app, fake_slack):
    _prompted(app)
    click = _prompt_click("reflect_start", {"v": "", "t": TEAM_CHANNEL, "y": 2026, "w": 14})
    assert app.sender.interaction(click).status == 200
    _wait_done(app, inbox_key(click, app.inbox.resumable))
    assert _texts(fake_slack, DM) == [OVER_TO_YOU]
    _replay_runs_nothing(app, fake_slack, click)
    assert _texts(fake_slack, DM) == [OVER_TO_YOU]


def test_a_snooze_taken_over_keeps_the_first_runs_time(app, fake_slack):
    _prompted(app)
    click = _prompt_click("snooze", {"v": "", "t": TEAM_CHANNEL, "y": 2026, "w": 14})
    key = _left_by_a_dead_replica(app, click)
    until = app.services.clock.now() + timedelta(days=1)
    assert app.journal.remember(request_key(click), until.isoformat()) == until.isoformat()
    app.journal.snooze_prompt(ALICE, TEAM_CHANNEL, *WEEK, until=until)
    time.sleep(0.1)  # the takeover's "now" is later: a second snooze would move the time

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    record = app.journal.prompt_status(ALICE, TEAM_CHANNEL, *WEEK)
    snoozed = record.snooze_until
    snoozed = snoozed if snoozed.tzinfo else snoozed.replace(tzinfo=UTC)
    assert (record.status, snoozed) == ("snoozed", until), "snoozed once, to the first time"
    [edit] = fake_slack.calls_to("chat.update")
    assert edit.args["text"].startswith("Snoozed · I'll ask again")
    assert _texts(fake_slack, DM) == []
    _replay_runs_nothing(app, fake_slack, click)


def test_a_stop_taken_over_after_the_reflection_ended_says_it_ended(app, fake_slack):
    who = _prompted(app)
    click = _prompt_click("reflect_stop", {"v": "stop", "t": TEAM_CHANNEL})
    key = _left_by_a_dead_replica(app, click)
    # The dead replica saw the reflection open, ended it, and died before saying so.
    assert app.journal.remember(request_key(click), True) is True
    app.journal.clear_conversation(who)

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert _texts(fake_slack, DM) == [ENDED], "not 'there's no reflection in progress'"
    _replay_runs_nothing(app, fake_slack, click)


@pytest.mark.parametrize(
    "action_id", ["reflect_start", "snooze", "skip_week", "reflect_stop", "retry"]
)
def test_the_weekly_prompts_clicks_and_stop_are_held(app, action_id):
    assert inbox_key(_prompt_click(action_id, {}), app.inbox.resumable) is not None


def test_save_to_journal_is_not_held(app):
    """Save to journal opens a modal (its submission is held, above)."""
    assert inbox_key(_prompt_click("save_to_journal", {}), app.inbox.resumable) is None
