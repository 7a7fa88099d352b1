"""A database-neutral backup: every table's rows as gzipped JSON, read through SQLAlchemy.

Used for PostgreSQL when `pg_dump` is missing or older than the server (the bot image has no
PostgreSQL client), and on request (`ripple backup --portable`) to move a SQLite journal into
PostgreSQL. Rows are copied as stored, so encrypted columns stay encrypted.

Restoring needs the target at the backup's schema revision: an empty database is migrated to
it first; a database at another revision is refused rather than half-restored.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

FORMAT = "ripple-portable-backup"
VERSION = 1
ALEMBIC_TABLE = "alembic_version"
BATCH = 500


class RestoreRefused(Exception):
    """The backup cannot go into this database; `str()` says why and what to do."""


@dataclass(frozen=True)
class DumpSummary:
    tables: int
    rows: int
    revision: str | None


def _encode(value: Any) -> Any:
    """JSON form of one column value; tagged so it decodes back to the same Python type."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, dict | list):
        return {"$json": value}
    return value


_DECODERS = {
    "$b64": base64.b64decode,
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$dec": Decimal,
    "$uuid": uuid.UUID,
    "$json": lambda v: v,
}


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag in _DECODERS:
            return _DECODERS[tag](raw)
    return value


def _revision(conn: Connection, tables: dict[str, sa.Table]) -> str | None:
    if ALEMBIC_TABLE not in tables:
        return None
    return conn.execute(sa.select(tables[ALEMBIC_TABLE].c.version_num)).scalar()


def dump(engine: Engine, out: Path) -> DumpSummary:
    """Write every table of the database behind `engine` to `out` (gzipped JSON)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION, "tables": {}}
    rows_total = 0
    with engine.connect().execution_options(**options) as conn, conn.begin():
        revision = _revision(conn, metadata.tables)
        for table in metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            rows = [[_encode(v) for v in row] for row in conn.execute(sa.select(table))]
            document["tables"][table.name] = {"columns": columns, "rows": rows}
            rows_total += len(rows)
    document["source_backend"] = engine.dialect.name
    document["created_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    document["alembic_revision"] = revision
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # owner-only, like the DB
    os.fchmod(fd, 0o600)
    with open(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"))
    return DumpSummary(len(document["tables"]), rows_total, revision)


def read(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise RestoreRefused(f"{path} is not a readable Ripple backup ({error}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RestoreRefused(f"{path} is gzipped JSON but not a Ripple backup.")
    if document.get("version") != VERSION:
        raise RestoreRefused(
            f"{path} is a version {document.get('version')} backup; this Ripple reads "
            f"version {VERSION}. Restore it with the Ripple release that made it."
        )
    return document


def restore(engine: Engine, document: dict[str, Any], migrate_to) -> DumpSummary:
    """Replace every row in the target with the backup's, in one transaction.

    `migrate_to(engine, revision)` brings an empty database to the backup's schema revision.
    """
    wanted = document.get("alembic_revision")
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        current = _revision(conn, metadata.tables)
    if current is None and wanted is not None:
        migrate_to(engine, wanted)
        metadata = sa.MetaData()
        metadata.reflect(engine)
    elif current != wanted:
        raise RestoreRefused(
            f"The backup was taken at schema revision {wanted}, but this database is at "
            f"{current}. Restore into an empty database (Ripple creates the schema), or into "
            f"one upgraded to the same revision."
        )
    missing = sorted(set(document["tables"]) - set(metadata.tables))
    if missing:
        raise RestoreRefused(f"This database has no table(s) {', '.join(missing)}.")

    data_tables = [t for t in metadata.sorted_tables if t.name != ALEMBIC_TABLE]
    rows_total = 0
    with engine.begin() as conn:
        for table in reversed(data_tables):
            conn.execute(table.delete())
        for table in data_tables:
            saved = document["tables"].get(table.name)
            if not saved:
                continue
            columns = [name for name in saved["columns"] if name in table.c]
            indexes = [saved["columns"].index(name) for name in columns]
            rows = [
                {c: _decode(row[i]) for c, i in zip(columns, indexes, strict=True)}
                for row in saved["rows"]
            ]
            for start in range(0, len(rows), BATCH):
                conn.execute(table.insert(), rows[start : start + BATCH])
            rows_total += len(rows)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, data_tables)
    return DumpSummary(len(data_tables), rows_total, wanted)


def _reset_sequences(conn: Connection, tables: list[sa.Table]) -> None:
    """After explicit ids were inserted, move each serial sequence past the largest id."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                ),
                {"table": table.name, "column": column.name},
            )
