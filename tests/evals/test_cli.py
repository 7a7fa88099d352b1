"""`ripple eval` through its typer app: JSON out, and a kind message for a bad dataset."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.commands.eval import app

from .conftest import EVALS, KNOWLEDGE, REPO


def _env(tmp_path) -> dict[str, str]:
    return {
        "RIPPLE_DATA_DIR": str(tmp_path / "data"),
        "RIPPLE_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "RIPPLE_PROMPTS_DIR": str(REPO / "prompts"),
        "RIPPLE_EVALS_DIR": str(EVALS),
    }


def test_eval_themes_json_reports_every_theme(tmp_path, embedder):
    # A few real rows keep this about the command's wiring; test_floors scores the full set.
    rows = (EVALS / "themes.jsonl").read_text(encoding="utf-8").splitlines()
    small = tmp_path / "themes.jsonl"
    small.write_text("\n".join(rows[:3] + rows[-3:]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["themes", "--json", "--dataset", str(small)], env=_env(tmp_path)
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(body["per_theme"]) == {"shared_purpose", "authorising_environment", "conflict"}
    assert body["rows"] == 6
    assert body["per_theme"]["shared_purpose"]["support"] == 3


def test_eval_with_a_missing_dataset_says_so_without_a_traceback(tmp_path):
    missing = tmp_path / "nope.jsonl"
    result = CliRunner().invoke(app, ["retrieval", "--dataset", str(missing)], env=_env(tmp_path))
    assert result.exit_code == 2
    assert "not found" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "data").exists()  # nothing built for a set that isn't there


def test_eval_retrieval_json_puts_every_stage_side_by_side(tmp_path, ingested_data_dir):
    rows = (EVALS / "retrieval.jsonl").read_text(encoding="utf-8").splitlines()
    small = tmp_path / "retrieval.jsonl"
    small.write_text("\n".join(rows[:4] + rows[-2:]) + "\n", encoding="utf-8")
    env = {**_env(tmp_path), "RIPPLE_DATA_DIR": str(ingested_data_dir)}
    result = CliRunner().invoke(app, ["retrieval", "--json", "--dataset", str(small)], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["queries"] == {"on_topic": 4, "off_topic": 2}
    assert set(body["methods"]) == {
        "bm25",
        "dense",
        "e5",
        "dense_sub",
        "questions",
        "rrf",
        "hybrid",
    }
    assert body["methods"]["hybrid"]["off_topic_by_kind"]  # the off-topic table's rows
    for scores in body["methods"].values():
        assert 0 <= scores["recall@1"] <= scores["recall@5"] <= 1
    assert body["latency_ms"]["queries"] == 6
    assert body["latency_ms"]["median"] <= body["latency_ms"]["p95"]
    assert len(body["ranks"]) == 4
