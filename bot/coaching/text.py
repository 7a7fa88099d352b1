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

# "I will ask both of them to ...": a commitment offered before Ripple asks for one. Phrases
# that only sound like one ("I'll be honest", "I'm going to lose it") are left alone.
_VOLUNTEERED = re.compile(
    r"(?:^|[.!?;]\s+|\n)(?P<sentence>(?:(?:so|and|then|ok(?:ay)?|right|next week|this week|"
    r"on \w+day),?\s+)*(?:i will|i['’]ll|i am going to|i['’]m going to|i plan to|i intend to|"
    r"i commit to|my commitment is(?: to)?)\s+(?!not\b|never\b|be\b|lose\b|have to\b|"
    r"probably\b|admit\b|say\b|need\b)[^.!?\n]*[.!?]?)",
    re.IGNORECASE,
)
MIN_COMMITMENT_WORDS = 5  # "I will ask both of them" and longer: concrete enough to keep


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


def volunteered_commitment(text: str) -> str | None:
    """The first sentence in which the person commits to something, or None."""
    for match in _VOLUNTEERED.finditer(text):
        sentence = match.group("sentence").strip()
        if len(sentence.split()) >= MIN_COMMITMENT_WORDS:
            return sentence
    return None
