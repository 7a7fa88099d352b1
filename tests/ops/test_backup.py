"""`ripple backup` and `ripple restore`: a round trip gives back exactly the journal that was
backed up, entries stay encrypted inside the backup, and mistakes get a clear message."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bot.coaching.ports import Who
from tests.conftest import TEST_DATABASE_URL, _postgres_database, make_settings

KEY = Fernet.generate_key().decode()
PRIVATE = "I keep avoiding the conversation with the police lead about data sharing"
SHARED = "We agreed a shared purpose for the alcohol pathway across three organisations"
LATER = "Written after the backup, so a restore must remove it"
LEADER = Who(user="U0LEADER01", team="C0PLYMOUTH")


@pytest.fixture
def cli():
    """`ripple` itself, with the environment an operator would set."""
    from bot.cli import app

    runner = CliRunner()

    def run(url: str, data_dir: Path, *args: str, input: str | None = None):
        env = {
            "RIPPLE_DATABASE_URL": url,
            "RIPPLE_DATA_DIR": str(data_dir),
            "RIPPLE_ENCRYPTION_KEYS": KEY,
            "RIPPLE_ENV": "development",
        }
        return runner.invoke(app, list(args), env=env, input=input)

    return run


def _journal(url: str, data_dir: Path):
    from bot.journal.service import Journal

    return Journal(make_settings(data_dir, database_url=url, encryption_keys=KEY))


def _texts(journal) -> list[str]:
    return sorted(e.text for e in journal.list_entries(LEADER.user))


def _write_journal(url: str, data_dir: Path) -> list[str]:
    journal = _journal(url, data_dir)
    journal.save_entry(LEADER, PRIVATE, themes=["conflict"], commitment="Call her on Monday")
    journal.save_entry(LEADER, SHARED, themes=["shared_purpose"], shared=True)
    texts = _texts(journal)
    journal.close()
    return texts


def _round_trip(cli, url: str, tmp_path: Path, *backup_args: str) -> Path:
    data_dir = tmp_path / "data"
    before = _write_journal(url, data_dir)
    out = tmp_path / "backup.bin"
    result = cli(url, data_dir, "backup", "--out", str(out), *backup_args)
    assert result.exit_code == 0, result.output
    assert "still encrypted" in result.output

    raw = out.read_bytes()
    readable = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    for text in (PRIVATE, SHARED, "police lead", "Call her on Monday"):
        assert text.encode() not in readable, "journal text must stay encrypted in backups"

    journal = _journal(url, data_dir)  # change things after the backup
    journal.save_entry(LEADER, LATER)
    first = journal.list_entries(LEADER.user)[-1]
    journal.delete_entry(LEADER.user, first.id)
    assert _texts(journal) != before
    journal.close()

    result = cli(url, data_dir, "restore", str(out), "--yes")
    assert result.exit_code == 0, result.output
    journal = _journal(url, data_dir)
    assert _texts(journal) == before
    assert journal.last_commitment(LEADER).text == "Call her on Monday"
    new_id = journal.save_entry(LEADER, "After the restore, new entries still get fresh ids")
    assert new_id > max(e.id for e in journal.list_entries(LEADER.user) if e.id != new_id)
    journal.close()
    return out


def test_native_backup_round_trip(cli, db_url, tmp_path):
    out = _round_trip(cli, db_url, tmp_path)
    header = out.read_bytes()[:16]
    if db_url.startswith("sqlite"):
        assert header.startswith(b"SQLite format 3")
    else:
        assert header.startswith(b"PGDMP") or header.startswith(b"\x1f\x8b")


def test_portable_backup_round_trip(cli, db_url, tmp_path):
    out = _round_trip(cli, db_url, tmp_path, "--portable")
    assert out.read_bytes()[:2] == b"\x1f\x8b"


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL")
def test_a_portable_sqlite_backup_moves_the_journal_into_postgres(cli, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'laptop.db'}"
    before = _write_journal(sqlite_url, tmp_path / "data")
    out = tmp_path / "move.json.gz"
    assert cli(sqlite_url, tmp_path / "data", "backup", "-o", str(out), "--portable").exit_code == 0

    pg_url, drop = _postgres_database(TEST_DATABASE_URL)
    try:
        result = cli(pg_url, tmp_path / "data", "restore", str(out), "--yes")
        assert result.exit_code == 0, result.output
        journal = _journal(pg_url, tmp_path / "data")
        assert _texts(journal) == before
        journal.close()
    finally:
        drop()


def test_restore_asks_first_and_changes_nothing_on_no(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'ripple.db'}"
    before = _write_journal(url, tmp_path / "data")
    out = tmp_path / "b.sqlite3"
    assert cli(url, tmp_path / "data", "backup", "-o", str(out)).exit_code == 0
    journal = _journal(url, tmp_path / "data")
    journal.save_entry(LEADER, LATER)
    journal.close()

    result = cli(url, tmp_path / "data", "restore", str(out), input="n\n")
    assert result.exit_code == 1
    assert "Nothing was changed" in result.output
    journal = _journal(url, tmp_path / "data")
    assert _texts(journal) == sorted([*before, LATER])
    journal.close()


def test_restore_refuses_a_file_that_is_not_a_backup(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'ripple.db'}"
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = cli(url, tmp_path / "data", "restore", str(junk), "--yes")
    assert result.exit_code == 1
    assert "not a Ripple backup" in result.output
    assert "Traceback" not in result.output

    missing = cli(url, tmp_path / "data", "restore", str(tmp_path / "nope.sqlite3"), "--yes")
    assert missing.exit_code == 1 and "no backup file" in missing.output


def test_a_sqlite_backup_cannot_be_restored_into_postgres(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'ripple.db'}"
    _write_journal(url, tmp_path / "data")
    out = tmp_path / "b.sqlite3"
    assert cli(url, tmp_path / "data", "backup", "-o", str(out)).exit_code == 0
    pg_url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = cli(pg_url, tmp_path / "data", "restore", str(out), "--yes")
    assert result.exit_code == 1
    assert "--portable" in result.output and "Traceback" not in result.output


def test_backing_up_a_database_that_is_not_there_says_so(cli, tmp_path):
    result = cli(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "data", "backup")
    assert result.exit_code == 1
    assert "nothing to back up" in result.output


def test_an_unreachable_postgres_gets_a_clear_message(cli, tmp_path):
    url = "postgresql+psycopg://ripple:secret@127.0.0.1:1/ripple"
    result = cli(url, tmp_path / "data", "backup", "--portable", "-o", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert "could not be reached" in result.output
    assert "secret" not in result.output


def test_the_ripple_cli_registers_backup_and_restore():
    from bot.cli import app

    names = {c.name for c in app.registered_commands}
    assert {"backup", "restore"} <= names


def test_backups_of_both_formats_are_owner_only_and_out_dir_is_a_folder(cli, db_url, tmp_path):
    import stat

    data_dir = tmp_path / "data"
    _write_journal(db_url, data_dir)
    folder = tmp_path / "nightly"  # does not exist yet: created, and the backup goes inside
    native = cli(db_url, data_dir, "backup", "--out", str(folder))
    assert native.exit_code == 0, native.output
    portable = cli(db_url, data_dir, "backup", "--out", str(folder), "--portable")
    assert portable.exit_code == 0, portable.output
    made = sorted(folder.iterdir())
    assert len(made) == 2 and {p.name.split(".", 1)[1] for p in made} >= {"json.gz"}
    for path in made:
        assert path.name.startswith("ripple-")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]


def test_a_failed_backup_leaves_nothing_in_the_folder(cli, tmp_path):
    url = "postgresql+psycopg://ripple:secret@127.0.0.1:1/ripple"
    folder = tmp_path / "out"
    folder.mkdir()
    result = cli(url, tmp_path / "data", "backup", "--portable", "--out", str(folder))
    assert result.exit_code == 1 and "could not be reached" in result.output
    assert list(folder.iterdir()) == []


def test_the_sqlite_journal_and_its_wal_and_shm_files_are_owner_only(tmp_path):
    import stat

    db = tmp_path / "data" / "ripple.db"
    journal = _journal(f"sqlite:///{db}", tmp_path / "data")
    journal.save_entry(LEADER, PRIVATE)
    # While it is open, SQLite keeps the -wal and -shm files beside it.
    for path in (db, db.with_name("ripple.db-wal"), db.with_name("ripple.db-shm")):
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
    journal.close()
    db.chmod(0o644)  # loosened by hand: the next open takes it back to owner-only
    _journal(f"sqlite:///{db}", tmp_path / "data").close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
