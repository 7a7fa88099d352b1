"""`ripple ingest`: bring the evidence index in line with `knowledge/` and say what changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table


@contextmanager
def evidence_errors(console: Console) -> Iterator[None]:
    """Problems a person can fix get one clear line (exit code 2), never a traceback."""
    from bot.evidence.errors import EvidenceError, EvidenceUnavailable

    try:
        yield
    except (EvidenceError, EvidenceUnavailable, ValueError) as exc:
        console.print(f"[red]{exc}[/red]", highlight=False, markup=True)
        raise typer.Exit(code=2) from None


def ingest() -> None:
    """Index the documents in knowledge/ (only what changed since last time)."""
    from bot.config import Settings
    from bot.services import Services

    console = Console()
    errors = Console(stderr=True)
    with evidence_errors(errors):
        services = Services(Settings())
        library = services.evidence
        with console.status("Reading and indexing the evidence documents…"):
            report = library.ingest()
    print_report(console, report)


def print_report(console: Console, report) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]! {warning}[/yellow]", highlight=False)
    if report.nothing_changed:
        console.print(f"[green]{report.summary()}[/green]", highlight=False)
        return
    table = Table(show_header=True, header_style="bold")
    table.add_column("change")
    table.add_column("documents")
    for label, names in (
        ("added", report.added),
        ("re-indexed", report.changed),
        ("removed", report.removed),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
    ):
        if names:
            table.add_row(label, "\n".join(names))
    console.print(table)
    console.print(f"[green]{report.summary()}[/green] ({report.seconds:.1f} s)", highlight=False)
