"""Encryption at rest: Fernet tokens for everything a person wrote.

Keys come from `settings.encryption_keys` (comma-separated, newest first). MultiFernet encrypts
with the first key and decrypts with any, which is what makes rotation safe. In development,
when no key is configured, a key file is generated at `settings.key_file` (mode 600), but only
for an empty journal: `opening.py` refuses a journal that holds data its keys cannot read.

A `Cipher` built on a key file follows that file: when `ripple rotate-key` (another process)
replaces it, the next encryption uses the new newest key and a token that no known key opens
triggers a re-read, so a running bot keeps working through a rotation without a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import Settings
from bot.journal.errors import ConfigurationError, KeyMismatch, KeyMissing

log = logging.getLogger(__name__)

NO_KEY_IN_PRODUCTION = (
    "Ripple will not start in production without an encryption key: journal entries are "
    "encrypted at rest. Set RIPPLE_ENCRYPTION_KEYS to one or more Fernet keys, newest first, "
    "comma-separated. Generate one with: "
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
UNDECRYPTABLE = (
    "Journal data could not be decrypted with the configured keys. Was a key removed from "
    "RIPPLE_ENCRYPTION_KEYS (or the key file) before `ripple rotate-key` finished? Put it back."
)


def parse_keys(raw: str) -> list[str]:
    return [k.strip() for k in raw.replace("\n", ",").split(",") if k.strip()]


def new_key() -> str:
    return Fernet.generate_key().decode()


def fingerprint(key: str) -> str:
    """A short, non-secret name for a key (SHA-256 of it), for messages and the check row."""
    return hashlib.sha256(key.strip().encode("ascii")).hexdigest()[:16]


def _fsync(fd: int) -> None:
    os.fsync(fd)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data` durably and atomically, readable by the owner only.

    Written to a temporary file beside it, fsynced, renamed over it, then the folder is
    fsynced: after a crash or power cut the file holds either the old bytes or the new ones.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # O_CREAT's mode is filtered by the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            _fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside `folder` durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open folders
        return
    try:
        _fsync(fd)
    finally:
        os.close(fd)


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file with `keys` (newest first): durable, atomic, mode 600."""
    write_private_file(path, ("\n".join(keys) + "\n").encode("ascii"))


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

    @property
    def described(self) -> str:
        """Where the keys came from, for operator messages."""
        return "in RIPPLE_ENCRYPTION_KEYS" if self.origin == "settings" else f"in {self.path}"


def _create_key_file(path: Path) -> KeySource:
    """Create the development key file, unless another process just did (then use theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(key + "\n")
        handle.flush()
        _fsync(handle.fileno())
    fsync_folder(path.parent)
    source = KeySource([key], "file", path, generated=True)
    log.warning(source.notice)
    return source


def load_keys(settings: Settings, *, may_generate: bool = True) -> KeySource:
    """The configured keys. With none configured: production refuses; development reads the
    key file, or creates it when `may_generate` (only right for an empty journal), else
    raises KeyMissing."""
    if settings.encryption_keys is not None and settings.encryption_keys.get_secret_value():
        return KeySource(parse_keys(settings.encryption_keys.get_secret_value()), "settings")
    if settings.production:
        raise ConfigurationError(NO_KEY_IN_PRODUCTION)
    path = settings.key_file
    if path.exists():
        if path.is_file():
            _owner_only(path)
        return _read_key_file(path)
    if not may_generate:
        raise KeyMissing(f"The key file {path} is missing.")
    return _create_key_file(path)


def _owner_only(path: Path) -> None:
    """A key file someone made world-readable is put back to 600 (and the log says so)."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        try:
            os.chmod(path, 0o600)
            log.warning("the key file %s was readable by others (%o); it is now 600", path, mode)
        except OSError:  # pragma: no cover - not ours to change; still usable
            log.warning("the key file %s is readable by others (%o)", path, mode)


def _read_key_file(path: Path) -> KeySource:
    """Read an existing key file. Empty may mean another process is creating it right now
    (it creates the file, then writes the key), so wait briefly before calling it lost."""
    for _ in range(50):
        keys = parse_keys(path.read_text())
        if keys:
            return KeySource(keys, "file", path)
        time.sleep(0.02)
    raise ConfigurationError(f"The key file {path} is empty. Restore it from backup.")


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _multi(keys: list[str]) -> MultiFernet:
    if not keys:
        raise ConfigurationError("No encryption keys were given.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            "An encryption key is not a valid Fernet key (32 url-safe base64 bytes). "
            "Check RIPPLE_ENCRYPTION_KEYS or the key file."
        ) from error


class Cipher:
    """Encrypts text to Fernet tokens (str) and back. Also JSON, for conversation state.

    With `key_file`, the key list follows that file (see the module docstring).
    """

    def __init__(self, keys: list[str], *, key_file: Path | None = None) -> None:
        self._fernet = _multi(keys)
        self.keys = list(keys)
        self._key_file = key_file
        self._stamp = _stamp(key_file)
        self._lock = threading.Lock()

    def use(self, keys: list[str]) -> None:
        """Switch to `keys` (newest first) in place, e.g. after this process rotated them."""
        fernet = _multi(keys)
        with self._lock:
            self._fernet, self.keys = fernet, list(keys)
            self._stamp = _stamp(self._key_file)

    @property
    def fingerprints(self) -> list[str]:
        return [fingerprint(k) for k in self.keys]

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read the key file if it changed since it was read; True when the keys changed.

        A missing, empty or broken file keeps the keys already held (they still work).
        """
        if self._key_file is None:
            return False
        with self._lock:
            stamp = _stamp(self._key_file)
            if stamp is None or (stamp == self._stamp and not force):
                return False
            try:
                keys = parse_keys(self._key_file.read_text())
                fernet = _multi(keys)
            except (OSError, ConfigurationError) as error:
                log.warning(
                    "kept the keys already loaded: %s cannot be used (%s)", self._key_file, error
                )
                return False
            self._stamp = stamp
            if keys == self.keys:
                return False
            self._fernet, self.keys = fernet, keys
        log.info(
            "re-read the key file %s: %d key(s), newest %s",
            self._key_file,
            len(keys),
            fingerprint(keys[0]),
        )
        return True

    def encrypt(self, text: str) -> str:
        self.refresh()  # a rotation elsewhere: write under the new newest key at once
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            if not self.refresh(force=True):
                raise KeyMismatch(UNDECRYPTABLE) from None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise KeyMismatch(UNDECRYPTABLE) from error

    def can_decrypt(self, token: str) -> bool:
        try:
            self._fernet.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

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
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise KeyMismatch(UNDECRYPTABLE) from error
