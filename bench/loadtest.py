"""Load test: signed Slack events at a fixed concurrency against running `ripple serve` replicas.

    python bench/loadtest.py --events 500 --concurrency 8 --replicas 1 2

For each replica count it creates a fresh PostgreSQL database (from TEST_DATABASE_URL or
--database-url), starts a Chroma server and ingests the evidence into it once, starts the fake
Slack Web API from the Slack tests, and starts N `ripple serve` processes in production mode.
Then it sends a realistic mix of events, signed exactly as Slack signs them, spread round-robin
over the replicas as a load balancer would:

- @mentions in team channels asking "what helped elsewhere?" (answered in the thread);
- DMs from leaders replying to their weekly prompt (one reflection turn each).

It reports ack latency and end-to-end answer latency (until the fake Slack server records the
reply), median and p95, throughput, errors, and the peak RSS of the serve processes, and checks
that every event got exactly one reply.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import (
    SIGNING_SECRET,
    ServeProcess,
    chroma_server,
    fresh_postgres,
    ripple,
    ripple_env,
)
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import SlackSender

QUESTIONS = [
    "what helped elsewhere when partners disagreed about pooling budgets?",
    "how did other places build a shared purpose across the council and the NHS?",
    "what helped when the police and health services would not share data?",
    "has anyone found a way to get permission from the top to try something new?",
    "what did other areas do when a chief executive blocked a joint project?",
    "how have teams handled conflict between the voluntary sector and commissioners?",
    "what helped leaders keep momentum when the funding ran out?",
    "how did Plymouth get different organisations to agree on alcohol services?",
    "what worked for joining up services for families with complex needs?",
    "how did other places measure whether working together made a difference?",
]
REFLECTIONS = [
    "This week I struggled to get the housing team and the GPs to agree on one goal.",
    "We had a tense meeting about who pays for the new pathway and nobody backed down.",
    "I felt I didn't have permission from my director to try the pilot we discussed.",
    "Our partnership board finally agreed a shared outcome for older people.",
    "I avoided a difficult conversation with the police lead about data sharing again.",
    "The voluntary sector partners said they feel like junior partners, and they're right.",
    "I'm not sure the council's senior team really backs our way of working.",
    "We made progress: three organisations signed up to the same vision statement.",
]
CHANNELS = ["C0TEAMPLY1", "C0TEAMLDS2", "C0TEAMBRS3"]


@dataclass
class Planned:
    envelope: dict
    key: tuple[str, str]  # (channel, thread ts or "") where its one reply must land
    kind: str


@dataclass
class Outcome:
    planned: Planned
    replica: int
    sent_at: float = 0.0
    ack_seconds: float = float("nan")
    status: int = 0
    error: str | None = None


@dataclass
class RunResult:
    replicas: int
    events: int
    concurrency: int
    rate: float | None
    ack: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    errors: int = 0
    missing: int = 0
    duplicates: int = 0
    wall_seconds: float = 0.0
    send_seconds: float = 0.0
    peak_rss_mb: list[float] = field(default_factory=list)
    server_errors: int = 0  # listener failures the replicas logged (each still got a reply)
    log_leaks: int = 0  # log lines quoting a question or reflection that was sent: must be 0
    load_average: float = 0.0  # the machine's 1-minute load when the run ended
    exit_codes: list[int | None] = field(default_factory=list)


def plan_events(count: int, mention_share: float, seed: int) -> list[Planned]:
    rng = random.Random(seed)
    planned = []
    for number in range(count):
        if rng.random() < mention_share:
            channel = rng.choice(CHANNELS)
            user = f"U0MEMB{rng.randrange(60):04d}"
            envelope = payloads.app_mention(user, channel, rng.choice(QUESTIONS))
            event = envelope["event"]
            event["ts"] = event["event_ts"] = f"{time.time():.0f}.{number:06d}"
            planned.append(Planned(envelope, (channel, event["ts"]), "mention"))
        else:
            user = f"U0LEAD{number:05d}"  # one reflection turn per leader: replies are theirs
            envelope = payloads.dm_message(user, rng.choice(REFLECTIONS))
            planned.append(Planned(envelope, (envelope["event"]["channel"], ""), "dm"))
    return planned


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _send(sender: SlackSender, outcome: Outcome, not_before: float) -> Outcome:
    pause = not_before - time.time()
    if pause > 0:  # paced runs: hold this event until its slot
        time.sleep(pause)
    outcome.sent_at = time.time()
    try:
        sent = sender.event(outcome.planned.envelope)
        outcome.status, outcome.ack_seconds = sent.status, sent.seconds
        if sent.status != 200:
            outcome.error = f"HTTP {sent.status}"
    except OSError as error:
        outcome.error = type(error).__name__
    return outcome


def _replies_by_key(fake: FakeSlack) -> dict[tuple[str, str], list[float]]:
    found: dict[tuple[str, str], list[float]] = {}
    for call in fake.calls_to("chat.postMessage"):
        key = (str(call.args.get("channel", "")), str(call.args.get("thread_ts") or ""))
        found.setdefault(key, []).append(call.at)
    return found


def _warm_up(fake: FakeSlack, servers: list[ServeProcess]) -> None:
    """One answered mention and one DM per replica, so the model and pools are warm."""
    for number, server in enumerate(servers):
        sender = SlackSender(server.url, SIGNING_SECRET)
        sender.event(payloads.app_mention("U0WARM0001", CHANNELS[0], QUESTIONS[number]))
        sender.event(payloads.dm_message(f"U0WARM{number:04d}", REFLECTIONS[number]))
    fake.wait_for("chat.postMessage", count=2 * len(servers), timeout=120)
    time.sleep(0.5)
    fake.reset()


def run_once(
    replicas: int, args: argparse.Namespace, chroma_port: int, fake: FakeSlack, work: Path
) -> RunResult:
    result = RunResult(replicas, args.events, args.concurrency, args.rate)
    with fresh_postgres(args.database_url) as database_url:
        env = ripple_env(
            database_url=database_url,
            data_dir=work / f"data-{replicas}",
            slack_api_url=fake.api_url,
            chroma_port=chroma_port,
        )
        migrated = ripple("db", "upgrade", env=env)
        if migrated.returncode != 0:  # `ripple db upgrade` is optional: serve migrates too
            print(f"note: ripple db upgrade: {migrated.stderr.strip()[-200:]}", file=sys.stderr)
        servers = [
            ServeProcess(env, work / f"serve-{replicas}-{n}.log").start() for n in range(replicas)
        ]
        try:
            for server in servers:
                server.wait_ready()
            try:
                _warm_up(fake, servers)
            except AssertionError:
                for server in servers:
                    print(server.log_path.read_text()[-3000:], file=sys.stderr)
                raise
            planned = plan_events(args.events, args.mention_share, args.seed)
            senders = [SlackSender(s.url, SIGNING_SECRET) for s in servers]
            outcomes = [Outcome(p, n % replicas) for n, p in enumerate(planned)]
            started = time.time()
            gap = 1.0 / args.rate if args.rate else 0.0
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(
                    pool.map(
                        lambda n_o: _send(senders[n_o[1].replica], n_o[1], started + n_o[0] * gap),
                        enumerate(outcomes),
                    )
                )
            result.send_seconds = time.time() - started
            _collect(result, outcomes, fake, started, args.timeout)
            result.peak_rss_mb = [s.peak_rss_mb() for s in servers]
            result.load_average = os.getloadavg()[0]
        finally:
            result.exit_codes = [s.stop() for s in servers]
        result.server_errors = sum(_logged_failures(s.log_path) for s in servers)
        result.log_leaks = sum(_leaked_lines(s.log_path) for s in servers)
    fake.reset()
    return result


def _collect(
    result: RunResult, outcomes: list[Outcome], fake: FakeSlack, started: float, timeout: float
) -> None:
    wanted = {o.planned.key for o in outcomes if o.error is None}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = _replies_by_key(fake)
        if wanted <= set(replies):
            break
        time.sleep(0.2)
    time.sleep(2.0)  # a late duplicate would show up here
    replies = _replies_by_key(fake)
    last_reply = started
    for outcome in outcomes:
        if outcome.error is not None:
            result.errors += 1
            continue
        result.ack.append(outcome.ack_seconds)
        times = replies.get(outcome.planned.key, [])
        if not times:
            result.missing += 1
            continue
        if len(times) > 1:
            result.duplicates += 1
        result.answer.append(min(times) - outcome.sent_at)
        last_reply = max(last_reply, min(times))
    result.wall_seconds = last_reply - started


def _logged_failures(log_path: Path) -> int:
    """ERROR lines, and WARNINGs saying some work failed, in a replica's JSON log."""
    count = 0
    for line in log_path.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        level, message = record.get("level"), str(record.get("msg", ""))
        if level in ("ERROR", "CRITICAL") or (level == "WARNING" and "failed" in message):
            count += 1
    return count


def _leaked_lines(log_path: Path) -> int:
    """Log lines that contain any text a person sent: the privacy filter must stop them all."""
    sent = [*QUESTIONS, *REFLECTIONS]
    return sum(any(text in line for text in sent) for line in log_path.read_text().splitlines())


def table(results: list[RunResult]) -> str:
    lines = [
        "| replicas | events | concurrency | offered rate | ack median | ack p95 | answer median "
        "| answer p95 | answers/s | acks/s | errors | missing | duplicates | server errors "
        "| peak RSS (each) | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ms = lambda v: f"{v * 1000:.0f} ms"  # noqa: E731
        rss = ", ".join(f"{m:.0f} MiB" for m in r.peak_rss_mb)
        offered = f"{r.rate:g}/s" if r.rate else "burst"
        lines.append(
            f"| {r.replicas} | {r.events} | {r.concurrency} | {offered} "
            f"| {ms(statistics.median(r.ack))} "
            f"| {ms(percentile(r.ack, 0.95))} | {statistics.median(r.answer):.2f} s "
            f"| {percentile(r.answer, 0.95):.2f} s | {len(r.answer) / r.wall_seconds:.1f} "
            f"| {r.events / r.send_seconds:.0f} | {r.errors} | {r.missing} | {r.duplicates} "
            f"| {r.server_errors} | {rss} | {r.load_average:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--rate", type=float, help="events per second (default: as fast as concurrency allows)"
    )
    parser.add_argument("--mention-share", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for replies")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("a PostgreSQL admin URL is needed: --database-url or TEST_DATABASE_URL")

    results = []
    with tempfile.TemporaryDirectory(prefix="ripple-bench-") as tmp:
        work = Path(tmp)
        fake = FakeSlack().start()
        try:
            with chroma_server(work / "chroma") as chroma_port:
                env = ripple_env(
                    database_url="sqlite:///" + str(work / "ingest.db"),
                    data_dir=work / "ingest",
                    slack_api_url=fake.api_url,
                    chroma_port=chroma_port,
                )
                ingested = ripple("ingest", env=env)
                if ingested.returncode != 0:
                    print(ingested.stdout, ingested.stderr, file=sys.stderr)
                    return 1
                for replicas in args.replicas:
                    results.append(run_once(replicas, args, chroma_port, fake, work))
                    print(table(results[-1:]).splitlines()[-1], file=sys.stderr)
        finally:
            fake.stop()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    clean = all(
        r.errors == r.missing == r.duplicates == r.server_errors == r.log_leaks == 0
        for r in results
    )
    print(f"log lines quoting what people wrote: {sum(r.log_leaks for r in results)}")
    print("every event got exactly one reply" if clean else "SOME EVENTS WERE NOT ANSWERED ONCE")
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
