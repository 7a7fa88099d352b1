"""The schema is built by Alembic, from an empty database to head, on both backends."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.journal.db import make_engine
from bot.journal.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from bot.journal.models import Base

TABLES = {
    "workspaces",
    "teams",
    "members",
    "team_memberships",
    "entries",
    "conversation_state",
    "seen_questions",
    "weekly_prompts",
    "processed_events",
    "feedback",
    "enablers",
    "consents",
    "consent_votes",
    "audit_log",
    "enabler_notes",
    "interaction_replays",
}


def test_empty_database_upgrades_to_head_and_matches_the_models(db_url):
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) == (None, head_revision())
    assert current_revision(engine) == head_revision()
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    # The migrations and the typed models describe exactly the same schema.
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    # Running it again (a second replica starting) is a no-op.
    assert upgrade_to_head(engine) == (head_revision(), head_revision())
    # And the migrations undo cleanly, so a bad release can be rolled back.
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    engine.dispose()


MIGRATE = """
import sys
from bot.journal.db import make_engine
from bot.journal.migrate import upgrade_to_head
before, _ = upgrade_to_head(make_engine(sys.argv[1]))
print(before)
"""


def test_replicas_migrating_at_the_same_moment_all_succeed(db_settings):
    """Two processes migrate one empty database at once, like two replicas starting."""
    db_settings.data_dir.mkdir(parents=True, exist_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, db_settings.resolved_database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(outputs) == sorted(
        [f"{head_revision()}\n", "None\n"]
    )  # one migrated; the other found it done
    engine = make_engine(db_settings.resolved_database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
