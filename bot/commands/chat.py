"""`ripple chat --user U --team T [--now ISO]`: talk to Ripple in the terminal."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer


def chat(
    user: Annotated[
        str, typer.Option("--user", "-u", help="Who you are, e.g. leader-1.")
    ] = "leader-1",
    team: Annotated[
        str, typer.Option("--team", "-t", help="Your team, e.g. plymouth-alcohol.")
    ] = "my-team",
    now: Annotated[
        str | None,
        typer.Option("--now", help="Pretend it is this time (ISO 8601), e.g. 2026-03-09T09:00."),
    ] = None,
    workspace: Annotated[str, typer.Option("--workspace", hidden=True)] = "local",
) -> None:
    """Reflect, ask what helped elsewhere, and keep your journal, all in the terminal."""
    from bot.coaching.ports import FixedClock, Who
    from bot.config import Settings
    from bot.console import ChatSession
    from bot.services import Services
    from bot.terminal import ChatAlreadyOpen, one_chat_per_person

    clock = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            typer.echo(f"--now {now!r} is not a date and time; try 2026-03-09T09:00.", err=True)
            raise typer.Exit(code=2) from None
        clock = FixedClock(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    user, team = user.strip(), team.strip()
    if not user or not team:
        typer.echo(
            "--user and --team need a name each, e.g. --user leader-1 --team plymouth.", err=True
        )
        raise typer.Exit(code=2)
    settings = Settings()
    problem = _setup_problem(settings.data_dir, settings.prompts_dir)
    services = Services(settings, clock=clock)
    # A damaged journal or a missing/wrong key stops here, before the first prompt. The
    # journal opened here is the one the chat keeps, so a key it just made is announced.
    problem = problem or _journal_problem(services)
    if problem is not None:
        typer.echo(problem, err=True)
        raise typer.Exit(code=2)
    interactive = sys.stdin.isatty()
    session = ChatSession(services, Who(user, team, workspace), rich=interactive)
    try:
        with one_chat_per_person(settings.data_dir, workspace, user):
            session.run(None if interactive else sys.stdin)
    except ChatAlreadyOpen:
        typer.echo(
            f"{user} already has a Ripple chat open in another terminal. Carry on there, or "
            "type `quit` in it and start again here: one conversation at a time keeps your "
            "reflection in one piece.",
            err=True,
        )
        raise typer.Exit(code=1) from None


def _journal_problem(services) -> str | None:
    """What stops the journal opening, as an operator message; None when it opens or is only
    unreachable for now (the chat's own retry handles that)."""
    from bot.journal.errors import ConfigurationError, JournalUnavailable

    try:
        _ = services.journal
    except JournalUnavailable:
        return None
    except ConfigurationError as error:
        return str(error)
    return None


def _setup_problem(data_dir: Path, prompts_dir: Path) -> str | None:
    """What stops a chat before it starts (every turn needs both), said so a person can fix it;
    found mid-conversation it would only surface as "something went wrong" on every line."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as error:
        return (
            f"Ripple cannot write to its data folder {data_dir} ({error.strerror}); your "
            "journal and the evidence index live there. Set RIPPLE_DATA_DIR to a folder you "
            "can write to."
        )
    questions = prompts_dir / "questions.yaml"
    if not questions.is_file():
        return (
            f"Ripple cannot find its question bank at {questions}. Run ripple from the project "
            "folder, or set RIPPLE_PROMPTS_DIR to the folder holding questions.yaml."
        )
    return None
