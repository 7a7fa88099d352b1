"""Run the packaged Alembic migrations programmatically (`ripple db upgrade`, Journal start).

The migrations live in `bot/journal/migrations`, so an installed wheel can upgrade its own
database without an `alembic.ini` in the working directory. On PostgreSQL an advisory lock
serialises the upgrade, so several replicas starting at once do not race each other.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x52495050  # "RIPP": any constant shared by all replicas
_IN_PROCESS = threading.Lock()


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory locks: serialise processes on a lock file beside the database."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one process at a time is the norm
        yield
        return
    fd = os.open(f"{database}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)  # owner-only
    with os.fdopen(fd, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_to_head(engine: Engine) -> tuple[str | None, str]:
    """Bring the database behind `engine` to the newest schema: (revision before, after).

    Safe when several processes or threads start at once: Alembic's context is global to a
    process (hence the thread lock), and processes queue on a PostgreSQL advisory lock or,
    for SQLite, a lock file; whoever comes second finds the work done.
    """
    head = head_revision()
    # SQLite: look only once holding the lock file. A brand-new database's first connection
    # switches it to WAL, which waits on a migration another process has in progress and can
    # time out ("database is locked") if that migration is slow.
    with _IN_PROCESS, _sqlite_file_lock(engine):
        if current_revision(engine) == head:
            return head, head  # the common case: nothing to do
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            before = MigrationContext.configure(conn).get_current_revision()
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return before, head
