"""The replayed-interaction guard: a signed interaction is handled once, however often it
arrives.

A captured `view_submission` or `block_actions` request keeps a valid signature for Slack's
5-minute window, so replaying it must not save a second entry, count a second vote or change
consent twice. The Slack adapter derives a key from the payload (`bot/slack/replay.py`) and
asks `first_delivery(key)`; the key is kept in `interaction_replays` (SQLite and PostgreSQL,
shared by every replica) until it expires, well after Slack would refuse the signature.
Separate from the event inbox on purpose: that one owes answers, this one only says "seen".
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.models import InteractionReplay

# Slack refuses a signature older than 5 minutes; keep keys twice that, for clock skew.
REPLAY_WINDOW = timedelta(minutes=10)


class ReplayMixin(JournalBase):
    def first_delivery(self, key: str) -> bool:
        """True the first time `key` is seen (it is then remembered); False for a replay.

        One INSERT ... ON CONFLICT DO NOTHING, so two replicas receiving the same request
        at once get exactly one True between them. Expired keys are swept on the way.
        """
        key = key[:64]

        def work(session: Session) -> bool:
            now = self._now()
            session.execute(sa.delete(InteractionReplay).where(InteractionReplay.expires_at < now))
            return insert_ignoring_duplicates(
                session,
                InteractionReplay,
                {"key": key, "seen_at": now, "expires_at": now + REPLAY_WINDOW},
            )

        return self._db.run(work)

    def forget_delivery(self, key: str) -> None:
        """Let `key` through again: its handling failed before anything was changed (the
        journal was down), so the person's own retry must not be taken for a replay."""
        self._db.run(
            lambda s: s.execute(
                sa.delete(InteractionReplay).where(InteractionReplay.key == key[:64])
            )
        )
