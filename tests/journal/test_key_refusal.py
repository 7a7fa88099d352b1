"""A missing or wrong key is refused, loudly, by every command that reads the journal, and
nothing new is written; a fresh key is generated only for an empty journal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.coaching.ports import Who
from bot.console import WELCOME
from bot.journal import Journal
from bot.journal.crypto import fingerprint
from bot.journal.errors import KeyMismatch, KeyMissing
from tests.journal.ripple_process import JOURNAL_READERS, ripple_env, run_all

ME = Who("alice", "plymouth")
SECRET = "I still have not told the chair what the audit found"
READERS = JOURNAL_READERS


def _rows(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
            for t in ("entries", "members", "teams", "conversation_state", "key_check")
        }
    engine.dispose()
    return counts


@pytest.fixture
def written(db_settings):
    """A development journal (key file) holding one entry; the key file's original text."""
    journal = Journal(db_settings)
    journal.save_entry(ME, SECRET, commitment="Tell the chair on Friday")
    journal.close()
    return db_settings, db_settings.key_file.read_text()


def _assert_refused(results, *, must_say: list[str]) -> None:
    for ran in results:
        assert ran.code != 0, (ran.args, ran.said)
        assert "Traceback" not in ran.said, (ran.args, ran.said)
        for words in must_say:
            assert words in ran.err, (ran.args, ran.err)
        assert WELCOME not in ran.out, "the chat must refuse before its first prompt"


def test_a_deleted_key_file_is_refused_by_every_command_and_nothing_is_written(written, tmp_path):
    settings, _ = written
    url = settings.resolved_database_url
    settings.key_file.unlink()
    before = _rows(url)
    env = ripple_env(settings.data_dir, url)
    results = run_all(READERS, env, cwd=tmp_path, stdin="I will write this under a new key\n")
    _assert_refused(
        results,
        must_say=["holds encrypted entries", str(settings.key_file), "is missing"],
    )
    assert not settings.key_file.exists(), "no new key may be generated for a journal with data"
    assert _rows(url) == before
    assert not (tmp_path / "sar").exists()


def test_a_wrong_key_is_refused_by_every_command_with_both_fingerprints(written, tmp_path):
    settings, original = written
    url = settings.resolved_database_url
    before = _rows(url)
    wrong = Fernet.generate_key().decode()
    env = ripple_env(settings.data_dir, url, RIPPLE_ENCRYPTION_KEYS=wrong)
    results = run_all(READERS, env, cwd=tmp_path, stdin="hello\n")
    written_with = fingerprint(original.split()[0])
    _assert_refused(
        results,
        must_say=["do not decrypt the journal", written_with, fingerprint(wrong)],
    )
    assert wrong not in "".join(r.said for r in results), "a key is never printed"
    # The same with the wrong key in the key file itself.
    settings.key_file.write_text(wrong + "\n")
    results = run_all(READERS[:3], ripple_env(settings.data_dir, url), cwd=tmp_path)
    _assert_refused(results, must_say=["do not decrypt the journal", str(settings.key_file)])
    assert _rows(url) == before
    settings.key_file.write_text(original)  # the right key back: everything reads again
    journal = Journal(settings)
    assert journal.list_entries("alice")[0].text == SECRET
    journal.close()


def test_the_journal_refuses_in_process_too_with_typed_errors(written):
    settings, _ = written
    settings.key_file.unlink()
    with pytest.raises(KeyMissing):
        Journal(settings)
    assert not settings.key_file.exists()
    wrong = settings.model_copy(
        update={"encryption_keys": SecretStr(Fernet.generate_key().decode())}
    )
    with pytest.raises(KeyMismatch):
        Journal(wrong)


def test_an_empty_journal_gets_a_fresh_key_and_a_check_row(db_settings):
    settings = db_settings
    journal = Journal(settings)
    assert journal.key_notice is not None  # generated: the journal was empty
    journal.close()
    assert _rows(settings.resolved_database_url)["key_check"] == 1
    # A lost key for a journal that never held anything loses nothing: a new one is fine.
    settings.key_file.unlink()
    again = Journal(settings)
    assert again.key_notice is not None
    again.save_entry(ME, SECRET)
    again.close()
    assert Journal(settings).list_entries("alice")[0].text == SECRET


def test_a_journal_from_before_the_check_row_is_checked_against_its_data(written):
    """Journals written before the key_check table existed: the first stored token decides."""
    settings, _ = written
    engine = sa.create_engine(settings.resolved_database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM key_check"))
    engine.dispose()
    wrong = settings.model_copy(
        update={"encryption_keys": SecretStr(Fernet.generate_key().decode())}
    )
    with pytest.raises(KeyMismatch):
        Journal(wrong)
    right = Journal(settings)  # the right key re-creates the row
    assert right.list_entries("alice")[0].text == SECRET
    right.close()
    assert _rows(settings.resolved_database_url)["key_check"] == 1
