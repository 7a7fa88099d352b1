"""Checks a command makes before it touches anything: is what it reads where it looks?

Each problem is one sentence a person can act on, naming the setting to change, and exit
code 2. A command that finds nothing to read leaves nothing behind (no ./data folder).
"""

from __future__ import annotations

from pathlib import Path

import typer

from bot.config import Settings


def _stop(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


def require_knowledge(settings: Settings) -> None:
    folder = settings.knowledge_dir
    if not (folder / "sources.yaml").is_file():
        _stop(
            f"Ripple cannot find its evidence library: there is no sources.yaml in {folder}. "
            "Set RIPPLE_KNOWLEDGE_DIR to the folder holding the documents and sources.yaml."
        )


def require_prompts(settings: Settings, *names: str) -> None:
    for name in names or ("questions.yaml",):
        path = settings.prompts_dir / name
        if not path.is_file():
            _stop(
                f"Ripple cannot find {name} in {settings.prompts_dir}. Set RIPPLE_PROMPTS_DIR "
                "to the folder holding the question bank and the other prompts."
            )


def require_eval_set(settings: Settings, file_name: str) -> Path:
    path = settings.evals_dir / file_name
    if not path.is_file():
        _stop(
            f"Ripple cannot find the labelled set {file_name} in {settings.evals_dir}. Set "
            "RIPPLE_EVALS_DIR to the folder holding the eval sets."
        )
    return path
