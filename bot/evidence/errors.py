"""Problems the evidence library reports to people, each with a message that says what to do."""

from __future__ import annotations

from bot.evidence.passage import EvidenceUnavailable

__all__ = [
    "DataDirNotWritable",
    "EmptyQuery",
    "EvidenceError",
    "EvidenceUnavailable",
    "ManifestError",
]


class EvidenceError(RuntimeError):
    """Something an operator can fix (a bad manifest, a read-only folder). The message says how."""


class ManifestError(EvidenceError):
    """`knowledge/sources.yaml` is missing or malformed."""


class DataDirNotWritable(EvidenceError):
    """Ripple cannot write its index under the data directory."""


class EmptyQuery(ValueError):
    """The question was empty (or only spaces)."""

    def __init__(self) -> None:
        super().__init__(
            "Please type a question, for example: how did other places get GPs on board?"
        )
