"""The operator's journal commands, run as `ripple ...` against the parametrised database."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bot.cli import app
from bot.coaching.ports import Who


@pytest.fixture
def ripple(db_settings):
    """Run `ripple <args>` with the environment pointing at this test's database."""
    env = {
        "RIPPLE_DATA_DIR": str(db_settings.data_dir),
        "RIPPLE_DATABASE_URL": db_settings.resolved_database_url,
        "RIPPLE_ENV": "development",
        "RIPPLE_ENCRYPTION_KEYS": "",
    }

    def run(*args: str, extra: dict | None = None, stdin: str | None = None):
        return CliRunner().invoke(app, list(args), env={**env, **(extra or {})}, input=stdin)

    return run


def test_db_upgrade_builds_an_empty_database_then_is_a_no_op(ripple):
    first = ripple("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "from empty to" in first.output
    again = ripple("db", "upgrade")
    assert again.exit_code == 0 and "already at the newest schema" in again.output


def test_enabler_add_and_list(ripple, journal):
    missing = ripple("enabler", "add", "U_ERIN", "--team", "plymuoth")
    assert missing.exit_code == 1 and "no team called 'plymuoth'" in missing.output
    journal.ensure_team("plymouth", admin="alice")
    added = ripple("enabler", "add", "U_ERIN", "--team", "plymouth")
    assert added.exit_code == 0, added.output
    assert "now an enabler of plymouth" in added.output
    assert "see nothing until the team consents" in added.output
    assert journal.list_enablers("plymouth")[0].user == "U_ERIN"
    listed = ripple("enabler", "list")
    assert "U_ERIN" in listed.output and "plymouth" in listed.output and "no" in listed.output


def test_export_and_erase_a_leader_in_several_teams(ripple, journal, tmp_path):
    journal.save_entry(Who("alice", "plymouth"), "Plymouth reflection", commitment="Call Sam")
    journal.save_entry(Who("alice", "barnet"), "Barnet reflection", shared=True)
    journal.save_conversation(Who("alice", "barnet"), {"stage": "question"})
    out = tmp_path / "sar"
    exported = ripple("export", "--user", "alice", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    md, js = out / "ripple-export-alice.md", out / "ripple-export-alice.json"
    assert "Call Sam" in md.read_text() and "Barnet reflection" in md.read_text()
    assert len(json.loads(js.read_text())["entries"]) == 2
    assert stat.S_IMODE(js.stat().st_mode) == 0o600
    unconfirmed = ripple("erase", "--user", "alice")  # not a terminal, no --yes
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert len(journal.list_entries("alice")) == 2
    erased = ripple("erase", "--user", "alice", "--yes")
    assert erased.exit_code == 0, erased.output
    assert "2 entries" in erased.output and "2 teams" in erased.output
    assert journal.list_entries("alice") == []


def test_export_of_an_unknown_user_writes_files_that_say_no_data(ripple, tmp_path):
    result = ripple("export", "--user", "U_NOBODY", "--out", str(tmp_path))
    assert result.exit_code == 0 and "holds no data about U_NOBODY" in result.output
    assert "holds no data" in (tmp_path / "ripple-export-U_NOBODY.md").read_text()


def test_stats_show_counts_but_never_text(ripple, journal):
    for i in range(3):
        journal.save_entry(Who(f"p{i}", "plymouth"), f"private words {i}", themes=["conflict"])
    journal.save_entry(Who("b0", "barnet"), "lonely words")
    result = ripple("stats")
    assert result.exit_code == 0, result.output
    plymouth = next(line for line in result.output.splitlines() if "plymouth" in line)
    assert "3" in plymouth
    barnet = next(line for line in result.output.splitlines() if "barnet" in line)
    assert "<3" in barnet
    assert "words" not in result.output


def test_rotate_key_prints_the_new_key_list_for_replicas(ripple, journal, db_settings):
    old = Fernet.generate_key().decode()
    keyed = {"RIPPLE_ENCRYPTION_KEYS": old}
    db_settings.key_file.unlink()  # production-like: keys only from the environment
    result = ripple("rotate-key", extra=keyed)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("RIPPLE_ENCRYPTION_KEYS="))
    new_keys = line.split("=", 1)[1].split(",")
    assert len(new_keys) == 2 and new_keys[1] == old


def test_retention_apply_says_what_it_deleted(ripple, journal):
    journal.ensure_team("plymouth", admin="alice")
    unknown = ripple("retention", "set", "--team", "nowhere", "--months", "6")
    assert unknown.exit_code == 1 and "no team called 'nowhere'" in unknown.output
    changed = ripple("retention", "set", "--team", "plymouth", "--months", "6")
    assert changed.exit_code == 0 and "keeps entries for 6 months" in changed.output
    assert journal.get_team("plymouth").retention_months == 6
    result = ripple("retention", "apply")
    assert result.exit_code == 0, result.output
    assert "Deleted 0 entries" in result.output and "kept 6 months" in result.output


def test_production_without_a_key_is_refused_without_a_traceback(ripple):
    result = ripple("stats", extra={"RIPPLE_ENV": "production"})
    assert result.exit_code == 1
    assert "RIPPLE_ENCRYPTION_KEYS" in result.output
    assert "Traceback" not in result.output
