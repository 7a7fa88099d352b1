"""Ingest is idempotent, re-indexes what changed, drops what went, and explains bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evidence.errors import DataDirNotWritable, ManifestError
from bot.evidence.library import EvidenceLibrary
from tests.conftest import make_settings
from tests.evidence.conftest import PIONEERS, SMALL_MANIFEST


def test_second_ingest_of_unchanged_files_does_nothing_and_says_so(small_library):
    first = small_library.ingest()
    assert first.added == [PIONEERS] and first.passages > 5
    again = small_library.ingest()
    assert again.nothing_changed and again.unchanged == [PIONEERS]
    assert again.summary() == "Nothing changed: 1 document already indexed."
    assert again.passages == first.passages


def test_a_changed_file_is_reindexed_and_its_new_text_is_searchable(small_library, small_knowledge):
    small_library.ingest()
    question = "hedgehog crossings on the ring road"
    assert small_library.search(question, method="bm25") == []
    with (small_knowledge / PIONEERS).open("a", encoding="utf-8") as f:
        f.write(
            "\n\nHedgehog crossings on the ring road\n\nIn Islington, partners agreed hedgehog "
            "crossings on the ring road after a joint workshop with residents, the council and "
            "the hospital trust, which built trust between organisations for harder work later.\n"
        )
    report = small_library.ingest()
    assert report.changed == [PIONEERS] and not report.added
    found = small_library.search(question, k=1, method="bm25")
    assert found and "agreed hedgehog crossings" in found[0].text
    assert found[0].section == "Hedgehog crossings on the ring road"
    assert found[0].places == ("Islington",)


def test_editing_the_manifest_entry_reindexes_the_document(small_library, small_knowledge):
    small_library.ingest()
    manifest = small_knowledge / "sources.yaml"
    manifest.write_text(SMALL_MANIFEST.replace('date: "2015"', 'date: "2016"'), encoding="utf-8")
    assert small_library.ingest().changed == [PIONEERS]


def test_a_removed_file_is_dropped_from_the_index(small_library, small_knowledge):
    extra = small_knowledge / "005_notes.md"
    extra.write_text("# Notes\n\n" + "Walking meetings helped the partners listen. " * 12)
    manifest = small_knowledge / "sources.yaml"
    manifest.write_text(
        SMALL_MANIFEST.replace(
            "places:\n  Islington",
            '  - id: "005"\n    file: 005_notes.md\n    title: Notes\nplaces:\n  Islington',
            1,
        ),
        encoding="utf-8",
    )
    assert sorted(small_library.ingest().added) == ["003_a6ecd2aaceef9f77.txt", "005_notes.md"]
    assert small_library.search("walking meetings", docs=["005"], method="bm25")

    extra.unlink()
    manifest.write_text(SMALL_MANIFEST, encoding="utf-8")
    report = small_library.ingest()
    assert report.removed == ["005_notes.md"] and report.unchanged == [PIONEERS]
    assert all(p.doc == PIONEERS for p in small_library.search("walking meetings", k=10))


def test_a_document_missing_from_the_manifest_is_skipped_with_a_warning(
    small_library, small_knowledge
):
    (small_knowledge / "stray.txt").write_text("An undescribed document about trust.\n")
    report = small_library.ingest()
    assert report.skipped == ["stray.txt"] and report.added == [PIONEERS]
    assert any("stray.txt" in w and "sources.yaml" in w for w in report.warnings)


def test_a_manifest_entry_without_its_file_is_reported(small_library, small_knowledge):
    (small_knowledge / PIONEERS).unlink()
    report = small_library.ingest()
    assert report.added == [] and report.passages == 0
    assert any(PIONEERS in w and "no such file" in w for w in report.warnings)


def test_an_unreadable_file_keeps_its_previous_index(small_library, small_knowledge):
    before = small_library.ingest().passages
    (small_knowledge / PIONEERS).write_bytes(b"\xff\xfe not utf-8 \x80\x81")
    report = small_library.ingest()
    assert report.skipped == [PIONEERS] and report.passages == before
    assert any("not UTF-8" in w for w in report.warnings)


def test_a_broken_manifest_names_the_problem(small_library, small_knowledge):
    (small_knowledge / "sources.yaml").write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid YAML"):
        small_library.ingest()
    (small_knowledge / "sources.yaml").write_text("sources:\n  - file: x.txt\n")
    with pytest.raises(ManifestError, match=r"x\.txt is missing id, title"):
        small_library.ingest()


def test_a_data_dir_that_cannot_be_written_is_explained(tmp_path: Path, small_knowledge, embedder):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    settings = make_settings(blocker, knowledge_dir=small_knowledge)
    with pytest.raises(DataDirNotWritable, match="RIPPLE_DATA_DIR"):
        EvidenceLibrary(settings, embedder).ingest()


def test_ensure_ingested_indexes_only_on_first_run(tmp_path: Path, small_knowledge, embedder):
    settings = make_settings(tmp_path / "data", knowledge_dir=small_knowledge)
    first = EvidenceLibrary(settings, embedder).ensure_ingested()
    assert first is not None and first.added == [PIONEERS]
    assert EvidenceLibrary(settings, embedder).ensure_ingested() is None


def test_a_second_replica_sees_a_reindex_made_by_the_first(
    tmp_path: Path, small_knowledge: Path, embedder
):
    settings = make_settings(tmp_path / "data", knowledge_dir=small_knowledge)
    writer, reader = EvidenceLibrary(settings, embedder), EvidenceLibrary(settings, embedder)
    writer.ingest()
    assert reader.search("coaching support for senior leaders")  # reader caches its BM25 copy
    with (small_knowledge / PIONEERS).open("a", encoding="utf-8") as f:
        f.write("\n\nIn Worcestershire, walking meetings helped partners listen to each other.\n")
    assert writer.ingest().changed == [PIONEERS]
    found = reader.search("walking meetings helped partners listen", k=3)
    assert any("walking meetings" in p.text for p in found)
