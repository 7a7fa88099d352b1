"""A fake Slack Web API on a loopback port, for the Slack end-to-end tests.

The bot's `WebClient` is pointed here through `Settings.slack_api_url`. Every call is recorded
(method, arguments, time) and answered with a body shaped like Slack's real one. Faults can be
queued per method: an HTTP 429 with `Retry-After`, an HTTP 500, or an `ok: false` error body.
`response_url` posts (from slash commands and actions) land here too, as method "response_url".
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "U0RIPPLEBOT"
BOT_ID = "B0RIPPLEBOT"
WORKSPACE_ID = "T0RIPPLE01"

# JSON-valued fields that WebClient form-encodes as strings; decoded so tests can read them.
_JSON_FIELDS = ("blocks", "view", "attachments", "metadata")


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float
    token: str = ""  # the bearer token the caller authenticated with


@dataclass
class Fault:
    status: int = 200
    body: dict | None = None
    retry_after: int | None = None


@dataclass
class SlackUser:
    id: str
    name: str
    tz: str = "Europe/London"
    is_bot: bool = False


@dataclass
class FakeSlackState:
    users: dict[str, SlackUser] = field(default_factory=dict)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    # Seconds a method takes to answer, *after* Slack has acted on it: a slow chat.postMessage
    # whose caller dies while waiting has still posted (the exactly-once tests rely on it).
    delays: dict[str, float] = field(default_factory=dict)
    slow_once: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    # channel -> messages posted there, as conversations.history / .replies return them.
    messages: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


class FakeSlack:
    """Start with `start()`, point the bot at `api_url`, read `calls` / `wait_for(...)`."""

    def __init__(self) -> None:
        self.state = FakeSlackState()
        self.calls: list[Call] = []
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.socket_url: str | None = None  # what apps.connections.open hands Socket Mode
        self._upload_names: dict[str, str] = {}  # files.uploadV2 (issue 5)

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                status, headers, body = fake._handle(self.path, self.headers, raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/commands/{WORKSPACE_ID}/{name}"

    # --- test helpers -------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, tz: str = "Europe/London") -> None:
        self.state.users[user_id] = SlackUser(user_id, name, tz)

    def add_channel(self, channel_id: str, name: str, members: list[str]) -> None:
        self.state.channel_names[channel_id] = name
        self.state.channel_members[channel_id] = list(members)

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Queue `times` faults for `method`: HTTP `status`, or `ok: false` with `error`."""
        body = {"ok": False, "error": error} if error else None
        for _ in range(times):
            self.state.faults[method].append(Fault(status, body, retry_after))

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls to `method` take `seconds` to answer, after acting."""
        with self._lock:
            self.state.slow_once[method].extend([seconds] * times)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.state.faults.clear()
            self.state.delays.clear()
            self.state.slow_once.clear()
            self.state.messages.clear()

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 30.0, *, channel: str | None = None
    ) -> list[Call]:
        """Block until `count` calls to `method` (to `channel`, if given) arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    c
                    for c in self.calls
                    if c.method == method and (channel is None or c.args.get("channel") == channel)
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"waited for {count}x {method}; saw {seen}")
                self._lock.wait(remaining)

    # --- request handling ---------------------------------------------------------------
    def _handle(self, path: str, headers, raw: str) -> tuple[int, dict, dict]:
        if path.startswith("/upload/"):
            return self._upload(path, raw)
        if path.startswith("/commands/"):
            method, args = "response_url", _parse(headers, raw)
        else:
            method = path.split("?")[0].rsplit("/", 1)[-1]
            args = _parse(headers, raw)
        with self._lock:
            token = str(headers.get("Authorization", "")).removeprefix("Bearer ")
            self.calls.append(Call(method, args, time.time(), token))
            fault = self.state.faults[method].popleft() if self.state.faults[method] else None
            self._lock.notify_all()
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            if fault.status == 429:
                return 429, extra, {"ok": False, "error": "ratelimited"}
            if fault.status >= 500:
                return fault.status, extra, {"ok": False, "error": "internal_error"}
            return 200, extra, fault.body or {"ok": False, "error": "unknown"}
        answer = self._answer(method, args)
        with self._lock:
            queued = self.state.slow_once[method]
            delay = queued.popleft() if queued else self.state.delays.get(method)
        if delay:
            time.sleep(delay)
        return 200, {}, answer

    def _answer(self, method: str, args: dict) -> dict:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        return handler(args) if handler else {"ok": True}

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _m_auth_test(self, _args: dict) -> dict:
        return {
            "ok": True,
            "url": "https://ripple-test.slack.com/",
            "team": "Ripple Test",
            "user": "ripple",
            "team_id": WORKSPACE_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, _args: dict) -> dict:
        if not self.socket_url:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.socket_url}

    def _m_chat_postMessage(self, args: dict) -> dict:
        ts = self._next_ts()
        message = {
            "type": "message",
            "subtype": "bot_message",
            "text": args.get("text", ""),
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        with self._lock:
            self.state.messages[str(args.get("channel"))].append(message)
        return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}

    def _m_conversations_history(self, args: dict) -> dict:
        oldest = float(args.get("oldest") or 0)
        with self._lock:
            found = [
                m
                for m in self.state.messages.get(str(args.get("channel")), [])
                if float(m["ts"]) >= oldest
            ]
        return {"ok": True, "messages": _with_metadata(found[::-1], args), "has_more": False}

    def _m_conversations_replies(self, args: dict) -> dict:
        thread = str(args.get("ts"))
        with self._lock:
            found = [
                m
                for m in self.state.messages.get(str(args.get("channel")), [])
                if m.get("thread_ts") == thread or m["ts"] == thread
            ]
        return {"ok": True, "messages": _with_metadata(found, args), "has_more": False}

    def _m_chat_postEphemeral(self, _args: dict) -> dict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, args: dict) -> dict:
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": ""}

    # --- assistant.threads.* (the Agents & AI Apps side panel, issue 12) --------------------
    # Recorded like every call; answered as Slack does, refusing a call that names no thread.
    def _assistant_thread(self, args: dict, needed: str) -> dict:
        if not args.get("channel_id") or not args.get(needed):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

    def _m_assistant_threads_setStatus(self, args: dict) -> dict:
        return self._assistant_thread(args, "thread_ts")

    def _m_assistant_threads_setTitle(self, args: dict) -> dict:
        return self._assistant_thread(args, "title")

    def _m_assistant_threads_setSuggestedPrompts(self, args: dict) -> dict:
        return self._assistant_thread(args, "prompts")

    def _view(self, args: dict) -> dict:
        view = dict(args.get("view") or {})
        view.update({"id": f"V{next(self._views):08d}", "team_id": WORKSPACE_ID, "hash": "h1"})
        return {"ok": True, "view": view}

    _m_views_open = _view
    _m_views_publish = _view
    _m_views_update = _view
    _m_views_push = _view

    def _m_conversations_open(self, args: dict) -> dict:
        user = str(args.get("users", "")).split(",")[0]
        return {"ok": True, "channel": {"id": "D" + user.lstrip("U"), "is_im": True}}

    def _m_conversations_info(self, args: dict) -> dict:
        channel = args.get("channel", "")
        if channel not in self.state.channel_names:
            return {"ok": False, "error": "channel_not_found"}
        name = self.state.channel_names[channel]
        return {"ok": True, "channel": {"id": channel, "name": name, "is_channel": True}}

    def _m_conversations_members(self, args: dict) -> dict:
        channel = args.get("channel", "")
        if channel not in self.state.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        members = self.state.channel_members[channel]
        # Page by two so the adapter's cursor handling is exercised.
        start = int(args.get("cursor") or 0)
        page = members[start : start + 2]
        more = start + 2 < len(members)
        meta = {"next_cursor": str(start + 2) if more else ""}
        return {"ok": True, "members": page, "response_metadata": meta}

    def _m_users_info(self, args: dict) -> dict:
        user = self.state.users.get(args.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": WORKSPACE_ID,
                "name": user.name,
                "real_name": user.name.title(),
                "tz": user.tz,
                "is_bot": user.is_bot,
                "deleted": False,
            },
        }

    # --- files.uploadV2 (files_upload_v2): get an upload URL, POST the bytes, complete ----
    # Added for issue 5's `/ripple export`. The bytes are recorded as method "file.upload"
    # with the file's name, so tests can read exactly what a person received.
    def _m_files_getUploadURLExternal(self, args: dict) -> dict:
        file_id = f"F{next(self._ts):08d}"
        self._upload_names[file_id] = str(args.get("filename", ""))
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _upload(self, path: str, raw: str) -> tuple[int, dict, dict]:
        file_id = path.rsplit("/", 1)[-1]
        name = self._upload_names.get(file_id, "")
        with self._lock:
            args = {"file_id": file_id, "filename": name, "content": raw}
            self.calls.append(Call("file.upload", args, time.time()))
            self._lock.notify_all()
        return 200, {}, {"ok": True}

    def _m_files_completeUploadExternal(self, args: dict) -> dict:
        files = args.get("files") or "[]"
        files = json.loads(files) if isinstance(files, str) else files
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def uploaded(self) -> dict[str, str]:
        """filename -> content of every file uploaded so far."""
        return {c.args["filename"]: c.args["content"] for c in self.calls_to("file.upload")}


def _with_metadata(messages: list[dict], args: dict) -> list[dict]:
    """As Slack does: message metadata only when asked for with include_all_metadata."""
    if str(args.get("include_all_metadata")).lower() in ("true", "1"):
        return [dict(m) for m in messages]
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]


def _parse(headers, raw: str) -> dict[str, Any]:
    content_type = headers.get("Content-Type", "")
    if "json" in content_type:
        args = json.loads(raw or "{}")
    else:
        args = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args
