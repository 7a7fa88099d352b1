"""`ripple db upgrade`: bring the journal database to the newest schema (Alembic).

Also home of `open_journal`, the one way the journal commands open the journal and turn its
errors into a calm sentence and exit code 1 instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import typer
from rich.console import Console

app = typer.Typer(help="The journal database.", no_args_is_help=True)


def _where(url: str) -> str:
    """The database URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@contextmanager
def journal_errors(err: Console) -> Iterator[None]:
    from bot.journal import JournalError

    try:
        yield
    except JournalError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None


@contextmanager
def open_journal(err: Console):
    """Yield a `Journal` built from the environment's Settings; kind errors, exit 1."""
    from bot.config import Settings
    from bot.journal import Journal

    with journal_errors(err):
        journal = Journal(Settings())  # a newly generated dev key is announced in the log
        try:
            yield journal
        finally:
            journal.close()


@app.command("upgrade")
def upgrade() -> None:
    """Run the journal's migrations up to the newest schema (safe to run again)."""
    from sqlalchemy import exc

    from bot.config import Settings
    from bot.journal.db import TRANSIENT, make_engine
    from bot.journal.migrate import upgrade_to_head
    from bot.journal.opening import damaged, is_damage

    err = Console(stderr=True)
    settings = Settings()
    url = settings.resolved_database_url
    engine = make_engine(url)
    try:
        before, after = upgrade_to_head(engine)
    except TRANSIENT:
        err.print(
            f"Cannot reach the journal database at {_where(url)}. Check RIPPLE_DATABASE_URL "
            "and that the database is running, then try again.",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from None
    except exc.DatabaseError as error:
        if not is_damage(error):
            raise
        err.print(str(damaged(url, error)), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"The journal database is already at the newest schema ({after}).")
    else:
        typer.echo(f"Upgraded the journal database from {before or 'empty'} to {after}.")
    typer.echo(f"Database: {_where(url)}")
