"""Fixtures shared by every room's tests.

- `settings`: a `Settings` whose data directory is a fresh temporary folder.
- `embedder`: the real bundled sentence-transformers model, loaded once per session.
- `ingested_data_dir` / `evidence_library`: the whole evidence library, ingested once per
  session and shared by every room that only reads it.
- `db_url`: parametrised over SQLite and, when TEST_DATABASE_URL is set, PostgreSQL. Each
  PostgreSQL test gets its own freshly created database, so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from bot.config import Settings

REPO = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

if os.environ.get("CI") and not TEST_DATABASE_URL:
    raise pytest.UsageError("CI must set TEST_DATABASE_URL so the PostgreSQL tests run")

# In CI the PostgreSQL tests are required, not optional: count how they end, and fail the
# session if any was skipped or none passed (an unreachable server errors; it never skips).
_postgres_outcomes: dict = {"passed": 0, "skipped": 0, "problem": None}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.skipped:
        _postgres_outcomes["skipped"] += 1
    elif report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("CI") or session.config.option.collectonly:
        return
    skipped, passed = _postgres_outcomes["skipped"], _postgres_outcomes["passed"]
    if skipped:
        problem = f"{skipped} PostgreSQL test(s) were skipped; CI requires them to run"
    elif not passed:
        problem = "no PostgreSQL test passed; CI requires them to run"
    else:
        return
    _postgres_outcomes["problem"] = problem
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    if problem := _postgres_outcomes.get("problem"):
        terminalreporter.write_sep("=", f"CI: {problem}", red=True, bold=True)


def make_settings(data_dir: Path, **overrides) -> Settings:
    base = dict(
        data_dir=data_dir,
        knowledge_dir=REPO / "knowledge",
        prompts_dir=REPO / "prompts",
    )
    base.update(overrides)
    return Settings(_env_file=None, **base)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def embedder():
    from bot.evidence.embeddings import SentenceEmbedder

    emb = SentenceEmbedder()
    emb.embed_query("warm up")
    return emb


@pytest.fixture(scope="session")
def ingested_data_dir(tmp_path_factory, embedder) -> Path:
    """A data directory whose evidence index holds the whole of knowledge/, built once per
    session (ingest is the slowest step in the suite). Read-only: tests that add, change or
    remove documents build their own library."""
    from bot.evidence.library import EvidenceLibrary

    data_dir = tmp_path_factory.mktemp("ingested-evidence")
    EvidenceLibrary(make_settings(data_dir), embedder).ensure_ingested()
    return data_dir


@pytest.fixture(scope="session")
def evidence_library(ingested_data_dir, embedder):
    """The real evidence library over `ingested_data_dir` (real model, real Chroma)."""
    from bot.evidence.library import EvidenceLibrary

    return EvidenceLibrary(make_settings(ingested_data_dir), embedder)


def _postgres_database(admin_url: str):
    """Create a throwaway database on the server behind admin_url; return (url, drop)."""
    import sqlalchemy as sa

    name = f"ripple_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


DB_BACKENDS = ["sqlite"] + (
    [pytest.param("postgres", marks=pytest.mark.postgres)] if TEST_DATABASE_URL else []
)


@pytest.fixture(params=DB_BACKENDS)
def db_url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ripple-test.db'}"
        return
    url, drop = _postgres_database(TEST_DATABASE_URL)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def db_settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings on the parametrised database (SQLite, then PostgreSQL in CI)."""
    return make_settings(tmp_path / "data", database_url=db_url)
