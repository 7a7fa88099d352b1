"""Making sense of what a person typed before the coach acts on it.

Bad input gets a calm reply, never an exception: empty lines, huge pastes, control
characters, and attempts to talk the coach out of its rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_INPUT_CHARS = 8000  # a reflection turn; longer pastes are cut (and the person told)

_STOP_WORDS = re.compile(
    r"^\s*(skip|stop|not now|cancel|quit reflection|end|later|maybe later|no thanks|"
    r"leave it|enough)\s*[.!]*\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|morning|good (morning|afternoon|evening)|reflect|start|"
    r"let'?s (start|begin|reflect)|ok|okay|ready)\s*[.!]*\s*$",
    re.IGNORECASE,
)
# Attempts to reach other people's data or to switch the coach's rules off.
_INJECTION = re.compile(
    r"ignore (all |any |your |the |previous |prior )*(rules|instructions|guidelines|prompt)"
    r"|(system|hidden) prompt|developer mode|jailbreak|pretend (you are|to be)"
    r"|(show|tell|give|read|list|reveal)( me)? .{0,40}(other|another|someone else'?s?|"
    r"team [\w-]+'?s?|everyone'?s?|all) .{0,20}(entries|entry|journals?|reflections?|notes)"
    r"|(entries|journals?|reflections?) (of|from|for) (other|another|team [\w-]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanInput:
    text: str
    truncated: bool = False


def clean_input(raw: str | None, limit: int = MAX_INPUT_CHARS) -> CleanInput:
    """Normalise Unicode, drop control characters, trim, and cut to `limit` characters."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.strip()
    if len(text) <= limit:
        return CleanInput(text)
    cut = text.rfind(" ", 0, limit)
    return CleanInput(text[: cut if cut > limit // 2 else limit].rstrip(), truncated=True)


def wants_to_stop(text: str) -> bool:
    return bool(_STOP_WORDS.match(text))


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(text))


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def has_words(text: str) -> bool:
    """True when the text has letters or digits in any script (not only emoji/punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
