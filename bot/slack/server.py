"""HTTP mode: Slack's Events API, slash commands and interactivity at `/slack/events`, plus
`/healthz` (the process is up) and `/readyz` (the database and the evidence store answer).

A small threading HTTP server from the standard library: each request gets its own thread,
Bolt acks at once, and the slow work runs on the app's listener executor. `shutdown()` stops
accepting requests, then waits for that in-flight work, so a deploy never drops a reply.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd
DRAIN_LIMIT_BYTES = 16_000_000  # beyond this a 413 is not worth reading the body for

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
        self.httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        # Non-daemon request threads: server_close() then waits for requests still being
        # handled, so an event acked during shutdown has its work queued before the pool stops.
        self.httpd.daemon_threads = False
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
        self.httpd.server_close()  # joins the request threads (see daemon_threads above)
        if self.executor is not None:
            self.executor.shutdown(wait=wait)


def _handler_for(server: RippleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                # Read (and drop) a moderately oversized body first, so the sender gets its
                # 413 instead of a broken pipe; anything absurd is simply cut off.
                self.close_connection = True
                remaining = length if length <= DRAIN_LIMIT_BYTES else 0
                while remaining > 0 and (chunk := self.rfile.read(min(65536, remaining))):
                    remaining -= len(chunk)
                self._send(413, {"error": "payload too large"})
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            headers = {k.lower(): [v] for k, v in self.headers.items()}
            try:
                request = BoltRequest(body=body, query=query, headers=headers)
            except ValueError:  # Bolt parses before verifying: a body that isn't Slack's
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
