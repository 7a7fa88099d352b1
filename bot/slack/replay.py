"""Slack's half of the replayed-interaction guard (the journal's half is journal/replay.py).

A `view_submission` or `block_actions` request keeps a valid signature for 5 minutes, so the
same bytes sent again would save a second entry or count a second vote. This Bolt middleware
keys each interaction by a hash of its whole payload and lets each key through once,
durably, across replicas.
A replay gets an empty 200, as the original did, and nothing runs.

A person pressing a button again is a new click (a new `action_ts`), and resubmitting a modal
after fixing it is new state: neither is a replay. A submission that failed before changing
anything (the journal was down) is `release`d, so sending the same words again works.

The inbox's own re-run of an interaction whose replica died (interaction_inbox.py) carries
an in-process marker that no request from the network can set; only that gets past.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import BoltContext, BoltResponse

from bot.journal.errors import JournalUnavailable
from bot.services import Services
from bot.slack.exactly_once import JOURNAL_SLOW
from bot.slack.interaction_inbox import own_redispatch

log = logging.getLogger(__name__)

CONTEXT_KEY = "ripple_replay_key"
GUARD_BUDGET_SECONDS = 0.75


def interaction_key(body: dict) -> str | None:
    """sha256 of the whole interaction payload, or None for requests this does not guard.

    A replay is the same signed bytes again (changing one byte breaks Slack's signature), so
    the whole payload is the key: any genuine new interaction differs in its `trigger_id`,
    its `action_ts` or what was typed, and is never mistaken for a replay.
    """
    if body.get("type") not in ("view_submission", "block_actions"):
        return None
    raw = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def middleware(services: Services):
    """A global Bolt middleware: the first delivery runs; a replay is answered and dropped."""
    checker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ripple-replay-guard")

    def guard_replays(body: dict, context: BoltContext, next) -> BoltResponse | None:
        key = interaction_key(body) if isinstance(body, dict) else None
        if key is None or own_redispatch(body, context):
            return next()
        if context.get(JOURNAL_SLOW):  # the inbox just waited on it: fail open at once
            log.warning("replay guard: journal slow; letting the interaction through")
            return next()
        try:
            # Within a budget: a database that hangs must leave the listener its own share
            # of Slack's 3 s, so a modal can still say what happened.
            first = checker.submit(lambda: services.journal.first_delivery(key)).result(
                timeout=GUARD_BUDGET_SECONDS
            )
        except (JournalUnavailable, FutureTimeout):
            # Fail open: the listener itself will meet the same outage and say so kindly.
            log.warning("replay guard: journal unavailable; letting the interaction through")
            return next()
        if not first:
            log.info("replayed %s ignored", body.get("type"))
            return BoltResponse(status=200, body="")
        context[CONTEXT_KEY] = key
        return next()

    return guard_replays


def release(services: Services, context: BoltContext | dict | None) -> None:
    """The interaction failed before changing anything: let the same one through again."""
    key = (context or {}).get(CONTEXT_KEY)
    if not key:
        return
    try:
        services.journal.forget_delivery(key)
    except JournalUnavailable:
        log.warning("replay guard: could not release a failed interaction")
