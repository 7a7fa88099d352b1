"""Topics the library does not cover are named back, not answered with a stretched passage."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.evidence.uncovered import TOPICS_FILE, Topic, UncoveredTopics
from tests.conftest import REPO


@pytest.mark.parametrize(
    "question, named",
    [
        ("how have councils and the NHS worked together on flood planning?", "flood"),
        ("our trust was hit by ransomware - how did partners keep services going?", "cyber"),
        ("how are ICBs commissioning urgent NHS dentistry", "dent"),
        ("what's worked to get more children their jabs in deprived wards", "immunisation"),
    ],
)
def test_a_partnership_question_on_a_topic_the_library_lacks_hears_the_topic_named(
    library, question, named
):
    result = library.explain(question)
    assert result.passages == [] and result.reason == "request:uncovered"
    assert "doesn't cover" in result.message and named in result.message.lower()
    assert "What I can help with" in result.message


@pytest.mark.parametrize(
    "question",
    [
        "how do I get GPs on board",
        "how did places pool budgets between health and social care?",
        "what happened with alcohol in Plymouth?",
        "how did police and social care share information about families?",
        "our partners say yes in meetings and then nothing happens",
        "how did the Integrated Care Pioneers involve the voluntary sector?",
    ],
)
def test_questions_the_library_answers_are_not_mistaken_for_uncovered_topics(library, question):
    assert library.explain(question).passages


def test_the_bundled_inventory_is_honest_about_the_bundled_library(library):
    """Every topic in the file is one the documents never touch: none is set aside."""
    data = yaml.safe_load((REPO / "prompts" / TOPICS_FILE).read_text(encoding="utf-8"))
    assert len(data["topics"]) >= 150
    assert library._uncovered_topics().set_aside() == []


def test_a_document_on_the_topic_makes_it_answerable_without_editing_the_list():
    flooding = Topic("flood planning", (re.compile(r"\bflood(s|ing)?\b", re.IGNORECASE),))
    dentistry = Topic("NHS dentistry", (re.compile(r"\bdentist(s|ry)?\b", re.IGNORECASE),))
    library_texts = ["The resilience forum's flooding exercise brought partners together."]
    topics = UncoveredTopics([flooding, dentistry], library_texts)
    assert topics.match("how did partners plan for flooding?") is None
    assert topics.match("how are ICBs fixing access to a dentist?") == "NHS dentistry"


def test_without_the_file_nothing_is_turned_away(tmp_path):
    topics = UncoveredTopics.load(tmp_path, ["any passage"])
    assert topics.topics == () and topics.match("flood planning") is None
