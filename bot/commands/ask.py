"""`ripple ask "question"`: the best passages from the evidence library, quoted word for word.

`--json` prints one JSON object; with `--json` and no question it reads one question per line
from stdin and prints one JSON line each, loading the model once.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from bot.commands.ingest import evidence_errors
from bot.commands.preflight import require_knowledge

JSON_KEYS = ("doc", "title", "section", "places", "start", "end", "text", "score")
NOTHING_FOUND = (
    "The evidence library has nothing on that. It covers leading across organisations: "
    "shared purpose, the authorising environment, conflict, and what helped in places such as "
    "Barnet, North West London, Bradford and Plymouth."
)


def ask(
    question: Annotated[
        str | None, typer.Argument(help="Your question. With --json and none, read stdin.")
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (id or file name).")
    ] = None,
    place: Annotated[
        list[str] | None, typer.Option("--place", help="Only passages about this place.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="hybrid, bm25 or dense.", hidden=True)
    ] = "hybrid",
) -> None:
    """Ask the evidence library what helped elsewhere."""
    from bot.config import Settings
    from bot.services import Services

    out = Console()
    err = Console(stderr=True)
    if question is None and not as_json:
        err.print('Ask a question, for example: ripple ask "how did others get GPs on board?"')
        raise typer.Exit(code=2)

    with evidence_errors(err):
        settings = Settings()
        require_knowledge(settings)  # before anything is created: nothing to read, none left
        library = Services(settings).evidence
        first_run = library.ensure_ingested()
        if first_run is not None:
            err.print(f"First run: {first_run.summary()} ({first_run.seconds:.0f} s)")

        def search(text: str):
            if len(text) > settings.max_query_chars:
                err.print(
                    f"Your question is long, so I searched with its first "
                    f"{settings.max_query_chars} characters."
                )
            return library.explain(text, k, docs=doc, places=place, method=method)

        if question is not None:
            result = search(question)
            if as_json:
                _print_json(question, result)
            else:
                _print_rich(out, question, result)
            return
        for line in sys.stdin:
            query = line.strip()
            if query:
                _print_json(query, search(query))


def _print_json(query: str, result) -> None:
    record = {
        "query": query,
        "passages": [{key: p.to_json()[key] for key in JSON_KEYS} for p in result.passages],
    }
    if result.message:  # a request the library is never for: what Ripple says instead
        record["message"] = result.message
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_rich(console: Console, question: str, result) -> None:
    passages = result.passages
    if not passages:
        console.print(escape(result.message) if result.message else NOTHING_FOUND, highlight=False)
        return
    console.print(f"[bold]What others found[/bold] for: {escape(question)}\n", highlight=False)
    for n, p in enumerate(passages, 1):
        where = ", ".join(p.places) if p.places else "no particular place"
        console.print(f"[bold]{n}. {escape(p.title)}[/bold]", highlight=False)
        console.print(
            f"   [dim]{escape(p.section)} · {escape(where)} · {p.doc} [{p.start}:{p.end}][/dim]",
            highlight=False,
        )
        console.print(Panel(escape(p.text), border_style="dim"), highlight=False)
