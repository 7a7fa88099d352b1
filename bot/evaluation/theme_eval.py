"""Score a theme detector against the labelled reflections in `evals/themes.jsonl`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.evaluation.datasets import THEME_IDS, ThemeCase
from bot.evaluation.metrics import PRF, macro_f1, per_label_prf


@dataclass
class ThemeReport:
    per_theme: dict[str, PRF]
    macro_f1: float
    exact_match: float  # rows whose predicted set equals the gold set
    no_theme_correct: float  # rows labelled with no theme that were left with none
    rows: int
    errors: list[tuple[str, list[str], list[str]]]  # (id, gold, predicted) where they differ

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "per_theme": {
                theme: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for theme, s in self.per_theme.items()
            },
            "macro_f1": round(self.macro_f1, 4),
            "exact_match": round(self.exact_match, 4),
            "no_theme_correct": round(self.no_theme_correct, 4),
            "errors": [{"id": i, "gold": g, "predicted": p} for i, g, p in self.errors],
        }


def run_theme_eval(
    detect: Callable[[str], Sequence[str]], cases: Sequence[ThemeCase]
) -> ThemeReport:
    gold = [set(c.themes) for c in cases]
    predicted = [set(detect(c.text)) for c in cases]
    scores = per_label_prf(gold, predicted, THEME_IDS)
    no_theme = [p for g, p in zip(gold, predicted, strict=True) if not g]
    errors = [
        (c.id, sorted(g), sorted(p))
        for c, g, p in zip(cases, gold, predicted, strict=True)
        if g != p
    ]
    return ThemeReport(
        per_theme=scores,
        macro_f1=macro_f1(scores),
        exact_match=sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / len(cases)
        if cases
        else 0.0,
        no_theme_correct=sum(1 for p in no_theme if not p) / len(no_theme) if no_theme else 0.0,
        rows=len(cases),
        errors=errors,
    )
