"""An HTTP server that reads each request whole before giving it a thread.

The standard library's ThreadingHTTPServer starts a thread per connection and lets it block
on the socket: 200 clients that send half a body pin 200 threads until they give up. Here
one intake thread reads every connection without blocking (a selector), drops any that has
not sent its whole request within `read_seconds`, and only then hands the request, already
buffered, to a bounded pool of handler threads. One request per connection: the response
says `Connection: close`, so an idle keep-alive client never holds a thread either.

It keeps the `HTTPServer` surface RippleServer uses: `server_address`, `serve_forever`,
`shutdown`, `server_close` (which waits for the requests being handled).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer

log = logging.getLogger(__name__)

HEAD_LIMIT_BYTES = 64 * 1024  # request line plus headers; Slack's are a few hundred bytes
MAX_WAITING = 1024  # connections still sending; beyond this a new one is closed at once
_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t]*$", re.IGNORECASE | re.MULTILINE)


class BufferedRequestReader(io.RawIOBase):
    """What the handler reads: the bytes the intake already holds, then the socket."""

    def __init__(self, buffered: bytes, rest) -> None:
        self._buffered = io.BytesIO(buffered)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readline(self, limit: int = -1) -> bytes:
        line = self._buffered.readline(limit)
        if line.endswith(b"\n") or (limit >= 0 and len(line) >= limit):
            return line
        more = self._rest.readline(-1 if limit < 0 else limit - len(line))
        return line + more

    def read(self, size: int = -1) -> bytes:
        data = self._buffered.read(size)
        if size < 0:
            return data + self._rest.read()
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data


class _Waiting:
    __slots__ = ("address", "buffer", "deadline")

    def __init__(self, address, deadline: float) -> None:
        self.address, self.buffer, self.deadline = address, bytearray(), deadline


def request_complete(buffer: bytes, max_body: int) -> bool:
    """Whether the handler can answer now: the whole body is here, or the head alone already
    decides the answer (no usable Content-Length, a body over the cap, a head too long)."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return len(buffer) > HEAD_LIMIT_BYTES
    head = bytes(buffer[:head_end])
    lengths = _LENGTH.findall(head)
    if len(lengths) != 1 or not lengths[0].isdigit():
        return True  # missing, repeated or not a number: answered 400 from the head
    length = int(lengths[0])
    if length > max_body:
        return True  # answered 413
    return len(buffer) - (head_end + 4) >= length


class IntakeHTTPServer(HTTPServer):
    request_queue_size = 128  # a burst of Slack deliveries waits in the kernel, not refused

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        workers: int = 16,
        read_seconds: float = 5.0,
        max_body: int = 1_000_000,
    ) -> None:
        super().__init__(address, handler)
        self.read_seconds, self.max_body = read_seconds, max_body
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ripple-http")
        self._waiting: dict[socket.socket, _Waiting] = {}
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    # --- the intake loop ------------------------------------------------------------------
    def serve_forever(self, poll_interval: float = 0.2) -> None:
        self._stopping.clear()
        self._stopped.clear()
        selector = selectors.DefaultSelector()
        self.socket.setblocking(False)
        selector.register(self.socket, selectors.EVENT_READ)
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=min(poll_interval, 0.25)):
                    if key.fileobj is self.socket:
                        self._accept(selector)
                    else:
                        self._read(selector, key.fileobj)
                self._drop_the_slow(selector)
        finally:
            for conn in list(self._waiting):
                self._forget(selector, conn, close=True)
            selector.close()
            self._stopped.set()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            conn, address = self.socket.accept()
        except (BlockingIOError, InterruptedError):
            return
        if len(self._waiting) >= MAX_WAITING:
            conn.close()
            return
        conn.setblocking(False)
        self._waiting[conn] = _Waiting(address, time.monotonic() + self.read_seconds)
        selector.register(conn, selectors.EVENT_READ)

    def _read(self, selector: selectors.BaseSelector, conn: socket.socket) -> None:
        waiting = self._waiting[conn]
        try:
            chunk = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client went away before finishing its request
            self._forget(selector, conn, close=True)
            return
        waiting.buffer += chunk
        if request_complete(waiting.buffer, self.max_body):
            self._forget(selector, conn, close=False)
            conn.setblocking(True)
            conn.settimeout(self.read_seconds)
            self._pool.submit(self._handle, conn, waiting.address, bytes(waiting.buffer))

    def _drop_the_slow(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        for conn, waiting in list(self._waiting.items()):
            if waiting.deadline < now:
                log.info("dropped a client that did not send its request in time")
                self._forget(selector, conn, close=True)

    def _forget(self, selector: selectors.BaseSelector, conn: socket.socket, *, close: bool):
        self._waiting.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(conn)
        if close:
            conn.close()

    # --- handing over ---------------------------------------------------------------------
    def _handle(self, conn: socket.socket, address, buffered: bytes) -> None:
        try:
            self.RequestHandlerClass(conn, address, self, buffered=buffered)
        except Exception:
            self.handle_error(conn, address)
        finally:
            self.shutdown_request(conn)

    def handle_error(self, request, client_address) -> None:
        # Never a traceback on stderr: one log line, and the connection is closed.
        log.warning("HTTP request failed", exc_info=True)

    def shutdown(self) -> None:
        self._stopping.set()
        self._stopped.wait()

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=True)  # requests being handled finish first


class BufferedRequestHandler(BaseHTTPRequestHandler):
    """A handler whose request was already read (in part or whole) by the intake."""

    protocol_version = "HTTP/1.1"
    timeout = 5.0  # the rest of an oversized body, and writing the answer

    def __init__(self, request, client_address, server, *, buffered: bytes = b"") -> None:
        self._buffered = buffered
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile = BufferedRequestReader(self._buffered, self.rfile)

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()  # one request per connection: no idle keep-alive thread

    def end_headers(self) -> None:
        if b"\r\nconnection:" not in b"".join(getattr(self, "_headers_buffer", [])).lower():
            self.send_header("Connection", "close")
        super().end_headers()
