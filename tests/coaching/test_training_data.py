"""The classifiers' training data is plain editable text, and never the texts we measure on."""

from __future__ import annotations

import json
import re

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
