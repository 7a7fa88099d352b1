"""Theme detection on clear examples, in leaders' own words (the real model)."""

from __future__ import annotations

import pytest

CONFLICT, AUTHORISING, PURPOSE = "conflict", "authorising_environment", "shared_purpose"


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("The hospital keeps agreeing at the board and then nothing happens.", CONFLICT),
        ("Partners blame each other every time a case goes wrong.", CONFLICT),
        ("Information governance says we can't share data with the police.", AUTHORISING),
        ("The chief executive won't sign off the pooled budget.", AUTHORISING),
        ("Nobody can tell me what the partnership is actually for.", PURPOSE),
        ("We need a shared vision that every partner understands the same way.", PURPOSE),
    ],
)  # fmt: skip
def test_a_clear_reflection_is_recognised(themes, text: str, theme: str):
    assert theme in themes.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "What's the weather like tomorrow?",
        "Tell me a joke.",
        "I had a nice lunch today.",
        "🙂🙂🙂",
        "我们今天吃了午饭",
        "",
    ],
)
def test_off_topic_text_has_no_theme(themes, text: str):
    assert themes.detect(text) == []


def test_themes_come_strongest_first_and_at_most_once(themes):
    found = themes.detect(
        "We can't agree what the hub is for, the police and council keep clashing over it, "
        "and the commissioner won't release the budget until we do."
    )
    assert len(found) == len(set(found)) >= 2
    scores = themes.scores(
        "We can't agree what the hub is for, the police and council keep clashing"
    )
    assert set(scores) == {"shared_purpose", "authorising_environment", "conflict"}


def test_a_very_long_message_is_scored_quickly(themes):
    import time

    text = "The partners keep arguing about the budget. " * 1000
    started = time.perf_counter()
    found = themes.detect(text)
    # Bounded: a few windows are embedded however long the paste (generous for a busy box).
    assert time.perf_counter() - started < 5.0
    assert "conflict" in found


@pytest.mark.parametrize(
    "text",
    [
        "Had a lovely week off with the kids in Devon",
        "The IT system was down for two days and I lost a whole report",
        "I'm exhausted and can't stop thinking about quitting",
        "Honestly I don't know",
    ],
)
def test_a_personal_week_an_it_moan_distress_or_a_non_answer_get_no_theme(themes, text):
    # Issue 10: these got a theme 5 times out of 5 under the prototype detector.
    assert themes.detect(text) == []


def test_thresholds_are_learned_probabilities_and_passages_are_scored_on_the_same_scale(themes):
    assert all(0.2 <= t <= 0.85 for t in themes.thresholds.values())
    fits = themes.fit(
        [
            "Partners argued about the budget and walked out of the meeting.",
            "The weather was fine.",
        ],
        "conflict",
    )
    assert fits[0] > themes.thresholds["conflict"] > fits[1]
