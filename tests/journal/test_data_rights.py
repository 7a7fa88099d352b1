"""Export and erasure: a leader's data, across every team they are in."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot.coaching.ports import Who
from bot.journal import Journal


@pytest.fixture
def two_teams(journal: Journal) -> Journal:
    journal.ensure_team("plymouth", admin="alice")
    journal.ensure_team("barnet", admin="bob")
    journal.add_member("barnet", "alice")
    journal.save_entry(Who("alice", "plymouth"), "Plymouth thought", commitment="Call Sam")
    journal.save_entry(Who("alice", "barnet"), "Barnet thought", shared=True, themes=["conflict"])
    journal.save_entry(Who("bob", "barnet"), "Bob's own entry", shared=True)
    journal.save_conversation(Who("alice", "barnet"), {"stage": "question", "draft": "mid-way"})
    journal.mark_question_seen(Who("alice", "plymouth"), "conflict-01")
    journal.record_feedback("alice", "barnet", "what helped with data sharing?", "up")
    journal.agree_consent("alice", "plymouth")
    journal.set_consent_rule("bob", "barnet", "majority")
    journal.agree_consent("alice", "barnet")
    journal.claim_weekly_prompt("alice", "plymouth", 2026, 10)
    return journal


def test_export_holds_every_entry_and_commitment_in_both_formats(two_teams):
    bundle = two_teams.export_user("alice")
    assert bundle.has_data
    data = json.loads(bundle.json)
    assert {(e["team"], e["text"], e["commitment"]) for e in data["entries"]} == {
        ("plymouth", "Plymouth thought", "Call Sam"),
        ("barnet", "Barnet thought", None),
    }
    assert {t["team"] for t in data["teams"]} == {"plymouth", "barnet"}
    assert data["conversations"] == [
        {"team": "barnet", "state": {"stage": "question", "draft": "mid-way"}}
    ]
    assert data["seen_questions"] == ["conflict-01"]
    assert data["feedback"][0]["value"] == "up"
    assert "what helped" not in bundle.json  # only a hash of the question is ever stored
    for text in ("Plymouth thought", "Call Sam", "Barnet thought"):
        assert text in bundle.markdown
    assert "Bob's own entry" not in bundle.json + bundle.markdown


def test_erase_removes_everything_in_every_team_and_leaves_others_alone(two_teams, db_settings):
    summary = two_teams.erase_user("alice")
    assert summary.teams == ["barnet", "plymouth"]
    assert summary.counts["entries"] == 2
    assert summary.counts["conversations"] == 1
    assert summary.counts["seen_questions"] == 1
    assert summary.counts["consent_votes"] == 2
    assert summary.counts["team_memberships"] == 2
    assert "2 entries" in summary.describe()
    # Nothing of hers is left anywhere...
    assert two_teams.list_entries("alice") == []
    assert two_teams.load_conversation(Who("alice", "barnet")) is None
    assert not two_teams.export_user("alice").has_data
    engine = sa.create_engine(db_settings.resolved_database_url)
    with engine.connect() as conn:
        by_user = conn.execute(sa.text("SELECT by_user FROM consents")).scalars().all()
        members = conn.execute(sa.text("SELECT user_id FROM members")).scalars().all()
    engine.dispose()
    assert "alice" not in by_user and "alice" not in members
    # ...and Bob's entries and team are untouched.
    assert [e.text for e in two_teams.team_entries("bob", "barnet")] == ["Bob's own entry"]


def test_erasing_mid_conversation_then_coming_back_starts_afresh(two_teams):
    two_teams.erase_user("alice")
    me = Who("alice", "barnet")
    assert two_teams.load_conversation(me) is None
    assert two_teams.seen_question_ids(me) == set()
    new_id = two_teams.save_entry(me, "A fresh start")
    assert [e.id for e in two_teams.list_entries("alice")] == [new_id]
    # Her old shared Barnet entry is gone from the team's journal too.
    assert {e.author for e in two_teams.team_entries("bob", "barnet")} == {"bob"}


def test_export_and_erase_of_someone_ripple_never_saw(journal):
    bundle = journal.export_user("U_NOBODY")
    assert not bundle.has_data
    assert json.loads(bundle.json)["profile"] is None
    assert "holds no data about you" in bundle.markdown
    summary = journal.erase_user("U_NOBODY")
    assert summary.total == 0
    assert "no data" in summary.describe()
