"""`ripple export --user U` and `ripple erase --user U`: subject access and erasure requests.

Both act on everything Ripple holds about the person, in every team.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.commands.db import open_journal

UserOption = Annotated[
    str, typer.Option("--user", "-u", help="The person's user id (Slack id, or chat name).")
]


def _safe_name(user: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", user)[:64] or "user"


def _write_private(path: Path, text: str) -> None:
    """Personal data: readable by the operator's account only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def export(
    user: UserOption,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the two files into.")
    ] = Path("."),
) -> None:
    """Export all of one person's data as a Markdown file and a JSON file."""
    err = Console(stderr=True)
    if not user.strip():
        err.print("Say whose data to export, e.g. ripple export --user U012ABCDEF")
        raise typer.Exit(code=2)
    with open_journal(err) as journal:
        bundle = journal.export_user(user.strip())
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"ripple-export-{_safe_name(user.strip())}"
    md, js = stem.with_suffix(".md"), stem.with_suffix(".json")
    _write_private(md, bundle.markdown)
    _write_private(js, bundle.json)
    if not bundle.has_data:
        typer.echo(f"Ripple holds no data about {user}. The files say so, for your records.")
    typer.echo(f"Wrote {md}")
    typer.echo(f"Wrote {js}")
    typer.echo("They contain personal data: send them to the person securely, then delete them.")


def erase(
    user: UserOption,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase all of one person's data, in every team. This cannot be undone."""
    err = Console(stderr=True)
    user = user.strip()
    if not user:
        err.print("Say whose data to erase, e.g. ripple erase --user U012ABCDEF")
        raise typer.Exit(code=2)
    if not yes:
        if not sys.stdin.isatty():
            err.print(f"Not erasing: add --yes to confirm erasing everything held about {user}.")
            raise typer.Exit(code=2)
        if not typer.confirm(
            f"Erase every entry, commitment and setting held about {user}, in every team?"
        ):
            typer.echo("Nothing was erased.")
            raise typer.Exit(code=1)
    with open_journal(err) as journal:
        summary = journal.erase_user(user)
    typer.echo(summary.describe())
