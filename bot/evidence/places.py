"""Find the places a passage mentions, using the canonical names and aliases in sources.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


class PlaceMatcher:
    """Matches whole words, ignoring case; the longest name wins where names overlap.

    So "West Cheshire" counts only as West Cheshire, and "Nottinghamshire" as Nottingham.
    """

    def __init__(self, places: Mapping[str, Iterable[str]]) -> None:
        self._canonical_by_name: dict[str, str] = {}
        for canonical, aliases in places.items():
            for name in (canonical, *aliases):
                self._canonical_by_name[_fold(name)] = canonical
        names = sorted(self._canonical_by_name, key=len, reverse=True)
        alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
        alternatives = alternatives or r"(?!x)x"  # no places: a pattern that never matches
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self.canonical_names: tuple[str, ...] = tuple(places)

    def find(self, *texts: str) -> tuple[str, ...]:
        """Canonical names mentioned in the texts, in order of first mention, without repeats."""
        found: dict[str, None] = {}
        for text in texts:
            for match in self._pattern.finditer(text):
                found.setdefault(self._canonical_by_name[_fold(match.group(0))], None)
        return tuple(found)

    def blank_out(self, text: str) -> str:
        """The text with every place name blanked out."""
        return self._pattern.sub(" ", text)

    def resolve(self, name: str) -> str | None:
        """The canonical name for a name or alias a person typed ("NW London"), or None."""
        return self._canonical_by_name.get(_fold(name))


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()
