"""The lexical half of hybrid search: BM25 over the passages, with a light English stemmer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rank_bm25 import BM25Okapi

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Common words carry no evidence; dropping them keeps "what helped" from matching everything.
STOPWORDS = frozenset(
    " ".join(
        (
            "a about above after again against all also am an and any are as at be because been",
            "before being below between both but by can could did do does doing done down during",
            "each either else ever every few for from further get got had has have having he her",
            "here hers him his how i if in into is it its itself just like me might more most much",
            "must my no nor not now of off on once only or other our ours out over own same she",
            "should so some such than that the their theirs them then there these they this those",
            "through to too under until up upon us very was we were what when where which while",
            "who whom why will with within would you your yours anyone anything someone something",
            "really thing things way ways lot lots getting",
        )
    ).split()
)


def stem(word: str) -> str:
    """A deliberately small stemmer for plurals and verb endings: budgets -> budget, pooled -> pool.

    Consistency matters more than linguistics: the same rule runs on passages and queries.
    """
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) >= 7:
        return word[:-3]
    if word.endswith("ed") and len(word) >= 6:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 3:
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


class LexicalIndex:
    """BM25 over a fixed list of passages; rebuilt whenever the library changes."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        tokenised = [tokenize(t) for t in texts]
        # rank-bm25 cannot build over an empty corpus.
        self._bm25 = BM25Okapi(tokenised) if tokenised else None

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every passage that shares at least one term with the query."""
        terms = tokenize(query)
        if self._bm25 is None or not terms:
            return {}
        raw = self._bm25.get_scores(terms)
        return {i: float(s) for i, s in zip(self.ids, raw, strict=True) if s > 0}
