"""The composition root: builds the real services from one `Settings`.

This is the only module that chooses implementations. Adapters (`cli`, `console`, `slack`)
ask it for services; `coaching` receives its ports from here. Everything is built lazily, so
`ripple ask` never opens the journal database and `ripple stats` never loads the model.
"""

from __future__ import annotations

from functools import cached_property

from bot.coaching.ports import Clock, SystemClock
from bot.config import Settings


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
    def coach(self):
        """The coach (`bot.coaching.coach.Coach`) on the evidence library and the journal.

        LLM phrasing is attached only when `settings.llm` names a chat model.
        """
        from bot.coaching.coach import Coach
        from bot.coaching.phrasing import build_phraser
        from bot.coaching.questions import QuestionBank
        from bot.coaching.themes import ThemeDetector

        prompts = self.settings.prompts_dir
        return Coach(
            evidence=self.evidence,
            store=self.journal,
            clock=self.clock,
            bank=QuestionBank.load(prompts),
            themes=ThemeDetector(self.embedder, prompts),
            phraser=build_phraser(self.settings, prompts),
        )
