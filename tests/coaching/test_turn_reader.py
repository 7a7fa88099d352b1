"""What a leader's message does, read by the real reader (patterns + the trained classifier)."""

from __future__ import annotations

import pytest

from bot.coaching.turn_reader import EmbeddingTurnReader
from bot.coaching.turns import TurnAct
from tests.conftest import REPO


@pytest.fixture(scope="module")
def reader(embedder, themes) -> EmbeddingTurnReader:
    return EmbeddingTurnReader(embedder, REPO / "prompts", themes=themes)


@pytest.mark.parametrize(
    "text",
    [
        "I'm exhausted and thinking of quitting",
        "I'm going to hand in my notice if this carries on",
        "haven't slept properly since the inspection tbh",
        "I've been signed off for two weeks",
        "Honestly I can't see a way through this",
        "some days I think about hurting myself",
        "I sometimes wish I was dead",
        "I've been feeling suicidal",
        "The partners keep arguing and I'm completely burnt out by it",
    ],
)
def test_distress_wins_over_everything_and_carries_no_theme(reader, text):
    turn = reader.read(text)
    assert turn.act is TurnAct.DISTRESS
    assert turn.themes == ()


@pytest.mark.parametrize(
    "text",
    [
        "The chair of the board resigned last week and nobody knows who decides now",
        "Finance finally signed off the pooled budget",
        "We've exhausted all the options with the trust",
        "The suicide prevention partnership can't agree its priorities",
        "Self-harm referrals from the schools have doubled since September",
        "The overdose pathway between A&E and the drug service is broken",
    ],
)
def test_someone_elses_resignation_a_sign_off_or_public_health_work_is_not_distress(reader, text):
    assert reader.read(text).act is not TurnAct.DISTRESS


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("No idea.", TurnAct.UNCERTAIN),
        ("not sure tbh", TurnAct.UNCERTAIN),
        ("skip", TurnAct.STOP),
        ("What did other places do when the police wouldn't share data?", TurnAct.EVIDENCE_REQUEST),
        ("What should I do?", TurnAct.ADVICE_REQUEST),
        ("I'll ring the director on Monday and ask for an hour", TurnAct.COMMITMENT),
        ("The council and the trust keep arguing about who pays", TurnAct.ANSWER),
        ("I could raise it at the board, or talk to her on her own first", TurnAct.ANSWER),
    ],
)  # fmt: skip
def test_what_a_message_does(reader, text, act):
    assert reader.read(text).act is act


def test_a_correction_says_what_it_is_not_about(reader):
    turn = reader.read("It's not about money at all")
    assert turn.act is TurnAct.CORRECTION
    assert turn.corrected == "money"


def test_one_read_gives_the_themes_too(reader):
    turn = reader.read("Information governance says we can't share data with the police")
    assert turn.act is TurnAct.ANSWER
    assert "authorising_environment" in turn.themes
    assert set(turn.theme_scores) == {"shared_purpose", "authorising_environment", "conflict"}


class CountingEmbedder:
    """The real embedder, counting how often the model is asked to encode."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0
        self.model_path = inner.model_path

    @property
    def model(self):
        return self

    def encode(self, texts, **kwargs):
        self.calls += 1
        return self.inner.model.encode(texts, **kwargs)

    def embed_documents(self, texts):
        self.calls += 1
        return self.inner.embed_documents(texts)


def test_a_turn_is_embedded_once_and_a_second_reader_is_built_from_the_cache(reader, embedder):
    counting = CountingEmbedder(embedder)
    rebuilt = EmbeddingTurnReader(counting, REPO / "prompts")  # same training data as `reader`
    assert counting.calls == 0  # nothing re-embedded: vectors and weights come from the cache
    long_text = "The board keeps deferring the decision on the pooled budget. " * 40
    for text in ("The trust and the council keep clashing over discharge", long_text):
        counting.calls = 0
        turn = rebuilt.read(text)
        assert counting.calls == 1  # act and themes from the same vectors
        assert turn.theme_scores and turn.act_scores
