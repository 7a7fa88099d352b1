"""Chunks follow the documents and are exact spans of them (no model needed)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.evidence.blocks import read_document
from bot.evidence.chunking import HARD_MAX, Chunk, chunk_document
from bot.evidence.places import PlaceMatcher
from bot.evidence.sources import load_manifest
from tests.evidence.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def chunks_by_doc() -> dict[str, tuple[str, list[Chunk]]]:
    manifest = load_manifest(KNOWLEDGE)
    matcher = manifest.place_matcher()
    result = {}
    for source in manifest.sources:
        text = read_document(KNOWLEDGE / source.file)
        chunks, warnings = chunk_document(text, source, matcher)
        assert warnings == [], warnings  # every skip rule in sources.yaml found its lines
        result[source.file] = (text, chunks)
    return result


def _all(chunks_by_doc) -> list[Chunk]:
    return [c for _, chunks in chunks_by_doc.values() for c in chunks]


def _containing(chunks_by_doc, phrase: str) -> Chunk:
    found = [c for c in _all(chunks_by_doc) if phrase in c.text]
    assert found, f"no chunk contains {phrase!r}"
    return found[0]


def test_every_chunk_is_an_exact_span_of_the_original_file(chunks_by_doc):
    for doc, (_, chunks) in chunks_by_doc.items():
        # Read independently of the chunker: raw bytes, newlines untouched.
        with open(KNOWLEDGE / doc, encoding="utf-8", newline="") as handle:
            original = handle.read()
        assert chunks, doc
        for chunk in chunks:
            assert original[chunk.start : chunk.end] == chunk.text, (doc, chunk.start)
            assert chunk.doc == doc and chunk.doc_id == doc[:3]


def test_chunks_are_in_reading_order_and_never_overlap(chunks_by_doc):
    for _, chunks in chunks_by_doc.values():
        for before, after in itertools.pairwise(chunks):
            assert before.end <= after.start


def test_passages_are_quotable_sizes(chunks_by_doc):
    sizes = [len(c.text) for c in _all(chunks_by_doc)]
    assert max(sizes) <= HARD_MAX
    usual = sum(1 for s in sizes if 300 <= s <= 1200)
    assert usual / len(sizes) >= 0.9, sorted(sizes)
    assert all(c.text == c.text.strip() for c in _all(chunks_by_doc))


def test_sections_come_from_the_documents_own_headings(chunks_by_doc):
    pebble = _containing(chunks_by_doc, "throwing a pebble in a pool")
    assert pebble.section == "The hurdles › Joined at the top"
    protocols = _containing(chunks_by_doc, "nineteen different information sharing protocols")
    assert protocols.section.startswith("2.5 Systems leadership in action › Inhibiting")
    lessons = _containing(chunks_by_doc, "no direct reporting of progress")
    assert lessons.section == "For support providers"
    domains = _containing(chunks_by_doc, "Leading without and beyond authority")
    assert domains.section.startswith("Behavioural Descriptors for Systems Leadership")


def test_long_paragraphs_split_at_sentence_ends(chunks_by_doc):
    for text, chunks in chunks_by_doc.values():
        for chunk in chunks:
            following = text[chunk.end : chunk.end + 1]
            # A chunk ends at a sentence, a line, or the end of a block: never mid-word.
            assert not (chunk.text[-1].isalnum() and following.isalnum()), chunk.text[-40:]


def test_contents_author_lists_footnotes_and_copyright_are_not_evidence(chunks_by_doc):
    everything = "\n".join(c.text for c in _all(chunks_by_doc))
    for boilerplate in (
        "©2013 The Virtual Staff College",
        "Councillor Andrew Harper, Lead Member",  # acknowledgements
        "2.5 Systems leadership in action – some key features\t10",  # contents
        "Tel: 0115 748 4277",  # contact list
        "John Atkinson\tRobin Douglas",  # list of enablers
    ):
        assert boilerplate not in everything
    # Footnotes stay out, except inside a sentence that a page break split around them.
    assert "<https://www.gov.uk/government/policies/helping-troubled-families" not in everything
    assert not any(c.text.startswith(("<sup>", "---", "3 <https")) for c in _all(chunks_by_doc))


def test_a_sentence_split_by_a_page_break_is_rejoined(chunks_by_doc):
    joined = _containing(chunks_by_doc, "Namely the ability to share personal")
    assert "considerable 'resistance' to the practical attempts" in joined.text


def test_places_are_detected_from_text_headings_and_aliases(chunks_by_doc):
    expectations = {
        "Barnet is the second largest borough in London": "Barnet",
        "NW London triborough arrangement": "North West London",
        "Bradford, a metropolitan district council": "Bradford",
        "reducing late-night street drinking": "Plymouth",
        "In LB Islington, regular coaching support": "Islington",
        "Worcestershire Pioneer has used its Enabler support": "Worcestershire",
        "LB Merton - integration of health and social care": "Merton",
        "the WELC Care Collaborative": "WELC",
    }
    for phrase, place in expectations.items():
        assert place in _containing(chunks_by_doc, phrase).places, phrase
    # A Barnet-section paragraph that never says "Barnet" still belongs to Barnet.
    complexity = _containing(chunks_by_doc, "inherent unpredictability of complex systems")
    assert complexity.places == ("Barnet",)


def test_place_matcher_prefers_the_longest_name_and_ignores_case():
    matcher = PlaceMatcher(
        {"Cheshire": [], "West Cheshire": [], "North West London": ["NW London", "triborough"]}
    )
    assert matcher.find("a West Cheshire timebank") == ("West Cheshire",)
    assert matcher.find("the TRIBOROUGH pilot, then Cheshire") == ("North West London", "Cheshire")
    assert matcher.find("Cheshireville and nw londoners") == ()
    assert matcher.resolve("nw   london") == "North West London"
    assert matcher.blank_out("weather in Cheshire today") == "weather in   today"


def test_a_markdown_document_chunks_too(tmp_path: Path):
    from bot.evidence.sources import Source

    text = "# Guide\n\n## Why\n\n" + ("Short line of evidence about trust. " * 5 + "\n\n") * 8
    source = Source(id="x", file="guide.md", title="Guide")
    chunks, _ = chunk_document(text, source, PlaceMatcher({}))
    assert chunks and all(text[c.start : c.end] == c.text for c in chunks)
    assert {c.section for c in chunks} == {"Why"}


def test_a_passages_places_never_come_from_a_footnote_or_an_address(chunks_by_doc):
    # 000's footnote "... The Virtual Staff College, Nottingham, UK" sits inside an
    # Introduction paragraph that a page break split: it used to make that passage Nottingham's.
    around_footnote = _containing(chunks_by_doc, "not simply involve retaining your own power")
    assert "Virtual Staff College, Nottingham" in around_footnote.text
    assert "Nottingham" not in around_footnote.places
    from bot.evidence.prose import readable

    matcher = load_manifest(KNOWLEDGE).place_matcher()
    for chunk in _all(chunks_by_doc):
        named_in_words = set(matcher.find(readable(chunk.text)))
        assert set(chunk.places) == named_in_words | set(chunk.section_places), chunk.id
        assert set(chunk.section_places) <= set(chunk.places)


def test_a_bulleted_example_is_never_cut_across_two_passages(chunks_by_doc):
    import re

    item = re.compile(r"^[ \t]*[-*•][ \t]+\S.*$", re.MULTILINE)
    checked = 0
    for text, chunks in chunks_by_doc.values():
        for line in item.finditer(text):
            inside = [c for c in chunks if c.start < line.end() and line.start() < c.end]
            if not inside or line.end() - line.start() > 1000:
                continue
            checked += 1
            # the whole item (page-break continuations aside) sits in one passage
            assert len(inside) == 1, (inside[0].doc, line.group(0)[:60])
    assert checked >= 100
    merton = _containing(chunks_by_doc, "LB Merton - integration of health and social care")
    assert "including Healthwatch." in merton.text


def test_the_nottinghamshire_safeguarding_hub_example_is_a_nottingham_passage(chunks_by_doc):
    mash = _containing(chunks_by_doc, "Nottinghamshire Multi-Agency Safeguarding Hub")
    assert "Nottingham" in mash.places
    assert "increased access to GP systems" in mash.text
    # Each place's example belongs to its own place, not to whichever came first.
    wirral = _containing(chunks_by_doc, "use of food banks in Birkenhead")
    assert "Merton" not in wirral.places and "Wirral" in wirral.places


def test_every_bulleted_example_in_the_evidence_is_in_some_passage(chunks_by_doc):
    """Long list items are evidence (the safeguarding hub); none may be dropped by chunking."""
    import re

    from bot.evidence.blocks import Kind, split_blocks

    manifest = load_manifest(KNOWLEDGE)
    item = re.compile(r"^[ \t]*[-*•][ \t]+(.{120,})$", re.MULTILINE)
    for source in manifest.sources:
        text, chunks = chunks_by_doc[source.file]
        blocks, _ = split_blocks(text, source.skip)
        for block in blocks:
            if block.kind is not Kind.PARAGRAPH:
                continue
            for line in item.finditer(text, block.start, block.end):
                assert any(c.start <= line.start(1) < c.end for c in chunks), line.group(1)[:60]
