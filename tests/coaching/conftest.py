from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.coaching.coach import Coach
from bot.coaching.ports import FixedClock, Who
from bot.coaching.questions import QuestionBank
from bot.coaching.themes import ThemeDetector
from tests.coaching.fakes import FakeTurnReader, InMemoryStore, KeywordEvidence
from tests.conftest import REPO

PROMPTS = REPO / "prompts"
KNOWLEDGE = REPO / "knowledge"


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    return QuestionBank.load(PROMPTS)


@pytest.fixture(scope="session")
def themes(embedder) -> ThemeDetector:
    return ThemeDetector(embedder, PROMPTS)


@pytest.fixture(scope="session")
def knowledge_evidence() -> KeywordEvidence:
    return KeywordEvidence(KNOWLEDGE, places_for={"002": ("Barnet",), "003": ("Islington",)})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday morning


@pytest.fixture
def store(clock) -> InMemoryStore:
    return InMemoryStore(clock)


@pytest.fixture
def reader(themes) -> FakeTurnReader:
    return FakeTurnReader(themes)


@pytest.fixture
def coach(knowledge_evidence, store, clock, bank, themes, reader) -> Coach:
    knowledge_evidence.down = False
    return Coach(knowledge_evidence, store, clock, bank, themes, reader=reader)


@pytest.fixture
def who() -> Who:
    return Who(user="leader-1", team="plymouth-alcohol")
