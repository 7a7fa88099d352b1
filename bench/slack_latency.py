"""Slack adapter latency: ack time over signed requests, and @mention-to-posted-answer time.

    python bench/slack_latency.py --acks 240 --mentions 40

Serves the real Bolt app over HTTP on a loopback port (as `ripple serve` does) with the fake
Slack Web API from the Slack tests on another, real services (model, Chroma, SQLite) in a temp
data directory. The model is warmed and the evidence ingested before anything is timed.

1. Ack latency: signed requests of every kind (app mentions, DMs, slash commands, button
   clicks, App Home opens), sent one after another while the work they start runs in the
   background, as it does in production. Time from sending to the HTTP response.
2. Answer latency: @mentions sent one at a time; time from sending to the fake Slack server
   recording the `chat.postMessage` reply in the thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coaching.ports import Who
from bot.services import Services
from bot.slack.app import build_app
from bot.slack.server import RippleServer, services_readiness
from tests.conftest import make_settings
from tests.slack import payloads
from tests.slack.fake_slack import WORKSPACE_ID, FakeSlack
from tests.slack.signing import SlackSender

SECRET = "bench-signing-secret"
CHANNEL = "C0BENCH001"
USERS = [f"U0BENCH{i:03d}" for i in range(20)]
QUESTIONS = [
    "what helped elsewhere when partners disagreed about pooling budgets?",
    "how did other places build a shared purpose across the council and the NHS?",
    "what helped when the police and health services would not share data?",
    "what did other areas do when a chief executive blocked a joint project?",
    "how have teams handled conflict between the voluntary sector and commissioners?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name}: n={len(ms)} median={statistics.median(ms):.1f} ms "
        f"p95={pct(ms, 0.95):.1f} ms max={max(ms):.1f} ms"
    )


def request_mix(i: int, fake: FakeSlack) -> tuple[str, dict]:
    user = USERS[i % len(USERS)]
    kind = i % 5
    if kind == 0:
        return "event", payloads.app_mention(user, CHANNEL, QUESTIONS[i % len(QUESTIONS)])
    if kind == 1:
        text = "This week the council and the trust argued about the pooled budget again."
        return "event", payloads.dm_message(user, text)
    if kind == 2:
        return "command", payloads.slash(user, CHANNEL, "help", response_url=fake.response_url())
    if kind == 3:
        return "interaction", payloads.block_action(
            user,
            "feedback_up",
            '{"v": "q", "q": "pooled budgets", "t": "C0BENCH001"}',
            channel=CHANNEL,
        )
    return "event", payloads.app_home_opened(user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acks", type=int, default=240)
    parser.add_argument("--mentions", type=int, default=40)
    args = parser.parse_args()

    fake = FakeSlack().start()
    data_dir = Path(tempfile.mkdtemp(prefix="ripple-bench-"))
    settings = make_settings(
        data_dir,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        scheduler_enabled=False,
    )
    services = Services(settings)
    services.evidence.ensure_ingested()
    services.journal.ensure_team(CHANNEL, name="#bench", workspace=WORKSPACE_ID, admin=USERS[0])
    for user in USERS[1:]:
        services.journal.add_member(CHANNEL, user, workspace=WORKSPACE_ID)
    services.coach.helped(Who(USERS[0], CHANNEL, WORKSPACE_ID), QUESTIONS[0])  # warm
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bench-slack")
    app = build_app(services, executor=executor)
    server = RippleServer(
        app, readiness=services_readiness(services), executor=executor, port=0
    ).start()
    sender = SlackSender(server.url, SECRET)

    acks: list[float] = []
    for i in range(args.acks):
        kind, body = request_mix(i, fake)
        sent = getattr(sender, kind)(body)
        assert sent.status == 200, (kind, sent.status, sent.body)
        acks.append(sent.seconds)
    time.sleep(2)
    while executor._work_queue.qsize():  # let the background work drain before timing answers
        time.sleep(0.5)
    time.sleep(3)

    answers: list[float] = []
    for i in range(args.mentions):
        fake.reset()
        envelope = payloads.app_mention(USERS[i % len(USERS)], CHANNEL, QUESTIONS[i % 5])
        started = time.time()
        assert sender.event(envelope).status == 200
        [reply] = fake.wait_for("chat.postMessage", timeout=60)
        assert reply.args["thread_ts"] == envelope["event"]["ts"]
        answers.append(reply.at - started)

    print(summary("ack latency (mixed signed requests)", acks))
    print(summary("@mention -> answer posted in thread", answers))
    server.shutdown()
    fake.stop()


if __name__ == "__main__":
    main()
