"""`ripple serve --port N` (HTTP mode) and `ripple serve --socket` (Socket Mode).

HTTP mode serves Slack at `/slack/events`, with `/healthz` and `/readyz`. Both modes start the
in-process weekly-prompt scheduler (turn it off with RIPPLE_SCHEDULER_ENABLED=false when cron
runs `ripple schedule tick` instead). SIGTERM and Ctrl-C stop taking requests, let in-flight
replies finish, then exit.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from bot.config import Settings

log = logging.getLogger(__name__)


def serve(
    port: Annotated[int, typer.Option("--port", help="HTTP port for /slack/events.")] = 3000,
    host: Annotated[
        str,
        typer.Option("--host", help="Interface to listen on; 0.0.0.0 for all (a container)."),
    ] = "127.0.0.1",
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN), no HTTP.")
    ] = False,
) -> None:
    """Run the Slack app."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.logging_setup import configure_logging
    from bot.services import Services
    from bot.slack.app import SlackNotConfigured, build_app, new_executor
    from bot.slack.scheduler import InProcessScheduler
    from bot.slack.server import RippleServer, services_readiness

    settings = Settings()
    if socket and settings.slack_app_token is None:
        typer.echo("Socket Mode needs SLACK_APP_TOKEN (an xapp- app-level token).", err=True)
        raise typer.Exit(2)
    configure_logging(settings)
    _require_encryption_key(settings)
    services = Services(settings)
    executor = new_executor(settings)
    try:
        app = build_app(services, executor=executor)
    except SlackNotConfigured as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    except (BoltError, SlackApiError, OSError) as err:  # Bolt checks the token with auth.test
        typer.echo(
            f"Could not check SLACK_BOT_TOKEN with Slack at {settings.slack_api_url} ({err}). "
            "Check the token, SLACK_API_URL and the network, then start again.",
            err=True,
        )
        raise typer.Exit(2) from None
    _warm_up(services)
    # Take over, now and every few seconds, events a dead replica (or this one, before a
    # crash) acknowledged but never answered.
    inbox = app.inbox.start()
    scheduler = None
    if settings.scheduler_enabled:
        scheduler = InProcessScheduler(
            services, app.client, settings.scheduler_interval_seconds
        ).start()
    try:
        if socket:
            _serve_socket(app, settings)
        else:
            server = RippleServer(
                app,
                readiness=services_readiness(services),
                executor=executor,
                host=host,
                port=port,
            )
            _stop_on_signals(server.shutdown)
            typer.echo(f"Ripple is listening on http://{host}:{server.port}/slack/events")
            server.serve_forever()
            executor.shutdown(wait=True)  # let in-flight replies finish
    finally:
        inbox.stop()
        if scheduler is not None:
            scheduler.stop()


def _require_encryption_key(settings: Settings) -> None:
    """Refuse to start, rather than serve requests that would all fail, when the journal has
    no usable key (none in production, a malformed one, or one that does not decrypt what the
    journal holds) or the journal file is damaged. A database that is down for a moment is
    not a reason to stop: readiness reports it and the bot recovers when it is back."""
    from bot.journal.errors import ConfigurationError, JournalUnavailable
    from bot.journal.opening import check_journal_openable

    try:
        check_journal_openable(settings)
    except JournalUnavailable as err:
        log.warning("%s", err)
    except ConfigurationError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None


def _warm_up(services) -> None:
    """Open the journal and load the model before the first request, not during it."""
    try:
        services.journal.ping()
        services.embedder.embed_query("warm up")
        _ = services.coach
    except Exception as err:  # readiness will report it; HTTP still answers /healthz
        log.warning("warm-up incomplete: %s", err)


def socket_mode_handler(app, settings: Settings):
    """Bolt's Socket Mode adapter on the app's own WebClient (so SLACK_API_URL applies)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None  # checked before anything started
    return SocketModeHandler(app, settings.slack_app_token.get_secret_value())


def _serve_socket(app, settings: Settings) -> None:
    handler = socket_mode_handler(app, settings)
    typer.echo("Ripple is connected to Slack in Socket Mode. Ctrl-C to stop.")
    handler.start()


def _stop_on_signals(shutdown) -> None:
    def handle(_signum, _frame) -> None:
        # serve_forever runs on this (main) thread; shutdown() must come from another one.
        threading.Thread(target=lambda: shutdown(wait=False), daemon=True).start()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
