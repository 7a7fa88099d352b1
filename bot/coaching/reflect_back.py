"""Reflecting back: every reply opens with the leader's own words.

`telling_clause` picks, deterministically, the clause of a message that carries most of
its meaning: the one with the most content words, with a bonus for words about the work
(partners, the board, risk, money ...). It is quoted word for word, trimmed to a short
run of words, so the leader can see they were heard.
"""

from __future__ import annotations

import re

from bot.coaching.turns import TurnAct

MAX_WORDS = 16  # a quoted clause longer than this is cut at a word boundary
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+|\n+")
# Clauses split at commas before a conjunction, dashes and a few joining words.
_CLAUSES = re.compile(
    r",\s+(?=(?:but|and|so|because|although|though|while|which|yet)\b)|\s+[–—-]\s+"
    r"|\s+(?=(?:but|because|although|though|yet)\s)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "just",
        "like",
        "me",
        "might",
        "more",
        "most",
        "much",
        "my",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "our",
        "out",
        "over",
        "own",
        "really",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "yes",
        "yet",
        "you",
        "your",
        "honestly",
        "maybe",
        "perhaps",
        "think",
        "suppose",
        "guess",
        "actually",
        "bit",
        "quite",
        "kind",
        "sort",
        "week",
        "thing",
        "things",
        "lot",
        "also",
        "even",
        "still",
        "ever",
        "well",
        "okay",
        "ok",
        "oh",
        "um",
    ]
)
# Words about the work itself: a clause that names them is usually the telling one.
_WORK = re.compile(
    r"\b(partner\w*|board|trust|council|police|nhs|icb|gp\w*|hospital|risk|money|budget\w*|"
    r"fund\w*|purpose|vision|aim|agree\w*|disagree\w*|conflict|tension|argu\w*|permission|"
    r"sign[- ]?off|mandate|leader\w*|chief|director|commission\w*|safeguard\w*|data|share\w*|"
    r"nobody|everyone|trust\w*|blame\w*|defensive|decid\w*)\b",
    re.IGNORECASE,
)


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower().replace("’", "'") not in _FILLER]


def clauses(text: str) -> list[str]:
    pieces: list[str] = []
    for sentence in _SENTENCES.split(text or ""):
        pieces.extend(p.strip() for p in _CLAUSES.split(sentence) if p and p.strip())
    return pieces


def telling_clause(text: str, *, max_words: int = MAX_WORDS) -> str:
    """The clause of `text` with most content words (work words count double, a "but" clause
    more), trimmed."""
    candidates = clauses(text)
    if not candidates:
        return ""

    def score(clause: str) -> tuple[float, int]:
        words = content_words(clause)
        # "We launched the board but the voluntary sector feel like make-weights": what comes
        # after "but" is usually the point.
        turn = 2.0 if re.match(r"(?:but|yet|although|though)\s", clause, re.I) else 0.0
        return (len(words) + 1.5 * len(_WORK.findall(clause)) + turn, -candidates.index(clause))

    best = max(candidates, key=score)
    return trim_words(best, max_words)


def trim_words(clause: str, max_words: int = MAX_WORDS) -> str:
    """At most `max_words` words, ending on a word (never mid-word), without end punctuation."""
    words = clause.split()
    cut = words[:max_words]
    text = " ".join(cut).rstrip(" ,;:.!?–—-")
    # Lead-in words that only join the clause to the one before read oddly when quoted.
    text = re.sub(r"^(?:and|but|so|because|although|though|yet|then)\s+", "", text, flags=re.I)
    return text + ("…" if len(words) > max_words else "")


# How the quoted words are introduced, rotated by turn so replies don't all sound alike.
_FRAMES = {
    TurnAct.ANSWER: ("You said “{q}”.", "“{q}”: I hear that.", "So: “{q}”.", "I'm hearing “{q}”."),
    TurnAct.INSIGHT: (
        "“{q}”: that sounds like something you've just noticed.",
        "“{q}”: that sounds important.",
    ),
    TurnAct.UNCERTAIN: (
        "“{q}”: that's a fair answer, and there's no rush.",
        "“{q}”: that's all right; not knowing yet is a fair place to be.",
    ),
    TurnAct.COMMITMENT: ("“{q}”: that's one possible step.",),
    TurnAct.SMALL_TALK: ("“{q}”: thanks for telling me.",),
    TurnAct.ADVICE_REQUEST: ("You asked “{q}”.",),
    TurnAct.EVIDENCE_REQUEST: ("You asked “{q}”.",),
}


def reflect(text: str, act: TurnAct = TurnAct.ANSWER, turn_number: int = 0) -> str:
    """One sentence that hands the leader's own words back to them."""
    quote = telling_clause(text)
    if not quote:
        return ""
    frames = _FRAMES.get(act, _FRAMES[TurnAct.ANSWER])
    return frames[turn_number % len(frames)].replace("{q}", quote)


_POSITIVE = re.compile(
    r"(?:^|[,;:.!?—–-]\s*|\bbut\s+)(?P<positive>(?:it['’]?s|it is|this is|that['’]?s)\s+"
    r"(?:really\s+|more\s+|just\s+|actually\s+)?(?:about|that|because)\b[^.!?;]*)",
    re.IGNORECASE,
)


def reflect_correction(text: str, corrected: str | None) -> tuple[str, str]:
    """(reflect-back, what they say it IS about, or "") for a correction."""
    # "It's not about X, it's (about / that / because) Y": Y is what they say it IS about.
    found = _POSITIVE.search(text)
    positive = trim_words(found.group("positive").strip()) if found else ""
    lead = f"I had that wrong: it's not about {corrected}." if corrected else "I had that wrong."
    if positive:
        lead += f" “{positive}”."
    return lead, positive
