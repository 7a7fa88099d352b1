"""Names the library has never heard of: an acronym, an Act or a named scheme it never mentions.

Embeddings cannot tell a topic the library lacks from one it has ("how should a PCN spend
its ARRS money" reads like "how did GPs and the council pool money"). A *name* can: a question
that turns on ARRS, the Mental Health Act or a DPIA, when no document says those words, is
about something the library does not hold, and an honest "it doesn't cover ARRS" beats a
stretched passage. A named scheme counts when its name says it is one ("the Armed Forces
Covenant", "Martyn's Law", "the Homes for Ukraine scheme"); a bare capitalised name (a place,
a person) never does, since a leader may name their own patch. Only names are judged, never
ordinary words: a leader's own vocabulary ("our partners keep dodging it") is theirs to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# An acronym as people type it: ARRS, DPIA, PCNs, S75, A&E (two to six capitals or digits).
_ACRONYM = re.compile(r"(?<![\w&])([A-Z][A-Z0-9&]{1,5})(?:s)?(?![\w&])")
# An Act by name: "the Mental Health Act", "Health and Care Act 2022", "the children act 1989".
_ACT = re.compile(r"\bact\b(?: ((?:19|20)\d\d))?", re.IGNORECASE)
_ACT_HEADS = frozenset(
    [
        "health",
        "care",
        "children",
        "childrens",
        "families",
        "crime",
        "disorder",
        "housing",
        "homelessness",
        "equality",
        "equalities",
        "localism",
        "capacity",
        "justice",
        "protection",
        "welfare",
        "safety",
        "policing",
        "abuse",
        "education",
        "reform",
        "licensing",
        "immigration",
        "asylum",
        "poverty",
        "planning",
        "environment",
        "security",
    ]
)
_JOINERS = frozenset({"and", "of", "for"})
_NOT_IN_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "under",
        "about",
        "with",
        "does",
        "do",
        "did",
        "say",
        "says",
        "said",
        "is",
        "are",
        "was",
        "what",
        "how",
        "why",
        "when",
        "in",
        "on",
        "to",
        "new",
        "our",
        "their",
        "this",
        "that",
        "my",
        "we",
        "i",
        "you",
        "me",
        "re",
        "regarding",
        "per",
        "by",
        "from",
        "into",
    ]
)
# Capitalised words in a row, with the small words names use: "Homes for Ukraine", "Martyn's Law".
_PROPER = re.compile(r"\b[A-Z][\w'’-]*(?: (?:(?:for|of|and|the|on|in) )?[A-Z][\w'’-]*)+")
_SCHEME_HEADS = frozenset(
    [
        "law",
        "act",
        "covenant",
        "scheme",
        "programme",
        "program",
        "duty",
        "fund",
        "strategy",
        "framework",
        "standard",
        "standards",
        "plan",
        "deal",
        "initiative",
        "guidance",
        "bill",
        "pathway",
        "charter",
        "pledge",
        "mechanism",
        "training",
    ]
)
_QUESTION_OPENERS = frozenset(
    [
        "what",
        "how",
        "why",
        "who",
        "when",
        "where",
        "which",
        "did",
        "do",
        "does",
        "can",
        "could",
        "should",
        "would",
        "is",
        "are",
        "the",
        "a",
        "an",
        "in",
        "on",
        "our",
        "my",
        "we",
        "i",
        "any",
        "has",
        "have",
        "tell",
        "show",
    ]
)
_NOT_NAMES = frozenset({"I", "OK", "UK", "A", "AM", "PM", "TV", "FYI", "ASAP", "PS", "AND"})


class Coverage:
    """What the library's own text names, to check a question's names against."""

    def __init__(self, texts: Iterable[str], known_acronyms: Iterable[str] = ()) -> None:
        joined = "\n".join(texts)
        self._lower = " ".join(joined.lower().split())
        found = {m.group(1) for m in _ACRONYM.finditer(joined)}
        self._acronyms = found | {a.upper() for a in known_acronyms} | _NOT_NAMES

    def unknown_name(self, question: str) -> str | None:
        """The first acronym or Act in `question` the library never mentions, else None."""
        for match in _ACRONYM.finditer(question):
            name = match.group(1)
            if name.isdigit() or name in self._acronyms or name.rstrip("S") in self._acronyms:
                continue
            if name.lower() in self._lower.split():
                continue  # written in capitals for emphasis, a word the library uses ("NOT")
            return match.group(0)
        for match in _ACT.finditer(question):
            words = _statute_words(question[: match.start()])
            if not words:
                continue
            # The name is what the question capitalised ("…its own Care Act" is the Care Act);
            # in a question all in lower case, any tail the library names counts as covered
            # ("while meeting its own care act": the library has the Care Act).
            name = _capitalised_tail(words)
            tails = [name] if name else [" ".join(words[i:]) for i in range(len(words))]
            if not any(f"{tail.lower()} act" in self._lower for tail in tails):
                year = f" {match.group(1)}" if match.group(1) else ""
                return f"the {_title((name or ' '.join(words)).lower())} Act{year}"
        return self._unknown_scheme(question)

    def _unknown_scheme(self, question: str) -> str | None:
        for match in _PROPER.finditer(question):
            words = match.group(0).split()
            while words and words[0].lower() in _QUESTION_OPENERS:
                words = words[1:]
            if len(words) < 2:
                continue
            after = question[match.end() :].split()[:2]
            named = words[-1].lower() in _SCHEME_HEADS or any(
                w.lower().strip(".,;:?!") in _SCHEME_HEADS for w in after
            )
            name = " ".join(words)
            if named and name.lower() not in self._lower:
                possessive = "'" in name or "’" in name  # "Martyn's Law", not "the Martyn's Law"
                headed = words[-1].lower() in _SCHEME_HEADS
                return f"the {name}" if headed and not possessive else name
        return None


def _statute_words(before: str) -> list[str]:
    """The words naming an Act, read back from just before "act": "what does the mental
    health" -> ["mental", "health"]; [] when they don't name one ("how should I")."""
    words = re.findall(r"[A-Za-z']+", before)[-5:]
    name: list[str] = []
    for word in reversed(words):
        if word.lower() in _NOT_IN_NAMES:
            break
        name.insert(0, word)
    while name and name[0].lower() in _JOINERS:
        name.pop(0)
    if not name or name[-1].lower() not in _ACT_HEADS:
        return []  # "how to act", "a balancing act", "the council act"
    return name


def _capitalised_tail(words: list[str]) -> str:
    """The Act's name as the question capitalised it ("its own Care" -> "Care", "Health and
    Care" -> "Health and Care"); "" when the question wrote it in lower case."""
    tail: list[str] = []
    for word in reversed(words):
        if not (word[:1].isupper() or (tail and word.lower() in _JOINERS)):
            break
        tail.insert(0, word)
    while tail and tail[0].lower() in _JOINERS:
        tail.pop(0)
    return " ".join(tail)


def _title(name: str) -> str:
    """'mental health' -> 'Mental Health' (how an Act's name is written)."""
    return " ".join(w if w in _JOINERS else w[:1].upper() + w[1:] for w in name.split())
