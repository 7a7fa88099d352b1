"""Migration 0002 numbers the entries a journal already holds per author, in the order they
were written, and new saves carry on from there (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.coaching.ports import Who
from bot.journal import Journal
from bot.journal.db import make_engine
from bot.journal.migrate import alembic_config

NOW = datetime(2026, 3, 2, 9, 30)


def _upgrade(engine, target: str) -> None:
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def test_existing_entries_are_numbered_per_author_and_new_ones_follow(db_settings, clock):
    key = Fernet.generate_key().decode()
    token = Fernet(key.encode()).encrypt(b"an entry written before numbers").decode()
    settings = db_settings.model_copy(update={"encryption_keys": SecretStr(key)})
    engine = make_engine(db_settings.resolved_database_url)
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO workspaces (id, external_id, created_at) VALUES (1, 'local', :t)"),
            {"t": NOW},
        )
        for mid, user in ((1, "alice"), (2, "bob")):
            conn.execute(
                sa.text(
                    "INSERT INTO members (id, workspace_id, user_id, timezone, is_bot, created_at)"
                    " VALUES (:id, 1, :u, 'Europe/London', false, :t)"
                ),
                {"id": mid, "u": user, "t": NOW},
            )
        conn.execute(
            sa.text(
                "INSERT INTO teams (id, workspace_id, slug, name, schedule_weekday, schedule_time,"
                " schedule_enabled, consent_rule, consent_round, created_at)"
                " VALUES (1, 1, 'plymouth', 'plymouth', 0, '09:00', true, 'admin', 0, :t)"
            ),
            {"t": NOW},
        )
        for author in (1, 2, 1, 1):  # alice, bob, alice, alice (ids from the database)
            conn.execute(
                sa.text(
                    "INSERT INTO entries (team_id, author_id, text_token, themes, visibility,"
                    " author_anonymous, source, created_at, updated_at)"
                    " VALUES (1, :a, :x, '[]', 'private', false, 'journal', :t, :t)"
                ),
                {"a": author, "t": NOW, "x": token},
            )
    _upgrade(engine, "head")
    with engine.connect() as conn:
        numbers = conn.execute(sa.text("SELECT author_id, number FROM entries ORDER BY id")).all()
        counters = conn.execute(
            sa.text("SELECT user_id, entries_numbered FROM members ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in numbers] == [(1, 1), (2, 1), (1, 2), (1, 3)]
    assert [tuple(r) for r in counters] == [("alice", 3), ("bob", 1)]
    journal = Journal(settings, clock=clock)
    try:
        assert journal.save_entry(Who("alice", "plymouth"), "After the upgrade") == 4
        assert journal.save_entry(Who("bob", "plymouth"), "Bob after the upgrade") == 2
        assert journal.get_entry("alice", 3).text == "an entry written before numbers"
    finally:
        journal.close()
