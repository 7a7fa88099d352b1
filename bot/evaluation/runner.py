"""Wire the evals to the real services: the evidence library and the theme detector."""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.config import Settings
from bot.evaluation.datasets import load_retrieval_cases, load_theme_cases
from bot.evaluation.retrieval_eval import RetrievalReport, run_retrieval_eval
from bot.evaluation.theme_eval import ThemeReport, run_theme_eval

RETRIEVAL_SET = "retrieval.jsonl"
THEMES_SET = "themes.jsonl"


def open_library(settings: Settings, embedder: Embeddings | None = None):
    """The evidence library on `settings`, ingested (a no-op when the index is current)."""
    from bot.services import Services

    services = Services(settings)
    if embedder is None and hasattr(Services, "evidence"):
        library = services.evidence
    else:
        from bot.evidence.library import EvidenceLibrary

        library = EvidenceLibrary(settings, embedder or services.embedder)
    library.ensure_ingested()
    return library


def evaluate_retrieval(
    settings: Settings,
    *,
    dataset: Path | None = None,
    embedder: Embeddings | None = None,
    library=None,
) -> RetrievalReport:
    # Load (and validate) the labels before paying for the model and the index.
    cases = load_retrieval_cases(
        dataset or settings.evals_dir / RETRIEVAL_SET, settings.knowledge_dir
    )
    library = library or open_library(settings, embedder)
    return run_retrieval_eval(library, cases)


def evaluate_themes(
    settings: Settings,
    *,
    dataset: Path | None = None,
    embedder: Embeddings | None = None,
) -> ThemeReport:
    cases = load_theme_cases(dataset or settings.evals_dir / THEMES_SET)
    from bot.coaching.themes import ThemeDetector

    if embedder is None:
        from bot.services import Services

        embedder = Services(settings).embedder
    detector = ThemeDetector(embedder, settings.prompts_dir)
    return run_theme_eval(detector.detect, cases)
