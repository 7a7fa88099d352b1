"""Choosing the one question of a reply, never one this person has seen before.

The bank (prompts/questions.yaml) is tried first, for the stage and the theme of the
leader's *latest* turn; then a Clean Language question built from their own words; only
after months of weekly use, when both are spent, a plain general question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.coaching.clean_language import clean_question
from bot.coaching.questions import QuestionBank

# Only when a person has seen every bank question for a stage and no words of theirs give a
# clean question (many months of weekly use).
LAST_RESORT = {
    "opener": "What would be most useful to reflect on today?",
    "explore": "What else feels important about this?",
    "follow_up": "What else feels important about this?",
    "options": "What other options can you see?",
    "commitment": "What is one thing you'll do about this in the coming week?",
    "commitment_retry": "What is one small step you could take this week?",
    "checkin": "How did that go?",
    "checkin_done": "What did you learn from doing it?",
    "checkin_not": "What got in the way?",
    "checkin_changed": "What do you know now that you didn't then?",
    "gentle": "What is one small thing from this week that stayed with you?",
    "insight": "What more do you think about that?",
}


@dataclass(frozen=True)
class Asked:
    id: str  # "" for a last-resort question (nothing to remember)
    text: str
    theme: str = "general"


class Asker:
    def __init__(self, bank: QuestionBank) -> None:
        self.bank = bank

    def ask(
        self,
        stage: str,
        seen: set[str],
        *,
        themes: Sequence[str] = (),
        said: str = "",
        salt: str = "",
        clean_first: bool = False,
    ) -> Asked:
        """The next unseen question for `stage`; `said` feeds a Clean Language question."""
        clean = self._clean(said, seen, salt) if said else None
        if clean_first and clean is not None:
            return clean
        if stage == "explore":
            question = self.bank.next_unseen("explore", seen, themes, salt=salt) if themes else None
            if question is None and clean is not None:
                return clean
            question = question or self.bank.next_unseen("follow_up", seen, salt=salt)
        else:
            question = self.bank.next_unseen(stage, seen, salt=salt)
        if question is not None:
            return Asked(question.id, question.text, question.theme)
        if clean is not None:
            return clean
        return Asked("", LAST_RESORT.get(stage, LAST_RESORT["explore"]))

    def correction(self, corrected: str | None, positive: str, seen: set[str], salt: str) -> Asked:
        """ "What is it about, then?", in the leader's words."""
        if positive:
            clean = self._clean(positive, seen, salt)
            if clean is not None:
                return clean
        if corrected:
            digest = hashlib.sha1(corrected.lower().encode("utf-8")).hexdigest()[:12]
            return Asked(
                f"correction:{digest}", f"If it isn't about {corrected}, what is it about?"
            )
        return Asked("", "What is it about, then?")

    @staticmethod
    def _clean(said: str, seen: set[str], salt: str) -> Asked | None:
        found = clean_question(said, seen, offset=sum(salt.encode("utf-8")))
        return Asked(found.id, found.text) if found else None
