"""The Bolt app factory: builds a configured `App` from `Services` and registers listeners.

Listeners are split by kind (`listeners/events.py`, `commands.py`, `actions.py`, `views.py`);
this module wires them to one `App` and adds the middleware every request passes through.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.error import URLError

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.services import Services
from bot.slack import inbox_app, inbox_keys

log = logging.getLogger(__name__)


class SlackNotConfigured(RuntimeError):
    """A Slack credential is missing; the message says which one and where to set it."""


def build_client(settings: Settings) -> WebClient:
    """A WebClient on `SLACK_API_URL`, retrying 429s (after Retry-After), 5xx and resets."""
    if settings.slack_bot_token is None:
        raise SlackNotConfigured("Set SLACK_BOT_TOKEN (the app's xoxb- bot token) to run Ripple.")
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        timeout=settings.slack_timeout_seconds,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            TimeoutRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )


class TimeoutRetryHandler(RetryHandler):
    """A call that times out is retried like a 5xx. Not an event's answer (it carries its
    inbox metadata): Slack may hold it already, so exactly_once looks before posting again."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if isinstance(error, URLError):
            error = error.reason
        if not isinstance(error, TimeoutError):
            return False
        return inbox_keys.METADATA_TYPE.encode() not in (request.data or b"")


def build_app(
    services: Services,
    *,
    client: WebClient | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """A Bolt App whose listeners talk to `services`; nothing else is global."""
    settings = services.settings
    if settings.slack_signing_secret is None:
        raise SlackNotConfigured(
            "Set SLACK_SIGNING_SECRET (Basic Information > App Credentials) to run Ripple."
        )
    app = inbox_app.InboxApp(
        client=client or build_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # Ack first, work after: Bolt returns the HTTP response as soon as ack() is called.
        process_before_response=False,
        listener_executor=executor,
        logger=logging.getLogger("bot.slack.bolt"),
    )
    # Every event is held in the journal's inbox from its ack until its answer is posted:
    # a retry never answers twice, and a replica that dies mid-answer is finished by another.
    inbox_app.install(app, services, app.client)  # sets app.inbox

    from bot.slack.listeners import actions, commands, events, views

    events.register(app, services)
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    from bot.slack.listeners import privacy_actions, privacy_commands  # issue 5

    privacy_commands.register(app, services)
    privacy_actions.register(app, services)
    from bot.slack import assistant  # issue 12: the Agents & AI Apps side panel

    assistant.register(app, services)
    _acknowledge_the_rest(app)  # last: Bolt runs the first listener that matches
    return app


def _acknowledge_the_rest(app: App) -> None:
    """A button from an older message, or an event we don't use, still gets its 200: without
    it Bolt answers 404, Slack shows the person an error, and retries the event."""
    anything = re.compile(".*")

    @app.action(anything)
    def unknown_action(ack, body: dict) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        log.info("unhandled action", extra={"action_id": action.get("action_id")})

    @app.event(anything)
    def unknown_event(event: dict) -> None:
        log.info("unhandled event", extra={"event_type": event.get("type")})


def new_executor(settings: Settings) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="ripple-slack")
