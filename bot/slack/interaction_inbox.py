"""Clicks and modal submissions whose work posts a message go through the inbox too
(exactly_once.py), so one whose replica dies mid-work is finished by a sweep, once.

- `resumable(app, action=..., view=...)`: a listener declares that its work posts and may run
  again. The middleware then records each such interaction (keyed by its trigger_id, which
  Slack makes per click and per submission) before the ack, as it does an event.
- A click's work is a lazy listener, which the inbox already runs under the claim. A modal's
  work runs in its ack function (the save must happen before the modal closes), so it runs
  inside `holding(app, context)`: its first post is the answer, the row closes at the end.
- A takeover dispatches the stored request again with the in-process TAKEOVER marker (never
  set from the network); `own_redispatch` lets that past the replay guard (replay.py), which
  keeps turning away the same signed bytes sent again by anyone else.
- What the work changes in the journal is kept once per request (journal/once.py), so the
  takeover posts what the first run did ("saved as entry 4") without saving it twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App

from bot.slack.exactly_once import ATTEMPT, CLAIM, TAKEOVER, UNTRACKED
from bot.slack.inbox_keys import request_key


def resumable(app: App, *, action: str | None = None, view: str | None = None) -> None:
    """Hold this action's clicks (or this modal's submissions) in the inbox."""
    runner = getattr(app, "inbox", None)
    if runner is None:  # an App built without the inbox (never in production)
        return
    if action is not None:
        runner.resumable.actions.add(action)
    if view is not None:
        runner.resumable.views.add(view)


@contextmanager
def holding(app: App, context) -> Iterator[None]:
    """Run a modal's ack-function work under its inbox claim (nothing, if it has none)."""
    runner = getattr(app, "inbox", None)
    key = context.get(CLAIM) if runner is not None else None
    if not key:
        yield
        return
    runner.started(key)  # before the ack: the row must not be closed when Bolt returns
    with runner.claimed(key, int(context.get(ATTEMPT) or 1)):
        yield


def is_takeover(context) -> bool:
    """True when this run finishes a request another run (maybe another replica) started:
    nobody is waiting for its ack, so anything to tell the person goes by DM."""
    return bool(context.get(TAKEOVER))


def own_redispatch(body: dict, context) -> bool:
    """The inbox's own re-run of this very request, set in-process, never from the network."""
    key = request_key(body)
    return key is not None and key in (context.get(TAKEOVER), context.get(UNTRACKED))
