"""A journal change made once per Slack request, however often that request's work runs.

The inbox (inbox.py) runs a request's work again when the replica doing it died: the dead one
may already have committed the change (saved the entry, counted the vote). So a change that
is not idempotent by nature takes the request's key, and

    self._run_once(key, work, encode=..., decode=...)

runs `work(session)` and writes `encode(result)` to `request_outcomes` in the SAME
transaction: either both are committed or neither is. Run again with that key, it returns
`decode(stored)` and changes nothing, so the listener goes on to post exactly what the first
run would have ("saved as entry 4", "consent granted") rather than "nothing changed".

`encode` returning None means "nothing to remember" (a refusal): the next run decides again.

`remember(key, value)` is the same promise for a change that is idempotent once its input is
fixed: a click's work stores what it saw or decided (the snooze's time, "this Start is the
first"), before changing anything, and every run of that request goes on with the first
run's value. Writing the same value twice then changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.db import insert_ignoring_duplicates
from bot.journal.models import RequestOutcome

T = TypeVar("T")
KEEP_OUTCOMES_DAYS = 7  # as long as the inbox keeps answered rows


class _RecordedMeanwhile(Exception):
    """Another run of the same request committed first: roll ours back, return theirs."""


class OnceMixin(JournalBase):
    def _run_once(
        self,
        key: str | None,
        work: Callable[[Session], T],
        *,
        encode: Callable[[T], Any | None],
        decode: Callable[[Any], T],
    ) -> T:
        if not key:
            return self._db.run(work)
        key = key[:160]

        def once(session: Session) -> T:
            stored = session.get(RequestOutcome, key)
            if stored is not None:
                return decode(stored.outcome)
            result = work(session)
            outcome = encode(result)
            if outcome is None:
                return result
            values = {"key": key, "outcome": outcome, "created_at": self._now()}
            if not insert_ignoring_duplicates(session, RequestOutcome, values):
                # Two runs at once (a lease ran out under a slow but live owner): the first to
                # commit wins, and this one's change is rolled back with the exception.
                raise _RecordedMeanwhile
            return result

        try:
            return self._db.run(once)
        except _RecordedMeanwhile:
            return self._db.run(lambda s: decode(s.get(RequestOutcome, key).outcome))

    def remember(self, key: str | None, value: T) -> T:
        """`value`, unless a run of this request already remembered one: then that one.

        JSON values only (what `request_outcomes.outcome` holds). No key: just `value`."""
        if not key:
            return value
        key = key[:160]

        def work(session: Session) -> T:
            values = {"key": key, "outcome": {"value": value}, "created_at": self._now()}
            if insert_ignoring_duplicates(session, RequestOutcome, values):
                return value
            return session.get(RequestOutcome, key).outcome["value"]

        return self._db.run(work)

    def purge_request_outcomes(self, days: int = KEEP_OUTCOMES_DAYS) -> int:
        """Forget outcomes older than `days`: no takeover comes that late."""
        cutoff = self._now() - timedelta(days=days)
        return self._db.run(
            lambda s: (
                s.execute(
                    sa.delete(RequestOutcome).where(RequestOutcome.created_at < cutoff)
                ).rowcount
            )
        )
