"""The inbox's Slack side, piece by piece, over real HTTP to the fake Web API.

What the SIGKILL test (tests/ops/test_exactly_once.py) shows end to end, here one window at
a time: a takeover that finds the answer already in Slack does not post it again; a slow
chat.postMessage is looked for before it is retried; an event that keeps failing ends with
a calm message; any other Web API call that times out is retried like a 5xx, and the person
is told if it finally fails.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from bot.slack.blocks import as_dicts, notice_blocks
from tests.slack import payloads
from tests.slack.conftest import (
    ALICE,
    BOB,
    SIGNING_SECRET,
    TEAM_CHANNEL,
    message_text,
    slack_settings,
)
from tests.slack.signing import SlackSender

THREAD = "1700000000.000100"


@pytest.fixture
def app(tmp_path, fake_slack) -> Iterator:
    from bot.services import Services
    from bot.slack.app import build_app
    from bot.slack.server import RippleServer, services_readiness

    settings = slack_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'journal.db'}",
        fake_slack.api_url,
        slack_timeout_seconds=0.5,
        inbox_max_attempts=3,
    )
    services = Services(settings)
    app = build_app(services)
    server = RippleServer(app, readiness=services_readiness(services), port=0).start()
    app.sender = SlackSender(server.url, SIGNING_SECRET)  # signed requests over real HTTP
    fake_slack.reset()
    yield app
    server.shutdown(wait=True)
    services.journal.close()


def _chunks(*texts: str) -> list:
    return [as_dicts(notice_blocks(text)) for text in texts]


def _replies(fake, thread: str = THREAD) -> list:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.args.get("channel") == TEAM_CHANNEL and c.args.get("thread_ts") == thread
    ]


def _wait_status(inbox, key: str, status: str, timeout: float = 10) -> tuple:
    deadline = time.monotonic() + timeout
    while (found := inbox.status(key) or ("absent", []))[0] != status:
        assert time.monotonic() < deadline, found
        time.sleep(0.05)
    return found


def test_a_takeover_finds_the_part_slack_already_holds_and_posts_only_the_rest(app, fake_slack):
    from bot.slack.post import post_message

    runner, key = app.inbox, "event:EvPOSTED1"
    runner.inbox.receive(key, "app_mention", {"body": "{}"}, owner="dead", lease_seconds=0.1)
    answer = {
        "channel": TEAM_CHANNEL,
        "thread_ts": THREAD,
        "text": "answer",
        "chunks": _chunks("first part", "second part"),
    }
    assert runner.inbox.begin_answer(key, "dead", answer)
    # Slack accepted part 0, and the replica died before it could record the ts.
    first_ts = post_message(
        app.client,
        TEAM_CHANNEL,
        THREAD,
        answer["chunks"][0],
        "answer",
        metadata={"event_type": "ripple_answer", "event_payload": {"inbox": key, "part": 0}},
    )
    time.sleep(0.2)

    assert runner.sweep() == 1
    _, stamps = _wait_status(runner.inbox, key, "done")
    texts = [message_text(c) for c in _replies(fake_slack)]
    assert len(texts) == 2, texts
    assert "first part" in texts[0] and "second part" in texts[1], "only the rest was posted"
    assert stamps[0] == first_ts and len(stamps) == 2
    assert fake_slack.calls_to("conversations.replies"), "it looked in the thread first"


def test_a_slow_answer_is_looked_for_before_it_is_posted_again(app, fake_slack):
    from bot.slack.exactly_once import AnswerClaim

    runner, key = app.inbox, "event:EvSLOW1"
    runner.inbox.receive(key, "app_mention", {"body": "{}"}, owner=runner.owner, lease_seconds=30)
    fake_slack.slow("chat.postMessage", 1.5)  # Slack posts it, then answers too late
    claim = AnswerClaim(runner, key, 1, time.time())
    stamps = claim.post(app.client, TEAM_CHANNEL, THREAD, _chunks("the answer"), "the answer")
    assert len(_replies(fake_slack)) == 1, "posted once although the first call timed out"
    assert runner.inbox.status(key) == ("posting", stamps)


def test_an_event_that_keeps_failing_ends_with_one_calm_message(app, fake_slack):
    from bot.slack.exactly_once import GAVE_UP

    runner = app.inbox
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped?")
    key = f"event:{envelope['event_id']}"
    request = {"body": json.dumps(envelope), "content_type": "application/json"}
    runner.inbox.receive(key, "app_mention", request, owner="a", lease_seconds=30)
    for owner in ("a", "b", "c"):  # three attempts, each of which broke
        runner.inbox.release(key, owner)
        if owner != "c":
            runner.inbox.claim_orphans({"a": "b", "b": "c"}[owner], lease_seconds=30)

    runner.sweep()
    runner.sweep()
    assert runner.inbox.status(key)[0] == "failed"
    replies = _replies(fake_slack, envelope["event"]["ts"])
    assert [c.args["text"] for c in replies] == [GAVE_UP]


def test_a_web_api_call_that_times_out_is_retried_like_a_5xx(app, fake_slack):
    from bot.slack.post import Where, post

    fake_slack.slow("chat.postMessage", 1.0)
    posted = post(app.client, Where(channel=TEAM_CHANNEL, thread_ts=THREAD, user=ALICE), "hi")
    assert posted.ok, "the second try got through"
    assert not fake_slack.calls_to("conversations.open"), "nobody was told of a failure"


def test_a_web_api_call_that_keeps_timing_out_tells_the_person(app, fake_slack):
    from bot.slack.post import SLACK_SLOW, Where, post

    fake_slack.slow("chat.postMessage", 1.0, times=3)
    posted = post(app.client, Where(channel=TEAM_CHANNEL, thread_ts=THREAD, user=ALICE), "hi")
    assert not posted.ok
    assert len(_replies(fake_slack)) == 3, "one call and two retries"
    dm = fake_slack.calls_to("conversations.open")[0].args["users"]
    assert dm == ALICE
    told = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] != TEAM_CHANNEL]
    assert [c.args["text"] for c in told] == [SLACK_SLOW]


def _team_created(fake) -> list:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.args.get("channel") == TEAM_CHANNEL and "is now a Ripple team" in c.args["text"]
    ]


def test_a_slash_command_is_answered_once_and_the_same_request_again_does_nothing(app, fake_slack):
    form = payloads.slash(ALICE, TEAM_CHANNEL, "team create", response_url="http://127.0.0.1:9/")
    assert app.sender.command(form).status == 200
    key = f"command:{form['trigger_id']}"
    _wait_status(app.inbox.inbox, key, "done")
    assert len(_team_created(fake_slack)) == 1
    before = len(fake_slack.calls)
    assert app.sender.command(form).status == 200  # the same invocation, delivered again
    time.sleep(0.5)
    assert fake_slack.methods()[before:] == [], "not run again: not even 'already a team'"


def test_a_slash_command_whose_replica_died_is_run_again_by_another(app, fake_slack):
    from urllib.parse import urlencode

    form = payloads.slash(BOB, TEAM_CHANNEL, "team create", response_url="http://127.0.0.1:9/")
    key = f"command:{form['trigger_id']}"
    request = {"body": urlencode(form), "content_type": "application/x-www-form-urlencoded"}
    # Acknowledged by a replica that died before doing the work.
    app.inbox.inbox.receive(key, "command", request, owner="dead", lease_seconds=0.1)
    time.sleep(0.2)
    assert app.inbox.sweep() == 1
    _wait_status(app.inbox.inbox, key, "done")
    [created] = _team_created(fake_slack)
    assert created.args["metadata"]["event_payload"]["inbox"] == key
    assert not fake_slack.calls_to("response_url"), "no second ack"


def test_when_the_inbox_is_slow_an_event_is_acked_first_and_answered_once(app, fake_slack):
    app.inbox.ack_budget_seconds = 0  # every arrival takes longer to record than allowed
    envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "")  # answered with the help text
    sent = app.sender.event(envelope)
    assert sent.status == 200 and sent.seconds < 3
    _wait_status(app.inbox.inbox, f"event:{envelope['event_id']}", "done")
    assert len(_replies(fake_slack, envelope["event"]["ts"])) == 1
    assert app.sender.event(envelope, retry_num=1).status == 200
    time.sleep(0.5)
    assert len(_replies(fake_slack, envelope["event"]["ts"])) == 1


def test_when_the_inbox_is_slow_a_command_still_runs_at_once(app, fake_slack):
    app.inbox.ack_budget_seconds = 0
    form = payloads.slash(ALICE, TEAM_CHANNEL, "team create", response_url="http://127.0.0.1:9/")
    sent = app.sender.command(form)
    assert sent.status == 200 and sent.seconds < 3
    fake_slack.wait_for("chat.postMessage", channel=TEAM_CHANNEL)  # not held back
    _wait_status(app.inbox.inbox, f"command:{form['trigger_id']}", "done")
    time.sleep(0.3)
    assert len(_team_created(fake_slack)) == 1
    # (A repeat while the inbox is this slow would run again: Slack never repeats a command,
    # and a modal's trigger_id would not survive the wait.)


def test_a_dm_answer_slack_already_holds_is_found_in_the_dm_history(app, fake_slack):
    from bot.slack.post import post_message

    runner, key, dm = app.inbox, "event:EvDM0001", "D0ALICE001"
    runner.inbox.receive(key, "message", {"body": "{}"}, owner="dead", lease_seconds=0.1)
    answer = {"channel": dm, "thread_ts": None, "text": "a", "chunks": _chunks("your reply")}
    assert runner.inbox.begin_answer(key, "dead", answer)
    post_message(  # an older answer to someone else's event, then this one's
        app.client,
        dm,
        None,
        answer["chunks"][0],
        "a",
        metadata={
            "event_type": "ripple_answer",
            "event_payload": {"inbox": "event:Ev0", "part": 0},
        },
    )
    ts = post_message(
        app.client,
        dm,
        None,
        answer["chunks"][0],
        "a",
        metadata={"event_type": "ripple_answer", "event_payload": {"inbox": key, "part": 0}},
    )
    time.sleep(0.2)
    assert runner.sweep() == 1
    assert _wait_status(runner.inbox, key, "done") == ("done", [ts])
    assert len(fake_slack.calls_to("chat.postMessage")) == 2, "nothing posted again"
    assert fake_slack.calls_to("conversations.history")[0].args["include_all_metadata"]
