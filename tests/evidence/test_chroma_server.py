"""The production shape: the same library on Chroma's own server, over HTTP.

Starts `chroma run` on a free loopback port, ingests into it, and expects the same answers
as the embedded store. Then stops the server and expects `EvidenceUnavailable`, not a crash.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bot.evidence.errors import EvidenceUnavailable
from bot.evidence.library import EvidenceLibrary
from tests.conftest import make_settings

CHROMA = shutil.which("chroma")
pytestmark = pytest.mark.skipif(CHROMA is None, reason="the `chroma` server binary is missing")

QUESTIONS = [
    "coaching support for the senior leadership team",
    "should sites decide when they are ready for support?",
    "integration is easier with one council and one CCG",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the Chroma server did not start")


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = _free_port()
    process = subprocess.Popen(
        [
            CHROMA,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, process)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_chroma_server_gives_the_same_answers_as_the_embedded_store(
    tmp_path: Path, small_knowledge: Path, chroma_server, embedder
):
    port, process = chroma_server
    embedded = EvidenceLibrary(
        make_settings(tmp_path / "embedded", knowledge_dir=small_knowledge), embedder
    )
    served = EvidenceLibrary(
        make_settings(
            tmp_path / "served",
            knowledge_dir=small_knowledge,
            chroma_host="127.0.0.1",
            chroma_port=port,
        ),
        embedder,
    )
    assert embedded.ingest().passages == served.ingest().passages > 0
    assert served.ingest().nothing_changed  # the content hashes live in the server's index
    assert not (tmp_path / "served" / "chroma").exists()  # nothing was written locally

    for question in QUESTIONS:
        local = [(p.doc, p.start, p.end) for p in embedded.search(question, k=3)]
        remote = [(p.doc, p.start, p.end) for p in served.search(question, k=3)]
        assert local and local == remote, question

    process.terminate()
    process.wait(timeout=10)
    with pytest.raises(EvidenceUnavailable, match="temporarily unavailable"):
        served.search(QUESTIONS[0])


def test_an_unreachable_server_is_reported_as_unavailable(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=_free_port())
    with pytest.raises(EvidenceUnavailable):
        EvidenceLibrary(settings, embedder).search("pooled budgets")
