"""PostgreSQL restarts while the bot is serving: people are told calmly, the bot recovers on
its own (no restart), and nothing saved before the outage is lost.

The real app on a loopback port, the fake Slack Web API, real PostgreSQL reached through a
TCP relay that the test switches off and on (PostgreSQL "restarting"). The evidence store is
a closed port, so no ingest is needed; reflections do not depend on it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bot.coaching.ports import Who
from bot.services import Services
from bot.slack.app import build_app
from bot.slack.listeners.common import JOURNAL_DOWN
from bot.slack.server import RippleServer, services_readiness
from tests.conftest import TEST_DATABASE_URL, _postgres_database
from tests.journal.test_outage import TcpProxy, _free_port
from tests.slack import payloads
from tests.slack.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, message_text, slack_settings
from tests.slack.fake_slack import WORKSPACE_ID, FakeSlack
from tests.slack.signing import SlackSender

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL"),
]

ALICE_DM = "D" + ALICE[1:]
BEFORE = "We agreed the pooled budget with the council before the outage."


@pytest.fixture
def proxied_bot(tmp_path, embedder):
    """(services, sender, fake, proxy): the bot's only way to PostgreSQL is the relay."""
    database_url, drop = _postgres_database(TEST_DATABASE_URL)
    proxy = TcpProxy(sa.engine.make_url(database_url).port or 5432)
    proxy.start()
    via_proxy = (
        sa.engine.make_url(database_url).set(port=proxy.port).render_as_string(hide_password=False)
    )
    fake = FakeSlack().start()
    fake.add_user(ALICE, "alice", "Europe/London")
    fake.add_channel(TEAM_CHANNEL, "plymouth-alcohol", [ALICE, "U0RIPPLEBOT"])
    settings = slack_settings(
        tmp_path / "data",
        via_proxy,
        fake.api_url,
        chroma_host="127.0.0.1",
        chroma_port=_free_port(),  # nothing listens: no ingest needed
    )
    services = Services(settings)
    services.journal.ensure_team(
        TEAM_CHANNEL, name="#plymouth", workspace=WORKSPACE_ID, admin=ALICE
    )
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-restart")
    server = RippleServer(
        build_app(services, executor=executor),
        readiness=services_readiness(services),
        executor=executor,
        port=0,
    ).start()
    fake.reset()
    try:
        yield services, SlackSender(server.url, SIGNING_SECRET), fake, proxy
    finally:
        server.shutdown(wait=True)
        services.journal.close()
        proxy.stop()
        fake.stop()
        drop()


def _dm_reply(sender: SlackSender, fake: FakeSlack, text: str) -> str:
    before = len(fake.calls_to("chat.postMessage"))
    started = time.monotonic()
    assert sender.event(payloads.dm_message(ALICE, text)).status == 200
    assert time.monotonic() - started < 3  # acked inside Slack's window, outage or not
    [reply] = fake.wait_for("chat.postMessage", before + 1)[before:]
    assert reply.args["channel"] == ALICE_DM
    return message_text(reply)


def test_postgres_restarting_mid_run_fails_soft_then_recovers_without_a_restart(proxied_bot):
    services, sender, fake, proxy = proxied_bot
    kept = services.journal.save_entry(Who(ALICE, TEAM_CHANNEL, WORKSPACE_ID), BEFORE)
    assert "?" in _dm_reply(sender, fake, "The council and the trust disagree about who pays.")

    proxy.stop()  # PostgreSQL goes away, taking every pooled connection with it
    during = _dm_reply(sender, fake, "The trust wants to pause the pooled budget.")
    assert JOURNAL_DOWN in during
    assert sender.get("/readyz").json()["checks"]["database"] != "ok"
    assert sender.get("/healthz").status == 200  # alive: no orchestrator restart is needed

    proxy.start()  # ...and it is back; the same bot process carries on
    after = _dm_reply(sender, fake, "The trust wants to pause the pooled budget.")
    assert JOURNAL_DOWN not in after and "?" in after
    assert sender.get("/readyz").json()["checks"]["database"] == "ok"
    assert [e.text for e in services.journal.list_entries(ALICE) if e.id == kept] == [BEFORE]
