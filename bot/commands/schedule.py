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
) -> None:
    """Prompt every member whose weekly reflection is due now."""
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
