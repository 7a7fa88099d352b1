"""Every acknowledged Slack event (and slash command) is answered exactly once, across crashes
and replicas. The journal's inbox (journal/inbox.py) holds it from its ack until its answer
is posted; this is the Slack side:

- `middleware` records the request with this process's lease before Bolt sends the 200; a
  retry, or a second replica, finds the row and nothing runs.
- `_InboxLazyRunner` runs the lazy listener under the claim; `post()` stores the answer
  (`posting`), tags each message with metadata naming the row, records each `ts`
  (answer_claim.py); then done.
- `sweep()` (on start, then every few seconds, on every replica) renews our leases and takes
  over rows whose lease ran out: `working` is dispatched again from the stored request;
  `posting` resumes the stored answer after looking in the thread for the part in doubt.
  After `max_attempts` the person gets a calm message.

Clicks and modal submissions whose work posts go the same way (interaction_inbox.py).
The windows still open are listed in docs/exactly-once.md.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.journal.errors import JournalError
from bot.journal.inbox import Arrival, Claimed, Inbox
from bot.slack.answer_claim import AnswerClaim, current, deliver
from bot.slack.inbox_keys import (
    Resumable,
    inbox_key,
    is_interaction,
    kind_of,
    runs_inline,
    where_for_event,
)

log = logging.getLogger(__name__)

CLAIM = "ripple_inbox_key"  # in Bolt's context: the inbox row this request's work answers
ATTEMPT = "ripple_inbox_attempt"  # ...and which attempt at it (a takeover fences off the last)
TAKEOVER = "ripple_inbox_takeover"  # set only by our own re-dispatch, never from the network
UNTRACKED = "ripple_inbox_untracked"  # ...of work the inbox could not record
LATER = "later"
PURGE_EVERY_SECONDS = 3600
ACK_BUDGET_SECONDS = 1.5  # of Slack's 3 s for recording an arrival; the rest is Bolt's
VIEW_BUDGET_SECONDS = 0.75  # a modal's save needs its own share of the 3 s (views.py)
JOURNAL_SLOW = "ripple_journal_slow"  # the inbox got no answer in time: don't wait again
GAVE_UP = (
    "I'm sorry: I couldn't answer your message from a little earlier, even after trying "
    "a few times. Nothing you wrote has been shared. Please send it again when you're ready."
)
GAVE_UP_INTERACTION = (
    "I'm sorry: I couldn't finish what you asked for a little earlier (a button or a form), "
    "even after trying a few times. Nothing you wrote has been shared. Please try again."
)


class InboxRunner:
    """One per process: the owner id, the middleware, the lazy runner and the sweeper."""

    def __init__(self, services, app: App, client: WebClient) -> None:
        settings = services.settings
        self.services, self.app, self.client = services, app, client
        self.owner = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.lease_seconds = float(settings.inbox_lease_seconds)
        self.sweep_seconds = float(settings.inbox_sweep_seconds)
        self.max_attempts = int(settings.inbox_max_attempts)
        self.ack_budget_seconds = ACK_BUDGET_SECONDS
        secret = settings.slack_signing_secret
        self._verifier = SignatureVerifier(secret.get_secret_value()) if secret else None
        self._inbox: Inbox | None = None
        self._lock = threading.Lock()
        self._in_hand: dict[str, int] = {}  # key -> lazy functions still running
        self._started: set[str] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._checker = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ripple-inbox-ack")
        self.executor: ThreadPoolExecutor | None = None  # the app's listener pool (install)
        self.resumable = Resumable()  # the interactions held too (interaction_inbox.py)

    @property
    def inbox(self) -> Inbox:
        if self._inbox is None:
            self._inbox = Inbox.of(self.services.journal)
        return self._inbox

    # --- the ack path ---------------------------------------------------------------------
    def middleware(self, request: BoltRequest, body: dict, context, next) -> BoltResponse | None:
        key = inbox_key(body, self.resumable)
        if key is None:
            return next()
        if context.get(TAKEOVER) == key:  # our own re-dispatch of a row we hold
            context[CLAIM] = key  # (ATTEMPT came with it)
            return next()
        if context.get(UNTRACKED) == key:  # our own re-dispatch: the inbox could not say
            return next()
        stored = {
            "body": request.raw_body,
            "content_type": (request.headers.get("content-type") or ["application/json"])[0],
            "query": request.query,
        }
        arrival = self._receive_within_budget(key, kind_of(body), stored)
        if arrival == LATER:  # acked now; the work starts once the inbox has answered
            return BoltResponse(status=200, body="")
        if arrival is Arrival.SEEN:
            log.info("duplicate event ignored", extra={"event_id": body.get("event_id")})
            return BoltResponse(status=200, body="")
        if arrival is Arrival.ORPHANED:  # its owner died: the sweeper takes it over
            self._wake.set()
            return BoltResponse(status=200, body="")
        if arrival is Arrival.NEW:
            context[CLAIM], context[ATTEMPT] = key, 1
        else:  # None: the inbox is unreachable; answer untracked rather than not at all. The
            context[JOURNAL_SLOW] = True  # replay guard asks the same database: no 2nd wait
        return next()

    def _receive_within_budget(self, key: str, kind: str, stored: dict):
        """Record the arrival, within a time budget: a database that hangs must not make us
        miss Slack's 3-second deadline (which would only bring more retries). None means
        "answer it untracked" (a rare duplicate beats a silently dropped message); LATER,
        that the inbox is slow and the work will start when it answers."""
        future = self._checker.submit(
            lambda *a, **kw: self.inbox.receive(*a, **kw),  # the journal may not open yet
            key,
            kind,
            stored,
            owner=self.owner,
            lease_seconds=self.lease_seconds,
        )
        try:
            budget = self.ack_budget_seconds
            if key.startswith("view:"):
                budget = min(budget, VIEW_BUDGET_SECONDS)
            return future.result(timeout=budget)
        except JournalError as error:
            log.warning("event inbox skipped", extra={"error": error})
            return None
        except FutureTimeout:
            if key.startswith(("command:", "view:")):
                # A command's work may open a modal, whose trigger_id lasts 3 s, and a modal's
                # answer (errors or close) is the ack itself: run it now, untracked, and close
                # the row if it lands (Slack never retries either).
                future.add_done_callback(lambda f: self._close_late_command(key, f))
                return None
            log.warning("event inbox slow; the work waits for it", extra={"inbox_key": key})
            self._mark_in_hand(key, +1)  # ours once it lands: renewed, never self-claimed
            future.add_done_callback(lambda f: self._late_arrival(key, stored, f))
            return LATER

    def _close_late_command(self, key: str, future) -> None:
        if future.exception() is None and future.result() is Arrival.NEW:
            self._quietly(lambda: self.inbox.finish(key, self.owner, 1))

    def _late_arrival(self, key: str, stored: dict, future) -> None:
        """The inbox answered after the ack: run the work now if it is ours (or if the inbox
        failed), as the sweeper would; a duplicate or an orphan needs nothing from here."""
        try:
            if future.exception() is not None:
                log.warning("inbox failed late; answering untracked", extra={"inbox_key": key})
                self._dispatch_stored(key, stored, {UNTRACKED: key})
            elif future.result() is Arrival.NEW:
                self._dispatch_stored(key, stored, {TAKEOVER: key, ATTEMPT: 1})
        finally:
            self._mark_in_hand(key, -1)

    def after_dispatch(self, request: BoltRequest) -> None:
        """Bolt has routed the request: a claimed event that started no lazy work (ignored,
        or answered inline) is done now; one that did is closed by `run_claimed`."""
        key = request.context.get(CLAIM)
        if not key:
            return
        with self._lock:
            started = key in self._started
            self._started.discard(key)
        if not started:
            attempt = int(request.context.get(ATTEMPT) or 1)
            self._quietly(lambda: self.inbox.finish(key, self.owner, attempt))

    # --- the work -------------------------------------------------------------------------
    def started(self, key: str) -> None:
        with self._lock:
            self._started.add(key)
        self._mark_in_hand(key, +1)

    def run_claimed(self, key: str, function: Callable[..., None], request: BoltRequest) -> None:
        """Run a lazy listener with the claim set, then close (or release) the row."""
        try:
            with self.claimed(key, int(request.context.get(ATTEMPT) or 1)):
                kwargs = build_required_kwargs(
                    logger=log,
                    required_arg_names=get_arg_names_of_callable(function),
                    request=request,
                    response=None,
                    this_func=function,
                )
                function(**kwargs)
        except Exception:
            log.exception("listener failed; the event will be tried again")

    @contextmanager
    def claimed(self, key: str, attempt: int):
        """The work for `key` runs inside: its first post() is the answer; then the row is
        closed, or released for a takeover if the work raised."""
        claim = AnswerClaim(self, key, attempt, time.time())
        token = current.set(claim)
        try:
            yield claim
        except BaseException:
            self._quietly(lambda: self.inbox.release(key, self.owner, attempt))
            raise
        else:  # a run a takeover superseded leaves the row to its successor
            self._quietly(lambda: self.inbox.finish(key, self.owner, attempt))
        finally:
            current.reset(token)
            self._mark_in_hand(key, -1)

    # --- takeover -------------------------------------------------------------------------
    def start(self) -> InboxRunner:
        self._thread = threading.Thread(target=self._loop, name="ripple-inbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        purged_at = 0.0
        while not self._stop.is_set():
            try:
                self.sweep()
                if time.monotonic() - purged_at > PURGE_EVERY_SECONDS:
                    purged_at = time.monotonic()
                    self.inbox.purge_closed()  # answered rows: kept a week, for Slack retries
                    self.services.journal.purge_request_outcomes()
            except Exception:  # the loop must outlive any one bad sweep
                log.exception("inbox sweep failed")
            self._wake.wait(self.sweep_seconds)
            self._wake.clear()

    def sweep(self) -> int:
        """Renew our leases, then take over what dead owners left; how many were taken."""
        with self._lock:
            in_hand = list(self._in_hand)
        try:
            self.inbox.renew(self.owner, in_hand, lease_seconds=self.lease_seconds)
            claimed = self.inbox.claim_orphans(
                self.owner, lease_seconds=self.lease_seconds, exclude=in_hand
            )
        except JournalError as error:
            log.warning("inbox sweep skipped", extra={"error": error})
            return 0
        for row in claimed:
            try:
                self._take_over(row)
            except Exception:
                log.exception("takeover failed", extra={"inbox_key": row.key})
                self._quietly(lambda r=row: self.inbox.release(r.key, self.owner, r.attempts))
        return len(claimed)

    def _take_over(self, row: Claimed) -> None:
        log.info(
            "taking over an event",
            extra={"inbox_key": row.key, "status": row.status, "attempt": row.attempts},
        )
        if row.attempts > self.max_attempts or row.request is None:
            if self.inbox.give_up(row.key, self.owner):
                self._tell_person(row)
            return
        if row.status == "posting" and row.answer is not None:
            self._mark_in_hand(row.key, +1)  # renewed by the sweeps while it is posted
            self.executor.submit(self._resume, row)
            return
        self._dispatch_again(row)

    def _resume(self, row: Claimed) -> None:
        """Post what is left of a stored answer (after looking for the part in doubt)."""
        try:
            assert row.answer is not None
            since, attempt = row.received_at.timestamp(), row.attempts
            answer, stamps = row.answer, row.posted_ts
            deliver(self, self.client, row.key, answer, stamps, since, look=True, attempt=attempt)
            self.inbox.finish(row.key, self.owner, attempt)
        except Exception:
            log.exception("resuming an answer failed", extra={"inbox_key": row.key})
            self._quietly(lambda: self.inbox.release(row.key, self.owner, row.attempts))
        finally:
            self._mark_in_hand(row.key, -1)

    def _dispatch_again(self, row: Claimed) -> None:
        assert row.request is not None
        self._dispatch_stored(row.key, row.request, {TAKEOVER: row.key, ATTEMPT: row.attempts})

    def _dispatch_stored(self, key: str, stored: dict, context: dict) -> None:
        """Run a stored request's listener, as Bolt would for Slack, without a second ack."""
        assert self._verifier is not None
        raw = stored["body"]
        timestamp = str(int(time.time()))
        headers = {
            "content-type": [stored.get("content_type") or "application/json"],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [self._verifier.generate_signature(timestamp=timestamp, body=raw)],
        }
        if not is_interaction(key) and not runs_inline(raw):
            # A click's or a modal's work, and the side panel's (Bolt's Assistant runs its
            # listeners inline), is not lazy; every other event's is: its ack went long ago.
            headers["x-slack-bolt-lazy-only"] = ["1"]
        self.app.dispatch(BoltRequest(body=raw, headers=headers, context=context))

    def _mark_in_hand(self, key: str, delta: int) -> None:
        with self._lock:
            left = self._in_hand.get(key, 0) + delta
            if left > 0:
                self._in_hand[key] = left
            else:
                self._in_hand.pop(key, None)

    def _tell_person(self, row: Claimed) -> None:
        from bot.slack.post import post

        where = where_for_event(row.request)
        log.warning("event given up", extra={"inbox_key": row.key, "attempts": row.attempts})
        if where is not None:
            post(self.client, where, GAVE_UP_INTERACTION if is_interaction(row.key) else GAVE_UP)

    def _quietly(self, work: Callable[[], object]) -> None:
        try:
            work()
        except JournalError as error:  # a takeover will tidy up what this could not record
            log.warning("inbox not updated", extra={"error": error})
