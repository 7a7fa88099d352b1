"""Logs: JSON lines in production, text in development, and never a word of journal text."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from bot.logging_setup import Safe, configure_logging
from tests.conftest import REPO, make_settings

ENTRY = "Our partners in Plymouth still disagree about pooling the alcohol budget"


@pytest.fixture
def capture(tmp_path):
    """configure_logging on a StringIO; yields (stream, configure) and restores logging."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    stream = io.StringIO()

    def configure(**overrides):
        configure_logging(make_settings(tmp_path / "data", **overrides), stream=stream)
        return stream

    yield configure
    for handler in list(root.handlers):
        if handler.get_name() == "ripple":
            root.removeHandler(handler)
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def test_production_logs_are_json_with_ids_and_lengths_but_no_entry_text(capture):
    stream = capture(env="production")
    logging.getLogger("bot.journal").info(
        "saved entry for %s in %s: %s",
        "U012ABCDEF",
        "C0TEAM01",
        ENTRY,
        extra={"entry_id": 42, "text": ENTRY, "theme": "shared_purpose", "shared": True},
    )
    (line,) = _lines(stream)
    record = json.loads(line)
    assert record["level"] == "INFO" and record["logger"] == "bot.journal"
    assert record["msg"].startswith("saved entry for U012ABCDEF in C0TEAM01: <redacted ")
    assert record["entry_id"] == 42 and record["shared"] is True
    assert record["theme"] == "shared_purpose"
    assert record["text"] == f"<redacted {len(ENTRY)} chars>"
    assert "Plymouth" not in line and "pooling" not in line


def test_a_single_plain_word_is_redacted_unless_vouched_safe(capture):
    stream = capture(env="production")
    log = logging.getLogger("bot.test")
    log.info("entry %s", "overwhelmed")
    log.info("backend %s", Safe("postgresql"))
    first, second = (json.loads(line)["msg"] for line in _lines(stream))
    assert first == "entry <redacted 11 chars>"
    assert second == "backend postgresql"


def test_database_errors_are_logged_without_their_sql_parameters(capture, tmp_path):
    stream = capture(env="production")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE entry (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
        conn.execute(sa.text("INSERT INTO entry (id, body) VALUES (1, 'first')"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO entry (id, body) VALUES (1, :b)"), {"b": ENTRY})
    except sa.exc.IntegrityError:
        logging.getLogger("bot.journal").exception("could not save entry %s", 7)
    (line,) = _lines(stream)
    record = json.loads(line)
    assert record["exc_type"] == "IntegrityError"
    assert "UNIQUE constraint failed" in record["exc_message"]
    assert record["stack"], "the stack frames are kept for debugging"
    assert "Plymouth" not in line


def test_libraries_that_echo_request_bodies_stay_quiet_even_at_debug(capture):
    from slack_sdk import WebClient

    from tests.slack.fake_slack import FakeSlack

    stream = capture(env="production", log_level="DEBUG")
    fake = FakeSlack().start()
    try:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="D0LEADER1", text=ENTRY)
        assert fake.calls_to("chat.postMessage")[0].args["text"] == ENTRY
    finally:
        fake.stop()
    logging.getLogger("bot.test").debug("debug is on", extra={"n": 1})
    output = stream.getvalue()
    assert "debug is on" in output, "our own DEBUG lines still appear"
    assert "Plymouth" not in output


def test_development_logs_are_text_and_redacted_too(capture):
    stream = capture(env="development")
    logging.getLogger("bot.chat").warning("reflection %s turn %s", ENTRY, 2, extra={"text": ENTRY})
    (line,) = _lines(stream)
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
    assert "WARNING" in line and "bot.chat" in line and "turn 2" in line
    assert "Plymouth" not in line


def test_configuring_twice_keeps_one_handler(capture):
    stream = capture(env="production")
    capture(env="production")
    logging.getLogger("bot.test").info("once")
    assert len(_lines(stream)) == 1


@pytest.mark.skipif(not shutil.which("ruff"), reason="ruff is not installed")
def test_no_log_message_is_built_by_string_formatting():
    """f-strings, % and + inside a log call would bypass the argument redaction."""
    result = subprocess.run(
        [
            "ruff",
            "check",
            "bot",
            "--no-cache",
            "--select",
            "G001,G002,G003,G004",
            "--output-format",
            "concise",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_exception_class_names_are_kept_but_capitalised_words_are_not(capture):
    stream = capture(env="production")
    log = logging.getLogger("bot.test")
    log.warning("warm-up incomplete: %s", "AttributeError")
    log.warning("entry %s", "Overwhelmed")
    first, second = (json.loads(line)["msg"] for line in _lines(stream))
    assert first == "warm-up incomplete: AttributeError"
    assert second == "entry <redacted 11 chars>"
