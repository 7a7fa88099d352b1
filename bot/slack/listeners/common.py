"""What every listener shares: reading ids out of payloads, and failing kindly.

`kindly()` wraps the work a listener does after its ack. If the journal or the evidence
library is down, or anything else breaks, the person is told in plain words what happened and
what to do, the error is logged, and the process carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.ports import Who
from bot.evidence.passage import EvidenceUnavailable
from bot.journal.errors import (
    AccessDenied,
    InvalidInput,
    JournalError,
    JournalUnavailable,
    NotFound,
)
from bot.logging_setup import Safe
from bot.services import Services
from bot.slack import modals
from bot.slack.post import Where, advice_for, post
from bot.slack.replies import team_label
from bot.slack.who import is_personal

log = logging.getLogger(__name__)

EVIDENCE_DOWN = (
    "The evidence library is temporarily unavailable, so I can't look up what helped "
    "elsewhere right now. Please ask again in a few minutes. Reflections still work."
)
JOURNAL_DOWN = (
    "Your journal is briefly unavailable, so nothing was saved or shown just now. "
    "Nothing you wrote before is lost. Please try again in a minute."
)
JOURNAL_TROUBLE = (
    "Your journal can't be opened just now because of a problem on Ripple's side. Nothing "
    "you wrote is lost, and whoever runs Ripple has the details. Please try again later."
)
MODAL_JOURNAL_DOWN = "The journal is briefly unavailable, so nothing was saved. Please try again."
SOMETHING_BROKE = (
    "Sorry, something went wrong on my side and I couldn't finish that. Nothing you wrote "
    "has been shared. Please try again in a minute."
)

MAX_MESSAGE_CHARS = 40_000  # Slack's own limit on a message's text


def workspace_of(body: dict) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return str(team.get("id") or "local")
    return str(body.get("team_id") or team or "local")


def user_of(body: dict) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id") or user or "")


def slack_unescape(text: str) -> str:
    """Slack sends &, < and > in message text (and escaped commands) as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text[:limit]


def new_entry_view(services: Services, who: Who, initial_text: str = "") -> dict:
    """The journal modal for a new entry in `who.team`, offering the person's other teams."""
    teams = [(t.slug, t.name) for t in services.journal.teams_for(who.user)]
    return modals.journal_entry(
        team=who.team,
        team_name=team_label(who.team),
        initial_text=initial_text,
        can_share=not is_personal(who.team),
        teams=teams,
    )


# Journal errors whose own words are written for the person who asked. Everything else
# (a key that no longer decrypts, a damaged file, a configuration problem) is written for the
# operator: the person gets a calm sentence and the log gets the detail.
PERSON_FACING = (AccessDenied, NotFound, InvalidInput)


def kind_message(error: Exception) -> str:
    """The sentence a person sees for an error. Never operator instructions."""
    if isinstance(error, EvidenceUnavailable):
        return EVIDENCE_DOWN
    if isinstance(error, JournalUnavailable):
        return JOURNAL_DOWN  # its own text may be written for the operator
    if isinstance(error, PERSON_FACING):
        return str(error)
    if isinstance(error, JournalError):
        # The journal's own operator text (a key, a damaged file): ours, never user words.
        log.error("journal problem for the operator: %s", Safe(str(error)))
        return JOURNAL_TROUBLE
    return SOMETHING_BROKE


def modal_message(error: Exception) -> str:
    """`kind_message`, short enough for a modal's inline error."""
    if isinstance(error, JournalUnavailable):
        return MODAL_JOURNAL_DOWN
    return kind_message(error)[:150]


@contextmanager
def kindly(client: WebClient, where: Where | Callable[[], Where], what: str) -> Iterator[None]:
    """Run a listener's work; on failure, tell the person at `where` and log `what` failed."""
    try:
        yield
    except (AccessDenied, NotFound, InvalidInput) as error:
        log.info("%s refused: %s", Safe(what), error)
        post(client, _resolve(where), kind_message(error))
    except SlackApiError as error:  # e.g. conversations.info on a channel I'm not in
        code = str(error.response.get("error") or "")
        log.warning("%s: slack refused: %s", Safe(what), error)
        post(client, _resolve(where), advice_for(code))
    except (JournalError, EvidenceUnavailable) as error:
        log.warning("%s failed: %s", Safe(what), error)
        post(client, _resolve(where), kind_message(error))
    except Exception:
        log.exception("%s failed", Safe(what))
        post(client, _resolve(where), SOMETHING_BROKE)


def _resolve(where: Where | Callable[[], Where]) -> Where:
    return where() if callable(where) else where
