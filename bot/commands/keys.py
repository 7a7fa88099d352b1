"""`ripple rotate-key`: re-encrypt the journal under a new key and say what to do next."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.commands.db import open_journal


def rotate_key(
    key: Annotated[
        str | None,
        typer.Option("--key", help="Use this new Fernet key instead of generating one."),
    ] = None,
) -> None:
    """Generate a new encryption key and re-encrypt every entry, commitment and note."""
    err = Console(stderr=True)
    with open_journal(err) as journal:
        report = journal.rotate_key(key.strip() if key else None)
    typer.echo(f"Re-encrypted {report.tokens} stored text(s) with the new key.")
    if report.key_file is not None:
        typer.echo(f"The key file {report.key_file} now lists the new key first.")
        typer.echo("Back it up again: older backups need the older keys, which it keeps.")
        return
    typer.echo("Set this on EVERY replica and restart them (new key first, old keys after):")
    typer.echo("")
    typer.echo(f"RIPPLE_ENCRYPTION_KEYS={','.join(report.keys)}")
    typer.echo("")
    typer.echo(
        "Until they restart, replicas still on the old list cannot read what was just "
        "re-encrypted. Keep the old keys in the list while any backup made with them matters."
    )
