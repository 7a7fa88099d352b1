"""What a leader's message *does*, decided before anything else in a coaching turn runs.

The reflection flow branches on `Turn.act`: distress short-circuits everything, a correction
is picked up, a non-answer gets an easier question, an evidence request gets the what-helped
answer. `TurnReader` is the port; the real reader (patterns plus a classifier trained on the
bundled sentence embeddings) is built in `bot/services.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class TurnAct(StrEnum):
    DISTRESS = "distress"  # exhaustion, quitting, not sleeping, signed off, harm to self
    COMMITMENT = "commitment"  # an action the leader says they will take
    UNCERTAIN = "uncertain"  # "no idea", "not sure", "nothing really"
    CORRECTION = "correction"  # "it's not about money at all"
    ADVICE_REQUEST = "advice_request"  # "what should I do?"
    EVIDENCE_REQUEST = "evidence_request"  # "what did other places do when ...?"
    INSIGHT = "insight"  # a realisation or a success
    SMALL_TALK = "small_talk"  # greetings, the weather, nothing to do with their work
    STOP = "stop"  # stop, skip, not now
    ANSWER = "answer"  # an ordinary substantive reflection on their work


@dataclass(frozen=True)
class Turn:
    """One leader message, understood."""

    text: str
    act: TurnAct
    # Themes the message touches (shared_purpose, authorising_environment, conflict); empty
    # when it touches none. Never filled on a distress turn.
    themes: tuple[str, ...] = ()
    # The classifier's probability per act and per theme, for evals and thresholds.
    act_scores: dict[str, float] = field(default_factory=dict)
    theme_scores: dict[str, float] = field(default_factory=dict)
    # For a correction, what the leader says it is *not* about ("money"), when it can be read.
    corrected: str | None = None


class TurnReader(Protocol):
    def read(self, text: str) -> Turn: ...
