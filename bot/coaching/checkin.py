"""Looking back on last week's commitment: when it is due, how it is recalled, and what the
leader's answer says about it (done, partly or not, changed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.coaching.commitment import much_the_same
from bot.coaching.ports import Commitment

CHECKIN_AFTER = timedelta(days=5)  # "last week" is anything from five days back ...
CHECKIN_WITHIN = timedelta(days=45)  # ... until it is too old to be worth recalling

DONE, NOT_DONE, CHANGED, UNCLEAR = "done", "not_done", "changed", "unclear"

_CHANGED = re.compile(
    r"\b(?:changed|instead|turned out|no longer|didn['’]?t need|wasn['’]?t needed|decided not|"
    r"different(?:ly)?|rethought|realised it|realized it|overtaken|moved on|rather than)\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:didn['’]?t|did not|haven['’]?t|have not|hasn['’]?t|not yet|partly|partially|half|"
    r"some of it|ran out|got in the way|couldn['’]?t|could not|no time|cancell?ed|postponed|"
    r"round to it|forgot|slipped|wasn['’]?t able|never|still to|started but|only managed|"
    r"not really|not quite|not done|nope|no,)\b",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\b(?:did it|done|i did|we did|went well|managed|met|spoke|sent|had the|happened|"
    r"yes|yep|finished|completed|talked|asked|booked|called|wrote|raised|it worked)\b",
    re.IGNORECASE,
)
_UNSURE = re.compile(r"\b(?:not sure|no idea|don['’]?t know|dunno|can['’]?t remember)\b", re.I)


# "Her diary was full and then I was off sick": the answer already says what got in the way.
_REASON = re.compile(
    r"\b(?:because|cos|as|since|but|then|so|due to|what with)\b|"
    r"\b(?:was|were|got) (?:full|busy|away|off|cancell?ed|postponed|moved|pulled)\b|"
    r"\b(?:off sick|ill|on leave|annual leave|holiday|no time|ran out of time|took over|"
    r"got in the way|clash(?:ed)?|diary|pressures?|crisis|firefighting)\b",
    re.IGNORECASE,
)


# Follow-ups that ask for the obstacle: not asked of someone who has just named it.
ASKS_WHY = re.compile(r"got in the way|made it hard|needed to be different|instead|obstacle", re.I)


def explains_why(text: str) -> bool:
    """A "not done" answer that already names what got in the way, so it is not asked."""
    return bool(_REASON.search(text))


def outcome(text: str) -> str:
    """What the leader's check-in answer says happened to the commitment."""
    if _UNSURE.search(text) and not _DONE.search(text):
        return UNCLEAR
    if _CHANGED.search(text):
        return CHANGED
    if _NOT_DONE.search(text):
        return NOT_DONE
    if _DONE.search(text):
        return DONE
    return UNCLEAR


FOLLOW_UP_STAGE = {
    DONE: "checkin_done",  # acknowledge, then: what did you learn?
    NOT_DONE: "checkin_not",  # what got in the way?
    CHANGED: "checkin_changed",  # what do you know now?
    UNCLEAR: "checkin_not",
}
ACKNOWLEDGE = {
    DONE: "You followed it through.",
    NOT_DONE: "That happens, and it's worth looking at honestly.",
    CHANGED: "Plans change when we learn something.",
    UNCLEAR: "",
}


def due(last: Commitment | None, now: datetime, seen: set[str]) -> Commitment | None:
    """Last week's commitment when it is time to ask about it (once), else None."""
    if last is None or f"checkin:{last.entry_id}" in seen:
        return None
    age = now - aware(last.made_at)
    return last if CHECKIN_AFTER <= age <= CHECKIN_WITHIN else None


def recall(text: str, earlier: list[str]) -> str:
    """Last week's commitment in their words; noticed gently when it keeps coming back."""
    said = f"Last week you committed to: “{text}”{_stop(text)}"
    repeats = 0
    for previous in earlier:
        if not much_the_same(text, previous):
            break
        repeats += 1
    if repeats:
        weeks = "as the week before" if repeats == 1 else f"for {repeats + 1} weeks running"
        said += (
            f" I notice it's much the same step {weeks}. That's not a criticism; it may be "
            "telling you something."
        )
    return said


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stop(sentence: str) -> str:
    return "" if sentence.rstrip()[-1:] in ".!?…" else "."
