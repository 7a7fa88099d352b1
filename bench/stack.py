"""The processes a load test or replica test runs against, started on loopback ports.

- `fresh_postgres(admin_url)`: a throwaway PostgreSQL database, dropped afterwards.
- `chroma_server(path)`: Chroma's own server (`chroma run`), as in docker compose.
- `ServeProcess`: one `ripple serve --port N` child process with its own environment.

Shared by `bench/loadtest.py` and `tests/ops/test_replicas.py`, so the test exercises the
same wiring the benchmark measures.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
ENCRYPTION_KEY = "7mQbZ1bD1Vj0yfq3kR0bF3HkB1mYzqB8q9gk1l7dJ8U="  # a fixed test-only Fernet key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 3.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    import sqlalchemy as sa

    name = f"ripple_b_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[int]:
    """`chroma run` on a free loopback port; yields the port once its heartbeat answers."""
    port = free_port()
    process = subprocess.Popen(
        ["chroma", "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                if http_get(port, "/api/v2/heartbeat")[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Chroma server did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def ripple_env(
    *, database_url: str, data_dir: Path, slack_api_url: str, chroma_port: int | None, **extra
) -> dict[str, str]:
    """The environment of a production-mode Ripple process pointed at the test doubles."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RIPPLE_", "SLACK_", "CHROMA_"))
    }
    env.update(
        RIPPLE_ENV="production",
        RIPPLE_DATABASE_URL=database_url,
        RIPPLE_DATA_DIR=str(data_dir),
        RIPPLE_KNOWLEDGE_DIR=str(REPO / "knowledge"),
        RIPPLE_PROMPTS_DIR=str(REPO / "prompts"),
        RIPPLE_ENCRYPTION_KEYS=ENCRYPTION_KEY,
        RIPPLE_SCHEDULER_ENABLED="false",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api_url,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    if chroma_port is not None:
        env.update(CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_port))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def ripple(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run one `ripple` CLI command to completion (as the compose one-shot steps do)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class ServeProcess:
    """`ripple serve --port N` as a child process; stderr (the JSON log) goes to a file."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> ServeProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120.0) -> dict:
        """Block until /readyz answers 200; return its checks."""
        import json

        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"ripple serve exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                status, body = http_get(self.port, "/readyz")
                if status == 200:
                    return json.loads(body)
                last = body
            time.sleep(0.25)
        raise RuntimeError(f"ripple serve never became ready: {last}")

    def peak_rss_mb(self) -> float:
        """The process's resident-set high-water mark (VmHWM), in MiB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, as docker compose sends, and wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None
        finally:
            self._log.close()
