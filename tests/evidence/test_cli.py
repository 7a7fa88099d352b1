"""`ripple ask` and `ripple ingest` as an operator or leader uses them (typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.evidence.conftest import KNOWLEDGE

KEYS = {"doc", "title", "section", "places", "start", "end", "text", "score"}


@pytest.fixture
def run(library, library_data_dir: Path):
    """Invoke `ripple` against the session's already-ingested library."""
    runner = CliRunner()
    env = {
        "RIPPLE_DATA_DIR": str(library_data_dir),
        "RIPPLE_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "COLUMNS": "100",
    }

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), input=stdin, env=env)

    return invoke


def test_ask_json_prints_one_object_with_cited_passages(run):
    result = run("ask", "--json", "--k", "3", "how did other places get GPs on board?")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["query"] == "how did other places get GPs on board?"
    assert 1 <= len(record["passages"]) <= 3
    for p in record["passages"]:
        assert set(p) == KEYS
        original = (KNOWLEDGE / p["doc"]).read_bytes().decode("utf-8")
        assert original[p["start"] : p["end"]] == p["text"]


def test_ask_json_without_a_question_answers_each_stdin_line(run):
    stdin = "pooled budgets\n\nwhat's the weather in Leeds\ndata sharing between agencies\n"
    result = run("ask", "--json", "--k", "2", stdin=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in lines] == [
        "pooled budgets",
        "what's the weather in Leeds",
        "data sharing between agencies",
    ]
    assert [len(r["passages"]) for r in lines] == [2, 0, 2]


def test_ask_filters_and_quotes_with_title_section_and_place(run):
    result = run("ask", "pooling budgets", "--place", "Bradford", "--k", "2")
    assert result.exit_code == 0, result.output
    assert "What others found" in result.stdout
    assert "Systems Leadership: Exceptional leadership for exceptional times" in result.stdout
    assert "Bradford" in result.stdout and "4." in result.stdout  # section 4.x is Bradford's


def test_ask_off_topic_says_plainly_the_library_has_nothing(run):
    result = run("ask", "how tall do giraffes grow")
    assert result.exit_code == 0
    assert "The evidence library has nothing on that" in result.stdout


def test_ask_says_why_a_request_is_not_for_the_library_and_what_it_can_do(run):
    result = run("ask", "recipe for banana bread")
    assert result.exit_code == 0
    assert "not local services, venues or everyday plans" in " ".join(result.stdout.split())
    named = run("ask", "--json", "how should our PCN spend its ARRS money?")
    record = json.loads(named.stdout.strip().splitlines()[-1])
    assert record["passages"] == [] and "doesn't mention ARRS" in record["message"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("ask", "   "), "Please type a question"),
        (("ask",), "Ask a question"),
        (("ask", "trust", "--doc", "999"), "no document called '999'"),
        (("ask", "trust", "--place", "Narnia"), "no place called 'Narnia'"),
    ],
)
def test_bad_input_gets_a_kind_message_not_a_traceback(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_ingest_on_an_indexed_library_says_nothing_changed(run):
    result = run("ingest")
    assert result.exit_code == 0, result.output
    assert "Nothing changed: 5 documents already indexed" in result.stdout


def test_ask_indexes_on_first_run(tmp_path: Path, embedder):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "sources.yaml").write_text(
        'sources:\n  - {id: "n1", file: notes.md, title: Walking notes}\nplaces: {}\n'
    )
    (knowledge / "notes.md").write_text(
        "# Notes\n\n" + "Walking meetings helped partners listen to each other. " * 10
    )
    env = {"RIPPLE_DATA_DIR": str(tmp_path / "data"), "RIPPLE_KNOWLEDGE_DIR": str(knowledge)}
    result = CliRunner().invoke(app, ["ask", "--json", "walking meetings"], env=env)
    assert result.exit_code == 0, result.output
    assert "First run" in result.stderr
    assert json.loads(result.stdout)["passages"][0]["doc"] == "notes.md"


def test_a_fifty_thousand_character_question_is_cut_and_still_answered(run):
    question = "How did other places get GPs on board with the new way of working? " * 760
    assert len(question) >= 50_000
    result = run("ask", "--json", "--k", "2", question)
    assert result.exit_code == 0, result.output
    assert "Your question is long, so I searched with its first" in result.stderr
    assert len(json.loads(result.stdout)["passages"]) == 2


def test_a_data_dir_that_cannot_be_written_is_explained_by_ask(tmp_path: Path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("in the way")
    env = {"RIPPLE_DATA_DIR": str(blocker / "data"), "RIPPLE_KNOWLEDGE_DIR": str(KNOWLEDGE)}
    result = CliRunner().invoke(app, ["ask", "pooled budgets"], env=env)
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # rich wraps lines at the terminal width
    assert "cannot write its evidence index" in said
    assert "Set RIPPLE_DATA_DIR to a folder you can write to" in said
    assert "Traceback" not in result.output and "Errno" not in result.output
