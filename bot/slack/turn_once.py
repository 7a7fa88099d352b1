"""A reflection turn is taken in once, however often its request's work runs.

The inbox runs a DM's work again when the replica doing it died (exactly_once.py). If the dead
replica's coach had already saved the turn, running it again would take the leader's words in
as a second turn. So before the coach runs, the request remembers (journal.remember, once per
request) a fingerprint of the conversation as it found it; a later run that finds the
conversation moved on since knows the turn is in, and asks the question it is waiting on; and
the turn's entry, if it saves one, is saved with the request's key, so at most once.
"""

from __future__ import annotations

import hashlib
import json

from bot.coaching.ports import Who, turn_key
from bot.coaching.reply import Reply
from bot.slack.answer_claim import answer_claim


def reflect_once(services, who: Who, text: str) -> Reply:
    claim = answer_claim()
    if claim is None:  # not under the inbox (e.g. the inbox was unreachable): as before
        return services.coach.reflect(who, text)
    before = _fingerprint(services.journal.load_conversation(who))
    if services.journal.remember(f"turn:{claim.key}", before) != before:
        return services.coach.where_we_were(who)
    # A rerun of a turn that died after saving its entry but before ending the conversation
    # finds the conversation unchanged: the entry save takes the key, so it is made once.
    token = turn_key.set(claim.key)
    try:
        return services.coach.reflect(who, text)
    finally:
        turn_key.reset(token)


def _fingerprint(state: dict | None) -> str:
    raw = json.dumps(state, sort_keys=True, default=str) if state is not None else "none"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]
