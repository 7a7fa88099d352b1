"""Keeping people safe: the reply to a distress turn, and a floor under the turn reader.

The turn reader decides what a message does; this module adds a small set of unmistakable
patterns (quitting, not sleeping, signed off, harm to self) so a classifier's miss never
turns distress into a coaching question. The words of the reply live in
`prompts/safety.yaml`, so an organisation can name its own EAP and occupational health.
The reply is always this fixed text: it is never phrased by an LLM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

# Unmistakable distress. Deliberately narrow: "the team are exhausted" is about the team and
# is left to the reader; "I'm exhausted" is about the person writing.
_DISTRESS = re.compile(
    r"\b(?:i['’]?m|i am|i feel|feeling|i['’]ve been|i have been)\s+(?:so\s+|really\s+|utterly\s+|"
    r"completely\s+|totally\s+|just\s+)?(?:exhausted|burn(?:ed|t) out|broken|at breaking point|"
    r"drowning|not coping|falling apart|at the end of my tether|hopeless|desperate|overwhelmed)"
    r"|\b(?:thinking (?:of|about)|going to|want to|might|considering)\s+(?:quit(?:ting)?|"
    r"resign(?:ing)?|leav(?:e|ing) (?:my job|the job|the service|work))"
    r"|\bhand(?:ing)? in my notice\b|\bresign(?:ing)?\b.{0,20}\bmy (?:job|post|role)\b"
    r"|\b(?:can['’]?t|cannot|not|haven['’]?t been|barely)\s+(?:sleep|sleeping)\b"
    r"|\bsigned off\b|\bcan['’]?t see a way (?:through|out|forward)\b|\bcan['’]?t cope\b"
    r"|\b(?:harm|hurt|kill)(?:ing)? myself\b|\bend(?:ing)? it all\b|\bsuicid"
    r"|\bno point (?:in )?(?:going on|carrying on)\b|\bdon['’]?t want to be here\b",
    re.IGNORECASE,
)


def looks_distressed(text: str) -> bool:
    """True for the unmistakable signs of distress (the reader covers the subtler ones)."""
    return bool(_DISTRESS.search(text or ""))


@dataclass(frozen=True)
class SafetyText:
    acknowledge: str
    pause: str
    signpost_lead: str
    signposts: tuple[str, ...]
    after: str
    listen: str = "What's weighing on you most right now?"

    @classmethod
    def load(cls, prompts_dir: Path | None = None) -> SafetyText:
        path = (prompts_dir or DEFAULT_PROMPTS_DIR) / "safety.yaml"
        if not path.exists():  # a custom prompts folder without it still keeps people safe
            path = DEFAULT_PROMPTS_DIR / "safety.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            acknowledge=_plain(raw["acknowledge"]),
            pause=_plain(raw["pause"]),
            signpost_lead=_plain(raw.get("signpost_lead", "If it would help to talk to someone:")),
            signposts=tuple(_plain(s) for s in raw["signposts"]),
            after=_plain(raw.get("after", "")),
            listen=_plain(raw.get("listen", cls.listen)),
        )

    def reply_text(self, their_words: str) -> str:
        """Acknowledgement, the offer to pause, then where to find support, one per line."""
        quoted = f"You said “{their_words}”." if their_words else ""
        lines = [
            " ".join(self.acknowledge.replace("{their_words}", quoted).split()),
            self.pause,
            "",
            self.signpost_lead,
            *(f"• {s}" for s in self.signposts),
        ]
        return "\n".join(lines)


def _plain(text: str) -> str:
    return " ".join(str(text).split())
