"""`ripple schedule tick [--now ISO]`: send the weekly prompts that are due, once each.

Safe to run from cron every minute, alongside `ripple serve`'s own scheduler, or on several
machines at once: the journal's claim per member per ISO week makes it idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.config import Settings

app = typer.Typer(help="The weekly reflection prompt scheduler.", no_args_is_help=True)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date-time, e.g. 2026-03-30T08:00:00+00:00"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@app.command("tick")
def tick(
    now: Annotated[
        str | None,
        typer.Option("--now", help="Pretend it is this moment (ISO 8601; UTC if no offset)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="List who would be prompted and when; send nothing (no Slack)."
        ),
    ] = False,
) -> None:
    """Prompt every member whose weekly reflection is due now."""
    if dry_run:
        _dry_run(_parse_now(now))
        return
    from bot.coaching.ports import FixedClock
    from bot.journal.errors import JournalError
    from bot.services import Services
    from bot.slack.app import SlackNotConfigured, build_client
    from bot.slack.scheduler import tick as run_tick

    at = _parse_now(now)
    settings = Settings()
    services = Services(settings, clock=FixedClock(at) if at else None)
    try:
        client = build_client(settings)
        report = run_tick(services, client, at)
    except (SlackNotConfigured, JournalError) as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from None
    typer.echo(report.describe())


def _dry_run(at: datetime | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from bot.journal.errors import JournalError
    from bot.services import Services
    from bot.slack.schedule_preview import plan

    services = Services(Settings())
    moment = at or services.clock.now()
    try:
        planned = plan(services.journal, moment)
    except JournalError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from None
    console = Console()
    if not planned:
        console.print("Nobody is on a weekly schedule yet: no team has members with prompts on.")
        return
    due = sum(p.due_now for p in planned)
    table = Table(title=f"At {moment.isoformat(timespec='minutes')} (nothing is sent)")
    for column in ("member", "team", "their prompt", "timezone", "a tick now"):
        table.add_column(column)
    for p in planned:
        when = p.moment.strftime("%a %d %b %H:%M")
        table.add_row(p.user, p.team, when, p.timezone, p.verdict)
    console.print(table)
    people = "person" if due == 1 else "people"
    console.print(f"{due} {people} would be prompted by a tick at this moment.")
