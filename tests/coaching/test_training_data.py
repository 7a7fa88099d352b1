"""The classifiers' training data is plain editable text, and never the texts we measure on."""

from __future__ import annotations

import json
import re

import pytest

from bot.coaching.classifier import TrainingDataError
from bot.coaching.themes import load_training
from bot.coaching.turn_reader import load_turn_training
from bot.coaching.turns import TurnAct
from tests.conftest import REPO

PROMPTS, EVALS = REPO / "prompts", REPO / "evals"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _eval_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(EVALS.glob("t*.jsonl")):  # themes*, turns*
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if _key(row["text"]):  # emoji-only rows have no words to compare
                    texts[_key(row["text"])] = f"{path.name} {row['id']}"
    return texts


def test_no_eval_text_appears_in_the_training_data():
    evals = _eval_texts()
    assert len(evals) >= 300 + 80  # the turn and theme sets are really there
    training = [e.text for e in load_training(PROMPTS)] + [
        e.text for e in load_turn_training(PROMPTS)
    ]
    leaked = sorted({evals[_key(t)] for t in training if _key(t) in evals})
    assert leaked == []


def test_the_training_sets_cover_every_label():
    themes = load_training(PROMPTS)
    assert len(themes) >= 400
    combos = {frozenset(e.themes) for e in themes}
    assert frozenset() in combos and len([c for c in combos if len(c) == 2]) == 3
    acts = {e.act for e in load_turn_training(PROMPTS)}
    assert acts == set(TurnAct)


def test_every_training_example_is_plain_text():
    for e in load_turn_training(PROMPTS):
        assert isinstance(e.text, str) and not e.text.startswith("{"), e.text


def test_an_organisations_own_prompts_folder_without_training_files_uses_the_bundled_ones(
    tmp_path,
):
    (tmp_path / "questions.yaml").write_text("questions: []\n", encoding="utf-8")
    assert len(load_training(tmp_path)) == len(load_training(PROMPTS))
    assert len(load_turn_training(tmp_path)) == len(load_turn_training(PROMPTS))


def test_a_colon_in_an_unquoted_example_stays_text_and_a_broken_file_says_where(tmp_path):
    (tmp_path / "turns_training.yaml").write_text(
        "examples:\n  insight:\n    - Small win: the GP lead stayed to the end\n",
        encoding="utf-8",
    )
    assert [e.text for e in load_turn_training(tmp_path)] == [
        "Small win: the GP lead stayed to the end"
    ]
    (tmp_path / "turns_training.yaml").write_text("examples: [oops\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"turns_training\.yaml"):
        load_turn_training(tmp_path)
    (tmp_path / "themes_training.yaml").write_text(
        "examples:\n  budgets:\n    - The board said no\n", encoding="utf-8"
    )
    with pytest.raises(TrainingDataError, match="unknown theme"):
        load_training(tmp_path)
