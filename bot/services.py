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
