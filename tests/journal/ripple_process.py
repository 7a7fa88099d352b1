"""Run the real `ripple` CLI in subprocesses, several at once (each start costs seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RIPPLE = [sys.executable, "-m", "bot.cli"]
# Commands that read the journal, as an operator would type them (alice in team plymouth).
JOURNAL_READERS = [
    ["chat", "--user", "alice", "--team", "plymouth"],
    ["export", "--user", "alice", "--out", "sar"],
    ["serve", "--port", "0"],
    ["stats"],
    ["erase", "--user", "alice", "--yes"],
    ["rotate-key"],
]


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


def ripple_env(data_dir: Path, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RIPPLE_", "SLACK_"))}
    env.update(
        RIPPLE_DATA_DIR=str(data_dir),
        RIPPLE_DATABASE_URL=url,
        RIPPLE_ENV="development",
        RIPPLE_SCHEDULER_ENABLED="false",
    )
    env.update(extra)
    return env


def run_all(
    commands: list[list[str]], env: dict[str, str], cwd: Path, stdin: str = "", timeout: int = 120
) -> list[Ran]:
    """Start every command at once, then collect each one's exit code and output."""
    procs = [
        subprocess.Popen(
            [*RIPPLE, *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    for args, proc in zip(commands, procs, strict=True):
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results.append(Ran(tuple(args), proc.returncode, out, err))
    return results
