"""The journal: storage, access rules, consent, audit, data rights, encryption at rest.

Adapters and `coaching` use `Journal` (see service.py), `themes_by_week` and the errors
below. `Journal` is imported lazily so that `ripple db upgrade` and migrations load only
what they need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.journal.errors import (
    AccessDenied,
    ConfigurationError,
    InvalidInput,
    JournalDamaged,
    JournalError,
    JournalUnavailable,
    KeyMismatch,
    KeyMissing,
    KeyProblem,
    NotFound,
)

if TYPE_CHECKING:
    from bot.journal.enablers import themes_by_week
    from bot.journal.service import Journal

__all__ = [
    "AccessDenied",
    "ConfigurationError",
    "InvalidInput",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "JournalUnavailable",
    "KeyMismatch",
    "KeyMissing",
    "KeyProblem",
    "NotFound",
    "themes_by_week",
]


def __getattr__(name: str):
    if name == "Journal":
        from bot.journal.service import Journal

        return Journal
    if name == "themes_by_week":
        from bot.journal.enablers import themes_by_week

        return themes_by_week
    raise AttributeError(f"module 'bot.journal' has no attribute {name!r}")
