"""Key rotation: re-encrypt every stored token under a new newest key.

MultiFernet decrypts with any listed key and encrypts with the first, so the new list is
[new, *old]: nothing becomes unreadable mid-way, and old keys can be dropped once every
replica runs with the new list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.journal.base import JournalBase
from bot.journal.crypto import Cipher, KeySource, new_key, write_key_file
from bot.journal.models import ConversationState, EnablerNote, Entry

_TOKEN_COLUMNS = (
    (Entry, ("text_token", "commitment_token")),
    (ConversationState, ("state_token",)),
    (EnablerNote, ("text_token",)),
)


@dataclass(frozen=True)
class RotationReport:
    keys: list[str]  # the new key list, newest first
    tokens: int  # how many stored tokens were re-encrypted
    key_file: Path | None  # written here in development; None when keys come from settings


class KeysMixin(JournalBase):
    key_source: KeySource

    def rotate_key(self, new: str | None = None, *, add_key: bool = True) -> RotationReport:
        """Re-encrypt everything under `new` (generated if None), keeping old keys readable.

        With `add_key=False`, re-encrypt under the newest key already configured (the
        zero-downtime flow: the operator first put a new key at the front of
        RIPPLE_ENCRYPTION_KEYS on every replica). With a development key file, the file is
        rewritten with the new list; with keys from settings, the caller must put
        `report.keys` into RIPPLE_ENCRYPTION_KEYS on every replica.
        """
        current = list(self.key_source.keys)
        keys = [new or new_key(), *current] if add_key else current
        cipher = Cipher(keys)  # validates the new key before anything is touched

        def work(session: Session) -> int:
            count = 0
            for model, columns in _TOKEN_COLUMNS:
                # FOR UPDATE: an edit landing mid-rotation waits instead of being overwritten.
                for row in session.scalars(sa.select(model).with_for_update()):
                    for column in columns:
                        token = getattr(row, column)
                        if token is not None:
                            setattr(row, column, cipher.rotate(token))
                            count += 1
            return count

        tokens = self._db.run(work)
        self._cipher = cipher
        self.key_source = KeySource(keys, self.key_source.origin, self.key_source.path)
        key_file = None
        if add_key and self.key_source.origin == "file" and self.key_source.path is not None:
            write_key_file(self.key_source.path, keys)
            key_file = self.key_source.path
        return RotationReport(keys=keys, tokens=tokens, key_file=key_file)
