"""`ripple retention apply [--dry-run]`: delete entries older than each team's retention."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.commands.db import open_journal

app = typer.Typer(
    help="Keep journal entries only as long as each team chose.", no_args_is_help=True
)


@app.command("apply")
def apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be deleted.")
    ] = False,
) -> None:
    """Delete entries older than each team's retention period and say what went."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        report = journal.apply_retention(dry_run=dry_run)
    typer.echo(report.describe())


@app.command("set")
def set_(
    team: Annotated[str, typer.Option("--team", "-t", help="The team's id (slug or channel).")],
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, max=120, help="Months to keep; omit for the default."),
    ] = None,
) -> None:
    """Set how many months a team's entries are kept (omit --months for the default)."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        info = journal.set_retention(None, team, months)
    typer.echo(f"{info.slug} keeps entries for {info.retention_months} months.")
