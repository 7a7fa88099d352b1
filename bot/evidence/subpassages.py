"""Sub-passages: windows of about 300 characters inside a passage, at sentence boundaries.

A long passage that answers a question in one sentence is diluted in its own vector; scoring a
passage half on itself and half on its best window lets that sentence count (measured: the
best single change on the labelled set, see evals/RESULTS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WINDOW_CHARS = 300
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|\n|$)")


@dataclass(frozen=True)
class SubPassage:
    parent: str  # the passage's chunk id
    number: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.parent}#{self.number}"


def sub_passages(parent: str, text: str, size: int = WINDOW_CHARS) -> list[SubPassage]:
    """Consecutive sentence runs of at most `size` characters (a longer sentence stands alone)."""
    windows: list[list[int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        if not text[start:end].strip():
            continue
        if windows and end - windows[-1][0] <= size:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    pieces = [text[a:b].strip() for a, b in windows] or [text.strip()]
    return [SubPassage(parent, n, piece) for n, piece in enumerate(p for p in pieces if p)]
