"""What each team was shown in "what helped" answers, so Ripple never repeats itself to a team
within a month (`bot/coaching/shown.py`). Keys only (a passage's place in the library, a hash
of a closing question): nothing a person wrote, nothing from one team's journal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.models import ShownEvidence

KEEP = timedelta(days=62)  # older rows can no longer stop a repeat; they are pruned
MAX_KEY_CHARS = 200


class ShownMixin(JournalBase):
    def shown_to_team(self, team: str, since: datetime) -> set[str]:
        """Keys shown to the team since `since`; empty for a team the journal doesn't know."""

        def work(session: Session) -> set[str]:
            row = self._team(session, team)
            if row is None:
                return set()
            query = sa.select(ShownEvidence.key).where(
                ShownEvidence.team_id == row.id, ShownEvidence.shown_at >= since
            )
            return set(session.scalars(query))

        return self._db.run(work)

    def record_shown(self, team: str, keys: Sequence[str]) -> None:
        """Remember that the team was shown these keys now. A team the journal doesn't know
        (no `/ripple team create` yet) is not created here: the caller remembers in memory."""
        keys = [k for k in dict.fromkeys(keys) if k and len(k) <= MAX_KEY_CHARS]
        if not keys:
            return

        def work(session: Session) -> None:
            row = self._team(session, team)
            if row is None:
                return
            now = self._now()
            mine = ShownEvidence.team_id == row.id
            stale = ShownEvidence.shown_at < now - KEEP
            session.execute(sa.delete(ShownEvidence).where(mine, stale))
            session.execute(
                sa.update(ShownEvidence)
                .where(mine, ShownEvidence.key.in_(keys))
                .values(shown_at=now)
            )
            for key in keys:  # atomic, so two replicas answering at once don't collide
                insert_ignoring_duplicates(
                    session, ShownEvidence, {"team_id": row.id, "key": key, "shown_at": now}
                )

        self._db.run(work)
