"""The terminal under `ripple chat`: line editing, history, a thinking indicator, a warm-up.

`console.py` decides what to say; this module only deals with the keyboard and the screen:

- `LineReader` reads lines with GNU readline when stdin is a terminal, so arrow keys, Ctrl-A/E
  and up-for-the-last-line work, and a long paste is read whole (readline reads the terminal
  character by character, past the kernel's 4,096-byte line limit). History lasts for the
  session only: it holds journal text, which is never written to disk unencrypted.
- `thinking()` shows a spinner only when an answer takes more than a moment.
- `warm_up()` loads the embedding model and opens the library in the background as soon as
  the chat opens, so the first answer does not wait for them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)
HISTORY_LINES = 500
SPINNER_AFTER_SECONDS = 0.4


class LineReader:
    """Reads one line at a time with readline's editing and this session's history.

    History is kept in memory only: what someone types into a reflection is journal text,
    and the journal is encrypted at rest, so it is never written to a plain history file.
    """

    def __init__(self) -> None:
        try:
            import readline  # importing it is what turns line editing on for input()
        except ImportError:  # pragma: no cover - Windows without pyreadline
            return
        readline.parse_and_bind("set enable-bracketed-paste on")
        readline.set_history_length(HISTORY_LINES)
        readline.clear_history()

    def read(self, prompt: str) -> str:
        return input(prompt)


@contextlib.contextmanager
def thinking(status: Callable[[str], contextlib.AbstractContextManager], label: str) -> Iterator:
    """Show `status(label)` only if the block runs longer than a moment."""
    shown: list[contextlib.AbstractContextManager] = []
    done = threading.Event()

    def later() -> None:
        if not done.wait(SPINNER_AFTER_SECONDS):
            manager = status(label)
            manager.__enter__()
            shown.append(manager)

    timer = threading.Thread(target=later, daemon=True)
    timer.start()
    try:
        yield
    finally:
        done.set()
        timer.join()
        for manager in shown:
            manager.__exit__(None, None, None)


def warm_up(*loaders: Callable[[], object]) -> threading.Thread:
    """Run each loader in one background thread; a failure is left for the real call to meet."""

    def run() -> None:
        for load in loaders:
            try:
                load()
            except Exception:  # the turn that needs it reports the problem to the person
                log.debug("warm-up step failed", exc_info=True)

    thread = threading.Thread(target=run, name="ripple-warm-up", daemon=True)
    thread.start()
    return thread


class ChatAlreadyOpen(Exception):
    """This person already has a `ripple chat` running against this data folder."""


@contextlib.contextmanager
def one_chat_per_person(data_dir: Path, workspace: str, user: str) -> Iterator[None]:
    """Hold an exclusive lock for one person's chat, so two terminals never interleave one
    conversation (each would answer the other's questions and save the other's words)."""
    import hashlib

    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, as before
        yield
        return
    digest = hashlib.sha256(f"{workspace}\0{user}".encode()).hexdigest()[:16]
    lock_dir = data_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_dir / f"chat-{digest}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ChatAlreadyOpen from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
