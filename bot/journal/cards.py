"""Where a team's live Slack card is (today: the consent card), so the adapter updates that one
message in place and marks an older one out of date. Slack positions, nothing a person wrote."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.models import SlackCard


class CardsMixin(JournalBase):
    def card_for(self, team: str, kind: str) -> tuple[str, str] | None:
        """(channel, ts) of the team's live `kind` card, or None (never posted, unknown team)."""

        def work(session: Session) -> tuple[str, str] | None:
            team_row = self._team(session, team)
            row = None if team_row is None else session.get(SlackCard, (team_row.id, kind))
            return None if row is None else (row.channel, row.ts)

        return self._db.run(work)

    def remember_card(self, team: str, kind: str, channel: str, ts: str) -> tuple[str, str] | None:
        """Record (channel, ts) as the team's live `kind` card; returns the card it replaces
        (None if there was none, or it was this same message). Raises NotFound."""

        def work(session: Session) -> tuple[str, str] | None:
            team_row = self._require_team(session, team)
            row = session.get(SlackCard, (team_row.id, kind), with_for_update=True)
            if row is None:
                session.add(
                    SlackCard(
                        team_id=team_row.id,
                        kind=kind,
                        channel=channel,
                        ts=ts,
                        updated_at=self._now(),
                    )
                )
                return None
            previous = (row.channel, row.ts)
            row.channel, row.ts, row.updated_at = channel, ts, self._now()
            return None if previous == (channel, ts) else previous

        return self._db.run(work)
