"""`ripple enabler add <user> --team T`, `ripple enabler remove ...`, `ripple enabler list`.

Naming an enabler gives them nothing to read by itself: the team must still consent.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.commands.db import open_journal

app = typer.Typer(help="The enablers (external coaches) who support teams.", no_args_is_help=True)

TeamOption = Annotated[str, typer.Option("--team", "-t", help="The team's id (slug or channel).")]


def _known_team(journal, team: str, err: Console) -> None:
    teams = [t.slug for t in journal.list_teams()]
    if team not in teams:
        hint = f" Known teams: {', '.join(teams)}." if teams else " No teams exist yet."
        err.print(f"There is no team called {team!r}.{hint}", markup=False, soft_wrap=True)
        raise typer.Exit(code=1)


@app.command("add")
def add(
    user: Annotated[str, typer.Argument(help="The enabler's user id, e.g. a Slack id.")],
    team: TeamOption,
) -> None:
    """Name someone as a team's enabler."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        _known_team(journal, team, err)
        added = journal.add_enabler(user.strip(), team)
        consent = journal.consent_state(team)
    if added:
        typer.echo(f"{user} is now an enabler of {team}.")
    else:
        typer.echo(f"{user} was already an enabler of {team}.")
    if not consent.granted:
        typer.echo(
            "They will see nothing until the team consents (/ripple consent in its channel)."
        )
    if added:
        _tell_in_slack(user.strip(), team, granted=consent.granted)


def _tell_in_slack(user: str, team: str, *, granted: bool) -> None:
    """The team and the enabler are told, as when a team admin names one in Slack."""
    from bot.config import Settings
    from bot.slack.app import build_client
    from bot.slack.listeners.privacy_commands import announce_enabler

    settings = Settings()
    if settings.slack_bot_token is None:
        typer.echo(f"Slack is not configured (SLACK_BOT_TOKEN), so tell the team and {user}.")
    elif announce_enabler(build_client(settings), team, user, by=None, granted=granted):
        typer.echo(f"The team's channel and {user} (by DM) have been told in Slack.")
    else:
        typer.echo(f"Slack did not take the announcement (see the log): tell the team and {user}.")


@app.command("remove")
def remove(
    user: Annotated[str, typer.Argument(help="The enabler's user id.")], team: TeamOption
) -> None:
    """Stop someone being a team's enabler."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        _known_team(journal, team, err)
        removed = journal.remove_enabler(user.strip(), team)
    typer.echo(
        f"{user} is no longer an enabler of {team}."
        if removed
        else f"{user} was not an enabler of {team}."
    )


@app.command("list")
def list_(
    team: Annotated[str | None, typer.Option("--team", "-t", help="Only this team.")] = None,
) -> None:
    """List enablers, their teams and whether each team currently consents."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        enablers = journal.list_enablers(team)
        consent = {e.team: journal.consent_state(e.team).granted for e in enablers}
    if not enablers:
        typer.echo("No enablers yet. Add one with: ripple enabler add <user> --team <team>")
        return
    table = Table("team", "enabler", "added", "added by", "team consents")
    for e in enablers:
        table.add_row(
            e.team,
            e.user,
            e.added_at.date().isoformat(),
            e.added_by or "",
            "yes" if consent[e.team] else "no",
        )
    Console(width=120).print(table)
