"""The question bank: open questions loaded from `prompts/questions.yaml`.

Questions are data so that non-programmers can edit them; this module only loads, checks
shape and picks the next unseen one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

THEMES = ("shared_purpose", "authorising_environment", "conflict")
GENERAL = "general"
STAGES = (
    "opener", "explore", "follow_up", "options", "commitment", "commitment_retry", "checkin",
    "checkin_done", "checkin_not", "checkin_changed", "gentle", "insight", "turn_back",
)  # fmt: skip


@dataclass(frozen=True)
class Grounding:
    doc: str  # document id, the file-name prefix in knowledge/, e.g. "002"
    quote: str  # appears word for word in that document


@dataclass(frozen=True)
class Question:
    id: str
    theme: str
    stage: str
    text: str
    grounding: Grounding


class QuestionBank:
    def __init__(self, questions: Iterable[Question]) -> None:
        self.questions: list[Question] = list(questions)
        self._by_id = {q.id: q for q in self.questions}
        if len(self._by_id) != len(self.questions):
            raise ValueError("question ids must be unique")

    @classmethod
    def load(cls, path: Path) -> QuestionBank:
        """Load from a YAML file, or from `questions.yaml` inside a prompts directory."""
        if path.is_dir():
            path = path / "questions.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        questions = []
        for item in raw.get("questions", []):
            grounding = item.get("grounding") or {}
            questions.append(
                Question(
                    id=str(item["id"]),
                    theme=str(item["theme"]),
                    stage=str(item["stage"]),
                    text=" ".join(str(item["text"]).split()),
                    grounding=Grounding(
                        doc=str(grounding.get("doc", "")), quote=grounding.get("quote", "")
                    ),
                )
            )
        return cls(questions)

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def select(self, stage: str, theme: str | None = None) -> list[Question]:
        return [
            q for q in self.questions if q.stage == stage and (theme is None or q.theme == theme)
        ]

    def next_unseen(
        self, stage: str, seen: set[str], themes: Iterable[str] = (), *, salt: str = ""
    ) -> Question | None:
        """The first unseen question for the stage, trying the given themes in order.

        `salt` rotates the starting point so two people don't walk the bank in the same
        order; the choice stays deterministic for a given person.
        """
        wanted = [*themes] or [None]
        for theme in wanted:
            pool = [q for q in self.select(stage, theme) if q.id not in seen]
            if pool:
                return pool[_rotation(salt, len(pool))]
        return None


def _rotation(salt: str, size: int) -> int:
    # A stable (not Python-hash-randomised) offset so replies are reproducible across runs.
    return sum(salt.encode("utf-8")) % size if salt and size else 0


# --- what makes a question acceptable (the bank's tests and the LLM phraser both use this) ---
MAX_QUESTION_WORDS = 30
_CLOSED_STARTS = (
    "did", "is", "isn't", "are", "aren't", "have", "haven't", "has", "can", "can't", "will",
    "won't", "do", "don't", "does", "doesn't", "was", "were", "should", "shouldn't", "would",
    "could", "shall", "am", "wouldn't", "couldn't",
)  # fmt: skip
_ADVICE = (
    "you should", "you ought", "try to", "make sure", "you need to", "you must", "i suggest",
    "i recommend", "i'd recommend", "why don't you", "why not ", "have you tried", "consider ",
    "it's best to", "the best thing", "don't forget", "remember to",
)  # fmt: skip


def question_problems(text: str) -> list[str]:
    """Why a question is not an open, short, advice-free coaching question ([] when it is)."""
    problems = []
    words = text.split()
    if not text.rstrip().endswith("?"):
        problems.append("does not end with a question mark")
    if len(words) >= MAX_QUESTION_WORDS:
        problems.append(f"{len(words)} words (limit {MAX_QUESTION_WORDS - 1})")
    first = words[0].lower().strip("\"“'‘(") if words else ""
    if first in _CLOSED_STARTS:
        problems.append(f"closed question (starts with {words[0]!r})")
    lowered = " ".join(text.lower().replace("’", "'").split())
    problems.extend(f"gives advice ({phrase.strip()!r})" for phrase in _ADVICE if phrase in lowered)
    if text.count("?") > 1:
        problems.append("asks more than one question")
    return problems
