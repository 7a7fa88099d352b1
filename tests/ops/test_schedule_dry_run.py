"""`ripple schedule tick --dry-run`: who would be prompted and when, with no Slack at all."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.journal import Journal
from tests.conftest import REPO, make_settings

MONDAY_0930 = "2026-12-07T09:30"  # a Monday; the default schedule is Monday 09:00, London


def _dry_run(data_dir, now: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if "SLACK" not in k and "RIPPLE_" not in k}
    env.update(RIPPLE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "schedule", "tick", "--dry-run", "--now", now],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_dry_run_lists_who_is_due_sends_nothing_and_needs_no_slack_token(tmp_path):
    data = tmp_path / "data"
    journal = Journal(make_settings(data))
    for user in ("amina", "bea"):
        journal.add_member("bradford-ageing", user)
    journal.claim_weekly_prompt("bea", "bradford-ageing", 2026, 50)  # bea had hers already
    journal.close()

    result = _dry_run(data, MONDAY_0930)
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "would be prompted now" in rows["amina"]
    assert "already prompted this week" in rows["bea"]
    assert "Mon 07 Dec 09:00" in rows["amina"]
    assert "1 person would be prompted" in result.stdout

    # Nothing was claimed: a real tick would still prompt amina this week.
    journal = Journal(make_settings(data))
    assert journal.prompt_status("amina", "bradford-ageing", 2026, 50) is None
    journal.close()


def test_dry_run_on_another_day_shows_the_next_prompt(tmp_path):
    data = tmp_path / "data"
    journal = Journal(make_settings(data))
    journal.add_member("bradford-ageing", "amina")
    journal.close()
    result = _dry_run(data, "2026-12-08T12:00")  # Tuesday
    assert result.returncode == 0, result.stderr
    assert "not due yet" in result.stdout and "Mon 14 Dec 09:00" in result.stdout
    assert "0 people would be prompted" in result.stdout
