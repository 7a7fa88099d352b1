"""Encryption at rest: Fernet tokens for everything a person wrote.

Keys come from `settings.encryption_keys` (comma-separated, newest first). MultiFernet encrypts
with the first key and decrypts with any, which is what makes rotation safe. In development,
when no key is configured, a key file is generated at `settings.key_file` (mode 600) and its
location is reported; in production, starting without a key is refused.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import Settings
from bot.journal.errors import ConfigurationError

log = logging.getLogger(__name__)

NO_KEY_IN_PRODUCTION = (
    "Ripple will not start in production without an encryption key: journal entries are "
    "encrypted at rest. Set RIPPLE_ENCRYPTION_KEYS to one or more Fernet keys, newest first, "
    "comma-separated. Generate one with: "
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def parse_keys(raw: str) -> list[str]:
    return [k.strip() for k in raw.replace("\n", ",").split(",") if k.strip()]


def new_key() -> str:
    return Fernet.generate_key().decode()


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file with `keys` (newest first), readable by the owner only.

    Written beside it and renamed into place, so a crash never leaves half a key list.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@dataclass
class KeySource:
    keys: list[str]
    origin: str  # "settings" or "file"
    path: Path | None = None
    generated: bool = False

    @property
    def notice(self) -> str | None:
        if not self.generated:
            return None
        return (
            f"Generated a new encryption key for the journal at {self.path} (readable only by "
            "you). Back it up: without it the journal cannot be read."
        )


def _create_key_file(path: Path) -> KeySource:
    """Create the development key file, unless another process just did (then use theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    source = KeySource([key], "file", path, generated=True)
    log.warning(source.notice)
    return source


def load_keys(settings: Settings) -> KeySource:
    if settings.encryption_keys is not None and settings.encryption_keys.get_secret_value():
        return KeySource(parse_keys(settings.encryption_keys.get_secret_value()), "settings")
    if settings.production:
        raise ConfigurationError(NO_KEY_IN_PRODUCTION)
    path = settings.key_file
    if path.exists():
        return _read_key_file(path)
    return _create_key_file(path)


def _read_key_file(path: Path) -> KeySource:
    """Read an existing key file. Empty may mean another process is creating it right now
    (it creates the file, then writes the key), so wait briefly before calling it lost."""
    for _ in range(50):
        keys = parse_keys(path.read_text())
        if keys:
            return KeySource(keys, "file", path)
        time.sleep(0.02)
    raise ConfigurationError(f"The key file {path} is empty. Restore it from backup.")


class Cipher:
    """Encrypts text to Fernet tokens (str) and back. Also JSON, for conversation state."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("No encryption keys were given.")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError) as error:
            raise ConfigurationError(
                "An encryption key is not a valid Fernet key (32 url-safe base64 bytes). "
                "Check RIPPLE_ENCRYPTION_KEYS or the key file."
            ) from error
        self.keys = list(keys)

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ConfigurationError(
                "Journal data could not be decrypted with the configured keys. Was a key "
                "removed from RIPPLE_ENCRYPTION_KEYS before `ripple rotate-key` finished?"
            ) from error

    def encrypt_optional(self, text: str | None) -> str | None:
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: str | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def encrypt_json(self, value: dict) -> str:
        return self.encrypt(json.dumps(value, ensure_ascii=False))

    def decrypt_json(self, token: str) -> dict:
        return json.loads(self.decrypt(token))

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
