"""`ripple serve --socket`: the same app over Socket Mode. A local WebSocket server plays
Slack's side: it says hello, delivers an event and a slash command in Socket Mode envelopes,
and expects each to be acknowledged by envelope id."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from bot.commands.serve import socket_mode_handler
from bot.services import Services
from bot.slack.app import build_app
from tests.slack import payloads
from tests.slack.conftest import ALICE, TEAM_CHANNEL, message_text, slack_settings


class FakeSocketModeServer:
    """Sends `envelopes` to the first client after `hello`; records the acks it gets back."""

    def __init__(self, envelopes: list[dict]) -> None:
        self.envelopes = envelopes
        self.acks: list[dict] = []
        self.acked = threading.Event()
        self.server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=test"

    def _session(self, websocket) -> None:
        websocket.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "test"},
                    "connection_info": {},
                }
            )
        )
        for envelope in self.envelopes:
            websocket.send(json.dumps(envelope))
        while len(self.acks) < len(self.envelopes):
            self.acks.append(json.loads(websocket.recv(timeout=20)))
        self.acked.set()
        with contextlib.suppress(ConnectionClosed):
            websocket.recv()  # hold the connection open until the client closes it

    def close(self) -> None:
        self.server.shutdown()


def envelope(kind: str, payload: dict) -> dict:
    return {
        "envelope_id": str(uuid.uuid4()),
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": 0,
        "retry_reason": "",
    }


@pytest.mark.slow
def test_socket_mode_acks_by_envelope_and_replies(slack_data_dir, fake_slack, tmp_path):
    mention = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
    command = payloads.slash(ALICE, TEAM_CHANNEL, "help", response_url=fake_slack.response_url())
    sent = [envelope("events_api", mention), envelope("slash_commands", command)]
    slack = FakeSocketModeServer(sent)
    fake_slack.socket_url = slack.url
    settings = slack_settings(
        slack_data_dir,
        f"sqlite:///{tmp_path / 'j.db'}",
        fake_slack.api_url,
        slack_app_token="xapp-1-A0RIPPLEAPP-1234-abcdef",
    )
    handler = socket_mode_handler(build_app(Services(settings)), settings)
    try:
        handler.connect()
        assert slack.acked.wait(20), "the envelopes were never acknowledged"
        acks = {a["envelope_id"]: a for a in slack.acks}  # in whatever order they finish
        assert set(acks) == {e["envelope_id"] for e in sent}
        # The slash command's ack carries the help text back as its response payload.
        assert "/ripple helped" in json.dumps(acks[sent[1]["envelope_id"]].get("payload", {}))
        [reply] = fake_slack.wait_for("chat.postMessage")
        assert reply.args["thread_ts"] == mention["event"]["ts"]
        assert "Source:" in message_text(reply)
        [opened] = fake_slack.calls_to("apps.connections.open")  # on the same SLACK_API_URL
        assert opened.token.startswith("xapp-")  # with the app-level token
        assert reply.token.startswith("xoxb-")  # replies with the bot token
    finally:
        handler.close()
        slack.close()
        fake_slack.socket_url = None
