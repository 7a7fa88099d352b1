"""Opening a journal safely: a damaged file, a missing key and a wrong key all stop here.

Every command that reads the journal builds a `Journal`, and `Journal.__init__` runs
`open_database` and `open_keys` before anything is written. They raise typed errors whose
`str()` is an operator message (file, setting, what to do); `check_journal_openable` is the
one start-up check `ripple serve` and `ripple chat` call before they say they are ready.

The key check: the `key_check` row holds a known text encrypted under the newest key. A start
whose keys cannot decrypt it (or, in a journal from before the row existed, its first stored
token) is refused. A fresh key is generated only when the journal holds no encrypted data.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.journal.crypto import Cipher, KeySource, fingerprint, load_keys
from bot.journal.db import Database, insert_ignoring_duplicates
from bot.journal.errors import JournalDamaged, KeyMismatch, KeyMissing
from bot.journal.models import ConversationState, EnablerNote, Entry, InboxEvent, KeyCheck

log = logging.getLogger(__name__)

CHECK_TEXT = "ripple key check"
# Every column holding a Fernet token: what rotation re-encrypts and what "holds data" means.
TOKEN_COLUMNS = (
    (Entry, ("text_token", "commitment_token")),
    (ConversationState, ("state_token",)),
    (EnablerNote, ("text_token",)),
    (InboxEvent, ("request_token", "answer_token")),
)
# SQLite's result codes for a file that is not (or no longer) a database.
_SQLITE_DAMAGE = {11: "SQLITE_CORRUPT", 26: "SQLITE_NOTADB"}


def describe_database(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def is_damage(error: BaseException) -> bool:
    """True when `error` (a SQLAlchemy or sqlite3 error) says the SQLite file is damaged."""
    orig = getattr(error, "orig", error)
    if not isinstance(orig, sqlite3.DatabaseError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_DAMAGE
    text = str(orig).lower()
    return "not a database" in text or "malformed" in text


def damaged(url: str, error: BaseException | None = None) -> JournalDamaged:
    path = describe_database(url)
    said = f" (SQLite says: {getattr(error, 'orig', error)})" if error is not None else ""
    return JournalDamaged(
        f"The journal database {path} is damaged and cannot be opened{said}. Ripple has "
        "not changed it. Restore your latest backup with `ripple restore BACKUP` (backups made "
        "by `ripple backup` are in the data folder's backups/ unless you chose --out), or move "
        f"{path} aside to start an empty journal.",
        path,
    )


def open_database(db: Database) -> None:
    """Read the schema once, so a damaged SQLite file is named now, not mid-conversation."""
    if db.backend != "sqlite":
        return
    try:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar()
    except exc.DBAPIError as error:
        if is_damage(error):
            raise damaged(db.url, error) from None
        raise


def _first_token(session: Session) -> str | None:
    for model, columns in TOKEN_COLUMNS:
        for name in columns:
            column = getattr(model, name)
            token = session.scalar(sa.select(column).where(column.is_not(None)).limit(1))
            if token is not None:
                return token
    return None


def holds_encrypted_data(session: Session) -> bool:
    """Whether anything a person wrote is stored (so a new key would make it unreadable)."""
    return _first_token(session) is not None


def missing_key_message(url: str, source_path) -> str:
    where = describe_database(url)
    return (
        f"The journal {where} holds encrypted entries, but there is no key to read them: the "
        f"key file {source_path} is missing. Ripple has stopped without changing anything (a "
        "new key would leave those entries unreadable). Put the key file back from your "
        "backup, or set RIPPLE_ENCRYPTION_KEYS to the key the journal was written with, then "
        "start again."
    )


def wrong_key_message(url: str, source: KeySource, cipher: Cipher, written_with: str | None) -> str:
    where = describe_database(url)
    was = f"It was last written with key {written_with}; " if written_with else ""
    return (
        f"The encryption key(s) {source.described} do not decrypt the journal {where}. Ripple "
        f"has stopped without changing anything. {was}the configured key(s) are "
        f"{', '.join(cipher.fingerprints)} (fingerprints, not keys). Put the key the journal "
        "was written with back (first in RIPPLE_ENCRYPTION_KEYS, or in the key file), then "
        "start again."
    )


def open_keys(
    settings: Settings, db: Database, keys: KeySource | None = None
) -> tuple[KeySource, Cipher]:
    """The keys for this journal, checked against what it holds (see the module docstring)."""
    if keys is None:
        try:
            keys = load_keys(settings, may_generate=False)
        except KeyMissing:
            if db.run(holds_encrypted_data):
                raise KeyMissing(missing_key_message(db.url, settings.key_file)) from None
            keys = load_keys(settings)  # an empty journal: a fresh key is right
    cipher = Cipher(keys.keys, key_file=keys.path if keys.origin == "file" else None)
    db.run(lambda session: _check_keys(session, db.url, keys, cipher))
    return keys, cipher


def _check_keys(session: Session, url: str, source: KeySource, cipher: Cipher) -> None:
    row = session.get(KeyCheck, 1)
    if row is not None and cipher.can_decrypt(row.token):
        return
    # No row yet (a journal from before it existed), or one these keys cannot open: what
    # the journal holds decides. Data they cannot read means a wrong key; no data, a new one.
    sample = _first_token(session)
    if sample is not None and not cipher.can_decrypt(sample):
        written_with = row.fingerprint if row is not None else None
        raise KeyMismatch(wrong_key_message(url, source, cipher, written_with))
    write_key_check(session, cipher)


def write_key_check(session: Session, cipher: Cipher) -> None:
    """Record (or move) the check row to the cipher's newest key."""
    values = {
        "id": 1,
        "fingerprint": fingerprint(cipher.keys[0]),
        "token": cipher.encrypt(CHECK_TEXT),
        "updated_at": datetime.now(UTC),
    }
    # Two processes opening a new journal at once: the unique id decides, both carry on.
    if insert_ignoring_duplicates(session, KeyCheck, values):
        return
    session.execute(sa.update(KeyCheck).where(KeyCheck.id == 1).values(**values))


def check_journal_openable(settings: Settings) -> None:
    """Open the journal once and close it: raises what a start would (damage, keys, outage)."""
    from bot.journal.service import Journal

    Journal(settings).close()


def journal_open_problem(settings: Settings) -> str | None:
    """`check_journal_openable` as an operator message, or None when the journal opens (or
    is only unreachable for now: the chat's own retry handles that)."""
    from bot.journal.errors import ConfigurationError, JournalUnavailable

    try:
        check_journal_openable(settings)
    except JournalUnavailable:
        return None
    except ConfigurationError as error:
        return str(error)
    return None
