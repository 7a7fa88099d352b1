"""Is this a commitment? The check behind "nothing that is not a commitment is ever saved".

A commitment is an action the leader will take: a verb they will do ("ask", "email",
"book"), said as "I will ...", "I'm going to ..." or as a bare step ("Ask the director for a
one-to-one"). Ideally it says who with and when; the confirmation says which is missing.
"No idea", "My team are exhausted" and "You didn't answer my question" are not commitments,
and neither is "I could maybe ..." (a possibility, asked about once more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.reflect_back import content_words

ACTION_VERBS = frozenset(
    [
        "ask",
        "agree",
        "arrange",
        "attend",
        "block",
        "book",
        "bring",
        "build",
        "call",
        "catch",
        "chair",
        "change",
        "chase",
        "check",
        "clarify",
        "co-write",
        "contact",
        "convene",
        "create",
        "decide",
        "discuss",
        "draft",
        "email",
        "escalate",
        "explain",
        "explore",
        "find",
        "follow",
        "gather",
        "get",
        "give",
        "go",
        "have",
        "hold",
        "introduce",
        "invite",
        "keep",
        "list",
        "listen",
        "look",
        "make",
        "map",
        "meet",
        "message",
        "name",
        "note",
        "offer",
        "open",
        "organise",
        "phone",
        "pick",
        "plan",
        "prepare",
        "present",
        "propose",
        "put",
        "raise",
        "reach",
        "read",
        "reconnect",
        "record",
        "reply",
        "request",
        "review",
        "revisit",
        "ring",
        "run",
        "say",
        "schedule",
        "send",
        "set",
        "share",
        "show",
        "sit",
        "sketch",
        "speak",
        "spend",
        "start",
        "stop",
        "suggest",
        "summarise",
        "take",
        "talk",
        "tell",
        "test",
        "thank",
        "try",
        "visit",
        "walk",
        "write",
    ]
)
_FUTURE = re.compile(
    r"\b(?:i will|i['’]ll|i am going to|i['’]m going to|i['’]m gonna|i plan to|i intend to|"
    r"i commit to|i['’]ve decided to|i have decided to|i['’]m planning to|i am planning to|"
    r"i want to|i['’]d like to|i need to|i aim to|i['’]m aiming to|i shall|"
    r"my (?:commitment|step|plan|action) (?:is|will be) to|i['’]ll try to|i will try to)"
    r"\s+(?:(?:also|first|finally|just|then|actually|definitely)\s+)?(?P<verb>[a-z-]+)",
    re.IGNORECASE,
)
_TENTATIVE = re.compile(
    r"\b(?:i could|i might|maybe|perhaps|possibly|i suppose|not sure|i guess)\b", re.IGNORECASE
)
_NEGATED = re.compile(
    r"\b(?:won['’]?t|will not|not going to|can['’]?t|cannot|no idea|don['’]?t know|"
    r"nothing|no commitment|not this week)\b",
    re.IGNORECASE,
)
_BARE = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|so|right|then|first|and),?\s+)*(?:to\s+)?(?P<verb>[a-z-]+)\b", re.I
)
_WHEN = re.compile(
    r"\b(?:today|tomorrow|tonight|this week|next week|this month|(?:on|by|before|after|until)\s+"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"by (?:the )?(?:end|next|close)|before (?:the|our|my|next)|this (?:morning|afternoon)|"
    r"weekend|within|\d{1,2}(?:st|nd|rd|th)?\b|fortnight)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"\b(?:director|lead|leads|chief|manager|team|partners?|trust|council|police|inspector|"
    r"sergeant|superintendent|gp|gps|board|colleague|colleagues|commissioner|head|chair|ceo|"
    r"exec|executive|nurse|clinician|officer|member|members|staff|everyone|both|them|her|him|"
    r"mayor|leader|leaders|federation|icb|coordinator|group)\b"
    r"|(?<!^)(?<![.!?]\s)\b[A-Z][a-z]{2,}\b",
    re.IGNORECASE,
)
MIN_WORDS = 3
# Never a plan to hold someone to, whatever the grammar: the safety reply handles these.
_NOT_A_PLAN = re.compile(r"\b(?:quit|resign|notice|leave my job|give up)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CommitmentCheck:
    text: str  # the sentence that holds the commitment, as the leader wrote it
    verb: str
    has_who: bool
    has_when: bool


def check_commitment(text: str) -> CommitmentCheck | None:
    """The commitment in `text`, or None when it holds no action the leader will take."""
    for sentence in _sentences(text):
        if len(sentence.split()) < MIN_WORDS or _NOT_A_PLAN.search(sentence):
            continue
        if _NEGATED.search(sentence) or sentence.rstrip().endswith("?"):
            continue
        verb = _future_verb(sentence) or _bare_verb(sentence)
        if verb is None or (_TENTATIVE.search(sentence) and not _FUTURE.search(sentence)):
            continue
        return CommitmentCheck(
            text=sentence.strip(),
            verb=verb,
            has_who=bool(_WHO.search(sentence)),
            has_when=bool(_WHEN.search(sentence)),
        )
    return None


def is_tentative(text: str) -> bool:
    """ "I could maybe ..." - a possible step, not yet one they will take."""
    return bool(_TENTATIVE.search(text))


def _future_verb(sentence: str) -> str | None:
    match = _FUTURE.search(sentence)
    if match is None:
        return None
    verb = match.group("verb").lower()
    return verb if verb in ACTION_VERBS or verb.endswith("ify") else None


def _bare_verb(sentence: str) -> str | None:
    match = _BARE.match(sentence)
    verb = match.group("verb").lower() if match else ""
    return verb if verb in ACTION_VERBS else None


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text or "") if s.strip()]


def much_the_same(a: str, b: str) -> bool:
    """Two commitments that would read as the same step week after week."""
    left = {w.lower() for w in content_words(a)}
    right = {w.lower() for w in content_words(b)}
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= 0.5


def confirmation(check: CommitmentCheck) -> str:
    """The commitment confirmed back, saying gently what it doesn't yet say."""
    missing = []
    if not check.has_who:
        missing.append("who with")
    if not check.has_when:
        missing.append("when")
    note = ""
    if missing:
        note = f" It doesn't say {' or '.join(missing)} yet; that's fine, and worth deciding."
    return f"So your step for the week is: “{check.text.rstrip()}”{_stop(check.text)}{note}"


def _stop(sentence: str) -> str:
    return "" if sentence.rstrip()[-1:] in ".!?…" else "."
