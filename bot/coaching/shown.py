"""What a team has been shown in "what helped" answers, so nothing repeats within a month.

Keys, never text: a passage is remembered by its place in the library ("p:002_...txt:13983-14912"),
a closing question by a hash of its words. The journal keeps them across restarts and
replicas (`bot/journal/shown.py`); without one, this process remembers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.coaching.ports import Clock
from bot.evidence.passage import Passage

REPEAT_WINDOW = timedelta(days=30)


class ShownLog(Protocol):
    """What a team has been shown, so an answer never repeats itself within a month."""

    def shown_to_team(self, team: str, since: datetime) -> set[str]: ...

    def record_shown(self, team: str, keys: Sequence[str]) -> None: ...


class MemoryShownLog:
    """A `ShownLog` for this process only: used when no journal keeps the record."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._shown: dict[str, dict[str, datetime]] = {}

    def shown_to_team(self, team: str, since: datetime) -> set[str]:
        return {k for k, at in self._shown.get(team, {}).items() if at >= since}

    def record_shown(self, team: str, keys: Sequence[str]) -> None:
        now = self.clock.now()
        self._shown.setdefault(team, {}).update(dict.fromkeys(keys, now))


def shown_log_of(store: object) -> ShownLog | None:
    """The store itself when it keeps what teams were shown (the journal does), else None."""
    if callable(getattr(store, "shown_to_team", None)) and callable(
        getattr(store, "record_shown", None)
    ):
        return store  # type: ignore[return-value]
    return None


def passage_key(passage: Passage) -> str:
    return f"p:{passage.doc}:{passage.start}-{passage.end}"


def question_key(text: str) -> str:
    return "q:" + hashlib.sha256(text.encode()).hexdigest()[:40]
