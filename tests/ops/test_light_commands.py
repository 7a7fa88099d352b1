"""Commands that never embed text never pay for the model: no torch, no sentence-transformers,
no Chroma imported (each costs seconds at every start)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = ("torch", "sentence_transformers", "chromadb", "transformers")


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["db", "upgrade"],
        ["export", "--user", "leader-1", "--out", "{tmp}/export"],
        ["erase", "--user", "nobody-here", "--yes"],
        ["backup", "--out", "{tmp}/backups"],
        ["schedule", "tick", "--dry-run", "--now", "2026-12-07T09:30"],
    ],
)
def test_commands_that_never_embed_import_no_model_libraries(tmp_path, args):
    from bot.journal import Journal
    from tests.conftest import make_settings

    Journal(make_settings(tmp_path / "data")).close()  # a journal to back up and export
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RIPPLE_", "SLACK_"))}
    env.update(RIPPLE_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", *argv],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
