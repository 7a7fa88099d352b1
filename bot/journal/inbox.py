"""The durable inbox: an acknowledged Slack event is held until its answer is posted.

    inbox = Inbox.of(journal)
    inbox.receive(key, kind, request, owner=me, lease_seconds=30)  # on the ack path
    inbox.begin_answer(key, me, answer)      # status working -> posting, before chat.postMessage
    inbox.record_part(key, me, 0, ts)        # each message Slack accepted
    inbox.finish(key)                        # done: the tokens are cleared

A row's life: `working` (someone holds the lease and is producing the answer) -> `posting`
(the answer is stored and being posted; `posted_ts` lists the messages Slack accepted) ->
`done`, or `failed` after too many attempts. When a process dies, its lease runs out and
`claim_orphans` hands the row to whichever replica asks first: PostgreSQL with
`SELECT ... FOR UPDATE SKIP LOCKED`, SQLite with a conditional UPDATE (its writes are
serialised anyway). Every state change is conditional, so running any step twice is harmless.

The request and the answer hold what a person wrote, so they are encrypted like journal text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.db import insert_ignoring_duplicates
from bot.journal.models import InboxEvent

OPEN = ("working", "posting")
KEEP_DONE_DAYS = 7  # long enough to recognise any Slack retry (Slack stops within minutes)


class Arrival(Enum):
    NEW = "new"  # recorded now: this process owns it
    SEEN = "seen"  # done, or someone holds a live lease: nothing to do
    ORPHANED = "orphaned"  # not done and its lease ran out: a takeover will pick it up


@dataclass
class Claimed:
    """An open row this process now holds the lease on."""

    key: str
    kind: str
    status: str
    attempts: int
    received_at: datetime
    request: dict | None
    answer: dict | None
    posted_ts: list[str] = field(default_factory=list)


class Inbox:
    def __init__(self, db, cipher, clock=None) -> None:
        self._db, self._cipher, self._clock = db, cipher, clock

    @classmethod
    def of(cls, journal) -> Inbox:
        """The inbox in `journal`'s database, under its encryption keys.

        Leases are about processes, not the coaching calendar, so they run on the real
        clock even when the journal is given a fixed one."""
        return cls(journal._db, journal._cipher)

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    # --- arrival --------------------------------------------------------------------------
    def receive(
        self, key: str, kind: str, request: dict, *, owner: str, lease_seconds: float
    ) -> Arrival:
        """Record `key` on arrival, owned by `owner` for `lease_seconds`; idempotent."""
        now = self._now()
        values = {
            "key": key[:160],
            "kind": kind[:40],
            "status": "working",
            "owner": owner,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "attempts": 1,
            "request_token": self._cipher.encrypt(json.dumps(request)),
            "answer_token": None,
            "posted_ts": [],
            "received_at": now,
            "updated_at": now,
        }

        def work(session: Session) -> Arrival:
            if insert_ignoring_duplicates(session, InboxEvent, values):
                return Arrival.NEW
            row = session.get(InboxEvent, key[:160])
            if row is None or row.status not in OPEN or row.lease_until > now:
                return Arrival.SEEN
            return Arrival.ORPHANED

        return self._db.run(work)

    # --- takeover -------------------------------------------------------------------------
    def claim_orphans(
        self, owner: str, *, lease_seconds: float, limit: int = 20, exclude: list[str] = ()
    ) -> list[Claimed]:
        """Take over up to `limit` open rows whose lease ran out; each row goes to one caller.

        Each claim counts an attempt, and the attempt number fences off whoever held the row
        before: their `begin_answer` / `record_part` no longer match. `exclude` is the work
        the caller still has in hand (never an orphan of its own)."""
        now = self._now()
        until = now + timedelta(seconds=lease_seconds)

        def work(session: Session) -> list[Claimed]:
            query = (
                sa.select(InboxEvent.key)
                .where(
                    InboxEvent.status.in_(OPEN),
                    InboxEvent.lease_until < now,
                    InboxEvent.key.not_in(list(exclude)),
                )
                .order_by(InboxEvent.lease_until)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claimed: list[Claimed] = []
            for key in session.scalars(query).all():
                won = session.execute(
                    sa.update(InboxEvent)
                    .where(
                        InboxEvent.key == key,
                        InboxEvent.status.in_(OPEN),
                        InboxEvent.lease_until < now,
                    )
                    .values(
                        owner=owner,
                        lease_until=until,
                        attempts=InboxEvent.attempts + 1,
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won == 1:
                    claimed.append(self._claimed(session.get(InboxEvent, key)))
            return claimed

        return self._db.run(work)

    def _claimed(self, row: InboxEvent) -> Claimed:
        def clear(token: str | None) -> dict | None:
            return json.loads(self._cipher.decrypt(token)) if token else None

        return Claimed(
            key=row.key,
            kind=row.kind,
            status=row.status,
            attempts=row.attempts,
            received_at=row.received_at,
            request=clear(row.request_token),
            answer=clear(row.answer_token),
            posted_ts=list(row.posted_ts or []),
        )

    def renew(self, owner: str, keys: list[str], *, lease_seconds: float) -> int:
        """Extend this process's leases on work still in hand; how many rows it still holds."""
        if not keys:
            return 0
        now = self._now()

        def work(session: Session) -> int:
            return session.execute(
                sa.update(InboxEvent)
                .where(
                    InboxEvent.key.in_(keys),
                    InboxEvent.owner == owner,
                    InboxEvent.status.in_(OPEN),
                )
                .values(lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount

        return self._db.run(work)

    # --- the answer -----------------------------------------------------------------------
    def begin_answer(self, key: str, owner: str, answer: dict, *, attempt: int = 1) -> bool:
        """Store the answer and move to `posting`; False if this attempt lost the row."""
        now = self._now()

        def work(session: Session) -> bool:
            result = session.execute(
                sa.update(InboxEvent)
                .where(
                    InboxEvent.key == key,
                    InboxEvent.owner == owner,
                    InboxEvent.attempts == attempt,
                    InboxEvent.status == "working",
                )
                .values(
                    status="posting",
                    answer_token=self._cipher.encrypt(json.dumps(answer)),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

        return self._db.run(work)

    def record_part(
        self, key: str, owner: str, index: int, ts: str, *, attempt: int | None = None
    ) -> bool:
        """Slack accepted message `index` of the answer as `ts`; recording it twice keeps it
        once. False when this `owner`'s `attempt` no longer holds the row: stop posting."""
        now = self._now()

        def work(session: Session) -> bool:
            row = session.get(InboxEvent, key, with_for_update=True)
            if row is None or row.status != "posting":
                return False
            if attempt is not None and (row.owner, row.attempts) != (owner, attempt):
                return False
            stamps = list(row.posted_ts or [])
            if index == len(stamps):
                row.posted_ts = [*stamps, ts]
                row.updated_at = now
            return True

        return self._db.run(work)

    def finish(self, key: str, owner: str | None = None, attempt: int | None = None) -> bool:
        """Done: never answered again. The request and the answer are no longer kept.

        With `owner` and `attempt`, only while that attempt still holds the row: work a
        takeover has superseded must not close what its successor is answering."""
        return self._close(key, "done", owner=owner, attempt=attempt)

    def give_up(self, key: str, owner: str) -> bool:
        """Failed for good after too many attempts; True for the one caller who closed it."""
        return self._close(key, "failed", owner=owner)

    def _close(
        self, key: str, status: str, owner: str | None = None, attempt: int | None = None
    ) -> bool:
        now = self._now()

        def work(session: Session) -> bool:
            conditions = [InboxEvent.key == key, InboxEvent.status.in_(OPEN)]
            if owner is not None:
                conditions.append(InboxEvent.owner == owner)
            if attempt is not None:
                conditions.append(InboxEvent.attempts == attempt)
            result = session.execute(
                sa.update(InboxEvent)
                .where(*conditions)
                .values(status=status, request_token=None, answer_token=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

        return self._db.run(work)

    def release(self, key: str, owner: str, attempt: int | None = None) -> None:
        """This attempt broke: let the next takeover try again (attempts stay bounded)."""
        now = self._now()
        conditions = [InboxEvent.key == key, InboxEvent.owner == owner]
        if attempt is not None:
            conditions.append(InboxEvent.attempts == attempt)

        def work(session: Session) -> None:
            session.execute(
                sa.update(InboxEvent)
                .where(*conditions)
                .values(lease_until=now - timedelta(seconds=1), updated_at=now)
                .execution_options(synchronize_session=False)
            )

        self._db.run(work)

    def status(self, key: str) -> tuple[str, list[str]] | None:
        """(status, posted_ts) of one row, for tests and operators."""

        def work(session: Session):
            row = session.get(InboxEvent, key)
            return None if row is None else (row.status, list(row.posted_ts or []))

        return self._db.run(work)

    def purge_closed(self, days: int = KEEP_DONE_DAYS) -> int:
        """Forget done and failed rows older than `days`."""
        cutoff = self._now() - timedelta(days=days)

        def work(session: Session) -> int:
            return session.execute(
                sa.delete(InboxEvent).where(
                    InboxEvent.status.not_in(OPEN), InboxEvent.updated_at < cutoff
                )
            ).rowcount

        return self._db.run(work)
