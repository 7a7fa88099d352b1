"""`ripple rotate-key` is crash-safe: a failure injected at each step (the key file write
fails; the process is SIGKILLed after the key file is written, between re-encryption batches,
after the re-encryption committed but before the old key is dropped, and at arbitrary moments
of the real CLI) leaves a journal whose every entry still decrypts, and a re-run completes.

Running bots on the same key file follow a rotation without a restart."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bot.coaching.ports import Who
from bot.journal import Journal
from tests.journal.ripple_process import RIPPLE, ripple_env

ME = Who("alice", "plymouth")
TEXTS = [f"Reflection {i}: the partnership board keeps deferring the decision" for i in range(24)]
DRAFT = {"draft": "half a thought about the housing lead"}
NOTE = "The team is circling the same conflict"

# A child process that rotates in batches of 4 and, at the Nth occurrence of STEP, says so and
# waits to be killed. The parent SIGKILLs it there: a real crash at a known instant.
CHILD = """
import sys, time
from bot.config import Settings
from bot.journal import Journal
step, nth, drop = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "drop"
seen = {}
def hook(name, tokens):
    seen[name] = seen.get(name, 0) + 1
    if name == step and seen[name] == nth:
        print("AT", name, tokens, flush=True)
        time.sleep(120)
Journal(Settings()).rotate_key(batch=4, drop_old=drop, on_step=hook)
print("FINISHED", flush=True)
"""


def _fill(journal: Journal) -> None:
    for text in TEXTS:
        journal.save_entry(ME, text, commitment="Ask the chair")
    journal.save_conversation(ME, DRAFT)
    journal.add_enabler("erin", "plymouth")
    journal.add_enabler_note("erin", "plymouth", NOTE)


def _everything_reads(settings) -> list[str]:
    """Open the journal as a restarted bot would, and read back every token kind."""
    journal = Journal(settings)
    try:
        entries = journal.list_entries("alice", limit=100)
        assert sorted(e.text for e in entries) == sorted(TEXTS)
        assert {e.commitment for e in entries} == {"Ask the chair"}
        assert journal.load_conversation(ME) == DRAFT
        assert [n.text for n in journal.enabler_notes("erin", "plymouth")] == [NOTE]
        return list(journal.key_source.keys)
    finally:
        journal.close()


def _raw_tokens(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tokens = [r[0] for r in conn.execute(sa.text("SELECT text_token FROM entries"))]
    engine.dispose()
    return sorted(tokens)


@pytest.fixture
def filled(db_settings):
    journal = Journal(db_settings)
    _fill(journal)
    journal.close()
    return db_settings


def test_a_failed_key_file_write_changes_nothing_and_a_rerun_completes(filled, monkeypatch):
    from bot.journal import crypto

    before_file = filled.key_file.read_text()
    before_tokens = _raw_tokens(filled.resolved_database_url)

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    journal = Journal(filled)
    monkeypatch.setattr(crypto, "_fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        journal.rotate_key()
    monkeypatch.undo()
    journal.close()
    assert filled.key_file.read_text() == before_file  # the old key file, whole
    assert _raw_tokens(filled.resolved_database_url) == before_tokens  # nothing re-encrypted
    assert [p.name for p in filled.data_dir.iterdir() if p.name.endswith(".tmp")] == []
    assert _everything_reads(filled) == before_file.split()

    journal = Journal(filled)
    report = journal.rotate_key(drop_old=True)
    journal.close()
    assert report.tokens == len(TEXTS) * 2 + 2 and report.dropped == 1
    assert filled.key_file.read_text().split() == report.keys  # only the new key is left
    assert _everything_reads(filled) == report.keys


@pytest.mark.parametrize(
    ("step", "nth"),
    [
        ("key-file-written", 1),  # new key on disk, nothing re-encrypted yet
        ("batch-committed", 3),  # mid-re-encryption: some tokens new, most old
        ("verified", 1),  # re-encryption committed, old key not yet dropped
    ],
)
def test_a_rotation_killed_at_each_step_loses_nothing_and_a_rerun_completes(
    filled, tmp_path, step, nth
):
    old = filled.key_file.read_text().split()
    env = ripple_env(filled.data_dir, filled.resolved_database_url)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, step, str(nth), "drop"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = child.stdout.readline()
    assert line.startswith(f"AT {step}"), line + child.stderr.read()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    on_disk = filled.key_file.read_text().split()
    assert len(on_disk) == 2 and on_disk[1] == old[0]  # new key first, old one still there
    assert _everything_reads(filled) == on_disk  # every entry decrypts after the crash

    journal = Journal(filled)
    report = journal.rotate_key(add_key=False, drop_old=True)  # the re-run finishes the job
    journal.close()
    assert report.keys == on_disk[:1]
    assert filled.key_file.read_text().split() == on_disk[:1]
    assert _everything_reads(filled) == on_disk[:1]


def test_the_real_cli_killed_while_it_rotates_never_loses_an_entry(filled, tmp_path):
    """SIGKILL the real `ripple rotate-key` the moment it reports the new key file written,
    wherever in the re-encryption that kill lands; three times over, then a clean run."""
    env = ripple_env(filled.data_dir, filled.resolved_database_url)
    for _ in range(3):
        proc = subprocess.Popen(
            [*RIPPLE, "rotate-key"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = proc.stderr.readline()
        proc.kill()
        proc.wait(timeout=30)
        assert "Wrote the new key list" in line, line
        _everything_reads(filled)
    finished = subprocess.run(
        [*RIPPLE, "rotate-key", "--drop-old"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Removed" in finished.stdout
    assert len(filled.key_file.read_text().split()) == 1
    _everything_reads(filled)


def test_a_running_bot_follows_a_rotation_without_a_restart(filled):
    """Two processes' worth of journals on one key file: the bot keeps reading the entries
    rotate-key re-encrypted, and what it writes afterwards uses the new key."""
    bot = Journal(filled)
    assert len(bot.list_entries("alice", limit=100)) == len(TEXTS)
    operator = Journal(filled)
    report = operator.rotate_key(drop_old=True)  # the bot's only key is now gone
    operator.close()
    texts = sorted(e.text for e in bot.list_entries("alice", limit=100))
    assert texts == sorted(TEXTS)
    assert bot.load_conversation(ME) == DRAFT
    bot.save_entry(ME, "Written by the running bot after the rotation")
    bot.close()
    only_new = filled.model_copy(update={"encryption_keys": None})
    assert filled.key_file.read_text().split() == report.keys
    journal = Journal(only_new)
    assert "Written by the running bot after the rotation" in {
        e.text for e in journal.list_entries("alice", limit=100)
    }
    journal.close()


def test_the_key_file_is_owner_only_after_a_rotation(filled):
    import stat

    journal = Journal(filled)
    journal.rotate_key()
    journal.close()
    assert stat.S_IMODE(filled.key_file.stat().st_mode) == 0o600


def test_work_waiting_in_the_inbox_is_re_encrypted_too(filled):
    """An acknowledged Slack event still waiting for its answer survives a rotation that
    drops the old key (its request holds what a person wrote, so it is encrypted)."""
    from bot.journal.inbox import Inbox

    journal = Journal(filled)
    inbox = Inbox.of(journal)
    request = {"text": "what helped elsewhere with a reluctant chair?"}
    inbox.receive("Ev1", "mention", request, owner="replica-a", lease_seconds=-1)
    report = journal.rotate_key(drop_old=True)
    assert report.tokens == len(TEXTS) * 2 + 2 + 1
    journal.close()
    fresh = Journal(filled)  # only the new key is on disk now
    (claimed,) = Inbox.of(fresh).claim_orphans("replica-b", lease_seconds=30)
    assert claimed.request == request
    fresh.close()
