"""Fixtures for the evidence room.

- `library`: the whole real library, ingested once per session into a temporary data folder.
- `small_knowledge`: a throwaway knowledge folder with one real document (003) and a manifest,
  cheap enough to ingest, change and break in every test.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.evidence.library import EvidenceLibrary
from tests.conftest import REPO, make_settings

KNOWLEDGE = REPO / "knowledge"
PIONEERS = "003_a6ecd2aaceef9f77.txt"

SMALL_MANIFEST = textwrap.dedent(
    """\
    sources:
      - id: "003"
        file: 003_a6ecd2aaceef9f77.txt
        title: "Systems Leadership support: learning the lessons from Integrated Care Pioneers"
        publisher: Leadership Centre
        date: "2015"
        places: [Islington, Worcestershire]
    places:
      Islington: [LB Islington]
      Worcestershire: []
      Cheshire: []
      WELC: [east London]
      Leeds: []
    """
)


@pytest.fixture(scope="session")
def library_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("evidence-library")


@pytest.fixture(scope="session")
def library(library_data_dir: Path, embedder) -> EvidenceLibrary:
    lib = EvidenceLibrary(make_settings(library_data_dir), embedder)
    report = lib.ingest()
    assert sorted(report.added) == sorted(p.name for p in KNOWLEDGE.glob("*.txt"))
    return lib


@pytest.fixture
def small_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copyfile(KNOWLEDGE / PIONEERS, folder / PIONEERS)
    (folder / "sources.yaml").write_text(SMALL_MANIFEST, encoding="utf-8")
    return folder


@pytest.fixture
def small_library(tmp_path: Path, small_knowledge: Path, embedder) -> EvidenceLibrary:
    settings = make_settings(tmp_path / "data", knowledge_dir=small_knowledge)
    return EvidenceLibrary(settings, embedder)
