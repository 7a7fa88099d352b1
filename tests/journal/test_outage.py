"""The database goes away: calls fail fast and kindly, nothing half-saved, then recovery
without restarting the bot (pool_pre_ping replaces the dead connections)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from bot.coaching.ports import Who
from bot.journal import Journal, JournalUnavailable

ME = Who("alice", "plymouth")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpProxy:
    """A loopback TCP relay we can switch off and on: PostgreSQL "restarting"."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone may not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def test_an_unreachable_database_fails_fast_with_a_kind_message(settings):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/ripple"  # nothing listens
    started = time.monotonic()
    with pytest.raises(JournalUnavailable) as info:
        Journal(settings.model_copy(update={"database_url": url}), attempts=2)
    assert time.monotonic() - started < 5
    assert "try" in str(info.value).lower() or "check" in str(info.value).lower()


def test_database_outage_mid_run_fails_soft_then_recovers(db_settings, db_url, clock):
    """PostgreSQL restarting, or a SQLite file locked by another process."""
    if db_url.startswith("sqlite"):
        _sqlite_locked_then_released(db_settings, db_url, clock)
    else:
        _postgres_restarted(db_settings, db_url, clock)


def _postgres_restarted(db_settings, db_url, clock) -> None:
    backend = sa.engine.make_url(db_url)
    proxy = TcpProxy(backend.port or 5432)
    proxy.start()
    via_proxy = backend.set(port=proxy.port).render_as_string(hide_password=False)
    journal = Journal(db_settings.model_copy(update={"database_url": via_proxy}), clock=clock)
    try:
        kept = journal.save_entry(ME, "Saved before the outage")
        proxy.stop()  # PostgreSQL goes away, taking every pooled connection with it
        started = time.monotonic()
        with pytest.raises(JournalUnavailable):
            journal.save_entry(ME, "Written during the outage")
        assert time.monotonic() - started < 5
        proxy.start()  # ...and comes back; the bot is not restarted
        again = journal.save_entry(ME, "Written during the outage")
        assert [e.id for e in journal.list_entries("alice")] == [again, kept]
    finally:
        journal.close()
        proxy.stop()


def _sqlite_locked_then_released(db_settings, db_url, clock) -> None:
    journal = Journal(db_settings, clock=clock, attempts=2, busy_timeout_seconds=0.2)
    kept = journal.save_entry(ME, "Saved before the lock")
    blocker = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # e.g. a backup holding the file
    try:
        started = time.monotonic()
        with pytest.raises(JournalUnavailable) as info:
            journal.save_entry(ME, "Written while locked")
        assert time.monotonic() - started < 5
        assert "try again" in str(info.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    again = journal.save_entry(ME, "Written while locked")
    assert [e.id for e in journal.list_entries("alice")] == [again, kept]
    journal.close()
