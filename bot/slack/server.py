"""HTTP mode: Slack's Events API, slash commands and interactivity at `/slack/events`, plus
`/healthz` (the process is up) and `/readyz` (the database and the evidence store answer).

A small HTTP server (http_intake.py): each request is read whole, with a deadline, before a
handler thread takes it; Bolt acks at once, and the slow work runs on the app's listener
executor. `shutdown()` stops accepting requests, then waits for that in-flight work, so a
deploy never drops a reply.

The edge refuses what is not Slack's before Bolt sees it: a Content-Length that is missing,
repeated, negative or not a number, or any Transfer-Encoding (400, before reading a byte of
body); a body over the cap (413); a body that is not a JSON object or a form (400); a
request timestamp that is not a number (401).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

from slack_bolt import App, BoltRequest

from bot.slack.http_intake import BufferedRequestHandler, IntakeHTTPServer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd
DRAIN_LIMIT_BYTES = 16_000_000  # beyond this a 413 is not worth reading the body for
READ_SECONDS = 5.0  # a client gets this long to send its whole request
_DIGITS = re.compile(r"^[0-9]{1,12}$")

Readiness = Callable[[], dict[str, str]]


class RippleServer:
    def __init__(
        self,
        app: App,
        *,
        readiness: Readiness,
        executor: ThreadPoolExecutor | None = None,
        host: str = "127.0.0.1",
        port: int = 3000,
    ) -> None:
        self.app = app
        self.readiness = readiness
        self.executor = executor
        # server_close() waits for requests still being handled, so an event acked during
        # shutdown has its work queued before the pool stops.
        self.httpd = IntakeHTTPServer(
            (host, port), _handler_for(self), read_seconds=READ_SECONDS, max_body=MAX_BODY_BYTES
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RippleServer:
        """Serve in a background thread (tests, and `ripple serve` alongside the scheduler)."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting requests, wait for those in flight, then let their replies finish."""
        self.httpd.shutdown()
        self.httpd.server_close()  # waits for the requests being handled
        if self.executor is not None:
            self.executor.shutdown(wait=wait)


def _handler_for(server: RippleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BufferedRequestHandler):
        def log_message(self, *_args) -> None:  # request logs would be noise; errors are logged
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(200, {"status": "ok"})
            elif path == "/readyz":
                checks = _run_checks(server.readiness)
                ready = all(v == "ok" for v in checks.values())
                self._send(200 if ready else 503, {"ready": ready, "checks": checks})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            if path != EVENTS_PATH:
                self._send(404, {"error": "not found"})
                return
            length = _content_length(self)
            if length is None:  # nothing of the body has been read, nor will be
                self._send(400, {"error": "a request needs one numeric Content-Length"})
                return
            if length > MAX_BODY_BYTES:
                # Read (and drop) a moderately oversized body first, so the sender gets its
                # 413 instead of a broken pipe; anything absurd is simply cut off.
                self.close_connection = True
                remaining = length if length <= DRAIN_LIMIT_BYTES else 0
                deadline = time.monotonic() + READ_SECONDS  # a trickle cannot hold the thread
                with contextlib.suppress(OSError):
                    while remaining > 0 and time.monotonic() < deadline:
                        chunk = self.rfile.read(min(65536, remaining))
                        if not chunk:
                            break
                        remaining -= len(chunk)
                self._send(413, {"error": "payload too large"})
                return
            raw = self.rfile.read(length)
            if len(raw) < length:  # the client stopped sending (the intake waited already)
                self._send(400, {"error": "the body was shorter than its Content-Length"})
                return
            body = raw.decode("utf-8", errors="replace")
            headers = {
                k.lower(): [v]
                for k, v in self.headers.items()
                if not k.lower().startswith("x-slack-bolt-")  # Bolt's own, never a client's
            }
            stamp = self.headers.get("X-Slack-Request-Timestamp")
            if stamp is not None and not _DIGITS.match(stamp.strip()):
                self._send(401, {"error": "invalid request timestamp"})
                return
            request = _bolt_request(body, query, headers)
            if request is None:  # Bolt parses before verifying: a body that isn't Slack's
                self._send(400, {"error": "malformed body"})
                return
            try:
                response = server.app.dispatch(request)
            except Exception as err:  # Bolt answers errors itself; this is the last resort
                log.error("dispatch failed", extra={"error": err})
                self._send(500, {"error": "internal error"})
                return
            self._send_raw(response.status, response.headers, response.body or "")

        def _send(self, status: int, data: dict) -> None:
            headers = {"content-type": ["application/json; charset=utf-8"]}
            self._send_raw(status, headers, json.dumps(data))

        def _send_raw(self, status: int, headers: dict, body: str) -> None:
            payload = body.encode("utf-8")
            self.send_response(status)
            for key, values in headers.items():
                if key.lower() == "content-length":
                    continue
                for value in values if isinstance(values, list | tuple) else [values]:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _content_length(handler: BaseHTTPRequestHandler) -> int | None:
    """The request's one Content-Length, or None when it is missing, repeated, negative or
    not a number, or when a Transfer-Encoding could smuggle a body past the cap."""
    if handler.headers.get("Transfer-Encoding") is not None:
        return None
    values = handler.headers.get_all("Content-Length") or []
    if len(values) != 1 or not _DIGITS.match(values[0].strip()):
        return None
    return int(values[0].strip())


def _bolt_request(body: str, query: str, headers: dict) -> BoltRequest | None:
    """Bolt's request, or None for a body that is not a JSON object or a form whose
    `payload` is one (a top-level array or string, `payload=[]`, JSON nested too deep)."""
    try:
        request = BoltRequest(body=body, query=query, headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None
    return request if isinstance(request.body, dict) else None


def _run_checks(readiness: Readiness) -> dict[str, str]:
    try:
        return readiness()
    except Exception as err:  # a readiness probe must answer, whatever broke
        log.warning("readiness check failed", extra={"error": err})
        return {"readiness": "error"}


def services_readiness(services) -> Readiness:
    """Ready when the journal database answers and the evidence store is reachable and
    holds the ingested library."""

    def check() -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            checks["database"] = "ok" if services.journal.ping() else "unreachable"
        except Exception as err:
            checks["database"] = type(err).__name__
        try:
            # A count answers only if the vector store is reachable; zero means not ingested.
            checks["evidence"] = "ok" if services.evidence.store.count() > 0 else "empty"
        except Exception as err:
            checks["evidence"] = type(err).__name__
        return checks

    return check
