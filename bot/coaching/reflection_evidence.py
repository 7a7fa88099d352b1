"""Evidence inside a reflection: one passage, only when it speaks to the leader's latest words.

Three gates, all of which must pass, else no passage (silence beats a stretch):
1. theme fit: the passage scores above the theme's own threshold for the latest turn's theme;
2. relevance: the passage's similarity to the leader's words clears `MIN_RELEVANCE`, set on
   the labelled pairs in `evals/coaching/passage_pairs.jsonl` (`ripple eval coaching` prints
   the precision at the threshold);
3. never shown before: shown passages are remembered per person, across weeks, as
   "passage:<doc>:<start>:<end>" ids beside the seen questions, and any overlap counts.
Quotes are whole sentences, an exact span of the source.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.evidence.passage import EvidenceUnavailable, Passage

if TYPE_CHECKING:
    from bot.coaching.ports import EvidenceSearch
    from bot.coaching.themes import ThemeDetector

EVIDENCE_CHARS = 320  # one short passage per turn at most
CANDIDATES = 6
FIT_CHECKED = 2  # theme fit is an embedding batch: only for the most relevant candidates
# Set on the 37 labelled (leader's words, passage) pairs in evals/coaching/passage_pairs.jsonl:
# library relevance >= 0.50 and theme fit >= the theme's threshold gave precision 0.75,
# recall 0.69 (0.45: 0.69 / 0.69; 0.60: 0.71 / 0.38). Without the library's figure (another
# EvidenceSearch), the cosine of MiniLM vectors is used, at 0.35 (precision 0.67 with fit).
MIN_RELEVANCE = 0.50
MIN_COSINE = 0.35
PREFIX = "passage:"
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")


def passage_id(passage: Passage) -> str:
    return f"{PREFIX}{passage.doc}:{passage.start}:{passage.end}"


def shown_spans(seen: set[str]) -> list[tuple[str, int, int]]:
    spans = []
    for item in seen:
        if item.startswith(PREFIX):
            parts = item[len(PREFIX) :].rsplit(":", 2)
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                spans.append((parts[0], int(parts[1]), int(parts[2])))
    return spans


def whole_sentences(passage: Passage) -> bool:
    text = passage.text.strip()
    return (
        bool(text)
        and (text[0].isupper() or text[0] in "“\"'‘(")
        and bool(_ENDS_SENTENCE.search(text))
    )


class ReflectionEvidence:
    def __init__(self, evidence: EvidenceSearch | None, themes: ThemeDetector) -> None:
        self.evidence, self.themes = evidence, themes

    def pick(self, said: str, theme: str | None, seen: set[str]) -> Passage | None:
        """One passage for the leader's latest words, or None when none clearly fits."""
        if self.evidence is None or not theme:
            return None
        query = said[:1000]
        try:
            found = self.evidence.search(query, k=CANDIDATES)
        except (EvidenceUnavailable, ValueError):
            return None  # the conversation goes on without evidence
        shown = shown_spans(seen)
        candidates = []
        for chunk in found:
            if any(d == chunk.doc and a < chunk.end and chunk.start < b for d, a, b in shown):
                continue
            trimmed = trim_passage(chunk, EVIDENCE_CHARS, query)
            if (
                len(trimmed.text) >= 60
                and looks_like_prose(trimmed.text)
                and whole_sentences(trimmed)
            ):
                candidates.append((chunk, trimmed))
        if not candidates:
            return None
        # Relevance first (the library's calibrated figure when it gives one: no extra
        # embedding of the leader's words), then theme fit for the two best only.
        scores = [c.extra.get("relevance") for c, _ in candidates]
        floor = MIN_RELEVANCE
        if any(score is None for score in scores):
            scores, floor = self.relevance(said, [t.text for _, t in candidates]), MIN_COSINE
        relevant = sorted(
            (
                (float(score), chunk, trimmed)
                for score, (chunk, trimmed) in zip(scores, candidates, strict=True)
                if float(score) >= floor
            ),
            key=lambda row: -row[0],
        )[:FIT_CHECKED]
        if not relevant:
            return None
        fits = self.themes.fit([t.text for _, _, t in relevant], theme)
        threshold = self.themes.thresholds.get(theme, 1.0)
        fitting = [
            (r + f, r, f, c, t)
            for (r, c, t), f in zip(relevant, fits, strict=True)
            if f >= threshold
        ]
        if not fitting:
            return None
        _, rel, fit, chunk, trimmed = max(fitting, key=lambda row: row[0])
        extra = {**trimmed.extra, "shown_id": passage_id(chunk), "fit": round(fit, 3)}
        return replace(trimmed, extra={**extra, "relevance_to_words": round(rel, 3)})

    def relevance(self, said: str, texts: list[str]) -> list[float]:
        """Cosine similarity of the leader's words to each passage (their words stay private)."""
        embedder = self.themes.embedder
        model = getattr(embedder, "model", None)
        if model is not None and hasattr(model, "encode"):  # bypasses the passage cache
            mine = model.encode([said[:1000]], normalize_embeddings=True, show_progress_bar=False)
        else:
            mine = embedder.embed_documents([said[:1000]])
        mine = np.asarray(mine, dtype=np.float32)
        theirs = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        return [float(x) for x in (theirs @ mine[0])]
