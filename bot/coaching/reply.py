"""Plain data that `coaching` returns and the adapters render (Block Kit, terminal text).

Nothing here knows about Slack or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.evidence.passage import Passage


class ReplyKind(StrEnum):
    REFLECTION = "reflection"  # a turn of the weekly reflection
    HELPED = "helped"  # an answer to "what helped elsewhere?"
    JOURNAL = "journal"  # a listing or confirmation about journal entries
    INFO = "info"  # help text, settings, neutral notices
    ERROR = "error"  # something went wrong; the text says what to do next


@dataclass(frozen=True)
class Action:
    """Something the user may do next; adapters render it as a button or a command hint."""

    id: str  # stable id, e.g. "feedback_up", "save_to_journal", "reflect_start"
    label: str
    value: str = ""


@dataclass(frozen=True)
class PlaceGroup:
    place: str  # "Barnet", "North West London", or "Across the programme" when none
    passages: tuple[Passage, ...]


@dataclass
class Reply:
    kind: ReplyKind
    text: str  # the lead text, plain sentences (light markdown: *bold*, _italics_)
    question: str | None = None  # the one open question, asked last
    passages: list[Passage] = field(default_factory=list)  # quoted evidence, in order
    groups: list[PlaceGroup] = field(default_factory=list)  # passages grouped by place
    actions: list[Action] = field(default_factory=list)
    saved_entry_id: int | None = None  # set when this turn saved a journal entry
    done: bool = False  # the conversation this reply belongs to has ended
    meta: dict = field(default_factory=dict)  # e.g. {"themes": [...], "state": "commitment"}
