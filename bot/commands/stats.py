"""`ripple stats`: counts per team and theme for operators. Never any journal text; any count
below 3 is shown as "<3" so no one can be singled out."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from bot.commands.db import open_journal

THEMES = ("shared_purpose", "authorising_environment", "conflict")


def _cell(value: int | None) -> str:
    return "<3" if value is None else str(value)


def stats() -> None:
    """Entry counts per team and theme (small numbers suppressed; no text, ever)."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        report = journal.stats()
    if not report.teams:
        typer.echo("No teams yet.")
        return
    table = Table("team", "members", "entries", "shared", *THEMES)
    for row in report.teams:
        table.add_row(
            row.team,
            str(row.members),
            _cell(row.entries),
            _cell(row.shared),
            *(_cell(row.themes.get(t)) for t in THEMES),
        )
    table.add_row(
        "all teams",
        "",
        _cell(report.total_entries),
        "",
        *(_cell(report.themes.get(t)) for t in THEMES),
    )
    Console(width=140).print(table)
    typer.echo("Counts below 3 are shown as <3. Journal text is never shown to operators.")
