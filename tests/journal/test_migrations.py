"""The schema is built by Alembic, from an empty database to head, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.journal.db import make_engine
from bot.journal.migrate import current_revision, head_revision, upgrade_to_head
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
}


def test_empty_database_upgrades_to_head_and_matches_the_models(db_url):
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    # The migrations and the typed models describe exactly the same schema.
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    # Running it again (a second replica starting) is a no-op.
    assert upgrade_to_head(engine) == head_revision()
    engine.dispose()
