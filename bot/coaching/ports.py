"""The small interfaces `coaching` talks through. `bot/services.py` picks the real ones."""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.evidence.passage import Passage

# The key of the request whose work this turn is (the Slack edge sets it: turn_once.py), so a
# turn run again after a crash saves its entry once. None outside a request.
turn_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("turn_key", default=None)


@dataclass(frozen=True)
class Who:
    """A leader acting within one team. Ids are opaque strings (Slack ids or CLI names)."""

    user: str
    team: str
    workspace: str = "local"


@dataclass(frozen=True)
class Commitment:
    text: str
    made_at: datetime
    entry_id: int


class EvidenceSearch(Protocol):
    def search(
        self,
        query: str,
        k: int = 5,
        *,
        docs: Sequence[str] | None = None,
        places: Sequence[str] | None = None,
    ) -> list[Passage]: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and `ripple chat --now`."""

    def __init__(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self._at = self._at + timedelta(**delta)


class ReflectionStore(Protocol):
    """What the reflection flow needs to remember, per person, across restarts."""

    def load_conversation(self, who: Who) -> dict | None: ...

    def save_conversation(self, who: Who, state: dict) -> None: ...

    def clear_conversation(self, who: Who) -> None: ...

    def seen_question_ids(self, who: Who) -> set[str]: ...

    def mark_question_seen(self, who: Who, question_id: str) -> None: ...

    def save_entry(
        self,
        who: Who,
        text: str,
        *,
        themes: Sequence[str] = (),
        commitment: str | None = None,
        shared: bool = False,
        source: str = "reflection",
        once: str | None = None,
    ) -> int:
        """`once`: the request's key; saving again with it returns the same entry."""
        ...

    def last_commitment(self, who: Who) -> Commitment | None: ...

    def recent_commitments(self, who: Who, limit: int = 4) -> list[Commitment]:
        """This person's newest commitments in this team, newest first (for repeats)."""
        ...
