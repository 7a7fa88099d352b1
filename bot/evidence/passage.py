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
    # Places the heading path above the span names ("2. Leadership scenario 1: Barnet ...").
    section_places: tuple[str, ...] = ()
    # What a reader is shown: the words of `text` (markup, footnote markers and footnotes
    # taken out) with "…" where a sentence is cut. Empty until the quote layer sets it.
    quote: str = ""
    cite: str = ""  # a one-line source ("UK leadership scenarios, ..., 2013 · Complexity")

    @property
    def source_line(self) -> str:
        """Where the quote comes from, on one line: `cite` when set, else title · section."""
        return self.cite or " · ".join(
            part for part in (self.title or self.doc, self.section) if part
        )

    @property
    def shown(self) -> str:
        """The quotation as displayed: `quote` when set, else the exact text on one line."""
        return self.quote or " ".join(self.text.split())

    def to_json(self) -> dict:
        data = asdict(self)
        data["places"] = list(self.places)
        data["section_places"] = list(self.section_places)
        data.pop("extra", None)
        return data


class EvidenceUnavailable(RuntimeError):
    """The vector store cannot be reached; callers say so kindly and carry on."""
