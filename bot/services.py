"""The composition root: builds the real services from one `Settings`.

This is the only module that chooses implementations. Adapters (`cli`, `console`, `slack`)
ask it for services; `coaching` receives its ports from here. Everything is built lazily, so
`ripple ask` never opens the journal database and `ripple stats` never loads the model.
"""

from __future__ import annotations

from functools import cached_property

from bot.coaching.ports import Clock, SystemClock
from bot.config import Settings


class JournalOnDemand:
    """The journal as the coach's store, opened at the first call rather than when the coach
    is built. A what-helped answer needs only the evidence, so a journal database that is
    down must not stop it (issue 9): reflection calls meet the outage themselves and the coach
    says so kindly; the next call after the database is back simply works."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            return getattr(self._services.journal, name)(*args, **kwargs)

        return call


class Services:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def embedder(self):
        from bot.evidence.embeddings import SentenceEmbedder

        return SentenceEmbedder(self.settings.embedding_model)

    @cached_property
    def evidence(self):
        """The evidence library (`bot.evidence.library.EvidenceLibrary`): hybrid cited search.

        Nothing is loaded or connected until the first search or ingest.
        """
        from bot.evidence.library import EvidenceLibrary

        return EvidenceLibrary(self.settings, self.embedder)

    @cached_property
    def journal(self):
        """The journal (`bot.journal.Journal`): a ReflectionStore plus the journal API.

        Migrates the database to head on first use. Raises ConfigurationError in production
        without an encryption key and JournalUnavailable if the database is unreachable (not
        cached, so the next access tries again).
        """
        from bot.journal import Journal

        return Journal(self.settings, clock=self.clock)

    @cached_property
    def themes(self):
        """The theme detector (`bot.coaching.themes.ThemeDetector`), trained at first use.

        Its training vectors and weights are cached under the data folder, so a warm start is
        a file read.
        """
        from bot.coaching.themes import ThemeDetector

        return ThemeDetector(
            self.embedder, self.settings.prompts_dir, cache_dir=self.classifier_cache_dir
        )

    @cached_property
    def turn_reader(self):
        """What each leader message does (`bot.coaching.turn_reader.EmbeddingTurnReader`).

        Shares the theme detector, so one embedding per turn serves both.
        """
        from bot.coaching.turn_reader import EmbeddingTurnReader

        return EmbeddingTurnReader(
            self.embedder,
            self.settings.prompts_dir,
            themes=self.themes,
            cache_dir=self.classifier_cache_dir,
        )

    @property
    def classifier_cache_dir(self):
        return self.settings.data_dir / "cache" / "classifiers"

    @cached_property
    def coach(self):
        """The coach (`bot.coaching.coach.Coach`) on the evidence library and the journal.

        LLM phrasing is attached only when `settings.llm` names a chat model.
        """
        from bot.coaching.coach import Coach
        from bot.coaching.phrasing import build_phraser
        from bot.coaching.questions import QuestionBank

        prompts = self.settings.prompts_dir
        return Coach(
            evidence=self.evidence,
            store=JournalOnDemand(self),
            clock=self.clock,
            bank=QuestionBank.load(prompts),
            themes=self.themes,
            phraser=build_phraser(self.settings, prompts),
            reader=self.turn_reader,
        )
