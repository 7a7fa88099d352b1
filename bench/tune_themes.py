"""Tune the theme detector's thresholds on evals/themes.jsonl without overfitting.

    python bench/tune_themes.py

Scores every labelled reflection once, then searches a coarse grid of thresholds. To guard
against fitting the 70-odd examples too closely it reports two-fold cross-validated macro-F1
(thresholds picked on one half, measured on the other) next to the in-sample figure, and it
prefers one shared threshold unless per-theme ones clearly win out of sample.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.coaching.questions import THEMES  # noqa: E402
from bot.coaching.themes import ThemeDetector  # noqa: E402
from bot.evidence.embeddings import SentenceEmbedder  # noqa: E402

GRID = [round(0.30 + 0.02 * i, 2) for i in range(20)]


def macro_f1(rows, thresholds) -> float:
    f1s = []
    for theme in THEMES:
        tp = fp = fn = 0
        for scores, gold in rows:
            predicted = scores[theme] >= thresholds[theme]
            tp += predicted and theme in gold
            fp += predicted and theme not in gold
            fn += (not predicted) and theme in gold
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(f1s) / len(f1s)


def best_shared(rows) -> dict:
    best = max(GRID, key=lambda t: macro_f1(rows, dict.fromkeys(THEMES, t)))
    return dict.fromkeys(THEMES, best)


def best_per_theme(rows) -> dict:
    thresholds = best_shared(rows)
    for _ in range(2):  # coordinate ascent, two sweeps
        for theme in THEMES:
            thresholds[theme] = max(
                GRID, key=lambda t, th=theme: macro_f1(rows, {**thresholds, th: t})
            )
    return thresholds


def main() -> None:
    cases = [
        json.loads(line)
        for line in (REPO / "evals/themes.jsonl").read_text().splitlines()
        if line.strip()
    ]
    detector = ThemeDetector(SentenceEmbedder(), REPO / "prompts")
    rows = [(detector.scores(c["text"]), set(c["themes"])) for c in cases]
    halves = (rows[0::2], rows[1::2])
    for name, fit in (("shared", best_shared), ("per-theme", best_per_theme)):
        cv = [macro_f1(halves[1 - i], fit(halves[i])) for i in (0, 1)]
        chosen = fit(rows)
        print(
            f"{name:10s} thresholds={chosen} in-sample={macro_f1(rows, chosen):.3f} "
            f"2-fold CV={sum(cv) / 2:.3f}"
        )
    print(
        f"current    thresholds={detector.thresholds} "
        f"in-sample={macro_f1(rows, detector.thresholds):.3f}"
    )


if __name__ == "__main__":
    main()
