"""Engine, sessions and the short retry that turns an outage into `JournalUnavailable`.

- `pool_pre_ping=True`: a PostgreSQL restart leaves dead pooled connections; pre-ping swaps
  them out, so the bot recovers without being restarted.
- SQLite runs in WAL mode with a busy timeout, so the chat, the scheduler and Slack listeners
  can share one file.
- `Database.run(work)` runs `work(session)` in one transaction and retries the whole
  transaction a couple of times on connection errors, then gives up quickly and kindly.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.journal.errors import InvalidInput, JournalUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

# Errors that mean "the database is not there right now", not "your query is wrong".
TRANSIENT = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


def ensure_sqlite_folder(url: str) -> None:
    """SQLite creates the file but not its folder; make the folder on first use. The file
    itself is made (or put back to) owner-only 0600 first: SQLite gives its -wal and -shm
    files the database file's mode, so they are private too."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        owner_only_sqlite(path)


def owner_only_sqlite(path: Path) -> None:
    """Create `path` empty at 0600 if absent (an empty file is an empty SQLite database);
    otherwise take group and other access away from it and its -wal/-shm files."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:  # an unwritable folder: SQLite itself will say so, in context
        return
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if name.stat().st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            continue


# Slack listeners, the scheduler and lazy workers share one pool per process; a burst waits
# up to POOL_WAIT_SECONDS for a connection rather than failing.
POOL_SIZE, POOL_OVERFLOW, POOL_WAIT_SECONDS = 10, 20, 10


def make_engine(url: str, *, busy_timeout_seconds: float = 5.0, connect_timeout: int = 2) -> Engine:
    backend = sa.engine.make_url(url).get_backend_name()
    if backend == "sqlite":
        ensure_sqlite_folder(url)
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_WAIT_SECONDS,
            connect_args={"timeout": busy_timeout_seconds, "check_same_thread": False},
        )
        busy_ms = int(busy_timeout_seconds * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        connect_args["connect_timeout"] = connect_timeout
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_WAIT_SECONDS,
        connect_args=connect_args,
    )


class Database:
    """One engine and session factory; `run` is the only way the journal touches the DB."""

    def __init__(
        self,
        url: str,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.15,
        busy_timeout_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_seconds=busy_timeout_seconds)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in one transaction, committed on success.

        Connection failures are retried (the transaction is rolled back first, so a retry
        never doubles a write) and finally raised as `JournalUnavailable`. Other errors,
        including the journal's own AccessDenied/NotFound, pass straight through; if `work`
        wants its writes kept despite raising (an audit row for a refusal), it commits first.
        """
        last: Exception | None = None
        for attempt in range(self.attempts):
            try:
                with self.sessions() as session, session.begin():
                    return work(session)
            except exc.DataError as error:
                # e.g. a NUL byte or an over-long id reaching PostgreSQL: the request is bad,
                # not the database. SQLite is laxer; the journal validates ids up front too.
                raise InvalidInput(
                    "That contains characters or sizes the journal cannot store."
                ) from error
            except TRANSIENT as error:
                last = error
                log.warning(
                    "journal database unavailable (attempt %d/%d): %s",
                    attempt + 1,
                    self.attempts,
                    type(error).__name__,
                )
                if attempt + 1 < self.attempts:
                    time.sleep(self.backoff_seconds * (2**attempt))
            except exc.DatabaseError as error:
                # A SQLite file damaged under a running process: name it, never retry.
                from bot.journal.opening import damaged, is_damage

                if self.backend == "sqlite" and is_damage(error):
                    raise damaged(self.url, error) from None
                raise
        raise JournalUnavailable() from last

    def ping(self) -> bool:
        """True when the database answers; for /readyz."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except TRANSIENT:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def insert_ignoring_duplicates(session: Session, model: type, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call inserted the row.

    Atomic in the database itself, so two replicas racing on the same key get exactly one
    True between them. Used for event dedup, weekly prompt claims, votes and enablers.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(dialect)
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    statement = insert(model).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(sa.literal_column("1"))).first() is not None
