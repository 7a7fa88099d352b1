"""What one search found, with the reason when it found nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.evidence.passage import Passage

Strength = Literal["strong", "weak", "none"]


@dataclass(frozen=True)
class SearchResult:
    passages: list[Passage] = field(default_factory=list)
    # strong: the best passage answers closely; weak: on topic but only loosely matched (say
    # the evidence is thin); none: nothing (see `reason`).
    verdict: Strength = "none"
    # "" when passages were found; "request:<kind>" when the request gate turned it away
    # (admin, writing, live, journal, smalltalk, everyday, uncovered); "floor" when nothing
    # was close.
    reason: str = ""
    # For a gated request: what Ripple says instead, and what it can help with.
    message: str = ""
