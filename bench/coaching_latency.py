"""Latency of one coaching turn (warm, no LLM) over scripted turns, with real parts.

    python bench/coaching_latency.py [--turns 200] [--threads N]

Real model, embedded Chroma and SQLite in a temporary folder. The evidence index is built
and the model loaded before timing starts ("warm"). A turn is one `Coach.reflect` call:
theme detection, evidence search and re-ranking, question choice, state saved to SQLite,
and on the last turn the journal entry. Each simulated leader reflects weekly (the clock
moves a week), so check-ins on last week's commitment are part of the mix.

The turn reader (what the message does, and its themes) is timed as "read"; it embeds the
message once, and "reader embeddings per turn" counts those calls to prove it. `--threads`
sets torch's intra-op threads (on a busy 2-core machine, 1 thread is much steadier).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.coaching.ports import FixedClock, Who  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services import Services  # noqa: E402

SCRIPTS = [
    [
        "The hospital keeps agreeing in the board meeting and then nothing happens.",
        "I think the trust and the council want different things and nobody says so.",
        "Mostly it's about money and who carries the risk.",
        "Ask the finance director for a one-to-one before the next board.",
    ],
    [
        "Information governance says we can't share data between the police and health.",
        "Everyone agrees in principle but the protocols never get signed.",
        "I could ask the Caldicott guardian what would make it safe.",
        "Book an hour with the IG leads from both sides.",
    ],
    [
        "Nobody can tell me what the partnership is actually for any more.",
        "We started with one goal and each partner has drifted to their own priorities.",
        "The residents' stories used to keep us honest.",
        "Open the next meeting with one resident's story.",
    ],
]


class Timed:
    """Wraps an object and adds the time spent in the named methods to `spent[name]`."""

    def __init__(self, inner, spent: dict[str, float], *names: str) -> None:
        self._inner, self._spent, self._names = inner, spent, names

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in self._names:
            return attr

        def timed(*args, **kwargs):
            if not self._spent.get("on"):
                return attr(*args, **kwargs)
            started = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self._spent[name] = self._spent.get(name, 0.0) + time.perf_counter() - started

        return timed


def count_reader_embeddings(coach, spent: dict[str, float]) -> bool:
    """Time `reader.read` and count how many times it calls the model per turn."""
    reflection = coach.reflection
    reader = getattr(reflection, "reader", None) or getattr(coach, "reader", None)
    if reader is None or not hasattr(reader, "embedder"):
        return False
    model = reader.embedder.model
    encode = model.encode

    def counted(*args, **kwargs):
        if spent.get("in_read") and spent.get("on"):
            spent["reader_embed_calls"] = spent.get("reader_embed_calls", 0.0) + 1
        return encode(*args, **kwargs)

    model.encode = counted
    read = reader.read

    def timed_read(text):
        spent["in_read"] = 1.0
        started = time.perf_counter()
        try:
            return read(text)
        finally:
            spent["in_read"] = 0.0
            if spent.get("on"):
                spent["read"] = spent.get("read", 0.0) + time.perf_counter() - started

    reader.read = timed_read
    return True


def bench_reader(services: Services, turns: int) -> None:
    """The turn reader alone: one embedding call, act and themes, over the scripted lines."""
    started = time.perf_counter()
    reader = services.turn_reader
    print(f"reader built in {1000 * (time.perf_counter() - started):.0f} ms (model load included)")
    started = time.perf_counter()
    type(reader)(services.embedder, services.settings.prompts_dir,
                 cache_dir=services.classifier_cache_dir)  # fmt: skip
    print(f"reader rebuilt from its cache in {1000 * (time.perf_counter() - started):.0f} ms")
    lines = [line for script in SCRIPTS for line in script]
    reader.read(lines[0])
    ms = []
    for number in range(turns):
        started = time.perf_counter()
        reader.read(lines[number % len(lines)])
        ms.append(1000 * (time.perf_counter() - started))
    print(
        f"read() over {turns} turns: median={statistics.median(ms):.1f} ms  "
        f"p95={percentile(ms, 0.95):.1f} ms  max={max(ms):.1f} ms"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument(
        "--reader-only", action="store_true", help="time only the turn reader's read()"
    )
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            knowledge_dir=REPO / "knowledge",
            prompts_dir=REPO / "prompts",
            llm=None,
        )
        clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        services = Services(settings, clock=clock)
        if args.reader_only:
            bench_reader(services, args.turns)
            return
        services.evidence.ensure_ingested()
        coach = services.coach
        spent: dict[str, float] = {}
        # Where the time goes: evidence search, theme detection, passage re-ranking, storage.
        coach.reflection.evidence = Timed(coach.reflection.evidence, spent, "search")
        coach.reflection.themes = Timed(coach.reflection.themes, spent, "detect", "fit")
        reader_calls = count_reader_embeddings(coach, spent)
        coach.reflection.store = Timed(
            coach.reflection.store,
            spent,
            "load_conversation",
            "save_conversation",
            "seen_question_ids",
            "mark_question_seen",
            "save_entry",
            "last_commitment",
            "clear_conversation",
        )
        warm = Who("warm-up", "bench")
        coach.reflect(warm, SCRIPTS[0][0])  # loads everything once
        spent.clear()

        timings: list[float] = []
        week = 0
        while len(timings) < args.turns:
            for number, script in enumerate(SCRIPTS):
                who = Who(f"leader-{number}", "bench-team")
                coach.start_reflection(who)
                for line in script:
                    while True:
                        spent["on"] = 1.0
                        started = time.perf_counter()
                        reply = coach.reflect(who, line)
                        timings.append(time.perf_counter() - started)
                        spent["on"] = 0.0
                        # A check-in or a redirect asks again; answer it and go on.
                        if reply.done or reply.meta.get("state") != "checkin":
                            break
                    if reply.done:
                        break
                if coach.in_reflection(who):  # commitment not yet asked: finish politely
                    coach.reflect(who, "stop")
            week += 1
            clock.advance(days=7)
        turns = len(timings)
        ms = [t * 1000 for t in timings[: args.turns]]
        print(f"turns={len(ms)} weeks={week}")
        print(
            f"median={statistics.median(ms):.0f} ms  p95={percentile(ms, 0.95):.0f} ms  "
            f"max={max(ms):.0f} ms"
        )
        spent.pop("on", None)
        spent.pop("in_read", None)
        calls = spent.pop("reader_embed_calls", 0.0)
        parts = ", ".join(f"{k} {1000 * v / turns:.0f}" for k, v in sorted(spent.items()))
        print(f"mean ms per turn by part: {parts}")
        if reader_calls:
            print(f"reader embeddings per turn: {calls / turns:.2f}")


if __name__ == "__main__":
    main()
