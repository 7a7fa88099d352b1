"""Theme detection: which of the three coaching themes a piece of free text touches.

Each theme is described by a handful of sentences (leaders' own words plus sentences quoted
from the evidence, in `prompts/themes.yaml`). We embed those once, compare the reflection's
sentences with them, and add a small boost for keyword cues. A theme is reported when its
score clears that theme's threshold; text that clears none (small talk, the weather) gets [].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

from bot.coaching.questions import THEMES

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
# Tuned on evals/themes.jsonl with `ripple eval themes` (see bench/tune_themes.py).
DEFAULT_THRESHOLDS = {"shared_purpose": 0.36, "authorising_environment": 0.40, "conflict": 0.38}
CUE_WEIGHT = 0.07  # score added per distinct cue matched ...
CUE_CAP = 0.21  # ... up to this much, so cues alone never carry a theme
TOP_PROTOTYPES = 2
MAX_SENTENCES = 8  # long messages: compare only the first sentences (bounded latency)
MAX_CHARS = 4000  # cues are matched over this much
WHOLE_TEXT_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class ThemeSpec:
    id: str
    label: str
    prototypes: list[str]
    cues: list[re.Pattern]
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _cue_pattern(cue: str) -> re.Pattern:
    cue = cue.strip().lower()
    stem = cue.endswith("*")
    body = re.escape(cue.rstrip("*")).replace(r"\ ", r"\s+")
    tail = r"[\w-]*" if stem else ""
    return re.compile(r"\b" + body + tail + r"\b", re.IGNORECASE)


def load_theme_specs(prompts_dir: Path | None = None) -> tuple[list[ThemeSpec], dict[str, float]]:
    path = (prompts_dir or DEFAULT_PROMPTS_DIR) / "themes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    specs = []
    for theme_id in THEMES:
        item = raw["themes"][theme_id]
        evidence = [e["quote"].replace("**", "") for e in item.get("evidence", [])]
        specs.append(
            ThemeSpec(
                id=theme_id,
                label=item.get("label", theme_id.replace("_", " ")),
                prototypes=[*item.get("description", []), *evidence],
                cues=[_cue_pattern(c) for c in item.get("cues", [])],
            )
        )
    thresholds = {**DEFAULT_THRESHOLDS, **(raw.get("thresholds") or {})}
    return specs, thresholds


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    return parts[:MAX_SENTENCES]


class ThemeDetector:
    def __init__(
        self,
        embedder: Embeddings,
        prompts_dir: Path | None = None,
        *,
        thresholds: dict[str, float] | None = None,
    ) -> None:
        self.embedder = embedder
        self.specs, loaded = load_theme_specs(prompts_dir)
        self.thresholds = {**loaded, **(thresholds or {})}
        for spec in self.specs:
            spec.vectors = np.asarray(embedder.embed_documents(spec.prototypes), dtype=np.float32)

    def label(self, theme_id: str) -> str:
        return next((s.label for s in self.specs if s.id == theme_id), theme_id.replace("_", " "))

    def scores(self, text: str) -> dict[str, float]:
        """Per-theme score: best embedding similarity plus a capped cue boost."""
        text = (text or "")[:MAX_CHARS].strip()
        if not text:
            return {s.id: 0.0 for s in self.specs}
        # The whole text and each sentence; a long text is read sentence by sentence only,
        # because one padded 256-token input makes every piece in the batch slow.
        sentences = split_sentences(text) if len(text) > 40 else []
        pieces = list(dict.fromkeys(([text] if len(text) <= WHOLE_TEXT_CHARS else []) + sentences))
        vectors = self._encode_private(pieces or [text])
        result = {}
        for spec in self.specs:
            # Mean of the two closest prototypes: steadier than a single best match.
            best = np.sort((vectors @ spec.vectors.T).max(axis=0))[::-1][:TOP_PROTOTYPES]
            similarity = float(best.mean())
            hits = sum(1 for cue in spec.cues if cue.search(text))
            result[spec.id] = similarity + min(CUE_CAP, CUE_WEIGHT * hits)
        return result

    def _encode_private(self, texts: list[str]) -> np.ndarray:
        """Embed a person's own words without leaving them in any process-wide cache."""
        model = getattr(self.embedder, "model", None)
        if model is None or not hasattr(model, "encode"):
            return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
        vectors = model.encode(
            texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def fit(self, texts: list[str], theme: str) -> list[float]:
        """How well each text (a candidate passage) speaks to one theme, in one batch.

        Passages come from the library, so the embedder's passage cache may keep them.
        """
        spec = next(s for s in self.specs if s.id == theme)
        if not texts:
            return []
        vectors = np.asarray(self.embedder.embed_documents(list(texts)), dtype=np.float32)
        top = np.sort(vectors @ spec.vectors.T, axis=1)[:, ::-1][:, :TOP_PROTOTYPES].mean(axis=1)
        return [
            float(sim) + min(CUE_CAP, CUE_WEIGHT * sum(1 for c in spec.cues if c.search(text)))
            for sim, text in zip(top, texts, strict=True)
        ]

    def detect(self, text: str) -> list[str]:
        """Themes the text touches, strongest first; [] when it touches none."""
        scored = self.scores(text)
        found = [t for t, s in scored.items() if s >= self.thresholds.get(t, 1.0)]
        return sorted(found, key=lambda t: -scored[t])
