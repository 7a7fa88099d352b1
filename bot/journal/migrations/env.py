"""Alembic environment for the journal.

The database URL comes from, in order: a connection handed over programmatically
(`config.attributes["connection"]`, used by `bot.journal.migrate`), `sqlalchemy.url` set on the
config, or `Settings()` (so plain `alembic -c bot/journal/alembic.ini upgrade head` works too).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from bot.journal.db import ensure_sqlite_folder
from bot.journal.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.config import Settings  # the edge: only here when run by the alembic CLI

    return Settings().resolved_database_url


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = _url()
    ensure_sqlite_folder(url)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
