"""CI requires the PostgreSQL tests: a run that skips them, or never reaches the server, fails.

Each case runs a real pytest session (with the suite's own conftest) in a subprocess, with
the environment CI would have.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_DATABASE_URL

CLOSED_PG = "postgresql+psycopg://postgres@127.0.0.1:1/none"
NO_DB_TEST = "tests/journal/test_retention_stats.py::test_months_before_handles_month_ends"
DB_TEST = "tests/journal/test_retention_stats.py::test_stats_suppress_cells_under_three_and_contain_no_text"  # noqa: E501


def run_pytest(*args: str, ci: bool, database_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_DATABASE_URL")}
    if ci:
        env["CI"] = "true"
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_without_a_database_url_refuses_to_start():
    run = run_pytest(NO_DB_TEST, ci=True, database_url=None)
    assert run.returncode != 0
    assert "CI must set TEST_DATABASE_URL" in run.stdout + run.stderr


def test_a_ci_run_where_no_postgres_test_ran_fails():
    run = run_pytest(NO_DB_TEST, ci=True, database_url=CLOSED_PG)
    assert run.returncode == 1, run.stdout
    assert "1 passed" in run.stdout and "no PostgreSQL test passed" in run.stdout
    # Outside CI the same selection is fine: PostgreSQL stays optional on a laptop.
    assert run_pytest(NO_DB_TEST, ci=False, database_url=CLOSED_PG).returncode == 0


def test_an_unreachable_postgres_errors_in_ci_rather_than_skipping():
    run = run_pytest(DB_TEST, ci=True, database_url=CLOSED_PG)
    assert run.returncode == 1, run.stdout
    assert "1 error" in run.stdout and "skipped" not in run.stdout


def test_a_skipped_postgres_test_fails_the_ci_run(tmp_path: Path):
    skipping = tmp_path / "test_skips.py"
    skipping.write_text(
        "import pytest\n\n"
        "@pytest.mark.postgres\n"
        "def test_needs_postgres():\n"
        "    pytest.skip('server not there')\n"
    )
    plugin = ("-p", "tests.conftest", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"))
    run = run_pytest(*plugin, str(skipping), ci=True, database_url=CLOSED_PG)
    assert run.returncode == 1, run.stdout
    assert "1 PostgreSQL test(s) were skipped" in run.stdout


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL")
def test_a_ci_run_with_postgres_tests_passing_succeeds():
    run = run_pytest(DB_TEST, ci=True, database_url=TEST_DATABASE_URL)
    assert run.returncode == 0, run.stdout
    assert "2 passed" in run.stdout
