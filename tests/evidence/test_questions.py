"""The question index: curated questions for the bundled library, a chat model's for new ones."""

from __future__ import annotations

from pathlib import Path

import yaml
from langchain_core.language_models import FakeListChatModel

from bot.evidence.library import EvidenceLibrary
from bot.evidence.questions import GENERATED_FILE, QuestionWriter, _prompt, load_curated
from tests.conftest import REPO, make_settings
from tests.evidence.conftest import KNOWLEDGE, PIONEERS


class QuestionsFromThePassage(FakeListChatModel):
    """Writes a preamble and two questions naming the passage's first words; counts calls."""

    calls: int = 0

    def _call(self, messages, *args, **kwargs) -> str:
        self.calls += 1
        prompt = messages[-1].content if isinstance(messages, list) else str(messages)
        passage = prompt.split("Passage:", 1)[1].split("Write five", 1)[0]
        first = " ".join(passage.split()[:6])
        return (
            "Here are five questions:\n"
            f"1. what did they learn from {first}?\n"
            "2. how did the partners keep going when it got hard?\n"
        )


class BrokenModel(FakeListChatModel):
    def _call(self, *args, **kwargs) -> str:
        raise ConnectionError("provider down")


def _library(tmp_path: Path, knowledge: Path, embedder, model=None) -> EvidenceLibrary:
    settings = make_settings(tmp_path / "data", knowledge_dir=knowledge)
    writer = QuestionWriter(model, _prompt(REPO / "prompts"), 10) if model else None
    return EvidenceLibrary(settings, embedder, question_writer=writer)


def test_every_passage_of_the_bundled_library_has_curated_questions(library):
    chunks = library._chunk_list()
    index = load_curated(KNOWLEDGE, chunks)
    assert index.problems == []
    assert {c.id for c in chunks} == set(index.by_passage)
    assert all(3 <= len(qs) <= 12 for qs in index.by_passage.values())
    assert library.questions_store.count() >= 3 * len(chunks)


def test_a_leaders_own_words_find_the_passage_through_its_questions(library):
    # The words of a curated question, not of the passage: the question index bridges them.
    found = library.search("how do I stop people quietly dropping out of the partnership?", k=3)
    assert found
    by_questions = library.search("how do I get GPs on board", k=5, method="questions")
    assert any("GP" in p.text for p in by_questions)


def test_an_anchor_no_longer_in_its_document_is_reported_and_the_rest_still_count(
    tmp_path, small_knowledge, embedder
):
    text = (small_knowledge / PIONEERS).read_text(encoding="utf-8")
    line = next(
        line.strip() for line in text.splitlines() if len(line.strip()) > 80 and '"' not in line
    )
    (small_knowledge / "questions.yaml").write_text(
        yaml.safe_dump(
            {
                "passages": [
                    {"doc": PIONEERS, "anchor": line[:60], "questions": ["where do we start?"]},
                    {"doc": PIONEERS, "anchor": "words nobody wrote", "questions": ["lost?"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    lib = _library(tmp_path, small_knowledge, embedder)
    report = lib.ingest()
    assert any("anchor not found" in w and "words nobody wrote" in w for w in report.warnings)
    assert [row.text for row in lib.questions_store.all_chunks()] == ["where do we start?"]


def test_a_new_document_gets_its_questions_from_the_chat_model_once(
    tmp_path, small_knowledge, embedder
):
    model = QuestionsFromThePassage(responses=[""])
    lib = _library(tmp_path, small_knowledge, embedder, model)
    report = lib.ingest()
    passages = lib._chunk_list()
    assert model.calls == len(passages) and report.questions == 2 * len(passages)
    written = [row.text for row in lib.questions_store.all_chunks()]
    assert "how did the partners keep going when it got hard?" in written
    assert not any("Here are" in q for q in written)  # the preamble is not a question
    # Each question belongs to the passage it was written for.
    first = sorted(passages, key=lambda c: int(c.meta["start"]))[0]
    opening = " ".join(first.text.split()[:6])
    owner = [r.meta["parent"] for r in lib.questions_store.all_chunks() if opening in r.text]
    assert owner == [first.id]
    assert (tmp_path / "data" / GENERATED_FILE).is_file()

    again = QuestionsFromThePassage(responses=[""])
    fresh = _library(tmp_path, small_knowledge, embedder, again)
    fresh.ingest()
    assert again.calls == 0  # kept in the data folder by the passage's text
    assert fresh.questions_store.count() == 2 * len(passages)


def test_a_failing_chat_model_costs_the_questions_not_the_ingest(
    tmp_path, small_knowledge, embedder
):
    lib = _library(tmp_path, small_knowledge, embedder, BrokenModel(responses=[""]))
    report = lib.ingest()
    assert report.added == [PIONEERS] and report.passages > 0
    assert lib.questions_store.count() == 0
    assert lib.search("how did the pioneers build trust between partners?")


def test_without_a_chat_model_no_questions_are_invented(tmp_path, small_knowledge, embedder):
    lib = _library(tmp_path, small_knowledge, embedder)
    report = lib.ingest()
    assert report.questions == 0 and lib.questions_store.count() == 0
    assert not (tmp_path / "data" / GENERATED_FILE).exists()
