"""`ripple eval retrieval | themes | turns | all`: print quality tables for the labelled sets.

Evals measure; they don't pass or fail. Run them after changing retrieval or theme detection
and compare the numbers with `evals/RESULTS.md`.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="Measure retrieval and theme detection on the labelled sets in evals/.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object, not tables.")]
FreshOption = Annotated[
    bool,
    typer.Option(
        "--fresh",
        help="Build the evidence index in a throwaway folder instead of RIPPLE_DATA_DIR.",
    ),
]
DatasetOption = Annotated[
    Path | None, typer.Option("--dataset", help="A labelled JSONL file to use instead.")
]


@contextmanager
def _settings(fresh: bool):
    from bot.config import Settings

    settings = Settings()
    if not fresh:
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="ripple-eval-") as tmp:
        yield settings.model_copy(update={"data_dir": Path(tmp)})


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape

    Console(stderr=True).print(f"[red]{escape(message)}[/red]", highlight=False)
    return typer.Exit(code=2)


@contextmanager
def _kind_errors():
    """Turn the failures an operator can fix into one clear line instead of a traceback."""
    from bot.evaluation.datasets import DatasetError
    from bot.evidence.errors import EvidenceError, EvidenceUnavailable

    try:
        yield
    except (DatasetError, EvidenceError, EvidenceUnavailable) as exc:
        raise _fail(str(exc)) from None
    except ImportError as exc:
        raise _fail(f"That part of Ripple is not installed or not built yet: {exc}") from None
    except FileNotFoundError as exc:
        raise _fail(
            f"Ripple cannot find {exc.filename}. Set RIPPLE_EVALS_DIR (labelled sets), "
            "RIPPLE_PROMPTS_DIR (prompts) or RIPPLE_KNOWLEDGE_DIR (documents) to the folder "
            "that holds it."
        ) from None


def _labelled_sets(
    settings, dataset: Path | None, main: str, holdout: str
) -> list[tuple[str, Path]]:
    """The labelled set, then its held-out twin that nobody tunes on (when it is there)."""
    if dataset is not None:
        return [("", dataset)]
    held_out = settings.evals_dir / holdout
    return [("", settings.evals_dir / main)] + (
        [("holdout", held_out)] if held_out.is_file() else []
    )


def _merge(reports: list) -> dict:
    """The main set's JSON, with each named extra set (the holdout) nested under its name."""
    body = reports[0][1].to_json()
    for name, report in reports[1:]:
        body[name] = report.to_json()
    return body


def _run(which: tuple[str, ...], fresh: bool, as_json: bool, dataset: Path | None) -> None:
    from bot.evaluation.render import print_retrieval, print_themes
    from bot.evaluation.runner import (
        RETRIEVAL_HOLDOUT_SET,
        RETRIEVAL_LATER_HOLDOUTS,
        RETRIEVAL_SET,
        THEMES_HOLDOUT_SET,
        THEMES_SET,
        evaluate_retrieval,
        evaluate_themes,
        theme_detector,
    )
    from bot.services import Services

    console = Console()
    progress = Console(stderr=True)  # the spinner never mixes with tables or JSON on stdout
    output: dict = {}
    with _kind_errors(), _settings(fresh) as settings:
        services = Services(settings)  # one model, shared by both evals
        if "retrieval" in which:
            sets = _labelled_sets(settings, dataset, RETRIEVAL_SET, RETRIEVAL_HOLDOUT_SET)
            for file in RETRIEVAL_LATER_HOLDOUTS if dataset is None else ():
                later = settings.evals_dir / file
                if later.is_file():  # "holdout2", "holdout3"...: each written after a freeze
                    sets.append((file.removeprefix("retrieval_").removesuffix(".jsonl"), later))
            with progress.status("Indexing if needed, then searching with each stage…"):
                retrieval_reports = [
                    (name, evaluate_retrieval(settings, dataset=path, services=services))
                    for name, path in sets
                ]
            output["retrieval"] = _merge(retrieval_reports)
            if not as_json:
                for name, report in retrieval_reports:
                    print_retrieval(console, report, name)
        if "turns" in which:
            from bot.evaluation.runner import (
                TURNS_HOLDOUT_SET,
                TURNS_LATER_HOLDOUTS,
                TURNS_SET,
                evaluate_turns,
            )
            from bot.evaluation.turn_eval import print_turns

            sets = _labelled_sets(settings, dataset, TURNS_SET, TURNS_HOLDOUT_SET)
            for file in TURNS_LATER_HOLDOUTS if dataset is None else ():
                later = settings.evals_dir / file
                if later.is_file():
                    sets.append((file.removeprefix("turns_").removesuffix(".jsonl"), later))
            with progress.status("Reading what each labelled message does…"):
                turn_reports = [
                    (name, evaluate_turns(settings, dataset=path, services=services))
                    for name, path in sets
                ]
            output["turns"] = _merge(turn_reports)
            if not as_json:
                for name, turn_report in turn_reports:
                    print_turns(console, turn_report, name)
        if "themes" in which:
            sets = _labelled_sets(settings, dataset, THEMES_SET, THEMES_HOLDOUT_SET)
            with progress.status("Detecting themes in the labelled reflections…"):
                detector = theme_detector(settings, services)
                theme_reports = [
                    (name, evaluate_themes(settings, dataset=path, detector=detector))
                    for name, path in sets
                ]
            output["themes"] = _merge(theme_reports)
            if not as_json:
                for name, theme_report in theme_reports:
                    print_themes(console, theme_report, name)
    if as_json:
        body = output[which[0]] if len(which) == 1 else output
        typer.echo(json.dumps(body, ensure_ascii=False))


@app.command("retrieval")
def retrieval(json_: JsonOption = False, fresh: FreshOption = False, dataset: DatasetOption = None):
    """recall@1, recall@5 and MRR@10 for BM25, dense and hybrid, side by side."""
    _run(("retrieval",), fresh, json_, dataset)


@app.command("themes")
def themes(json_: JsonOption = False, dataset: DatasetOption = None):
    """Per-theme precision, recall and F1, and macro-F1, for the theme detector."""
    _run(("themes",), False, json_, dataset)


@app.command("turns")
def turns(json_: JsonOption = False, dataset: DatasetOption = None):
    """Per-act precision and recall of the turn reader (distress, commitment, correction, ...)."""
    _run(("turns",), False, json_, dataset)


@app.command("all")
def all_(json_: JsonOption = False, fresh: FreshOption = False):
    """Every eval, loading the model once."""
    _run(("retrieval", "themes", "turns"), fresh, json_, None)


@app.command("coaching")
def coaching(
    json_: JsonOption = False,
    dataset: DatasetOption = None,
    show: Annotated[
        str | None, typer.Option("--show", help="Print the transcript of this scenario id.")
    ] = None,
):
    """Scripted conversations in evals/coaching/: pass rate per coaching behaviour."""
    from bot.evaluation.coaching_eval import evaluate_coaching
    from bot.evaluation.coaching_render import print_coaching, print_transcript

    playing = Console(stderr=True).status("Playing the scripted conversations through the coach…")
    with _kind_errors(), _settings(False) as settings, playing as status:
        reports = evaluate_coaching(
            settings, dataset=dataset, progress=lambda step: status.update(f"Playing {step}…")
        )
    if json_:
        typer.echo(json.dumps({r.name: r.to_json() for r in reports}, ensure_ascii=False))
        return
    console = Console()
    for report in reports:
        print_coaching(console, report)
        if show:
            print_transcript(console, report, show)
