"""Public-service topics the evidence library does not cover, named back to the leader.

A question about NHS dentistry, flood planning or a ransomware attack, framed as partnership
working ("how have councils and the NHS worked together on…"), reads to an embedding just like
the library's own questions, and gets a stretched passage. What tells them apart is the
subject, and the subjects a leader in UK public services might ask about are a known,
finite list: `prompts/uncovered_topics.yaml`, written from general knowledge of public
services and checked against the documents, never against eval questions.

The list is checked against the library again at run time: a pattern that matches any passage
is set aside (logged), because the library then says something on that topic. The check is
made the first time a question matches the pattern. So adding a
document about flooding makes flooding answerable without editing the list.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

TOPICS_FILE = "uncovered_topics.yaml"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Topic:
    name: str
    patterns: tuple[re.Pattern[str], ...]


class UncoveredTopics:
    def __init__(self, topics: Iterable[Topic], library_texts: Iterable[str]) -> None:
        self.topics = tuple(topics)
        self._texts = list(library_texts)
        # Whether the library says what a pattern names, worked out the first time a question
        # matches it: checking all 1,500 patterns against every passage up front takes seconds
        # at every start, and a question only ever matches a few.
        self._said: dict[re.Pattern[str], bool] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, prompts_dir: Path, library_texts: Iterable[str]) -> UncoveredTopics:
        """The inventory in `prompts_dir`, checked against `library_texts`; empty if absent."""
        path = prompts_dir / TOPICS_FILE
        if not path.is_file():
            return cls((), ())
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics = [
            Topic(
                str(entry["name"]).strip(),
                tuple(re.compile(str(p), re.IGNORECASE) for p in entry.get("patterns") or ()),
            )
            for entry in data.get("topics") or ()
        ]
        return cls(topics, library_texts)

    def match(self, question: str) -> str | None:
        """The name of the first uncovered topic the question is about, else None."""
        for topic in self.topics:
            for pattern in topic.patterns:
                if pattern.search(question) and not self._library_says(pattern):
                    return topic.name
        return None

    def set_aside(self) -> list[str]:
        """Every pattern the library matches, so not used (slow: checks them all)."""
        return [p.pattern for t in self.topics for p in t.patterns if self._library_says(p)]

    def _library_says(self, pattern: re.Pattern[str]) -> bool:
        with self._lock:
            said = self._said.get(pattern)
        if said is None:
            said = _said_in(pattern, self._texts)
            if said:
                log.info("uncovered topics: the library matches %r, so it is set aside", pattern)
            with self._lock:
                self._said[pattern] = said
        return said


def _said_in(pattern: re.Pattern[str], texts: list[str]) -> bool:
    return any(pattern.search(text) for text in texts)
