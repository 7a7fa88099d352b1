"""Plain, read-only values the journal hands to adapters. No SQLAlchemy objects leak out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

PRIVATE = "private"
SHARED = "shared"
CONSENT_RULES = ("admin", "majority")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class EntryView:
    id: int  # the AUTHOR's own entry number (1, 2, 3...): `journal share 7`; never a row id
    team: str  # team slug (Slack channel id or CLI team name)
    team_name: str
    author: str | None  # user id; None when an enabler sees an entry shared anonymously
    author_name: str | None  # display name, or "a team member" when anonymous
    text: str
    themes: tuple[str, ...]
    commitment: str | None
    visibility: str  # "private" | "shared"
    anonymous: bool  # the author chose to appear as "a team member" to the enabler
    source: str  # "reflection", "journal", "helped", ...
    created_at: datetime
    updated_at: datetime

    @property
    def shared(self) -> bool:
        return self.visibility == SHARED

    @property
    def number(self) -> int:
        """The author's own entry number (the same as `id`)."""
        return self.id


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday
    time: str  # "HH:MM", in each member's own timezone
    enabled: bool

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday].capitalize()


@dataclass(frozen=True)
class TeamInfo:
    slug: str
    name: str
    workspace: str
    schedule: Schedule
    consent_rule: str  # "admin" | "majority"
    retention_months: int  # the team's own setting, or the installation default


@dataclass(frozen=True)
class MemberInfo:
    user: str
    display_name: str | None
    timezone: str
    is_bot: bool
    is_admin: bool = False


@dataclass(frozen=True)
class ScheduledMember:
    """One member of one team whose weekly prompt the scheduler should consider."""

    user: str
    team: str
    workspace: str
    timezone: str
    schedule: Schedule
    since: datetime | None = None  # when they joined the team: no catch-up of earlier prompts


@dataclass(frozen=True)
class PromptRecord:
    user: str
    team: str
    iso_year: int
    iso_week: int
    status: str  # sent | snoozed | skipped | started
    snooze_until: datetime | None


@dataclass(frozen=True)
class ConsentState:
    team: str
    rule: str  # "admin" | "majority"
    granted: bool
    changed_by: str | None  # who granted or revoked last (None if never decided)
    changed_at: datetime | None
    agreed: tuple[str, ...] = ()  # user ids who clicked "I agree" in the current round
    needed: int = 0  # agreements a majority needs (members // 2 + 1)
    member_count: int = 0
    changed: bool = True  # False when this call changed nothing (a double click)


class ConsentDecision(NamedTuple):
    """One grant or revocation, as recorded: what, by whom, when (ISO), under which rule."""

    action: str  # "granted" | "revoked"
    by: str
    at: str
    rule: str  # "admin" | "majority"


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str  # enabler's user id
    action: str  # "read_entries" | "add_note" | ...
    outcome: str  # "allowed" | "refused"
    detail: str
    entry_ids: tuple[int, ...] = ()  # the VIEWER's own entry numbers among those read


@dataclass(frozen=True)
class EnablerInfo:
    user: str
    team: str
    added_by: str | None
    added_at: datetime


@dataclass(frozen=True)
class EnablerTeam:
    team: TeamInfo
    consent: ConsentState


@dataclass(frozen=True)
class EnablerNoteView:
    id: int
    team: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ExportBundle:
    user: str
    markdown: str
    json: str
    has_data: bool


@dataclass
class ErasureSummary:
    user: str
    counts: dict[str, int] = field(default_factory=dict)
    teams: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        if not self.total:
            return f"Ripple held no data for {self.user}; nothing needed erasing."
        parts = [_count(n, what.replace("_", " ")) for what, n in self.counts.items() if n]
        teams = f" across {_count(len(self.teams), 'teams')}" if self.teams else ""
        return f"Erased for {self.user}{teams}: " + ", ".join(parts) + "."


_SINGULAR = {
    "entries": "entry",
    "teams": "team",
    "conversations": "conversation",
    "seen questions": "seen question",
    "weekly prompts": "weekly prompt",
    "consent votes": "consent vote",
    "enabler notes": "enabler note",
    "enabler roles": "enabler role",
    "team memberships": "team membership",
    "consent decisions anonymised": "consent decision anonymised",
}


def _count(n: int, plural_noun: str) -> str:
    """ "1 entry", "2 entries", "1 conversation": the count with a noun that agrees."""
    return f"{n} {_SINGULAR.get(plural_noun, plural_noun) if n == 1 else plural_noun}"
