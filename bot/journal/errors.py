"""Errors the journal raises. Each message is written to be shown to a person as it is."""

from __future__ import annotations


class JournalError(Exception):
    """Base class; `str(error)` is a calm sentence an adapter may show verbatim."""


class JournalUnavailable(JournalError):
    """The database could not be reached after a short retry. Nothing was saved; try again."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "The journal is briefly unavailable, so nothing was saved. "
            "Please try again in a moment."
        )


class AccessDenied(JournalError):
    """The person asking may not see or change this."""


class NotFound(JournalError):
    """There is no such entry, team or person."""


class InvalidInput(JournalError, ValueError):
    """The request itself is malformed (empty text, unknown weekday, bad timezone...)."""


class ConfigurationError(JournalError):
    """Ripple is configured in a way it refuses to run with (e.g. no key in production)."""


class KeyProblem(ConfigurationError):
    """The configured keys cannot read this journal. `str()` is for the operator (CLI stderr,
    the log): it names files and settings. Adapters show a person a calm line instead."""


class KeyMissing(KeyProblem):
    """The journal holds encrypted data but no key was found (the key file is gone)."""


class KeyMismatch(KeyProblem):
    """The configured keys do not decrypt what the journal holds (a wrong or dropped key)."""


class JournalDamaged(ConfigurationError):
    """The journal database file is damaged (not a database, malformed). Operator detail:
    `str()` names the file and says to `ripple restore BACKUP`; `path` is the file."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path
