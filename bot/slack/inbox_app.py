"""Wiring the inbox into Bolt: an App that reports each routed request, and a lazy-listener
runner that runs work for an inbox row under its claim (see exactly_once.py)."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.lazy_listener import ThreadLazyListenerRunner
from slack_sdk import WebClient

from bot.slack.exactly_once import CLAIM, InboxRunner


class _InboxLazyRunner(ThreadLazyListenerRunner):
    """Bolt's thread runner, but a lazy listener for an inbox row runs under its claim."""

    def __init__(self, runner: InboxRunner, original: ThreadLazyListenerRunner) -> None:
        super().__init__(logger=original.logger, executor=original.executor)
        self.runner = runner

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        key = request.context.get(CLAIM)
        if not key:
            super().start(function, request)
            return
        self.runner.started(key)
        self.executor.submit(self.runner.run_claimed, key, function, request)


class InboxApp(App):
    """A Bolt App that tells the inbox when each request has been routed (middleware cannot:
    Bolt runs the listeners only after every middleware has returned)."""

    inbox: InboxRunner

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        try:
            return super().dispatch(req)
        finally:
            if getattr(self, "inbox", None) is not None:
                self.inbox.after_dispatch(req)


def install(app: InboxApp, services, client: WebClient) -> InboxRunner:
    """Put the inbox on `app`'s ack path and under its lazy listeners; returns the runner
    (`start()` it to sweep for orphaned work)."""
    runner = InboxRunner(services, app, client)
    app.inbox = runner
    lazy = app.listener_runner.lazy_listener_runner
    runner.executor = lazy.executor
    app.listener_runner.lazy_listener_runner = _InboxLazyRunner(runner, lazy)
    app.use(runner.middleware)
    return runner
