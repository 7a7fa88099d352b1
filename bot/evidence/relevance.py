"""Is the library about this question at all? The relevance floor behind "nothing on that".

Place names are taken out of the question first: "what's the weather in Leeds" must not pass
because Leeds is in the library. Then two signals decide, calibrated on MiniLM cosine
similarities and BM25 scores over this library:

- the dense similarity of the best passage to the question's topic words; on-topic questions
  usually reach 0.35+, everyday ones (weather, payroll, recipes, trains) stay below ~0.32;
- for colloquial questions the model understands less well ("everyone says yes round the
  table then nothing happens"), strong lexical evidence: the library's own distinctive words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.evidence.lexical import tokenize
from bot.evidence.places import PlaceMatcher

CONFIDENT_SIMILARITY = 0.34  # at or above: on topic on the dense evidence alone
GREY_SIMILARITY = 0.12  # between this and the above: on topic only with lexical support
LEXICAL_SUPPORT = 7.0  # best BM25 score of the topic words that counts as support


@dataclass(frozen=True)
class Verdict:
    on_topic: bool
    similarity: float
    lexical: float

    @classmethod
    def judge(cls, similarity: float, lexical: float) -> Verdict:
        on_topic = similarity >= CONFIDENT_SIMILARITY or (
            similarity >= GREY_SIMILARITY and lexical >= LEXICAL_SUPPORT
        )
        return cls(on_topic, similarity, lexical)


def topic_words(query: str, places: PlaceMatcher) -> str:
    """The question without its place names ("pooled budgets in Barnet" -> "pooled budgets in")."""
    return re.sub(r"\s+", " ", places.blank_out(query)).strip()


# Words that frame a question about a place without naming a topic ("what happened in Plymouth").
_FRAMING = frozenset({"happen", "tell", "know", "anything", "example", "hear", "go", "went"})


def has_topic(text: str) -> bool:
    return any(word not in _FRAMING for word in tokenize(text))
