"""The coach: the one object adapters talk to (Slack listeners, the terminal chat).

It wires the reflection flow and the "what helped" answers to their ports, and turns
storage outages into a kind message: the person's words are handed back in the reply so the
adapter can keep them and try again, and nothing is lost.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.coaching.helped import HelpedAnswers, shown_log_of
from bot.coaching.ports import Clock, EvidenceSearch, ReflectionStore, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.reflection import Reflection
from bot.coaching.reply import Action, Reply, ReplyKind
from bot.coaching.safety import looks_distressed
from bot.coaching.turns import Turn, TurnAct

if TYPE_CHECKING:
    from bot.coaching.phrasing import LLMPhraser
    from bot.coaching.safety import SafetyText
    from bot.coaching.themes import ThemeDetector
    from bot.coaching.turns import TurnReader

log = logging.getLogger(__name__)


class ThemesOnlyReader:
    """Used only when no turn reader is wired in: distress by pattern, else an answer.

    `bot/services.py` passes the real reader; this keeps an adapter built without one safe.
    """

    def __init__(self, themes: ThemeDetector) -> None:
        self.themes = themes

    def read(self, text: str) -> Turn:
        if looks_distressed(text):
            return Turn(text=text, act=TurnAct.DISTRESS)
        return Turn(text=text, act=TurnAct.ANSWER, themes=tuple(self.themes.detect(text)))


SAVE_FAILED = "I couldn't save that just now — your words are kept, please try again."


def _storage_errors() -> tuple[type[BaseException], ...]:
    """The journal's outage error, looked up lazily so coaching runs without the journal."""
    try:
        from bot.journal.errors import JournalUnavailable
    except ImportError:  # pragma: no cover - the journal room not installed
        return (ConnectionError,)
    return (JournalUnavailable, ConnectionError)


class Coach:
    def __init__(
        self,
        evidence: EvidenceSearch | None,
        store: ReflectionStore,
        clock: Clock,
        bank: QuestionBank,
        themes: ThemeDetector,
        phraser: LLMPhraser | None = None,
        *,
        reader: TurnReader | None = None,
        safety: SafetyText | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.bank = bank
        self.themes = themes
        self.reader = reader or ThemesOnlyReader(themes)
        self.answers = (
            HelpedAnswers(evidence, bank, phraser, shown=shown_log_of(store), clock=clock)
            if evidence is not None
            else None
        )
        self.reflection = Reflection(
            store, evidence, bank, themes, clock, phraser,
            reader=self.reader, helped=self.answers, safety=safety,
        )  # fmt: skip
        self._unavailable = _storage_errors()

    def start_reflection(self, who: Who) -> Reply:
        return self._guard(lambda: self.reflection.start(who), "")

    def reflect(self, who: Who, text: str) -> Reply:
        """One turn of the reflection, starting one if none is in progress."""
        return self._guard(lambda: self.reflection.handle(who, text), text)

    def where_we_were(self, who: Who) -> Reply:
        """For a turn whose first run took it in but whose reply was lost: the question the
        reflection is waiting on, never the turn taken in twice (bot/slack/turn_once.py)."""
        return self._guard(lambda: self.reflection.where_we_were(who), "")

    def in_reflection(self, who: Who) -> bool:
        try:
            return self.reflection.active(who)
        except self._unavailable:
            return False

    def helped(self, who: Who, question: str) -> Reply:
        if self.answers is None:
            return Reply(ReplyKind.ERROR, "The evidence library is temporarily unavailable.")
        return self.answers.answer(who, question)

    def weekly_prompt(self, who: Who) -> Reply:
        """The scheduled DM: opens this week's reflection, recalling last week's commitment."""
        reply = self._guard(
            lambda: self.reflection.start(who, lead="It's time for your weekly reflection."), ""
        )
        if reply.kind is not ReplyKind.REFLECTION:
            return reply  # e.g. the journal is down: keep the "try again" action
        reply.actions = [
            Action("reflect_start", "Reflect now"),
            Action("snooze", "Snooze"),
            Action("skip_week", "Skip this week"),
        ]
        return reply

    def _guard(self, turn, text: str) -> Reply:
        try:
            return turn()
        except self._unavailable as exc:
            log.warning("journal unavailable during a reflection turn: %s", exc)
            return Reply(
                ReplyKind.ERROR,
                SAVE_FAILED,
                actions=[Action("retry", "Try again", value=text)],
                meta={"retry_text": text, "error": "journal_unavailable"},
            )
