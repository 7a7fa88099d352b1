"""Clean Language questions, built from the leader's own words.

David Grove's clean questions add nothing of the coach's own: they take a phrase the person
used ("a real yes") and ask about it ("And what kind of real yes is that?"). Because the
phrase is theirs, the supply of questions never runs out, and no two weeks sound the same.

The id of a clean question names its template and a hash of the phrase, never the phrase:
seen-question ids are stored unencrypted, and a leader's words must not be.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.coaching.reflect_back import clauses, content_words

_STOP_PHRASE = frozenset(
    [
        "said",
        "told",
        "asked",
        "went",
        "came",
        "made",
        "make",
        "go",
        "going",
        "get",
        "getting",
        "week",
        "time",
        "today",
        "yesterday",
        "people",
        "someone",
        "everyone",
        "nobody",
        "something",
        "nothing",
        "anything",
        "everything",
        "way",
        "day",
        "days",
        "month",
        "before",
        "after",
        "about",
        "across",
        "against",
        "between",
        "through",
        "without",
        "within",
        "around",
        "under",
        "behind",
        "again",
        "instead",
        "every",
        "each",
        "any",
        "all",
        "other",
        "another",
        "same",
        "one",
        "two",
        "three",
        "keeps",
        "keep",
        "kept",
        "says",
        "say",
        "tell",
        "tells",
        "know",
        "knew",
        "want",
        "wants",
        "wanted",
        "need",
        "needs",
        "needed",
        "goes",
        "carries",
        "happens",
        "happened",
        "seems",
        "feels",
        "looks",
        "means",
        "works",
        "comes",
        "takes",
        "gives",
        "makes",
        "gets",
        "thinks",
        "wrong",
        "right",
        "sure",
    ]
)
_NOT_PLURAL = frozenset(
    ["yes", "news", "this", "process", "success", "less", "loss", "crisis", "basis", "analysis"]
)
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "our",
        "their",
        "my",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "its",
        "some",
        "no",
    ]
)
_VERBISH = re.compile(r"(?:ing|ed)$", re.IGNORECASE)
# "x is that?" vs "x are those?": a plain plural ends in s but not ss/us/is.
_PLURAL = re.compile(r"(?<![su'’iy])s$", re.IGNORECASE)


@dataclass(frozen=True)
class CleanQuestion:
    id: str
    text: str


_TEMPLATES = (
    ("kind", "And what kind of {x} {is} that?"),
    ("else", "And what else is there about {x}?"),
    ("like", "And when there's {x}, what's that like for you?"),
    ("from", "And where does {x} come from?"),
    ("want", "And what would you like to have happen about {x}?"),
    ("matters", "And what matters most to you about {x}?"),
)


def key_phrases(text: str) -> list[str]:
    """Short noun-like phrases (one to three words) from the leader's words, best first.

    Without a parser: a run of content words, its leading verb-like words (-ing, -ed)
    dropped; runs that follow "a", "the", "our" ... are nouns more often, so they come first.
    """
    scored: list[tuple[int, int, str]] = []
    for clause in clauses(text):
        run: list[str] = []
        after_determiner = False
        led = False
        for raw in [*clause.split(), ""]:
            word = raw.strip(".,;:!?“”\"'()")
            lowered = word.lower()
            if word and _is_content(word):
                if not run:
                    led = after_determiner
                run.append(word)
                continue
            while run and not led and _VERBISH.search(run[0]) and len(run) > 1:
                run.pop(0)
            # After "the", "a", "our" ... the first two words are the noun phrase; a third
            # is usually the verb that follows it ("the voluntary sector feel").
            phrase = " ".join(run[:2] if led else run[-2:])
            if run and len(phrase) > 3 and not (len(run) == 1 and _VERBISH.search(run[0])):
                scored.append((0 if led else 1, -min(len(run), 2), phrase))
            run, after_determiner = [], lowered in _DETERMINERS
    seen: set[str] = set()
    ordered = []
    for _, _, phrase in sorted(scored, key=lambda t: (t[1], t[0])):
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            ordered.append(phrase)
    return ordered


def _is_content(word: str) -> bool:
    lowered = word.lower().replace("’", "'")
    return (
        (content_words(word) == [word] or lowered == "yes")
        and lowered not in _STOP_PHRASE
        and lowered not in _DETERMINERS
        and "n't" not in lowered
    )


def clean_question(text: str, seen: set[str], offset: int = 0) -> CleanQuestion | None:
    """An unseen clean question about a phrase from `text`, or None when none is left."""
    for phrase in key_phrases(text):
        lowered = phrase if phrase.split()[0].isupper() else phrase[:1].lower() + phrase[1:]
        digest = hashlib.sha1(lowered.lower().encode("utf-8")).hexdigest()[:12]
        last = lowered.split()[-1].lower()
        plural = bool(_PLURAL.search(last)) and last not in _NOT_PLURAL
        for i in range(len(_TEMPLATES)):
            name, template = _TEMPLATES[(i + offset) % len(_TEMPLATES)]
            qid = f"clean:{name}:{digest}"
            if qid in seen:
                continue
            wording = template.replace("{x}", lowered)
            wording = wording.replace("{is} that", "are those" if plural else "is that")
            return CleanQuestion(qid, wording)
    return None
