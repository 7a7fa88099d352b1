"""Cold start of the commands people wait on, each in a fresh process:

    python bench/startup.py [--runs 3] [--code DIR]

- `ripple ask "..."`: command to answer printed (index already built);
- `ripple chat`: command to the first prompt, and to the first answer (a what-helped question);
- `ripple serve`: command to `/readyz` answering 200, against the fake Slack Web API.

`--code DIR` times another checkout of Ripple (put first on PYTHONPATH), so a before/after
comparison runs on the same machine under the same load. Medians of `--runs` runs, seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.slack.fake_slack import FakeSlack  # noqa: E402

QUESTION = "how did other places get GPs on board?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(code: Path, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RIPPLE_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(code),
        RIPPLE_DATA_DIR=str(data),
        RIPPLE_KNOWLEDGE_DIR=str(code / "knowledge"),
        RIPPLE_PROMPTS_DIR=str(code / "prompts"),
        TERM="xterm",
        **extra,
    )
    return env


def time_ask(code: Path, data: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", QUESTION],
        env=_env(code, data), capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    return time.perf_counter() - start


def time_chat(code: Path, data: Path, user: str) -> tuple[float, float]:
    start = time.perf_counter()
    chat = pexpect.spawn(
        sys.executable, ["-m", "bot.cli", "chat", "--user", user, "--team", "bench"],
        env=_env(code, data), encoding="utf-8", timeout=300, dimensions=(40, 200),
    )  # fmt: skip
    chat.expect("you>")
    to_prompt = time.perf_counter() - start
    chat.sendline(f"helped {QUESTION}")
    chat.expect("you>")
    to_answer = time.perf_counter() - start
    chat.sendline("quit")
    chat.expect(pexpect.EOF)
    return to_prompt, to_answer


def time_serve(code: Path, data: Path) -> float:
    slack = FakeSlack().start()
    port = _free_port()
    env = _env(
        code, data, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET="bench-secret",
        SLACK_API_URL=slack.api_url, RIPPLE_SCHEDULER_ENABLED="false",
    )  # fmt: skip
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while time.perf_counter() - start < 300:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("serve never became ready")
    finally:
        server.terminate()
        server.wait(30)
        slack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, default=REPO)
    args = parser.parse_args()
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="ripple-startup-") as tmp:
        data = Path(tmp) / "data"
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest"],
            env=_env(code, data), capture_output=True, check=True, timeout=600,
        )  # fmt: skip
        results: dict[str, list[float]] = {k: [] for k in ("ask", "prompt", "answer", "serve")}
        for run in range(args.runs):
            results["ask"].append(time_ask(code, data))
            prompt, answer = time_chat(code, data, f"bench-{run}")
            results["prompt"].append(prompt)
            results["answer"].append(answer)
            results["serve"].append(time_serve(code, data))
        shutil.rmtree(data, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"code: {code}  runs: {args.runs}  load average: {load:.1f}")
    for name, label in (
        ("ask", "ripple ask, to the answer"),
        ("prompt", "ripple chat, to the first prompt"),
        ("answer", "ripple chat, to the first answer"),
        ("serve", "ripple serve, to /readyz 200"),
    ):
        values = results[name]
        print(f"{label:36} median {statistics.median(values):5.1f} s  (max {max(values):.1f})")


if __name__ == "__main__":
    main()
