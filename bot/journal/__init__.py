"""The journal: storage, access rules, consent, audit, data rights, encryption at rest.

Adapters and `coaching` use `Journal` (see service.py) and the errors below; nothing else here
is public.
"""

from bot.journal.enablers import themes_by_week
from bot.journal.errors import (
    AccessDenied,
    ConfigurationError,
    InvalidInput,
    JournalError,
    JournalUnavailable,
    NotFound,
)
from bot.journal.service import Journal

__all__ = [
    "AccessDenied",
    "ConfigurationError",
    "InvalidInput",
    "Journal",
    "JournalError",
    "JournalUnavailable",
    "NotFound",
    "themes_by_week",
]
