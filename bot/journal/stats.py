"""Aggregate counts for operators. Never any text; every cell under 3 is suppressed.

Small cells can identify a person ("the one entry about conflict in a team of four"), so any
count of entries below `SUPPRESS_BELOW` is reported as None and shown as "<3".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal import access
from bot.journal.base import JournalBase
from bot.journal.models import Entry, Member, Team, TeamMembership
from bot.journal.reflection import KNOWN_THEMES
from bot.journal.views import SHARED

SUPPRESS_BELOW = 3


def suppress(count: int) -> int | None:
    return count if count >= SUPPRESS_BELOW else None


@dataclass(frozen=True)
class TeamStats:
    team: str
    members: int
    entries: int | None  # None: fewer than 3, suppressed
    shared: int | None
    themes: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StatsReport:
    teams: list[TeamStats]
    total_entries: int | None
    themes: dict[str, int | None]


class StatsMixin(JournalBase):
    def stats(self) -> StatsReport:
        """Counts per team and theme for operators, small cells suppressed. No text, ever."""

        def work(session: Session) -> StatsReport:
            totals = {theme: 0 for theme in KNOWN_THEMES}
            rows: list[TeamStats] = []
            all_entries = 0
            for team in session.scalars(sa.select(Team).order_by(Team.slug)).all():
                members = session.scalar(
                    sa.select(sa.func.count(TeamMembership.id))
                    .join(Member, Member.id == TeamMembership.member_id)
                    .where(
                        TeamMembership.team_id == team.id,
                        access.current_membership(),  # never the team's enabler
                        Member.is_bot.is_(False),
                    )
                )
                # Only the columns a count needs: the encrypted text is never even loaded.
                found = session.execute(
                    sa.select(Entry.visibility, Entry.themes).where(Entry.team_id == team.id)
                ).all()
                themes = {theme: 0 for theme in KNOWN_THEMES}
                for _, entry_themes in found:
                    for theme in entry_themes or ():
                        if theme in themes:
                            themes[theme] += 1
                            totals[theme] += 1
                shared = sum(1 for visibility, _ in found if visibility == SHARED)
                all_entries += len(found)
                rows.append(
                    TeamStats(
                        team=team.slug,
                        members=members or 0,
                        entries=suppress(len(found)),
                        shared=suppress(shared),
                        themes={t: suppress(n) for t, n in themes.items()},
                    )
                )
            return StatsReport(
                teams=rows,
                total_entries=suppress(all_entries),
                themes={t: suppress(n) for t, n in totals.items()},
            )

        return self._db.run(work)
