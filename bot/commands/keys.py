"""`ripple rotate-key`: re-encrypt the journal under a new key and say what to do next.

With the development key file, rotation is one command: the file gets the new key first (the
old one kept), every token is re-encrypted, and running bots re-read the file by themselves.
With keys in RIPPLE_ENCRYPTION_KEYS, this process cannot change what running replicas hold,
so a new key is never put to use behind their backs: the command prints the two steps instead
(put the new key first everywhere, then `rotate-key --existing`).
"""

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
    drop_old: Annotated[
        bool,
        typer.Option(
            "--drop-old",
            help="After everything is re-encrypted and checked, remove the older keys from "
            "the key file (backups made before need them: keep a copy with those backups).",
        ),
    ] = False,
) -> None:
    """Generate a new encryption key and re-encrypt every entry, commitment and note."""
    from bot.journal.crypto import Cipher, fingerprint, new_key

    err = Console(stderr=True)
    if existing and key:
        err.print("Use either --key (add this key) or --existing (use the newest configured).")
        raise typer.Exit(code=2)
    with open_journal(err) as journal:
        from_settings = journal.key_source.origin == "settings"
        if from_settings and not existing:
            new = key.strip() if key else new_key()
            Cipher([new])  # a malformed --key is refused here, kindly
            _print_two_steps(new, journal.key_source.keys)
            return

        def progress(step: str, tokens: int) -> None:
            if step == "key-file-written":
                err.print(f"Wrote the new key list to {journal.key_source.path}.", soft_wrap=True)
            elif step == "batch-committed":
                err.print(f"Re-encrypted {tokens} so far...", highlight=False)

        report = journal.rotate_key(
            key.strip() if key else None,
            add_key=not existing,
            drop_old=drop_old,
            on_step=progress,
        )
    newest = fingerprint(report.keys[0])
    if existing:
        typer.echo(
            f"Re-encrypted {report.tokens} stored text(s) with the newest configured key "
            f"({newest})."
        )
        if from_settings:
            typer.echo(
                "Once every replica runs with that key first, the older keys can be removed "
                "from RIPPLE_ENCRYPTION_KEYS (keep them while backups made under them matter)."
            )
        return
    typer.echo(f"Re-encrypted {report.tokens} stored text(s) with the new key ({newest}).")
    typer.echo(f"The key file {report.key_file} now lists the new key first.")
    if report.dropped:
        typer.echo(
            f"Removed {report.dropped} older key(s) from it. Backups made before this need "
            "them: keep your copy of the old key file with those backups."
        )
    else:
        typer.echo("Back it up again: older backups need the older keys, which it keeps.")
    typer.echo("Running bots on this key file pick up the new key by themselves.")


def _print_two_steps(new: str, current: list[str]) -> None:
    typer.echo(
        "Your keys come from RIPPLE_ENCRYPTION_KEYS, which running replicas read only when "
        "they start, so nothing was re-encrypted yet (that would lock them out). Two steps:"
    )
    typer.echo("")
    typer.echo("1. Set this on EVERY replica and restart them (new key first, old keys after):")
    typer.echo("")
    typer.echo(f"RIPPLE_ENCRYPTION_KEYS={','.join([new, *current])}")
    typer.echo("")
    typer.echo("2. Then, with that setting, run once: ripple rotate-key --existing")
    typer.echo("")
    typer.echo(
        "Keep the old keys in the list while any backup made with them matters; "
        "`ripple rotate-key --existing` never removes a key from the environment."
    )
