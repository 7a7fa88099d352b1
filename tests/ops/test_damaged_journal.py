"""A damaged SQLite journal (its first 100 bytes overwritten): every command that opens it
says so in one clear message naming the file and `ripple restore BACKUP`, exits non-zero,
prints no traceback, and `chat` refuses before its first prompt. `ripple restore` then works
over the damaged file, and `ripple backup --out DIR` never leaves a `.partial` behind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.coaching.ports import Who
from bot.console import WELCOME
from bot.journal import Journal
from tests.conftest import make_settings
from tests.journal.ripple_process import JOURNAL_READERS, run_all

ME = Who("alice", "plymouth")
KEPT = "We finally agreed who chairs the joint board"
OPENERS = [
    *JOURNAL_READERS,
    ["enabler", "list"],
    ["retention", "apply"],
    ["db", "upgrade"],
]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def backed_up(tmp_path):
    """A journal with one entry and a backup of it in backups/ (via --out DIR)."""
    from tests.journal.ripple_process import ripple_env

    data = tmp_path / "data"
    settings = make_settings(data)
    journal = Journal(settings)
    journal.save_entry(ME, KEPT, commitment="Send the terms of reference")
    journal.close()
    env = ripple_env(data, settings.resolved_database_url)
    folder = tmp_path / "backups"
    folder.mkdir()
    (made,) = run_all([["backup", "--out", str(folder)]], env, cwd=tmp_path)
    assert made.code == 0, made.said
    (backup,) = list(folder.iterdir())
    return settings, env, backup


def _damage(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.write(b"\xde\xad" * 50)  # the first 100 bytes: SQLite's header is gone


def test_backup_out_dir_writes_an_owner_only_file_into_the_folder(backed_up):
    settings, _env, backup = backed_up
    assert backup.name.startswith("ripple-") and backup.suffix == ".sqlite3"
    assert backup.read_bytes()[:15] == b"SQLite format 3"
    assert _mode(backup) == 0o600
    db = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), settings.key_file):
        if path.exists():
            assert _mode(path) == 0o600, path


def test_every_command_on_a_damaged_journal_says_so_and_exits_non_zero(backed_up, tmp_path):
    settings, env, _ = backed_up
    db = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    _damage(db)
    damaged_bytes = db.read_bytes()
    results = run_all(OPENERS, env, cwd=tmp_path, stdin="hello\nquit\n")
    for ran in results:
        assert ran.code != 0, (ran.args, ran.said)
        assert "Traceback" not in ran.said, (ran.args, ran.said)
        assert str(db) in ran.err and "damaged" in ran.err, (ran.args, ran.err)
        assert "ripple restore BACKUP" in ran.err, (ran.args, ran.err)
        assert ran.err.count("damaged") == 1, (ran.args, ran.err)  # one message, not a cascade
    chat = results[0]
    assert WELCOME not in chat.out  # refused before the first prompt
    assert db.read_bytes() == damaged_bytes  # nothing tried to "fix" it

    # A backup of the damaged file fails kindly and leaves nothing behind in the folder.
    folder = tmp_path / "later"
    folder.mkdir()
    (failed,) = run_all([["backup", "--out", str(folder)]], env, cwd=tmp_path)
    assert failed.code != 0 and "Traceback" not in failed.said
    assert "damaged" in failed.err and "ripple restore BACKUP" in failed.err
    assert list(folder.iterdir()) == []  # no .partial, no half a backup


def test_restore_over_a_damaged_journal_brings_it_back(backed_up, tmp_path):
    settings, env, backup = backed_up
    db = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    _damage(db)
    (restored,) = run_all([["restore", str(backup), "--yes"]], env, cwd=tmp_path)
    assert restored.code == 0, restored.said
    assert "Restored" in restored.out
    assert _mode(db) == 0o600
    journal = Journal(settings)
    assert [e.text for e in journal.list_entries("alice")] == [KEPT]
    journal.close()
    assert [p.name for p in db.parent.iterdir() if ".restoring" in p.name] == []


def test_a_journal_damaged_while_open_names_the_file_instead_of_retrying(tmp_path):
    from bot.journal import JournalDamaged

    settings = make_settings(tmp_path / "data")
    journal = Journal(settings)
    journal.save_entry(ME, KEPT)
    journal.close()  # the pool's connections are gone; the next call opens the file again
    db = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    _damage(db)
    with pytest.raises(JournalDamaged) as info:
        journal.list_entries("alice")
    assert info.value.path == str(db) and "ripple restore BACKUP" in str(info.value)
