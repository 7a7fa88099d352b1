"""`ripple ... --help` speaks in types people know from other command-line tools."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("args", [["chat"], ["ask"], ["schedule", "tick"], ["eval", "retrieval"]])
def test_help_shows_plain_type_names(args):
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--help"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "<str>" not in result.stdout and "<bool>" not in result.stdout
    assert "<int" not in result.stdout and "list[" not in result.stdout
    if args[0] in {"chat", "ask"}:
        assert "TEXT" in result.stdout
