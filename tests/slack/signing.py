"""Send requests to the bot signed exactly as Slack signs them.

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 under the app's signing secret and
sends `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`. Events arrive as JSON,
slash commands as a form body, interactions as a form body with one `payload=` JSON field.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    status: int
    body: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


class SlackSender:
    """Posts signed requests to a running bot at `url` (e.g. http://127.0.0.1:PORT)."""

    def __init__(self, url: str, secret: str) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.secret = secret

    def event(self, envelope: dict, *, retry_num: int | None = None, **kw) -> Sent:
        headers = {"Content-Type": "application/json"}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.send(json.dumps(envelope), headers, **kw)

    def command(self, form: dict, **kw) -> Sent:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send(urlencode(form), headers, **kw)

    def interaction(self, payload: dict, **kw) -> Sent:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send(urlencode({"payload": json.dumps(payload)}), headers, **kw)

    def send(
        self,
        body: str,
        headers: dict,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        path: str = "/slack/events",
    ) -> Sent:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signed = {
            **headers,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body.encode(), headers=signed)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        return Sent(resp.status, text, time.perf_counter() - started)

    def get(self, path: str) -> Sent:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        return Sent(resp.status, text, time.perf_counter() - started)
