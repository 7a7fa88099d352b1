"""A reflection turn in a DM is taken in once, however often the inbox runs its work.

Each test plays a replica that acknowledged a DM and died: the inbox row sits with a dead
owner's lease, and a sweep runs the work again, over real HTTP to the fake Web API.
"""

from __future__ import annotations

import json
import time

from bot.coaching.ports import Who
from bot.slack.inbox_keys import inbox_key
from bot.slack.turn_once import _fingerprint
from tests.slack import payloads
from tests.slack.conftest import ALICE
from tests.slack.fake_slack import WORKSPACE_ID
from tests.slack.test_interaction_inbox import _texts, _wait_done, app  # noqa: F401

DM = "D" + ALICE[1:]
FIRST = "The trust keeps agreeing at the board and then nothing happens."
SECOND = "I think the council and the trust want different things from this."


def _dm_left_by_a_dead_replica(app, text: str) -> str:  # noqa: F811 (app: a parameter)
    body = payloads.dm_message(ALICE, text)
    key = inbox_key(body, app.inbox.resumable)
    request = {"body": json.dumps(body), "content_type": "application/json"}
    app.inbox.inbox.receive(key, "message", request, owner="dead", lease_seconds=0.1)
    time.sleep(0.2)
    return key


def _personal(app) -> Who:  # noqa: F811
    who = Who(user=ALICE, team=f"personal-{ALICE}", workspace=WORKSPACE_ID)
    app.journal.ensure_team(who.team, name="Personal journal", workspace=WORKSPACE_ID)
    app.journal.set_schedule(None, who.team, enabled=False)
    return who


def test_a_turn_a_dead_replica_took_in_is_not_taken_in_twice(app, fake_slack):  # noqa: F811
    who = _personal(app)
    app.services.coach.start_reflection(who)
    app.services.coach.reflect(who, FIRST)
    key = _dm_left_by_a_dead_replica(app, SECOND)
    # The dead replica remembered the conversation as it found it, then its coach took the
    # turn in; it died before its reply was stored.
    found = _fingerprint(app.journal.load_conversation(who))
    app.journal.remember(f"turn:{key}", found)
    asked = app.services.coach.reflect(who, SECOND).question
    turns = app.journal.load_conversation(who)["turns"]

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert app.journal.load_conversation(who)["turns"] == turns, "the turn taken in once"
    [posted] = _texts(fake_slack, DM)
    assert "To pick up where we were" in posted and asked in posted


def test_a_turn_whose_replica_died_before_taking_it_in_is_answered_once(app, fake_slack):  # noqa: F811
    who = _personal(app)
    app.services.coach.start_reflection(who)
    app.services.coach.reflect(who, FIRST)
    key = _dm_left_by_a_dead_replica(app, SECOND)

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    turns = app.journal.load_conversation(who)["turns"]
    assert turns.count(SECOND) == 1
    [posted] = _texts(fake_slack, DM)
    assert "To pick up where we were" not in posted


def test_a_step_whose_entry_a_dead_replica_saved_is_saved_once(app, fake_slack):  # noqa: F811
    who = _personal(app)
    app.services.coach.start_reflection(who)
    for said in (FIRST, SECOND, "I could talk to the director, or take it to the board."):
        app.services.coach.reflect(who, said)
    step = "I'll ask the trust's director for a one-to-one on Monday."
    key = _dm_left_by_a_dead_replica(app, step)
    # The dead replica saved the entry under the request's key, then died before it ended the
    # conversation, so a rerun finds the conversation as the first run did.
    app.journal.remember(f"turn:{key}", _fingerprint(app.journal.load_conversation(who)))
    app.journal.save_entry(who, step, commitment=step, once=f"entry:{key}")

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    assert len(app.journal.list_entries(ALICE)) == 1, "the entry saved once"
    [posted] = _texts(fake_slack, DM)
    assert "entry 1" in posted and app.journal.load_conversation(who) is None


def test_a_side_panel_message_whose_replica_died_is_answered_once(app, fake_slack):  # noqa: F811
    from bot.slack.assistant import NO_COMMITMENT
    from tests.slack.test_assistant import THREAD, in_thread

    _personal(app)
    body = in_thread("Show my last commitment")
    key = inbox_key(body, app.inbox.resumable)
    request = {"body": json.dumps(body), "content_type": "application/json"}
    app.inbox.inbox.receive(key, "message", request, owner="dead", lease_seconds=0.1)
    time.sleep(0.2)

    assert app.inbox.sweep() == 1
    _wait_done(app, key)
    posts = [
        c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == THREAD
    ]
    assert [p.args["text"] for p in posts] == [NO_COMMITMENT]
    assert posts[0].args["metadata"]["event_payload"]["inbox"] == key, "posted under the claim"
