"""Small in-memory stand-ins for coaching's own ports (injected, never patched in)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.coaching.ports import Clock, Commitment, Who
from bot.evidence.passage import EvidenceUnavailable, Passage


@dataclass
class SavedEntry:
    id: int
    who: Who
    text: str
    themes: tuple[str, ...]
    commitment: str | None
    shared: bool
    made_at: object


class InMemoryStore:
    """A ReflectionStore that keeps everything in dicts; `down=True` simulates an outage."""

    def __init__(self, clock: Clock, unavailable: type[Exception] = ConnectionError) -> None:
        self.clock = clock
        self.conversations: dict[tuple[str, str], dict] = {}
        self.seen: dict[str, set[str]] = {}
        self.entries: list[SavedEntry] = []
        self.down = False
        self._unavailable = unavailable

    def _check(self) -> None:
        if self.down:
            raise self._unavailable("database is down")

    def load_conversation(self, who: Who) -> dict | None:
        self._check()
        state = self.conversations.get((who.user, who.team))
        return None if state is None else _copy(state)

    def save_conversation(self, who: Who, state: dict) -> None:
        self._check()
        self.conversations[(who.user, who.team)] = _copy(state)

    def clear_conversation(self, who: Who) -> None:
        self._check()
        self.conversations.pop((who.user, who.team), None)

    def seen_question_ids(self, who: Who) -> set[str]:
        self._check()
        return set(self.seen.get(who.user, set()))

    def mark_question_seen(self, who: Who, question_id: str) -> None:
        self._check()
        self.seen.setdefault(who.user, set()).add(question_id)

    def save_entry(
        self,
        who: Who,
        text: str,
        *,
        themes: Sequence[str] = (),
        commitment: str | None = None,
        shared: bool = False,
        source: str = "reflection",
    ) -> int:
        self._check()
        entry = SavedEntry(
            len(self.entries) + 1, who, text, tuple(themes), commitment, shared, self.clock.now()
        )
        self.entries.append(entry)
        return entry.id

    def last_commitment(self, who: Who) -> Commitment | None:
        found = self.recent_commitments(who, 1)
        return found[0] if found else None

    def recent_commitments(self, who: Who, limit: int = 4) -> list[Commitment]:
        self._check()
        mine = [
            e
            for e in self.entries
            if (e.who.user, e.who.team) == (who.user, who.team) and e.commitment
        ]
        return [
            Commitment(text=e.commitment, made_at=e.made_at, entry_id=e.id)
            for e in reversed(mine[-limit:])
        ]


def _copy(state: dict) -> dict:
    import json

    return json.loads(json.dumps(state))  # what a database round trip does


class KeywordEvidence:
    """EvidenceSearch over the real knowledge files: paragraphs ranked by shared words.

    Passages are exact spans of their file, like the real library's. `places_for` lets a
    test say which places a document's passages mention.
    """

    def __init__(self, knowledge_dir: Path, places_for: dict[str, tuple[str, ...]] | None = None):
        self.places_for = places_for or {}
        self.down = False
        self.calls: list[str] = []
        self.paragraphs: list[Passage] = []
        for path in sorted(knowledge_dir.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
                if len(match.group()) < 120:
                    continue
                doc_id = path.name.split("_")[0]
                self.paragraphs.append(
                    Passage(
                        doc=path.name,
                        title=f"Document {doc_id}",
                        section="",
                        places=self.places_for.get(doc_id, ()),
                        start=match.start(),
                        end=match.end(),
                        text=match.group(),
                        doc_id=doc_id,
                    )
                )

    def search(self, query: str, k: int = 5, *, docs=None, places=None) -> list[Passage]:
        self.calls.append(query)
        if self.down:
            raise EvidenceUnavailable("the vector store is down")
        words = {w for w in re.findall(r"[a-z]{4,}", query.lower())}
        if not words:
            return []
        scored = []
        for passage in self.paragraphs:
            have = set(re.findall(r"[a-z]{4,}", passage.text.lower()))
            overlap = len(words & have)
            if overlap >= 2:
                scored.append((overlap, passage))
        scored.sort(key=lambda pair: -pair[0])
        return [p for _, p in scored[:k]]


class NoEvidence:
    def search(self, query: str, k: int = 5, *, docs=None, places=None) -> list[Passage]:
        return []


class FakeTurnReader:
    """A TurnReader from a few plain patterns, with themes from a real ThemeDetector.

    `acts` pins what a given message does, so a test says exactly which turn it is playing.
    """

    _RULES = (
        ("distress", r"\b(exhausted|quitting|resign|can't sleep|signed off|my notice)\b"),
        ("stop", r"^\s*(stop|skip|not now)\s*$"),
        ("evidence_request", r"\b(what (did|have) other|what helped|elsewhere|other places)\b"),
        ("advice_request", r"\b(what should i|what would you|any advice|tell me what to)\b"),
        ("correction", r"\b(it'?s not about|that'?s not it|not what i meant)\b"),
        ("uncertain", r"^\s*(honestly,? )?(i don'?t know|no idea|not sure|nothing really)\b"),
        ("commitment", r"\b(i will|i'll|i am going to|i'm going to)\b"),
        ("insight", r"\b(i realised|i realized|it struck me|i see now)\b"),
        ("small_talk", r"\b(weather|football|holiday|lunch|my cat)\b"),
    )

    def __init__(self, themes=None, acts: dict[str, str] | None = None) -> None:
        self.themes = themes
        self.acts = dict(acts or {})
        self.read_texts: list[str] = []

    def read(self, text: str):
        from bot.coaching.turns import Turn, TurnAct

        self.read_texts.append(text)
        act = self.acts.get(text)
        if act is None:
            act = next(
                (name for name, rule in self._RULES if re.search(rule, text, re.IGNORECASE)),
                "answer",
            )
        act = TurnAct(act)
        themes: tuple[str, ...] = ()
        if self.themes is not None and act not in (TurnAct.DISTRESS, TurnAct.SMALL_TALK):
            themes = tuple(self.themes.detect(text))
        corrected = None
        if act is TurnAct.CORRECTION:
            match = re.search(r"not about ([\w ]+?)(?: at all|[.,!]|$)", text, re.IGNORECASE)
            corrected = match.group(1).strip() if match else None
        return Turn(text=text, act=act, themes=themes, corrected=corrected)
