"""The question that ends a "what helped elsewhere?" answer, built from the team's own question.

"how do I get GPs on board" comes back as "What would getting GPs on board look like in your
patch?"; "data sharing between police and health" as "Where does data sharing between police
and health stand in your patch right now?". The team's key phrase is found by the shape of
what they asked (a how-to, a situation, a topic), their "I"/"we" turned into "you", and one of
a few templates for that shape is chosen deterministically from the question, skipping any
the team has been asked recently. Everything here is plain rules: no model, no randomness.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.coaching.questions import question_problems

# A phrase is asked back whole up to this long; a longer one only up to a clause boundary, and
# not at all without one: "…to agree what they were actually" is not the team's question.
MAX_PHRASE_WORDS = 16

_SUBJECTS = (
    r"i|we|you|they|others|other places|other areas|other teams|other systems|other people|"
    r"people|teams|leaders|places|areas|systems|partners|anyone|everyone|one|someone"
)
_AUX = r"do|does|did|can|could|should|would|might|may|have|has|will|to"
_HOW = re.compile(
    rf"^(?:so |and |but )?(?:how (?:on earth )?(?:(?:{_AUX}) )?(?:(?P<subject>{_SUBJECTS}) )?"
    rf"|what(?:'s| is) the best way to |(?:what are )?(?:some |good )?ways to |"
    rf"(?:i|we) (?:need|want|have|am trying|are trying|'m trying|'re trying) to )"
    rf"(?:(?:ever|actually|even|best|really|possibly) )?(?P<rest>.+)$",
    re.IGNORECASE,
)
_SITUATION = re.compile(
    r"^(?:what|anything|who|which places?|where)(?: else)? "
    r"(?:helped|helps|has helped|works|worked|happened|did (?:others|people|places) do|"
    r"do (?:people|others|places) do|can (?:i|we) do|should (?:i|we) do|do (?:i|we) do|"
    r"have (?:others|other places) done) "
    r"(?:elsewhere |in other places |for others )?(?P<link>when|if|where|after|once|while) "
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)
_TOPIC_AFTER_WHAT = re.compile(
    r"^(?:what|anything|who)(?: else)? (?:helped|helps|has helped|works|worked|happened|"
    r"is known|do we know|does the evidence say|do the documents say|"
    r"(?:did|have|do|has) (?:others|other places|other areas|people|places|anyone) "
    r"(?:do|done|tried|try))"
    r"(?: elsewhere| in other places)? (?:with|for|on|about|in|around|regarding) (?P<rest>.+)$",
    re.IGNORECASE,
)
_LEADS = re.compile(
    r"^(?:@?ripple[,:]? |helped[,:]? |please |hi[,!]? |hello[,!]? |"
    r"(?:can|could) you (?:tell|show) me (?:about |what )?|tell me (?:about )?|"
    r"(?:is there |do you have |have you got )?(?:any |some )?(?:evidence|examples?|stories|"
    r"experiences?|learning|research|lessons) (?:on|about|of|for|around|from places with) |"
    r"what helped elsewhere(?: with| on| when)?[,:]? |what about |"
    r"(?:i'm|i am|we're|we are) (?:struggling|stuck|wondering) (?:with|about) )+",
    re.IGNORECASE,
)
_FLIP = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "we're": "you're",
    "we've": "you've",
    "we'd": "you'd",
    "we'll": "you'll",
    "am": "are",
}
_DOUBLES = frozenset({
    "get", "put", "set", "run", "stop", "plan", "begin", "let", "sit", "cut", "win", "shut",
    "swap", "drop", "chat", "map", "tap", "skip", "step", "grab", "hit", "fit",
})  # fmt: skip
_IRREGULAR = {"be": "being", "see": "seeing", "agree": "agreeing", "free": "freeing"}


@dataclass(frozen=True)
class KeyPhrase:
    shape: str  # "action" (a how-to: "getting GPs on board"), "situation", or "topic"
    text: str


Template = Callable[[str], str]

TEMPLATES: dict[str, tuple[Template, ...]] = {
    "action": (
        lambda g: f"What would {g} look like in your patch?",
        lambda g: f"Who would you need alongside you for {g}?",
        lambda g: f"What has made {g} hard where you are, so far?",
        lambda g: f"What is one small step towards {g} that your team could take this month?",
    ),
    "situation": (
        lambda s: f"Where have you seen “{s}” in your own patch, and what happened next?",
        lambda s: f"What do you think is really going on, in your patch, when “{s}”?",
        lambda s: f"Who in your system sees “{s}” differently from your team?",
        lambda s: f"What would your partners say about “{s}”, if you asked them?",
    ),
    "place": (  # "what did Bradford do?": a place's story, not a topic
        lambda p: f"Which part of {p}'s experience is closest to where your team is now?",
        lambda p: f"What would you want to ask the people who led the work in {p}?",
        lambda p: f"What is different about your patch from {p}, and what is the same?",
        lambda p: f"What from {p}'s story would you try first?",
    ),
    "topic": (
        lambda t: f"Where do things stand on {t} in your patch right now?",
        lambda t: f"What would progress on {t} look like for your team?",
        lambda t: f"Who in your system cares most about {t}, and what do they want from it?",
        lambda t: f"What does {t} look like in your patch today?",
    ),
}


# "what did Bradford do?", "what happened in North West London", "Barnet": only a place.
_NAME = r"([A-Z][a-z][\w'’&-]*(?: (?:and |of |the )?[A-Z][a-z][\w'’&-]*){0,3})"
_PLACE_ONLY = re.compile(
    rf"^(?:(?:what|how) (?:did|has|have|does|do) {_NAME} (?:do|done|try|tried|achieve|achieved|"
    rf"learn|learnt|learned)(?: there)?|what (?:happened|worked) in {_NAME}|"
    rf"(?:about |in )?{_NAME})$"
)

# "our partnership has stalled, what did others do": the situation, then a generic ask.
_TRAILING_ASK = re.compile(
    r"^(?P<situation>.{12,}?)[,;:–-]+\s*(?P<ask>(?:so |and |but )?(?:how|what|who|where|which|"
    r"any|has|have|did|does|do|can|could|should|is there|are there)\b.*)$",
    re.IGNORECASE,
)
_GENERIC_ASK = re.compile(
    r"^(?:so |and |but )?(?:what (?:did|do|have|has|can|could|should) (?:others|other places|"
    r"people|anyone|we|i|you) (?:do|done|try|tried)|what helped(?: elsewhere| others)?|"
    r"any (?:ideas|tips|advice|thoughts|examples)|(?:has|have) (?:anyone|others) "
    r"(?:had|dealt with|seen) (?:this|that|similar)|what works|how did others (?:cope|manage|"
    r"handle it|deal with it))\b.{0,20}$",
    re.IGNORECASE,
)


def key_phrase(question: str) -> KeyPhrase | None:
    """The team's key phrase and the shape of their question; None when nothing is left."""
    text = _normalised(question)
    if not text:
        return None
    text = _LEADS.sub("", text).strip()
    as_typed = _LEADS.sub("", _normalised(question, keep_case=True)).strip()  # "Barnet"
    if match := _PLACE_ONLY.match(text) or _PLACE_ONLY.match(as_typed):
        return KeyPhrase("place", next(g for g in match.groups() if g))
    if match := _TRAILING_ASK.match(text):
        # Their situation, then their ask: a generic ask ("what did others do") says nothing,
        # so the situation is the phrase; a specific one is the question they asked.
        situation, ask = match.group("situation"), match.group("ask")
        if _GENERIC_ASK.match(ask):
            return key_phrase(situation)
        asked = key_phrase(ask)
        pointing = re.search(
            r"\b(her|him|them|it|this|that|they|these|those)\b", asked.text if asked else ""
        )
        if asked is not None and asked.shape == "action" and not pointing:
            return asked  # ("getting her on side" points back at the situation: keep that)
        return key_phrase(situation)
    if match := _SITUATION.match(text):
        return _phrase("situation", match.group("rest"))
    if match := _TOPIC_AFTER_WHAT.match(text):
        return _phrase("topic", match.group("rest"))
    if match := _HOW.match(text):
        rest = match.group("rest")
        words = rest.split()
        if match.group("subject") is None and words and words[0] in _NOT_VERBS:
            return _phrase("situation", rest)  # "how do partners share data"
        return _phrase("action", _gerund(rest))
    if re.match(r"^(?:when|if|once|after) ", text, re.IGNORECASE):
        return _phrase("situation", text.split(" ", 1)[1])
    if text.lower() in _VAGUE:
        return None
    words = {w.lower().strip(",;:") for w in text.split()}
    return _phrase("situation" if words & _FINITE else "topic", text)


def closing_question(question: str, avoid: Collection[str] = ()) -> str | None:
    """An open question that turns the team's own question back on their context.

    Deterministic: the same question gets the same template unless that text is in `avoid`
    (closing questions this team was asked recently); None when no template fits.
    """
    phrase = key_phrase(question)
    if phrase is None:
        return None
    templates = TEMPLATES[phrase.shape]
    first = int(hashlib.sha256(_normalised(question).encode()).hexdigest(), 16) % len(templates)
    for step in range(len(templates)):
        text = _sentence_case(templates[(first + step) % len(templates)](phrase.text))
        if text not in avoid and not question_problems(text):
            return text
    return None


CLARIFY: dict[str, Template] = {
    "action": lambda g: (
        f"Which part of {g} is proving hardest, so I can look for something closer?"
    ),
    "situation": lambda s: (
        f"What happens in your patch when “{s}”, so I can look for something closer?"
    ),
    "topic": lambda t: (
        f"What about {t} matters most to your team, so I can look for something closer?"
    ),
    "place": lambda p: (
        f"What would you most like to know about {p}, so I can look for something closer?"
    ),
}
CLARIFY_ANY = "What is the situation behind your question, so I can look for something closer?"


def clarifying_question(question: str) -> str:
    """When the evidence is thin: ask what the team means, in their own words."""
    phrase = key_phrase(question)
    if phrase is None:
        return CLARIFY_ANY
    text = _sentence_case(CLARIFY[phrase.shape](phrase.text))
    return CLARIFY_ANY if question_problems(text) else text


# Words that, straight after "how do", start a clause rather than a verb phrase.
_NOT_VERBS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "partners", "councils", "council",
    "nhs", "health", "police", "gps", "trusts", "organisations", "services", "staff",
    "leaders", "teams", "places", "systems", "things",
})  # fmt: skip
# A topic with one of these in it is a situation the team is in ("everyone says yes ...").
_FINITE = frozenset({
    "is", "are", "was", "were", "isn't", "aren't", "wasn't", "won't", "don't", "doesn't",
    "didn't", "can't", "keeps", "keep", "says", "say", "said", "happens", "happened", "has",
    "have", "had", "gets", "got", "seems", "feels", "wants", "refuses", "refused", "thinks",
    "think", "agree", "agrees", "agreed", "blame", "blames", "will", "never", "always",
    "you're", "they're", "there's", "it's", "goes", "went", "pulls", "pulled", "ignores",
})  # fmt: skip
# Too vague to turn back: the bank's general questions do better.
_VAGUE = frozenset(("help", "anything", "something", "stuff", "things", "ideas", "evidence"))


def _normalised(question: str, *, keep_case: bool = False) -> str:
    text = " ".join((question or "").replace("’", "'").replace("‘", "'").split())
    text = text.strip(" \"'“”")
    text = re.sub(r"[?!.…]+$", "", text).strip()
    if keep_case or text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _phrase(shape: str, text: str) -> KeyPhrase | None:
    text = _flip(text.strip(" ,;:-–"))
    text = re.sub(r"\s*[?!]+\s*", " ", text).strip()
    words = text.split()
    if not words:
        return None
    if len(words) > MAX_PHRASE_WORDS:
        clause = _first_clause(words)
        if clause is None:
            return None  # the bank's general question reads better than a cut one
        text = clause
    return KeyPhrase(shape, text)


def _first_clause(words: list[str]) -> str | None:
    """A long question's first clause, if it ends within the first MAX_PHRASE_WORDS words.
    ("and" is not a clause boundary: "the NHS and the council" would be cut in two.)"""
    for i, word in enumerate(words[:MAX_PHRASE_WORDS]):
        if i >= 4 and word.endswith((",", ";", ":")):
            return " ".join(words[: i + 1]).rstrip(",;:")  # the clause, its last word included
        if i >= 4 and word in ("because", "but", "so", "when", "although", "though"):
            return " ".join(words[:i])
    return None


def _flip(text: str) -> str:
    """The team's "I"/"we" as "you", so their words can be asked back to them."""

    def swap(match: re.Match) -> str:
        word = match.group(0)
        return _FLIP.get(word.lower(), word)

    return re.sub(r"\b[A-Za-z]+(?:'[a-z]+)?\b", swap, text)


def _gerund(phrase: str) -> str:
    words = phrase.split()
    verb = words[0].lower()
    words[0] = _ing(verb)
    return " ".join(words)


def _ing(verb: str) -> str:
    if verb.endswith("ing") or not verb.isalpha():
        return verb
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb in _DOUBLES:
        return verb + verb[-1] + "ing"
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    return verb + "ing"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
