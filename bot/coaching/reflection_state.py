"""The shape of a weekly reflection, and the state it keeps between turns.

    check-in (when last week's commitment is due) ─► reality (2-4 turns) ─► options (>= 1)
        ─► will: the commitment, checked; a non-answer is asked again once, then
           "no commitment this week" is recorded honestly.

A distress turn, a correction and an advice request are never followed straight away by
the commitment question. The state is a plain dict kept (encrypted) in the journal
database, so a restart mid-conversation loses nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

STATE_VERSION = 2
CHECKIN, CHECKIN_FOLLOW_UP = "checkin", "checkin_follow_up"
OPENER, REALITY, OPTIONS, WILL = "opener", "reality", "options", "will"
MIN_REALITY, MAX_REALITY = 2, 4  # reality turns before the options question
WORDS_FOR_EARLY_OPTIONS = 25  # after two turns, enough said to widen the choices
MAX_WILL_ASKS = 2  # the commitment question, then once more; then none this week
STALE_AFTER = timedelta(days=3)  # a new weekly prompt replaces a conversation this old


def new_state(now: datetime) -> dict:
    return {
        "v": STATE_VERSION,
        "stage": "",
        "turns": [],  # the leader's words, kept for the journal entry
        "themes": [],
        "reality": 0,  # reality turns so far
        "options": 0,  # options questions answered
        "will_asks": 0,
        "last_act": "",
        "redirects": 0,
        "asked": [],
        "question": "",
        "question_id": "",
        "checkin": None,
        "started_at": now.isoformat(),
    }


def upgrade(state: dict) -> dict:
    """A conversation saved by the previous version carries on under this one."""
    if state.get("v") == STATE_VERSION:
        return state
    fresh = new_state(datetime.fromisoformat(state.get("started_at") or "2000-01-01T00:00"))
    fresh.update({k: v for k, v in state.items() if k in fresh})
    stage = state.get("stage")
    fresh["stage"] = {"exploring": REALITY, "commitment": WILL}.get(stage, stage or OPENER)
    fresh["reality"] = int(state.get("exchanges", 0))
    fresh["v"] = STATE_VERSION
    return fresh
