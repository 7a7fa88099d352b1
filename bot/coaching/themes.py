"""Theme detection: which of the three coaching themes a piece of free text touches.

A trained multi-label classifier on the bundled sentence embeddings: one logistic regression
per theme, learned from the labelled reflections in `prompts/themes_training.yaml` (plus the
plain description sentences in `prompts/themes.yaml`). Each theme's decision threshold is
chosen by cross-validation on that training data only; the held-out sets in `evals/` are
never seen. A theme is reported when its probability clears its threshold; text that clears
none (small talk, a personal week, distress) gets [].

Training takes a few hundred milliseconds; the training vectors and the fitted weights are
cached on disk (keyed by a hash of the training texts, labels and model), so a warm start-up
is a file read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

from bot.coaching.classifier import (
    default_cache_dir,
    encode_private,
    load_model,
    save_model,
    texts_hash,
    training_vectors,
)
from bot.coaching.questions import THEMES

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
TRAINING_FILE = "themes_training.yaml"
MAX_CHARS = 4000  # a long message is read up to here
WHOLE_TEXT_CHARS = 600  # longer than this: also read in windows of a few sentences
WINDOW_CHARS = 400
MAX_WINDOWS = 6  # bounded latency on a pasted essay
C_GRID = (1.0, 4.0)
THRESHOLD_GRID = tuple(round(0.2 + 0.025 * i, 3) for i in range(27))  # 0.2 .. 0.85
FOLDS = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class ThemeExample:
    text: str
    themes: frozenset[str]


def _label_set(key: str) -> frozenset[str]:
    parts = {p.strip() for p in str(key).split("+")} - {"none", ""}
    unknown = parts - set(THEMES)
    if unknown:
        raise ValueError(f"{TRAINING_FILE}: unknown theme(s) {sorted(unknown)} in {key!r}")
    return frozenset(parts)


def load_training(prompts_dir: Path | None = None) -> list[ThemeExample]:
    """The labelled reflections, plus each theme's description sentences as examples of it."""
    folder = prompts_dir or DEFAULT_PROMPTS_DIR
    examples: list[ThemeExample] = []
    raw = yaml.safe_load((folder / TRAINING_FILE).read_text(encoding="utf-8")) or {}
    for key, texts in (raw.get("examples") or {}).items():
        labels = _label_set(key)
        examples += [ThemeExample(str(t).strip(), labels) for t in texts or [] if str(t).strip()]
    specs = yaml.safe_load((folder / "themes.yaml").read_text(encoding="utf-8")) or {}
    for theme_id in THEMES:
        for sentence in (specs.get("themes", {}).get(theme_id) or {}).get("description", []):
            examples.append(ThemeExample(str(sentence).strip(), frozenset({theme_id})))
    return examples


def load_labels(prompts_dir: Path | None = None) -> dict[str, str]:
    path = (prompts_dir or DEFAULT_PROMPTS_DIR) / "themes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = raw.get("themes") or {}
    return {t: (items.get(t) or {}).get("label", t.replace("_", " ")) for t in THEMES}


def split_sentences(text: str) -> list[str]:
    return [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]


def text_pieces(text: str) -> list[str]:
    """What gets embedded for one message: the whole text, and windows of a long one."""
    text = (text or "")[:MAX_CHARS].strip()
    if not text:
        return []
    if len(text) <= WHOLE_TEXT_CHARS:
        return [text]
    windows: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + len(sentence) > WINDOW_CHARS:
            windows.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        windows.append(current)
    return [text, *list(dict.fromkeys(windows))[:MAX_WINDOWS]]


@dataclass
class ThemeModel:
    """Per-theme logistic regression weights and decision thresholds (rows follow THEMES)."""

    coef: np.ndarray  # (themes, dims)
    intercept: np.ndarray  # (themes,)
    thresholds: np.ndarray  # (themes,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(pieces, themes) probabilities."""
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef.T + self.intercept)))


def _best_threshold(y: np.ndarray, probs: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.5)
    for threshold in THRESHOLD_GRID:
        predicted = probs >= threshold
        tp = float(np.sum(predicted & (y == 1)))
        fp = float(np.sum(predicted & (y == 0)))
        fn = float(np.sum(~predicted & (y == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, threshold)
    return best


def train_theme_model(vectors: np.ndarray, examples: list[ThemeExample]) -> ThemeModel:
    """One classifier per theme; C and the threshold picked by cross-validated F1."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    coefs, intercepts, thresholds = [], [], []
    for theme in THEMES:
        y = np.array([1 if theme in e.themes else 0 for e in examples])
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=7)
        best = (-1.0, C_GRID[0], 0.5)
        for c in C_GRID:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            probs = cross_val_predict(model, vectors, y, cv=folds, method="predict_proba")[:, 1]
            f1, threshold = _best_threshold(y, probs)
            if f1 > best[0]:
                best = (f1, c, threshold)
        final = LogisticRegression(C=best[1], class_weight="balanced", max_iter=2000)
        final.fit(vectors, y)
        coefs.append(final.coef_[0])
        intercepts.append(final.intercept_[0])
        thresholds.append(best[2])
    return ThemeModel(
        np.asarray(coefs, dtype=np.float32),
        np.asarray(intercepts, dtype=np.float32),
        np.asarray(thresholds, dtype=np.float32),
    )


def _model_salt(examples: list[ThemeExample]) -> str:
    labels = json.dumps([sorted(e.themes) for e in examples])
    return hashlib.sha256(f"{C_GRID}{THRESHOLD_GRID}{FOLDS}{labels}".encode()).hexdigest()


def load_or_train(
    embedder: Embeddings, examples: list[ThemeExample], cache_dir: Path | None
) -> ThemeModel:
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    texts = [e.text for e in examples]
    key = texts_hash(embedder, texts, salt=_model_salt(examples))
    path = cache_dir / f"theme-model-{key}.npz"
    saved = load_model(path, "coef", "intercept", "thresholds")
    if saved is not None:
        return ThemeModel(*saved)
    vectors = training_vectors(embedder, texts, cache_dir, "theme-training")
    model = train_theme_model(vectors, examples)
    save_model(
        path, "theme-model", coef=model.coef, intercept=model.intercept, thresholds=model.thresholds
    )
    return model


class ThemeDetector:
    def __init__(
        self,
        embedder: Embeddings,
        prompts_dir: Path | None = None,
        *,
        thresholds: dict[str, float] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.labels = load_labels(prompts_dir)
        self.model = load_or_train(embedder, load_training(prompts_dir), cache_dir)
        learned = {t: float(v) for t, v in zip(THEMES, self.model.thresholds, strict=True)}
        self.thresholds = {**learned, **(thresholds or {})}

    def label(self, theme_id: str) -> str:
        return self.labels.get(theme_id, theme_id.replace("_", " "))

    def scores_from_vectors(self, vectors: np.ndarray) -> dict[str, float]:
        """Per-theme probability for one message, given the vectors of its `text_pieces`.

        The turn reader calls this with the vectors it already made, so a turn is embedded
        once. A long message scores the best of its whole text and its windows.
        """
        if vectors.size == 0:
            return {t: 0.0 for t in THEMES}
        best = self.model.probabilities(vectors).max(axis=0)
        return {t: float(p) for t, p in zip(THEMES, best, strict=True)}

    def themes_from_scores(self, scores: dict[str, float]) -> list[str]:
        """Themes that clear their threshold, strongest first."""
        found = [t for t, s in scores.items() if s >= self.thresholds.get(t, 1.0)]
        return sorted(found, key=lambda t: -scores[t])

    def scores(self, text: str) -> dict[str, float]:
        return self.scores_from_vectors(encode_private(self.embedder, text_pieces(text)))

    def detect(self, text: str) -> list[str]:
        """Themes the text touches, strongest first; [] when it touches none."""
        return self.themes_from_scores(self.scores(text))

    def fit(self, texts: list[str], theme: str) -> list[float]:
        """How well each text (a candidate passage) speaks to one theme, in one batch.

        Passages come from the library, so the embedder's passage cache may keep them.
        """
        if not texts:
            return []
        vectors = np.asarray(self.embedder.embed_documents(list(texts)), dtype=np.float32)
        return [float(p) for p in self.model.probabilities(vectors)[:, THEMES.index(theme)]]
