"""The real `TurnReader`: patterns first, then a classifier trained on sentence embeddings.

One message is embedded once (`text_pieces` in one batch); that single set of vectors feeds
both the act classifier and the theme detector, so `Turn.theme_scores` is ready and the flow
never embeds the message again.

Decision order, safety first:
1. the distress lexicon (`turn_patterns.DISTRESS`), or the classifier's distress probability
   above `DISTRESS_FLOOR`, makes the turn distress whatever else it says;
2. other high-precision patterns (stop, a non-answer, a correction, an evidence or advice
   request, a greeting) decide when they match;
3. otherwise the classifier's most likely act, nudged towards commitment or insight when a
   first-person plan ("I'll ask ...") or a realisation ("it struck me ...") is spelled out.

The training examples are plain text in `prompts/turns_training.yaml`; the labelled sets in
`evals/` are never trained on (a test checks no eval text appears in the training data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.coaching import turn_patterns as patterns
from bot.coaching.classifier import (
    TrainingDataError,
    default_cache_dir,
    encode_private,
    load_model,
    read_training_file,
    save_model,
    texts_hash,
    training_vectors,
)
from bot.coaching.text import has_words
from bot.coaching.themes import DEFAULT_PROMPTS_DIR, ThemeDetector, text_pieces
from bot.coaching.turns import Turn, TurnAct

TRAINING_FILE = "turns_training.yaml"
ACTS = tuple(TurnAct)
DISTRESS_FLOOR = 0.4  # below the argmax on purpose: a missed distress turn is the worst error
DISTRESS_OVER_PATTERN = 0.7  # the classifier alone overrides a clear "what should I do?"
PATTERN_NUDGE = 0.25  # added to commitment / insight when their pattern is spelled out
C = 4.0
MIN_CONFIDENCE = {
    TurnAct.CORRECTION: 0.6,
    TurnAct.STOP: 0.6,
    TurnAct.UNCERTAIN: 0.5,
    TurnAct.ADVICE_REQUEST: 0.5,
    TurnAct.EVIDENCE_REQUEST: 0.5,
    TurnAct.SMALL_TALK: 0.45,
    TurnAct.COMMITMENT: 0.45,
    TurnAct.INSIGHT: 0.45,
}
NO_THEMES = {TurnAct.DISTRESS, TurnAct.SMALL_TALK, TurnAct.STOP}


@dataclass(frozen=True)
class TurnExample:
    text: str
    act: TurnAct


def load_turn_training(prompts_dir: Path | None = None) -> list[TurnExample]:
    folder = prompts_dir or DEFAULT_PROMPTS_DIR
    examples: list[TurnExample] = []
    for key, texts in read_training_file(folder, TRAINING_FILE, DEFAULT_PROMPTS_DIR).items():
        try:
            act = TurnAct(key)
        except ValueError:
            known = [a.value for a in ACTS]
            raise TrainingDataError(f"{TRAINING_FILE}: unknown act {key!r}; use {known}") from None
        examples += [TurnExample(t, act) for t in texts if t]
    return examples


@dataclass
class ActModel:
    coef: np.ndarray  # (acts, dims), rows follow ACTS
    intercept: np.ndarray  # (acts,)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        logits = vector @ self.coef.T + self.intercept
        logits = np.exp(logits - logits.max())
        return logits / logits.sum()


def train_act_model(vectors: np.ndarray, labels: list[TurnAct]) -> ActModel:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    model.fit(vectors, [a.value for a in labels])
    order = [list(model.classes_).index(a.value) for a in ACTS if a.value in model.classes_]
    coef = np.full((len(ACTS), vectors.shape[1]), 0.0, dtype=np.float32)
    intercept = np.full(len(ACTS), -30.0, dtype=np.float32)  # an act never trained on: never
    for row, act in enumerate(ACTS):
        if act.value in model.classes_:
            source = order.pop(0)
            coef[row], intercept[row] = model.coef_[source], model.intercept_[source]
    return ActModel(coef, intercept)


def load_or_train_acts(
    embedder: Embeddings, examples: list[TurnExample], cache_dir: Path | None
) -> ActModel:
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    texts = [e.text for e in examples]
    key = texts_hash(embedder, texts, salt=f"{C}|" + "|".join(e.act.value for e in examples))
    path = cache_dir / f"turn-model-{key}.npz"
    saved = load_model(path, "coef", "intercept")
    if saved is not None:
        return ActModel(*saved)
    vectors = training_vectors(embedder, texts, cache_dir, "turn-training")
    model = train_act_model(vectors, [e.act for e in examples])
    save_model(path, "turn-model", coef=model.coef, intercept=model.intercept)
    return model


class EmbeddingTurnReader:
    """`TurnReader` on the bundled embeddings. Build once; `read` is thread-safe."""

    def __init__(
        self,
        embedder: Embeddings,
        prompts_dir: Path | None = None,
        *,
        themes: ThemeDetector | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.themes = themes or ThemeDetector(embedder, prompts_dir, cache_dir=cache_dir)
        self.model = load_or_train_acts(embedder, load_turn_training(prompts_dir), cache_dir)

    def read(self, text: str) -> Turn:
        text = (text or "").strip()
        pieces = text_pieces(patterns.normalise(text))
        vectors = encode_private(self.embedder, pieces)  # the one embedding call of the turn
        theme_scores = self.themes.scores_from_vectors(vectors, text)
        if vectors.size:
            # A long message is several windows; what it does is read from their mean.
            mean = vectors.mean(axis=0)
            probs = self.model.probabilities(mean / (np.linalg.norm(mean) or 1.0))
            act_scores = {a.value: float(p) for a, p in zip(ACTS, probs, strict=True)}
        else:
            act_scores = {a.value: 0.0 for a in ACTS}
        act = self.decide(text, act_scores)
        themes = () if act in NO_THEMES else tuple(self.themes.themes_from_scores(theme_scores))
        corrected = patterns.corrected_subject(text) if act is TurnAct.CORRECTION else None
        return Turn(
            text=text,
            act=act,
            themes=themes,
            act_scores=act_scores,
            theme_scores=theme_scores,
            corrected=corrected,
        )

    @staticmethod
    def decide(text: str, act_scores: dict[str, float]) -> TurnAct:
        ruled = patterns.pattern_act(text)
        distress = act_scores.get(TurnAct.DISTRESS, 0.0)
        if ruled is not TurnAct.DISTRESS and patterns.brief_illness(text):
            # "I was off sick for two days with a cold": a short illness, not distress. The
            # distress lexicon still wins whenever it speaks ("signed off with stress").
            distress = 0.0
        # Another person's exhaustion ("my deputy is exhausted") needs the classifier to be
        # as sure as it must be to override a pattern.
        floor = (
            DISTRESS_OVER_PATTERN
            if ruled is not None or patterns.about_someone_else(text)
            else DISTRESS_FLOOR
        )
        if ruled is TurnAct.DISTRESS or distress >= floor:
            return TurnAct.DISTRESS
        if ruled is not None:
            return ruled
        if patterns.commitment_opens(text):
            return TurnAct.COMMITMENT
        if patterns.insight_signalled(text) and not patterns.commitment_offered(text):
            return TurnAct.INSIGHT
        if not has_words(text):
            return TurnAct.SMALL_TALK  # emoji or punctuation only
        scores = dict(act_scores)
        if patterns.commitment_offered(text):
            scores[TurnAct.COMMITMENT] = scores.get(TurnAct.COMMITMENT, 0.0) + PATTERN_NUDGE
        if patterns.insight_signalled(text):
            scores[TurnAct.INSIGHT] = scores.get(TurnAct.INSIGHT, 0.0) + PATTERN_NUDGE
        scores.pop(TurnAct.DISTRESS, None)
        best = TurnAct(max(scores, key=lambda a: scores[a]))
        # Without a pattern, only a confident classifier turns an answer into something else:
        # mistaking a reflection for a correction or a stop loses what the leader said.
        if best is not TurnAct.ANSWER and scores[best] < MIN_CONFIDENCE.get(best, 0.0):
            return TurnAct.ANSWER
        if best is TurnAct.CORRECTION and not patterns.correction_opens(text):
            return TurnAct.ANSWER
        if best is TurnAct.COMMITMENT and patterns.hedged_option(text):
            return TurnAct.ANSWER  # "I could ... or ...": options, not yet a plan
        return best
