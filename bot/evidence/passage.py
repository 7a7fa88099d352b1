"""The unit the evidence library hands out: a quotable span of one source document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    doc: str  # file name in knowledge/, e.g. "002_ee7f87da510b47a4.txt"
    title: str  # document title from sources.yaml
    section: str  # heading of the section the span sits in
    places: tuple[str, ...]  # canonical place names the span mentions
    start: int  # character offsets into the original file: text == original[start:end]
    end: int
    text: str
    score: float = 0.0
    doc_id: str = ""  # short id from sources.yaml, e.g. "002"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def to_json(self) -> dict:
        data = asdict(self)
        data["places"] = list(self.places)
        data.pop("extra", None)
        return data


class EvidenceUnavailable(RuntimeError):
    """The vector store cannot be reached; callers say so kindly and carry on."""
