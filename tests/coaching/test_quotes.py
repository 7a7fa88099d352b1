"""Quotes that read as quotes, checked over every passage of the bundled library (no model).

Each passage is trimmed the way an answer trims it, at several sizes and for several
questions. What a reader is shown must be whole sentences of the source, or mark a cut with
"…"; no Markdown, footnote marker, footnote or page residue; and still an exact span.
"""

from __future__ import annotations

import re

import pytest

from bot.coaching.quotes import looks_like_prose, trim_passage
from bot.evidence.blocks import Kind, read_document, split_blocks
from bot.evidence.chunking import chunk_document
from bot.evidence.passage import Passage
from bot.evidence.prose import readable, units
from bot.evidence.sources import load_manifest
from tests.coaching.conftest import KNOWLEDGE

MARKUP = re.compile(r"\*|<sup|</sup>|[⁰¹²³⁴⁵⁶⁷⁸⁹]|https?:|www\.|\]\(|__|---|^- | - - ")
ENDS_SENTENCE = re.compile(r"[.!?…:][\"'”’)\]]*$")
STARTS = re.compile(r"^[A-Z0-9“\"‘'(\[…]")
QUESTIONS = ("", "data sharing between police and health", "pooled budgets conflict GPs")
SIZES = (420, 250, 2000)


def _library():
    manifest = load_manifest(KNOWLEDGE)
    matcher = manifest.place_matcher()
    for source in manifest.sources:
        text = read_document(KNOWLEDGE / source.file)
        chunks, _ = chunk_document(text, source, matcher)
        asides = [
            (b.start, b.end) for b in split_blocks(text, source.skip)[0] if b.kind is Kind.ASIDE
        ]
        yield source, text, chunks, asides


LIBRARY = list(_library())


def _passage(source, chunk) -> Passage:
    return Passage(
        chunk.doc, source.title, chunk.section, chunk.places, chunk.start, chunk.end, chunk.text
    )


@pytest.mark.parametrize("source, text, chunks, asides", LIBRARY, ids=[s.id for s, *_ in LIBRARY])
def test_every_quote_is_clean_verbatim_and_exact(source, text, chunks, asides):
    words_of_source = readable(text)
    checked = 0
    for chunk in chunks:
        passage = _passage(source, chunk)
        for query in QUESTIONS:
            for size in SIZES:
                quote = trim_passage(passage, size, query)
                shown = quote.shown
                where = (source.id, chunk.start, size, query, shown[:70])
                assert text[quote.start : quote.end] == quote.text, where  # exact offsets
                assert chunk.start <= quote.start < quote.end <= chunk.end, where
                assert len(shown) <= size and len(quote.text) <= size, where
                assert not MARKUP.search(shown), (MARKUP.search(shown).group(0), where)
                assert STARTS.match(shown), where
                # Whole sentences, a whole list item, or "…" where something is left out.
                at_line_end = text[quote.end : quote.end + 1] in ("\n", "")
                assert ENDS_SENTENCE.search(shown) or at_line_end, where
                # Verbatim: every piece between the "…" marks is the source's own words.
                for piece in shown.split("…"):
                    assert piece.strip() in words_of_source, where
                checked += 1
    assert checked == len(chunks) * len(QUESTIONS) * len(SIZES)


@pytest.mark.parametrize("source, text, chunks, asides", LIBRARY, ids=[s.id for s, *_ in LIBRARY])
def test_no_footnote_text_is_ever_inside_a_quote(source, text, chunks, asides):
    for chunk in chunks:
        for unit in units(chunk.text):
            for offset in unit.offsets:
                at = chunk.start + offset
                assert not any(a <= at < b for a, b in asides), (source.id, unit.text[:60])


def test_markup_and_footnote_markers_leave_the_words_intact():
    source = read_document(KNOWLEDGE / "002_ee7f87da510b47a4.txt")
    start = source.index("A key difficulty that slowed the progress")
    raw = source[start : source.index("\n", start)]
    assert "**information and data sharing**" in raw
    passage = Passage("002_ee7f87da510b47a4.txt", "T", "S", (), start, start + len(raw), raw)
    shown = trim_passage(passage, 420, "data sharing").shown
    assert "procedures for information and data sharing. Namely" in shown
    footnoted = source.index("Community Budgets⁴, and Payment by Results⁵")
    para = source.rfind("\n", 0, footnoted) + 1
    end = source.index("\n", footnoted)
    passage = Passage("002_ee7f87da510b47a4.txt", "T", "S", (), para, end, source[para:end])
    assert "Community Budgets, and Payment by Results)." in trim_passage(passage, 2000).shown


def test_a_sentence_cut_for_length_ends_with_an_ellipsis_never_mid_clause():
    text = (
        "It is essential that other agencies, including other public, private and third "
        "sector bodies, are included in this approach when working in communities."
    )
    passage = Passage("d.txt", "T", "S", (), 0, len(text), text)
    quote = trim_passage(passage, 70)
    assert quote.shown.endswith("…") and len(quote.shown) <= 70
    assert quote.text == text[: len(quote.text)]
    assert not quote.shown[:-1].endswith((",", " "))


def test_a_quote_starting_mid_sentence_is_marked():
    text = "partners who had never met before, and it worked."
    passage = Passage("d.txt", "T", "S", (), 100, 100 + len(text), text)
    assert trim_passage(passage, 420).shown == "…partners who had never met before, and it worked."
    both = "partners. Leadership may not reside in traditional roles, so it is shared widely."
    passage = Passage("d.txt", "T", "S", (), 100, 100 + len(both), both)
    # given the choice, a quote starts where a sentence starts
    assert trim_passage(passage, 420).shown.startswith("Leadership may not reside")


def test_a_long_bulleted_example_is_prose_but_a_list_of_labels_is_not():
    source = read_document(KNOWLEDGE / "000_1546f603c806f810.txt")
    mash = source.index("    - Nottinghamshire Multi-Agency Safeguarding Hub")
    item = source[mash : source.index("\n", mash)]
    assert looks_like_prose(item)
    labels = "- Bristol – integrated approach to health and wellbeing\n- Plymouth - alcohol abuse"
    assert not looks_like_prose(labels)
    passage = Passage("000_1546f603c806f810.txt", "T", "S", (), mash, mash + len(item), item)
    shown = trim_passage(passage, 420, "safeguarding police").shown
    assert shown.startswith("Nottinghamshire Multi-Agency Safeguarding Hub - involved")
    assert shown.endswith("better early years support.")


def test_a_quotation_is_not_cut_in_half_when_the_whole_of_it_fits():
    source = read_document(KNOWLEDGE / "001_eb4ebc8a1c1b1030.txt")
    start = source.index("With all the difficulties of bringing")
    end = source.index("not the needs of organisations or staff.”") + len(
        "not the needs of organisations or staff.”"
    )
    passage = Passage("001_eb4ebc8a1c1b1030.txt", "T", "S", (), start, end, source[start:end])
    shown = trim_passage(passage, 420, "a partner who won't commit money").shown
    assert shown.startswith("“It is important to explore") and shown.endswith("any one partner.”")
    unbalanced = 0
    for source_, _, chunks, _ in LIBRARY:
        for chunk in chunks:
            quote = trim_passage(_passage(source_, chunk), 420, "partners").shown
            unbalanced += quote.count("“") != quote.count("”")
    assert unbalanced == 0
