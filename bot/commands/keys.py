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
    existing: Annotated[
        bool,
        typer.Option(
            "--existing",
            help="Don't add a key: re-encrypt under the first key already in "
            "RIPPLE_ENCRYPTION_KEYS (after you put a new one first on every replica).",
        ),
    ] = False,
) -> None:
    """Generate a new encryption key and re-encrypt every entry, commitment and note."""
    err = Console(stderr=True)
    if existing and key:
        err.print("Use either --key (add this key) or --existing (use the newest configured).")
        raise typer.Exit(code=2)
    with open_journal(err) as journal:
        report = journal.rotate_key(key.strip() if key else None, add_key=not existing)
    if existing:
        typer.echo(f"Re-encrypted {report.tokens} stored text(s) with the newest configured key.")
        typer.echo(
            "Once every replica runs with that key first, the older keys can be removed from "
            "RIPPLE_ENCRYPTION_KEYS (keep them while backups made under them matter)."
        )
        return
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
