"""Key rotation: re-encrypt every stored token under a new newest key, crash-safely.

At every instant what is on disk can decrypt what is in the database:

1. the new key list `[new, *old]` is written to the key file durably and atomically (temp file,
   fsync, rename, fsync the folder; mode 600) before any token changes; if that write fails,
   nothing else happens;
2. tokens are re-encrypted in batches, each its own committed transaction (a running bot's
   writes wait a moment, not the whole rotation); a crash between batches leaves some tokens
   under the new key and some under the old, and the file holds both;
3. one last transaction re-encrypts any straggler (written meanwhile by a replica that had not
   yet re-read the file) and moves the key check row to the new key;
4. only then, and only when asked (`drop_old`), the old keys leave the key file.

Running it again after a crash finishes the job: tokens already under the new key are skipped.
Replicas on the same key file pick up the new list without a restart (see crypto.Cipher).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.crypto import Cipher, KeySource, new_key, write_key_file
from bot.journal.opening import TOKEN_COLUMNS as _TOKEN_COLUMNS
from bot.journal.opening import write_key_check

BATCH = 200

# on_step(step, tokens_so_far): "key-file-written", "batch-committed", "verified",
# "old-keys-dropped". The CLI prints progress with it; tests kill the process at each step.
StepHook = Callable[[str, int], None]


@dataclass(frozen=True)
class RotationReport:
    keys: list[str]  # the key list now in use, newest first
    tokens: int  # how many stored tokens were re-encrypted
    key_file: Path | None  # written here in development; None when keys come from settings
    dropped: int = 0  # old keys removed from the key file


def _under(fernet: Fernet, token: str) -> bool:
    try:
        fernet.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class KeysMixin(JournalBase):
    key_source: KeySource

    def rotate_key(
        self,
        new: str | None = None,
        *,
        add_key: bool = True,
        drop_old: bool = False,
        batch: int = BATCH,
        on_step: StepHook | None = None,
    ) -> RotationReport:
        """Re-encrypt everything under `new` (generated if None), keeping old keys readable.

        With `add_key=False`, re-encrypt under the newest key already configured (the
        zero-downtime flow: the operator first put a new key at the front of
        RIPPLE_ENCRYPTION_KEYS on every replica). With a development key file, the file is
        rewritten first with the new list; with keys from settings, the caller must put
        `report.keys` into RIPPLE_ENCRYPTION_KEYS on every replica.
        """
        step = on_step or (lambda _step, _count: None)
        self._cipher.refresh()  # another process may have rotated already
        current = list(self._cipher.keys)
        if add_key:
            first = (new or new_key()).strip()
            keys = [first, *(k for k in current if k != first)]
        else:
            keys = current
        cipher = Cipher(keys)  # validates the new key before anything is touched
        newest = Fernet(keys[0].encode())
        path = self.key_source.path if self.key_source.origin == "file" else None

        if add_key and path is not None:
            write_key_file(path, keys)  # 1. durable before any token changes
            step("key-file-written", 0)
        self._cipher.use(keys)  # in place: the inbox and others hold this same Cipher
        self.key_source = KeySource(keys, self.key_source.origin, self.key_source.path)

        tokens = 0
        for model, columns in _TOKEN_COLUMNS:  # 2. batches, each committed
            keys_of = self._db.run(lambda s, m=model: list(s.execute(_pk_select(m)).all()))
            for start in range(0, len(keys_of), max(1, batch)):
                chunk = keys_of[start : start + batch]
                tokens += self._db.run(
                    lambda s, m=model, c=columns, ch=chunk: _rotate_rows(
                        s, m, c, _rows_where(m, ch), cipher, newest
                    )
                )
                step("batch-committed", tokens)

        def finish(session: Session) -> int:  # 3. stragglers and the check row, together
            count = sum(
                _rotate_rows(session, m, c, sa.true(), cipher, newest) for m, c in _TOKEN_COLUMNS
            )
            write_key_check(session, cipher)
            return count

        tokens += self._db.run(finish)
        step("verified", tokens)

        dropped = 0
        if drop_old and len(keys) > 1:  # 4. only after everything above committed
            if path is not None:
                write_key_file(path, keys[:1])
            dropped = len(keys) - 1
            keys = keys[:1]
            self._cipher.use(keys)
            self.key_source = KeySource(keys, self.key_source.origin, self.key_source.path)
            step("old-keys-dropped", tokens)
        written = path if (add_key or dropped) else None
        return RotationReport(keys=keys, tokens=tokens, key_file=written, dropped=dropped)


def _pk_select(model) -> sa.Select:
    pk = list(sa.inspect(model).primary_key)
    return sa.select(*pk).order_by(*pk)


def _rows_where(model, chunk: list):
    pk = list(sa.inspect(model).primary_key)
    if len(pk) == 1:
        return pk[0].in_([row[0] for row in chunk])
    return sa.tuple_(*pk).in_([tuple(row) for row in chunk])


def _rotate_rows(session: Session, model, columns, where, cipher: Cipher, newest: Fernet) -> int:
    """Re-encrypt the tokens in `model` rows matching `where` that the newest key cannot open."""
    count = 0
    # FOR UPDATE: an edit landing mid-rotation waits instead of being overwritten.
    for row in session.scalars(sa.select(model).where(where).with_for_update()):
        for column in columns:
            token = getattr(row, column)
            if token is not None and not _under(newest, token):
                setattr(row, column, cipher.rotate(token))
                count += 1
    return count
