"""`ripple backup [--out FILE] [--portable]` and `ripple restore FILE [--yes]`: the journal DB.

- SQLite: a consistent copy through sqlite3's online backup API (safe while the bot runs).
- PostgreSQL: `pg_dump --format=custom` when a matching `pg_dump` is installed, restored with
  `pg_restore --clean`; otherwise (the bot image has no PostgreSQL client, or the client is
  older than the server) a portable gzipped-JSON dump through SQLAlchemy.
- `--portable` forces the JSON dump on any backend, which is how a SQLite journal moves into
  PostgreSQL.

Backups copy rows as stored: journal text stays encrypted, and the key is not in the backup.
`restore` recognises the file's format from its first bytes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console

from bot.commands import portable_dump
from bot.config import Settings
from bot.journal.crypto import fsync_folder

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
KEY_REMINDER = (
    "Journal text in the backup is still encrypted. Keep the encryption key "
    "(RIPPLE_ENCRYPTION_KEYS, or {key_file} in development) somewhere safe and separate: "
    "without it a restored journal cannot be read."
)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="A folder to write the backup into (created if needed), or a file name with an "
        "extension. Default: DATA_DIR/backups/.",
    ),
]
PortableOption = Annotated[
    bool,
    typer.Option("--portable", help="Write database-neutral gzipped JSON (to move databases)."),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before replacing.")]


class BackupError(Exception):
    """A problem the operator can fix; `str()` says what to do."""


def backup(out: OutOption = None, portable: PortableOption = False) -> None:
    """Back up the journal database to one file."""
    settings = Settings()
    with _kind_errors():
        url = sa.engine.make_url(settings.resolved_database_url)
        backend = url.get_backend_name()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        if portable or backend not in ("sqlite", "postgresql"):
            kind = "portable"
        elif backend == "sqlite":
            kind = "sqlite"
        else:
            kind = "pgdump" if shutil.which("pg_dump") else "portable"
        name = f"ripple-{stamp}{_SUFFIX[kind]}"
        target = _target(out, settings.data_dir / "backups", name)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under NAME.partial (owner-only) and renamed when complete: a failure
        # never leaves a half-written backup, under either name.
        partial = target.with_name(target.name + ".partial")
        note = ""
        try:
            if kind == "sqlite":
                _sqlite_backup(_sqlite_path(url), partial)
            elif kind == "pgdump":
                note = _pg_dump(url, partial)
                if note:  # pg_dump could not be used; fall back
                    kind = "portable"
            if kind == "portable":
                summary = portable_dump.dump(sa.create_engine(url), partial)
                note += f"{summary.rows} rows from {summary.tables} tables. "
            _publish(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        size = target.stat().st_size
        Console(soft_wrap=True).print(
            f"Backed up {_describe(url)} to {target} ({size:,} bytes, {_LABEL[kind]}). {note}",
            highlight=False,
        )
        reminder = KEY_REMINDER.format(key_file=settings.key_file)
        Console(soft_wrap=True).print(reminder, highlight=False)


def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `ripple backup`.")],
    yes: YesOption = False,
) -> None:
    """Replace the journal database's contents with a backup. Stop the bot first."""
    settings = Settings()
    with _kind_errors():
        url = sa.engine.make_url(settings.resolved_database_url)
        backend = url.get_backend_name()
        kind = _detect(file)
        needs = {"sqlite": "sqlite", "pgdump": "postgresql"}.get(kind)
        if needs and needs != backend:
            raise BackupError(
                f"{file} is a {_LABEL[kind]} backup but the configured database is {backend}. "
                "Point RIPPLE_DATABASE_URL at a database of the same kind, or make a "
                "portable backup (`ripple backup --portable`) to move between them."
            )
        document = portable_dump.read(file) if kind == "portable" else None
        if not yes and not typer.confirm(
            f"Replace everything in {_describe(url)} with {file}?", default=False
        ):
            raise BackupError("Nothing was changed.")
        if kind == "sqlite":
            _sqlite_restore(file, _sqlite_path(url, must_exist=False))
            detail = "the whole SQLite database"
        elif kind == "pgdump":
            _pg_restore(url, file)
            detail = "every table (pg_restore --clean)"
        else:
            summary = portable_dump.restore(sa.create_engine(url), document, _migrate_to)
            detail = f"{summary.rows} rows in {summary.tables} tables"
        Console(soft_wrap=True).print(
            f"Restored {detail} into {_describe(url)} from {file}. "
            "Restart the bot so every replica starts from the restored data.",
            highlight=False,
        )


_SUFFIX = {"sqlite": ".sqlite3", "pgdump": ".pgdump", "portable": ".json.gz"}
_LABEL = {"sqlite": "SQLite backup", "pgdump": "pg_dump custom format", "portable": "portable JSON"}


def _detect(file: Path) -> str:
    if not file.is_file():
        raise BackupError(f"There is no backup file at {file}.")
    with file.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pgdump"
    if head.startswith(GZIP_MAGIC):
        return "portable"
    raise BackupError(f"{file} is not a Ripple backup (not SQLite, pg_dump or portable JSON).")


def _describe(url: sa.engine.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    return f"PostgreSQL database {url.database!r} on {url.host or 'localhost'}:{url.port or 5432}"


def _sqlite_path(url: sa.engine.URL, *, must_exist: bool = True) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"There is no database at {path} yet, so there is nothing to back up.")
    return path


def _target(out: Path | None, default_folder: Path, name: str) -> Path:
    """--out DIR (an existing folder, or a new name without an extension: created) gets the
    usual timestamped name inside it; --out FILE.ext is that file."""
    if out is None:
        return default_folder / name
    if out.is_dir() or (not out.exists() and not out.suffix):
        return out / name
    return out


def _private_new(path: Path) -> None:
    """Create `path` empty and owner-only (0600) before anything writes into it."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)


def _publish(partial: Path, target: Path) -> None:
    """Make the finished `partial` durable, owner-only, and rename it to `target`."""
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fchmod(fd, 0o600)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, target)
    fsync_folder(target.parent)


def _sqlite_copy(source: Path, target: Path) -> None:
    _private_new(target)  # SQLite keeps an existing file's mode
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _sqlite_backup(source: Path, partial: Path) -> None:
    try:
        _sqlite_copy(source, partial)
    except sqlite3.DatabaseError as error:
        from bot.journal.opening import is_damage

        if is_damage(error):
            raise BackupError(
                f"The journal database {source} is damaged ({error}), so it cannot be backed "
                "up. Restore your latest backup with `ripple restore BACKUP`."
            ) from error
        raise


def _sqlite_restore(source: Path, target: Path) -> None:
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is damaged: {error}") from error
    finally:
        check.close()
    if not ok:
        raise BackupError(f"{source} fails SQLite's integrity check; it cannot be restored.")
    if portable_dump.ALEMBIC_TABLE not in tables:
        raise BackupError(f"{source} is a SQLite file but not a Ripple journal.")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copied beside the journal, then renamed over it: works when the journal file itself
    # is damaged (SQLite could not open it to copy into), and a failure changes nothing.
    partial = target.with_name(target.name + ".restoring")
    try:
        _sqlite_copy(source, partial)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
            stale.unlink(missing_ok=True)  # the old file's log must not replay into the new
        _publish(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _libpq(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment carrying it."""
    plain = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _pg_dump(url: sa.engine.URL, target: Path) -> str:
    """Run pg_dump; '' on success, else a note explaining the fallback."""
    dsn, env = _libpq(url)
    _private_new(target)  # pg_dump keeps an existing file's mode
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", dsn],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode == 0:
        return ""
    target.unlink(missing_ok=True)
    if "version mismatch" in result.stderr:
        return "pg_dump is older than the server, so a portable dump was written instead. "
    raise BackupError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1]}")


def _pg_restore(url: sa.engine.URL, source: Path) -> None:
    if not shutil.which("pg_restore"):
        raise BackupError(
            "This is a pg_dump backup but pg_restore is not installed here. Install the "
            "PostgreSQL client tools, or restore from a portable backup."
        )
    dsn, env = _libpq(url)
    result = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={dsn}",
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip().splitlines()[-1]}")


def _migrate_to(engine: sa.engine.Engine, revision: str) -> None:
    from alembic import command

    from bot.journal.migrate import alembic_config

    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _damaged(error: BaseException) -> bool:
    from bot.journal.opening import is_damage

    return is_damage(error)


class _kind_errors:
    """Operator mistakes and outages become one clear line and exit code 1, not a traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, _tb) -> bool:
        if exc is None or isinstance(exc, typer.Exit | typer.Abort):
            return False
        if isinstance(exc, BackupError | portable_dump.RestoreRefused):
            message = str(exc)
        elif isinstance(exc, sa.exc.DBAPIError) and _damaged(exc):
            message = (
                "The journal database is damaged, so this cannot be done. Restore your latest "
                f"backup with `ripple restore BACKUP`. ({exc.orig})"
            )
        elif isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
            message = (
                "The database could not be reached. Check RIPPLE_DATABASE_URL and that the "
                "database is running."
            )
        elif isinstance(exc, OSError):
            message = f"Could not read or write a file: {exc}"
        else:
            return False
        Console(stderr=True, soft_wrap=True).print(f"[red]{message}[/red]", highlight=False)
        raise typer.Exit(code=1)
