"""Encryption at rest: no plaintext in the database, keys required in production, rotation."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.coaching.ports import Who
from bot.journal import ConfigurationError, Journal

SECRET = "The chief executive undermined us again"
COMMITMENT = "Speak to the chair before Thursday"
DRAFT = "half-written thought about the hospital"
NOTE = "Enabler private observation"


def make_settings_like(settings, *, encryption_keys: str):
    return settings.model_copy(update={"encryption_keys": SecretStr(encryption_keys)})


def _raw_dump(url: str) -> str:
    """Every value of every row of every table, as one string."""
    engine = sa.create_engine(url)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in sa.inspect(engine).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.extend(str(v) for v in row)
    engine.dispose()
    return "\n".join(parts)


def _write_everything(journal: Journal) -> None:
    me = Who("alice", "plymouth")
    journal.save_entry(me, SECRET, commitment=COMMITMENT, shared=True)
    journal.save_conversation(me, {"draft": DRAFT})
    journal.add_enabler("erin", "plymouth")
    journal.add_enabler_note("erin", "plymouth", NOTE)


def test_the_raw_database_holds_no_plaintext(journal, db_settings):
    _write_everything(journal)
    raw = _raw_dump(db_settings.resolved_database_url)
    assert "alice" in raw  # the dump really does contain the rows...
    for text in (SECRET, COMMITMENT, DRAFT, NOTE, "hospital", "chief executive"):
        assert text not in raw  # ...but none of what people wrote
    assert journal.list_entries("alice")[0].text == SECRET


def test_development_generates_a_private_key_file_and_says_where(journal, db_settings):
    path = db_settings.key_file
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in journal.key_notice
    _write_everything(journal)
    # The next start reuses the same key, so yesterday's entries stay readable.
    again = Journal(db_settings)
    assert again.key_notice is None
    assert again.list_entries("alice")[0].text == SECRET
    again.close()


def test_production_without_a_key_is_refused_with_a_clear_message(db_settings):
    prod = db_settings.model_copy(update={"env": "production"})
    with pytest.raises(ConfigurationError) as info:
        Journal(prod)
    assert "RIPPLE_ENCRYPTION_KEYS" in str(info.value)
    assert not prod.key_file.exists()  # and no key file was quietly generated


def test_a_malformed_key_is_refused(db_settings):
    with pytest.raises(ConfigurationError) as info:
        Journal(make_settings_like(db_settings, encryption_keys="not-a-key"))
    assert "not a valid Fernet key" in str(info.value)


def test_rotate_key_re_encrypts_everything_and_old_keys_are_no_longer_needed(db_settings):
    old = Fernet.generate_key().decode()
    journal = Journal(make_settings_like(db_settings, encryption_keys=old))
    _write_everything(journal)
    before = _raw_dump(db_settings.resolved_database_url)
    report = journal.rotate_key()
    assert report.tokens == 4  # text + commitment + conversation + note
    assert report.keys[1] == old and report.key_file is None
    after = _raw_dump(db_settings.resolved_database_url)
    assert SECRET not in after and after != before
    journal.close()
    # A replica started with ONLY the new key reads everything.
    fresh = Journal(make_settings_like(db_settings, encryption_keys=report.keys[0]))
    assert fresh.list_entries("alice")[0].commitment == COMMITMENT
    assert fresh.load_conversation(Who("alice", "plymouth")) == {"draft": DRAFT}
    assert fresh.enabler_notes("erin", "plymouth")[0].text == NOTE
    fresh.close()
    # ...while the old key alone no longer can: a replica started with it is refused.
    with pytest.raises(ConfigurationError):
        Journal(make_settings_like(db_settings, encryption_keys=old))


def test_rotate_key_with_a_key_file_rewrites_the_file(journal, db_settings):
    _write_everything(journal)
    report = journal.rotate_key()
    assert report.key_file == db_settings.key_file
    assert db_settings.key_file.read_text().split() == report.keys
    assert stat.S_IMODE(db_settings.key_file.stat().st_mode) == 0o600
    assert Journal(db_settings).list_entries("alice")[0].text == SECRET


def test_zero_downtime_rotation_re_encrypts_under_the_key_already_put_first(db_settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    journal = Journal(make_settings_like(db_settings, encryption_keys=old))
    _write_everything(journal)
    journal.close()
    # Step 1: every replica gets "new,old"; step 2: one of them re-encrypts.
    both = Journal(make_settings_like(db_settings, encryption_keys=f"{new},{old}"))
    report = both.rotate_key(add_key=False)
    assert report.keys == [new, old] and report.tokens == 4
    both.close()
    # Step 3: the old key can go.
    only_new = Journal(make_settings_like(db_settings, encryption_keys=new))
    assert only_new.list_entries("alice")[0].text == SECRET
    only_new.close()


def test_processes_starting_together_share_one_generated_key(settings):
    """`ripple chat` and `ripple serve` started at once must not each invent a key."""
    import threading

    from bot.journal.crypto import load_keys

    barrier, found = threading.Barrier(4), []

    def start() -> None:
        barrier.wait()
        found.append(tuple(load_keys(settings).keys))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(found) == 4 and len(set(found)) == 1
    assert settings.key_file.read_text().split() == list(found[0])


def test_a_key_file_still_being_written_by_another_process_is_waited_for(settings):
    """The creator makes the file, then writes the key: a reader in between must wait, not
    report the key as lost (seen in CI under load)."""
    import threading

    from bot.journal.crypto import load_keys

    key = Fernet.generate_key().decode()
    settings.key_file.parent.mkdir(parents=True, exist_ok=True)
    settings.key_file.touch(mode=0o600)  # created, not yet written
    writer = threading.Timer(0.2, lambda: settings.key_file.write_text(key + "\n"))
    writer.start()
    try:
        assert load_keys(settings).keys == [key]
    finally:
        writer.join()
    settings.key_file.write_text("")
    with pytest.raises(ConfigurationError, match="Restore it from backup"):
        load_keys(settings)  # still empty after the wait: genuinely lost


def test_rotate_key_with_keys_from_the_environment_never_locks_running_replicas_out(
    db_settings,
):
    """Replicas read RIPPLE_ENCRYPTION_KEYS only at start, so `ripple rotate-key` must not
    re-encrypt under a key they do not have: it prints the two steps, then --existing does
    the work once every replica has the new key first."""
    from typer.testing import CliRunner

    from bot.cli import app

    old = Fernet.generate_key().decode()
    journal = Journal(make_settings_like(db_settings, encryption_keys=old))
    _write_everything(journal)
    journal.close()
    before = _raw_dump(db_settings.resolved_database_url)
    env = {
        "RIPPLE_DATA_DIR": str(db_settings.data_dir),
        "RIPPLE_DATABASE_URL": db_settings.resolved_database_url,
        "RIPPLE_ENV": "development",
        "RIPPLE_ENCRYPTION_KEYS": old,
    }
    first = CliRunner().invoke(app, ["rotate-key"], env=env)
    assert first.exit_code == 0, first.output
    assert "nothing was re-encrypted yet" in first.output
    assert "ripple rotate-key --existing" in first.output
    assert _raw_dump(db_settings.resolved_database_url) == before  # untouched
    line = next(x for x in first.output.splitlines() if x.startswith("RIPPLE_ENCRYPTION_KEYS="))
    both = line.split("=", 1)[1]
    # A replica still on the old key alone keeps working until it is restarted.
    still_old = Journal(make_settings_like(db_settings, encryption_keys=old))
    assert still_old.list_entries("alice")[0].text == SECRET
    still_old.close()
    second = CliRunner().invoke(
        app, ["rotate-key", "--existing"], env={**env, "RIPPLE_ENCRYPTION_KEYS": both}
    )
    assert second.exit_code == 0, second.output
    assert "Re-encrypted 4 stored text(s)" in second.output
    only_new = Journal(make_settings_like(db_settings, encryption_keys=both.split(",")[0]))
    assert only_new.list_entries("alice")[0].commitment == COMMITMENT
    only_new.close()


def test_a_key_file_left_readable_by_others_is_made_owner_only_again(journal, db_settings):
    db_settings.key_file.chmod(0o644)
    Journal(db_settings).close()
    assert stat.S_IMODE(db_settings.key_file.stat().st_mode) == 0o600
