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
from tests.slack.conftest import ALICE, TEAM_CHANNEL, message_text, slack_settings

THREAD = "1700000000.000100"


@pytest.fixture
def app(tmp_path, fake_slack) -> Iterator:
    from bot.services import Services
    from bot.slack.app import build_app

    settings = slack_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'journal.db'}",
        fake_slack.api_url,
        slack_timeout_seconds=0.5,
        inbox_max_attempts=3,
    )
    services = Services(settings)
    app = build_app(services)
    fake_slack.reset()
    yield app
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
    while (found := inbox.status(key))[0] != status:
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
