"""Journal fixtures. Every journal on `db_settings`, so each test runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.coaching.ports import FixedClock
from bot.journal import Journal

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def journal(db_settings, clock):
    j = Journal(db_settings, clock=clock)
    yield j
    j.close()
