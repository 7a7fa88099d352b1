"""Compare theme-classifier settings on the tuning set (evals/themes.jsonl) only.

    python bench/tune_themes.py

The classifier learns from prompts/themes_training.yaml and picks each theme's threshold by
cross-validation on that training data. This script is how its fixed settings were chosen:
for each word-model weight (0 = sentence embeddings only) it trains on the training file and
reports macro-F1 and no-theme accuracy on evals/themes.jsonl. The held-out set
(evals/themes_holdout.jsonl) is deliberately not read here: it was written after the method
was frozen, and `ripple eval themes` reports it.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.coaching import themes  # noqa: E402
from bot.coaching.classifier import encode_private  # noqa: E402
from bot.evaluation.datasets import load_theme_cases  # noqa: E402
from bot.evaluation.theme_eval import run_theme_eval  # noqa: E402
from bot.evidence.embeddings import SentenceEmbedder  # noqa: E402

WEIGHTS = (0.0, 0.2, 0.35, 0.5)


def main() -> None:
    embedder = SentenceEmbedder()
    examples = themes.load_training(REPO / "prompts")
    vectors = encode_private(embedder, [e.text for e in examples])
    cases = load_theme_cases(REPO / "evals" / "themes.jsonl")
    pieces = {c.id: encode_private(embedder, themes.text_pieces(c.text)) for c in cases}
    by_text = {c.text: c.id for c in cases}
    print(f"training examples: {len(examples)}; tuning rows: {len(cases)}")
    for weight in WEIGHTS:
        themes.WORD_WEIGHT = weight
        model = themes.train_theme_model(vectors, examples)

        def detect(text: str, model=model) -> list[str]:
            probs = model.blended(pieces[by_text[text]], text)
            scored = zip(themes.THEMES, probs, model.thresholds, strict=True)
            return [t for t, p, th in scored if p >= th]

        report = run_theme_eval(detect, cases)
        per = ", ".join(f"{t} {s.f1:.3f}" for t, s in report.per_theme.items())
        print(
            f"word weight {weight:.2f}: macro-F1 {report.macro_f1:.3f}, "
            f"no-theme empty {report.no_theme_correct:.3f} ({per})"
        )


if __name__ == "__main__":
    main()
