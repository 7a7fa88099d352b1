"""Retention deletes what is older than a team's period; stats never show small cells or text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.coaching.ports import Who
from bot.journal.retention import months_before


def test_retention_deletes_only_entries_older_than_each_teams_period(journal, clock):
    journal.ensure_team("short", admin="alice")
    journal.ensure_team("long", admin="bob")
    journal.set_retention("alice", "short", 6)
    old_short = journal.save_entry(Who("alice", "short"), "old short")
    journal.save_entry(Who("bob", "long"), "old long")
    clock.advance(days=200)  # more than 6 months, less than the 24-month default
    recent = journal.save_entry(Who("alice", "short"), "recent short")
    preview = journal.apply_retention(dry_run=True)
    assert preview.entries == 1 and len(journal.list_entries("alice")) == 2
    report = journal.apply_retention()
    by_team = {t.team: t for t in report.teams}
    assert (by_team["short"].entries, by_team["long"].entries) == (1, 0)
    assert (by_team["short"].months, by_team["long"].months) == (6, 24)
    assert "Deleted 1 entry" in report.describe()
    assert [e.id for e in journal.list_entries("alice")] == [recent]
    assert old_short not in [e.id for e in journal.list_entries("alice")]
    assert len(journal.list_entries("bob")) == 1
    assert journal.apply_retention().entries == 0  # idempotent


def test_months_before_handles_month_ends():
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)


def test_stats_suppress_cells_under_three_and_contain_no_text(journal):
    for i in range(4):
        journal.save_entry(Who(f"p{i}", "plymouth"), f"secret text {i}", themes=["conflict"])
    journal.save_entry(Who("p0", "plymouth"), "one about purpose", themes=["shared_purpose"])
    journal.save_entry(Who("b0", "barnet"), "lonely", themes=["conflict"], shared=True)
    report = journal.stats()
    by_team = {t.team: t for t in report.teams}
    ply, bar = by_team["plymouth"], by_team["barnet"]
    assert (ply.members, ply.entries, ply.shared) == (4, 5, None)
    assert ply.themes == {"conflict": 4, "shared_purpose": None, "authorising_environment": None}
    assert (bar.entries, bar.shared, bar.themes["conflict"]) == (None, None, None)
    assert report.total_entries == 6 and report.themes["conflict"] == 5
    assert "secret" not in repr(report) and "lonely" not in repr(report)
