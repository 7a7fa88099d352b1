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
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

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
from bot.coaching.questions import THEMES

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
TRAINING_FILE = "themes_training.yaml"
MAX_CHARS = 4000  # a long message is read up to here
WHOLE_TEXT_CHARS = 600  # longer than this: also read in windows of a few sentences
WINDOW_CHARS = 400
MAX_WINDOWS = 6  # bounded latency on a pasted essay
C_GRID = (1.0, 4.0)
# A word-level model (TF-IDF over words and word pairs) is blended in at this weight: the
# sentence embedding carries meaning, the words carry the domain's vocabulary ("sign-off",
# "section 75"). Tuning set, bench/tune_themes.py: 0.886 alone, 0.908 at 0.35, 0.909 at 0.5.
WORD_WEIGHT = 0.35
WORD_C = 10.0
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
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
        raise TrainingDataError(
            f"{TRAINING_FILE}: unknown theme(s) {sorted(unknown)} in {key!r}; use {list(THEMES)}"
        )
    return frozenset(parts)


def load_training(prompts_dir: Path | None = None) -> list[ThemeExample]:
    """The labelled reflections, plus each theme's description sentences as examples of it."""
    folder = prompts_dir or DEFAULT_PROMPTS_DIR
    examples: list[ThemeExample] = []
    for key, texts in read_training_file(folder, TRAINING_FILE, DEFAULT_PROMPTS_DIR).items():
        labels = _label_set(key)
        examples += [ThemeExample(t, labels) for t in texts if t]
    specs = yaml.safe_load(_themes_yaml(folder).read_text(encoding="utf-8")) or {}
    for theme_id in THEMES:
        for sentence in (specs.get("themes", {}).get(theme_id) or {}).get("description", []):
            examples.append(ThemeExample(str(sentence).strip(), frozenset({theme_id})))
    return examples


def _themes_yaml(folder: Path | None) -> Path:
    path = (folder or DEFAULT_PROMPTS_DIR) / "themes.yaml"
    return path if path.is_file() else DEFAULT_PROMPTS_DIR / "themes.yaml"


def load_labels(prompts_dir: Path | None = None) -> dict[str, str]:
    raw = yaml.safe_load(_themes_yaml(prompts_dir).read_text(encoding="utf-8")) or {}
    items = raw.get("themes") or {}
    return {t: (items.get(t) or {}).get("label", t.replace("_", " ")) for t in THEMES}


def split_sentences(text: str) -> list[str]:
    return [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]


def text_pieces(text: str) -> list[str]:
    """What gets embedded for one message: the whole text, or windows of a long one.

    A long message is read only in windows of a few sentences: one 256-token input would pad
    every other piece in the batch to its length, and the windows are what themes live in.
    """
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
    return list(dict.fromkeys(windows))[:MAX_WINDOWS] or [text[:WINDOW_CHARS]]


def _grams(text: str) -> list[str]:
    """Words and word pairs, as scikit-learn's TfidfVectorizer(ngram_range=(1, 2)) makes them."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class ThemeModel:
    """Per-theme logistic regression weights and decision thresholds (rows follow THEMES).

    Plain arrays, so the fitted model is cached as one .npz and scored without scikit-learn.
    """

    coef: np.ndarray  # (themes, dims): on the sentence embedding
    intercept: np.ndarray  # (themes,)
    thresholds: np.ndarray  # (themes,)
    vocabulary: np.ndarray  # (words,) str: the word model's words and word pairs
    idf: np.ndarray  # (words,)
    word_coef: np.ndarray  # (themes, words)
    word_intercept: np.ndarray  # (themes,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(pieces, themes) probabilities from the embedding model alone."""
        return _sigmoid(vectors @ self.coef.T + self.intercept)

    def word_probabilities(self, text: str) -> np.ndarray:
        index = self._index()
        counts: dict[int, int] = {}
        for gram in _grams(text):
            if (column := index.get(gram)) is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return _sigmoid(self.word_intercept)
        columns = np.fromiter(counts, dtype=np.int64)
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[columns]
        values /= np.linalg.norm(values)
        return _sigmoid(self.word_coef[:, columns] @ values + self.word_intercept)

    def blended(self, vectors: np.ndarray, text: str) -> np.ndarray:
        """(themes,) probabilities: the best piece's embedding score blended with the words'."""
        return (1 - WORD_WEIGHT) * self.probabilities(vectors).max(axis=0) + (
            WORD_WEIGHT * self.word_probabilities(text)
        )

    def _index(self) -> dict[str, int]:
        if not hasattr(self, "_words"):
            self._words = {str(w): i for i, w in enumerate(self.vocabulary)}
        return self._words

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in _MODEL_ARRAYS}


_MODEL_ARRAYS = (
    "coef",
    "intercept",
    "thresholds",
    "vocabulary",
    "idf",
    "word_coef",
    "word_intercept",
)


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
    """One classifier per theme on embeddings and one on words; thresholds by CV F1."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    counts = words.fit_transform([e.text for e in examples])
    coefs, intercepts, thresholds, word_coefs, word_intercepts = [], [], [], [], []
    for theme in THEMES:
        y = np.array([1 if theme in e.themes else 0 for e in examples])
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=7)
        word_model = LogisticRegression(C=WORD_C, class_weight="balanced", max_iter=2000)
        word_cv = cross_val_predict(word_model, counts, y, cv=folds, method="predict_proba")[:, 1]
        best = (-1.0, C_GRID[0], 0.5)
        for c in C_GRID:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            probs = cross_val_predict(model, vectors, y, cv=folds, method="predict_proba")[:, 1]
            f1, threshold = _best_threshold(y, (1 - WORD_WEIGHT) * probs + WORD_WEIGHT * word_cv)
            if f1 > best[0]:
                best = (f1, c, threshold)
        final = LogisticRegression(C=best[1], class_weight="balanced", max_iter=2000)
        final.fit(vectors, y)
        word_model.fit(counts, y)
        coefs.append(final.coef_[0])
        intercepts.append(final.intercept_[0])
        thresholds.append(best[2])
        word_coefs.append(word_model.coef_[0])
        word_intercepts.append(word_model.intercept_[0])
    return ThemeModel(
        coef=np.asarray(coefs, dtype=np.float32),
        intercept=np.asarray(intercepts, dtype=np.float32),
        thresholds=np.asarray(thresholds, dtype=np.float32),
        vocabulary=np.asarray(words.get_feature_names_out(), dtype=str),
        idf=np.asarray(words.idf_, dtype=np.float64),
        word_coef=np.asarray(word_coefs, dtype=np.float64),
        word_intercept=np.asarray(word_intercepts, dtype=np.float64),
    )


def _model_salt(examples: list[ThemeExample]) -> str:
    labels = json.dumps([sorted(e.themes) for e in examples])
    settings = f"{C_GRID}{THRESHOLD_GRID}{FOLDS}{WORD_WEIGHT}{WORD_C}"
    return hashlib.sha256(f"{settings}{labels}".encode()).hexdigest()


def load_or_train(
    embedder: Embeddings, examples: list[ThemeExample], cache_dir: Path | None
) -> ThemeModel:
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    texts = [e.text for e in examples]
    key = texts_hash(embedder, texts, salt=_model_salt(examples))
    path = cache_dir / f"theme-model-{key}.npz"
    saved = load_model(path, *_MODEL_ARRAYS)
    if saved is not None:
        return ThemeModel(*saved)
    vectors = training_vectors(embedder, texts, cache_dir, "theme-training")
    model = train_theme_model(vectors, examples)
    save_model(path, "theme-model", **model.arrays())
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

    def scores_from_vectors(self, vectors: np.ndarray, text: str) -> dict[str, float]:
        """Per-theme probability for one message, given the vectors of its `text_pieces`.

        The turn reader calls this with the vectors it already made, so a turn is embedded
        once. A long message scores the best of its whole text and its windows.
        """
        if vectors.size == 0:
            return {t: 0.0 for t in THEMES}
        blended = self.model.blended(vectors, text[:MAX_CHARS])
        return {t: float(p) for t, p in zip(THEMES, blended, strict=True)}

    def themes_from_scores(self, scores: dict[str, float]) -> list[str]:
        """Themes that clear their threshold, strongest first."""
        found = [t for t, s in scores.items() if s >= self.thresholds.get(t, 1.0)]
        return sorted(found, key=lambda t: -scores[t])

    def scores(self, text: str) -> dict[str, float]:
        return self.scores_from_vectors(encode_private(self.embedder, text_pieces(text)), text)

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
        column = THEMES.index(theme)
        return [
            float(self.model.blended(vector[None, :], text)[column])
            for vector, text in zip(vectors, texts, strict=True)
        ]
