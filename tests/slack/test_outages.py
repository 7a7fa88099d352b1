"""When the journal database or the evidence store is down, people get a calm message in the
place they asked, the request is still acked, and nothing crashes."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.slack import payloads
from tests.slack.conftest import ALICE, TEAM_CHANNEL, _running_bot, message_text

CLOSED_PG = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"


def test_journal_down_what_helped_is_still_answered_and_reflect_is_told_kindly(
    slack_data_dir, fake_slack, embedder
):
    """A what-helped question needs the evidence, not the journal: with only the database
    down it is answered, and never told "your journal is unavailable"."""
    gen = _running_bot(slack_data_dir, CLOSED_PG, fake_slack, embedder, ping=False)
    down = next(gen)
    try:
        form = payloads.slash(
            ALICE, TEAM_CHANNEL, "helped pooled budgets", response_url="http://127.0.0.1:9/x"
        )
        assert down.sender.command(form).status == 200
        [answer] = fake_slack.wait_for("chat.postEphemeral", timeout=120)
        assert "unavailable" not in message_text(answer).lower()
        assert "pool" in message_text(answer).lower()  # evidence about pooled budgets
        fake_slack.reset()
        form = payloads.slash(ALICE, TEAM_CHANNEL, "reflect", response_url="http://127.0.0.1:9/x")
        assert down.sender.command(form).status == 200
        [note] = fake_slack.wait_for("chat.postEphemeral")
        assert "briefly unavailable" in message_text(note)
        assert down.sender.get("/readyz").status == 503
        fake_slack.reset()  # an @mention in the channel, too
        mention = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
        assert down.sender.event(mention).status == 200
        [reply] = fake_slack.wait_for("chat.postMessage", timeout=120)
        assert "unavailable" not in message_text(reply).lower()
        assert "pool" in message_text(reply).lower()
    finally:
        gen.close()


def test_evidence_store_down_says_so_and_reflection_still_works(
    slack_data_dir, fake_slack, tmp_path, embedder
):
    from bot.services import Services
    from bot.slack.app import build_app
    from bot.slack.server import RippleServer, services_readiness
    from tests.slack.conftest import SIGNING_SECRET, slack_settings
    from tests.slack.signing import SlackSender

    settings = slack_settings(
        slack_data_dir,
        f"sqlite:///{tmp_path / 'j.db'}",
        fake_slack.api_url,
        chroma_host="127.0.0.1",
        chroma_port=1,  # nothing listens here
    )
    services = Services(settings)
    server = RippleServer(build_app(services), readiness=services_readiness(services), port=0)
    server.start()
    sender = SlackSender(server.url, SIGNING_SECRET)
    try:
        fake_slack.reset()
        envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
        assert sender.event(envelope).status == 200
        [reply] = fake_slack.wait_for("chat.postMessage")
        assert "temporarily unavailable" in message_text(reply)
        text = "The council and the trust disagree about who pays for the pooled budget."
        assert sender.event(payloads.dm_message(ALICE, text)).status == 200
        dm_reply = fake_slack.wait_for("chat.postMessage", 2)[-1]
        assert "?" in message_text(dm_reply)  # the reflection carries on with a question
        ready = sender.get("/readyz")
        assert ready.status == 503 and ready.json()["checks"]["evidence"] != "ok"
    finally:
        server.shutdown()


def test_helped_in_a_channel_without_the_bot_comes_by_dm_with_advice(bot, team):
    bot.fake.fail("chat.postEphemeral", error="not_in_channel")
    form = payloads.slash(
        ALICE,
        TEAM_CHANNEL,
        "helped partners disagree about budgets",
        response_url=bot.fake.response_url(),
    )
    assert bot.sender.command(form).status == 200
    posts = bot.fake.wait_for("chat.postMessage", 2, channel="D0ALICE001")
    texts = [message_text(p) for p in posts]
    assert any("/invite @Ripple" in t for t in texts)
    assert any("Source:" in t for t in texts)


@pytest.fixture
def hanging_db_url():
    """A PostgreSQL URL whose server accepts connections but never answers (a network
    partition, a stuck proxy)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def hold_forever() -> None:
        while True:
            try:
                held.append(listener.accept()[0])  # accept, then say nothing
            except OSError:
                return

    threading.Thread(target=hold_forever, daemon=True).start()
    yield f"postgresql+psycopg://postgres@127.0.0.1:{listener.getsockname()[1]}/ripple"
    listener.close()
    for conn in held:
        conn.close()


def test_a_hanging_database_does_not_delay_the_ack(
    slack_data_dir, fake_slack, embedder, hanging_db_url
):
    gen = _running_bot(slack_data_dir, hanging_db_url, fake_slack, embedder, ping=False)
    down = next(gen)
    try:
        envelope = payloads.app_mention(ALICE, TEAM_CHANNEL, "what helped with pooled budgets?")
        started = time.perf_counter()
        sent = down.sender.event(envelope)
        assert sent.status == 200
        assert time.perf_counter() - started < 2.5
        [reply] = fake_slack.wait_for("chat.postMessage", timeout=60)
        # What helped elsewhere needs the evidence, not the journal: it is still answered.
        assert "what others found" in message_text(reply)
        assert "journal" not in message_text(reply).split("\n")[0]
    finally:
        gen.close()


def test_a_hanging_database_keeps_a_modal_fast_and_the_words_safe(
    slack_data_dir, fake_slack, embedder, hanging_db_url
):
    from bot.slack import modals

    gen = _running_bot(slack_data_dir, hanging_db_url, fake_slack, embedder, ping=False)
    down = next(gen)
    try:
        view = modals.journal_entry(team=TEAM_CHANNEL, team_name="#t")
        words = "We nearly lost the pooled budget today."
        values = {
            "entry_text": {"text": {"type": "plain_text_input", "value": words}},
            "entry_visibility": {
                "visibility": {"type": "radio_buttons", "selected_option": {"value": "private"}}
            },
        }
        started = time.perf_counter()
        sent = down.sender.interaction(payloads.view_submission(ALICE, view, values))
        assert time.perf_counter() - started < 2.9
        errors = sent.json()["errors"]  # the modal stays open, and says why
        assert "I'll send you a DM" in errors["entry_text"]
        [dm] = fake_slack.wait_for("chat.postMessage", timeout=60)
        assert dm.args["channel"].startswith("D")  # privately
        assert words in message_text(dm) and "unavailable" in message_text(dm)
    finally:
        gen.close()
