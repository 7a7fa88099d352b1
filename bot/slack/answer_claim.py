"""An inbox row's answer, posted part by part (see exactly_once.py).

The listener producing an answer holds an `AnswerClaim`; its first post() stores the answer
(`posting`), then `deliver` posts each part tagged with metadata naming the row and records
each `ts` Slack gives back. A takeover calls `deliver` with what was recorded, looking in
Slack first for the one part that may have landed unrecorded.
"""

from __future__ import annotations

import contextvars
import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.journal.errors import JournalError
from bot.slack.inbox_keys import METADATA_TYPE, find_posted

if TYPE_CHECKING:
    from bot.slack.exactly_once import InboxRunner

log = logging.getLogger(__name__)

TIMEOUT_ATTEMPTS = 3  # a chat.postMessage that times out: tried again twice, like a 5xx

current: contextvars.ContextVar[AnswerClaim | None] = contextvars.ContextVar(
    "ripple_answer_claim", default=None
)


def answer_claim() -> AnswerClaim | None:
    """The claim the running listener answers, until its first post() has used it."""
    claim = current.get()
    return claim if claim is not None and not claim.used else None


class AnswerClaim:
    """The right to post one event's answer, held by the listener producing it."""

    def __init__(self, runner: InboxRunner, key: str, attempt: int, received_at: float) -> None:
        self.runner, self.key, self.attempt, self.received_at = runner, key, attempt, received_at
        self.used = False

    def post(self, client: WebClient, channel: str, thread_ts, chunks: list, text: str):
        """Store the answer, then post it part by part; [] if another replica has it now."""
        self.used = True
        answer = {"channel": channel, "thread_ts": thread_ts, "text": text, "chunks": chunks}
        try:
            owner = self.runner.owner
            if not self.runner.inbox.begin_answer(self.key, owner, answer, attempt=self.attempt):
                log.warning("answer superseded", extra={"inbox_key": self.key})
                return []
        except JournalError as error:  # post anyway: a rare duplicate beats a lost answer
            log.warning("inbox unavailable before posting", extra={"error": error})
        runner, since = self.runner, self.received_at
        return deliver(
            runner, client, self.key, answer, [], since, look=False, attempt=self.attempt
        )


def deliver(
    runner: InboxRunner,
    client: WebClient,
    key: str,
    answer: dict,
    posted: list[str],
    since: float,
    *,
    look: bool,
    attempt: int,
) -> list[str]:
    """Post the parts of `answer` not yet in `posted`, recording each `ts` as it lands.

    With `look`, first ask Slack whether the next part already arrived: the owner may
    have died after Slack accepted it and before it recorded the ts.
    """
    from bot.slack.post import post_message

    stamps = list(posted)
    for index in range(len(stamps), len(answer["chunks"])):
        ts = find_posted(client, answer, key, index, since) if look else None
        look = False  # parts go one after another: only this one can be in doubt
        for tries in range(TIMEOUT_ATTEMPTS):
            if ts is not None:
                break
            try:
                ts = post_message(
                    client,
                    answer["channel"],
                    answer.get("thread_ts"),
                    answer["chunks"][index],
                    answer["text"],
                    metadata={
                        "event_type": METADATA_TYPE,
                        "event_payload": {"inbox": key, "part": index},
                    },
                )
            except TimeoutError:
                # Slack may have posted it before the answer was lost: look, then retry.
                if tries + 1 == TIMEOUT_ATTEMPTS:
                    raise
                ts = find_posted(client, answer, key, index, since)
        stamps.append(ts)
        if not _record(runner, key, index, ts, attempt):
            log.warning("answer superseded while posting", extra={"inbox_key": key})
            break
    return stamps


def _record(runner: InboxRunner, key: str, index: int, ts: str, attempt: int) -> bool:
    """Record a posted part; False once another attempt holds the row."""
    try:
        return runner.inbox.record_part(key, runner.owner, index, ts, attempt=attempt)
    except JournalError as error:  # keep posting: a takeover would look before re-posting
        log.warning("inbox not updated", extra={"error": error})
        return True
