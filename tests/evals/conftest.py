"""Fixtures for the eval room: the labelled sets, resolved against the real knowledge files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.datasets import load_retrieval_cases, load_theme_cases

REPO = Path(__file__).resolve().parents[2]
EVALS = REPO / "evals"
KNOWLEDGE = REPO / "knowledge"


@pytest.fixture(scope="session")
def retrieval_cases():
    return load_retrieval_cases(EVALS / "retrieval.jsonl", KNOWLEDGE)


@pytest.fixture(scope="session")
def theme_cases():
    return load_theme_cases(EVALS / "themes.jsonl")


@pytest.fixture(scope="session")
def holdout_theme_cases():
    return load_theme_cases(EVALS / "themes_holdout.jsonl")


@pytest.fixture(scope="session")
def holdout_retrieval_cases():
    return load_retrieval_cases(EVALS / "retrieval_holdout.jsonl", KNOWLEDGE)
