"""The HTTP edge under hostile input: bad lengths, slow clients, odd bodies, odd timestamps.

A real RippleServer with the real Bolt app on a loopback port, raw sockets for what no
well-behaved client would send. None of these requests reaches a listener, so the evidence
library is not loaded here.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import SIGNING_SECRET, slack_settings
from tests.slack.signing import SlackSender, signature


@pytest.fixture
def edge(tmp_path, fake_slack) -> Iterator[SlackSender]:
    from bot.services import Services
    from bot.slack.app import build_app
    from bot.slack.server import RippleServer, services_readiness

    services = Services(
        slack_settings(tmp_path, f"sqlite:///{tmp_path / 'journal.db'}", fake_slack.api_url)
    )
    app = build_app(services)
    server = RippleServer(app, readiness=services_readiness(services), port=0).start()
    try:
        yield SlackSender(server.url, SIGNING_SECRET)
    finally:
        server.shutdown(wait=True)
        services.journal.close()


def _raw(sender: SlackSender, data: bytes, *, timeout: float = 10) -> bytes:
    """Send `data` as is; everything the server answers before it closes."""
    with socket.create_connection((sender.host, sender.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _post_head(length: str | None, *extra: str) -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "length", ["-1", "abc", "12abc", "1e3", None], ids=["negative", "word", "junk", "exp", "none"]
)
def test_an_unusable_content_length_gets_400_before_the_body_is_read(edge, length):
    body = b'{"type": "url_verification", "challenge": "x"}'
    started = time.monotonic()
    answer = _raw(edge, _post_head(length) + body)
    assert _status(answer) == 400, answer
    assert time.monotonic() - started < 2, "answered at once, without waiting for a body"


def test_the_size_cap_cannot_be_bypassed_with_chunks_or_two_lengths(edge):
    chunked = _post_head(None, "Transfer-Encoding: chunked") + b"5\r\nhello\r\n0\r\n\r\n"
    assert _status(_raw(edge, chunked)) == 400
    two = _post_head("2", "Content-Length: 5000000") + b"{}"
    assert _status(_raw(edge, two)) == 400
    # A small declared length followed by more bytes: the extra is never read as a request.
    smuggled = _post_head("2") + b"{}" + _post_head("2") + b"{}"
    answer = _raw(edge, smuggled)
    assert answer.count(b"HTTP/1.1 ") == 1, "one request per connection"
    over = _post_head(str(50_000_000))
    assert _status(_raw(edge, over)) == 413


def test_a_client_sending_half_a_body_is_dropped_after_a_few_seconds(edge):
    from bot.slack.server import READ_SECONDS

    with socket.create_connection((edge.host, edge.port), timeout=30) as sock:
        sock.sendall(_post_head("1000") + b'{"type": ')
        started = time.monotonic()
        assert sock.recv(1024) == b"", "closed without an answer"
        assert READ_SECONDS - 1 < time.monotonic() - started < READ_SECONDS + 3


def test_two_hundred_slow_clients_pin_no_threads_and_slack_still_gets_through(edge):
    before = threading.active_count()
    slow = []
    for _ in range(200):
        sock = socket.create_connection((edge.host, edge.port), timeout=30)
        sock.sendall(_post_head("5000") + b'{"half": ')
        slow.append(sock)
    try:
        time.sleep(0.5)
        assert threading.active_count() - before < 20, "a thread per slow client"
        started = time.monotonic()
        challenge = {"type": "url_verification", "challenge": "still-here", "token": "t"}
        sent = edge.event(challenge)
        assert sent.status == 200 and "still-here" in sent.body
        assert time.monotonic() - started < 2, "Slack's request was not kept waiting"
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"a": ' + "[" * 50_000 + "]" * 50_000 + "}", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        (urlencode({"payload": "[]"}), "application/x-www-form-urlencoded"),
        (urlencode({"payload": '"text"'}), "application/x-www-form-urlencoded"),
        (urlencode({"payload": "{not json"}), "application/x-www-form-urlencoded"),
    ],
    ids=[
        "nested",
        "nested-inside",
        "array",
        "string",
        "null",
        "payload-array",
        "payload-str",
        "payload-junk",
    ],
)
def test_a_body_that_is_not_a_json_object_gets_400_and_no_traceback(
    edge, body, content_type, capfd, caplog
):
    with caplog.at_level(logging.WARNING):
        sent = edge.send(body, {"Content-Type": content_type})
    assert sent.status == 400, sent.body
    assert "Traceback" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.exc_info], "no stack trace logged either"


@pytest.mark.parametrize("stamp", ["soon", "12.5", "", "-1"])
def test_a_timestamp_that_is_not_a_number_gets_401_not_500(edge, stamp):
    body = json.dumps({"type": "url_verification", "challenge": "x", "token": "t"})
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(SIGNING_SECRET, stamp, body),
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"POST /slack/events HTTP/1.1\r\nHost: x\r\n{head}\r\n{body}".encode()
    assert _status(_raw(edge, request)) == 401
