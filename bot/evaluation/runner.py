"""Wire the evals to the real services: the evidence library and the theme detector."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.evaluation.datasets import load_retrieval_cases, load_theme_cases
from bot.evaluation.retrieval_eval import RetrievalReport, run_retrieval_eval
from bot.evaluation.theme_eval import ThemeReport, run_theme_eval
from bot.services import Services

RETRIEVAL_SET = "retrieval.jsonl"
# Questions nobody tunes retrieval on: an honest check that search and its floor generalise.
RETRIEVAL_HOLDOUT_SET = "retrieval_holdout.jsonl"
# Each written after the pipeline was frozen once more (evals/README.md); all of them run.
RETRIEVAL_LATER_HOLDOUTS = (
    "retrieval_holdout2.jsonl",
    "retrieval_holdout3.jsonl",
    "retrieval_holdout4.jsonl",
    "retrieval_holdout5.jsonl",
    "retrieval_holdout6.jsonl",
)
THEMES_SET = "themes.jsonl"
# Reflections nobody tunes on: an honest check that theme detection generalises.
THEMES_HOLDOUT_SET = "themes_holdout.jsonl"
TURNS_SET = "turns.jsonl"
# Messages written after the turn reader was frozen, never tuned on.
TURNS_HOLDOUT_SET = "turns_holdout.jsonl"
# Each written blind, from the act definitions alone, after a later freeze; all of them run.
TURNS_LATER_HOLDOUTS = ("turns_holdout2.jsonl", "turns_holdout3.jsonl", "turns_holdout4.jsonl")


def evaluate_retrieval(
    settings: Settings, *, dataset: Path | None = None, services: Services | None = None
) -> RetrievalReport:
    # Load (and validate) the labels before paying for the model and the index.
    cases = load_retrieval_cases(
        dataset or settings.evals_dir / RETRIEVAL_SET, settings.knowledge_dir
    )
    library = (services or Services(settings)).evidence
    # Bring the index in line with knowledge/ (a no-op when nothing changed), so the numbers
    # describe the documents and chunker on disk, not a stale index.
    library.ingest()
    return run_retrieval_eval(library, cases)


def theme_detector(settings: Settings, services: Services | None = None):
    return (services or Services(settings)).themes


def evaluate_themes(
    settings: Settings,
    *,
    dataset: Path | None = None,
    services: Services | None = None,
    detector=None,
) -> ThemeReport:
    cases = load_theme_cases(dataset or settings.evals_dir / THEMES_SET)
    detector = detector or theme_detector(settings, services)
    return run_theme_eval(detector.detect, cases)


def evaluate_turns(settings: Settings, *, dataset: Path, services: Services):
    from bot.evaluation.turn_eval import load_turn_cases, run_turn_eval

    cases = load_turn_cases(dataset)
    return run_turn_eval(services.turn_reader.read, cases)
