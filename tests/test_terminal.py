"""The first hour at a terminal: the real `ripple` CLI in a subprocess or a pseudo-terminal.

Line editing, a long paste, one chat per person, no log lines in what a person reads, and
commands that work from any folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import REPO

RIPPLE = [sys.executable, "-m", "bot.cli"]
LEFT = "\x1b[D"


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIPPLE_")}
    env.update(
        RIPPLE_DATA_DIR=str(data),
        RIPPLE_LLM="",
        PYTHONPATH=str(REPO),
        COLUMNS="200",
        TERM="xterm",
        **extra,
    )
    return env


@pytest.fixture
def data_dir(tmp_path: Path, ingested_data_dir: Path) -> Path:
    """A data folder with the evidence index already built (copied: chats write here)."""
    data = tmp_path / "data"
    shutil.copytree(ingested_data_dir, data)
    # Only the index is shared: a journal or key another test left there is not this person's.
    for leftover in data.glob("ripple.*"):
        leftover.unlink()
    return data


def _spawn_chat(data: Path, cwd: Path, user: str = "leader-1") -> pexpect.spawn:
    chat = pexpect.spawn(
        sys.executable,
        ["-m", "bot.cli", "chat", "--user", user, "--team", "plymouth-alcohol"],
        cwd=str(cwd),
        env=_env(data),
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 200),
    )
    chat.expect("you>")
    return chat


def _piped_chat(data: Path, cwd: Path, typed: str) -> subprocess.CompletedProcess:
    """`ripple chat` with its lines piped in, as a script would run it."""
    return subprocess.run(
        [*RIPPLE, "chat", "--user", "leader-1", "--team", "plymouth-alcohol"],
        cwd=cwd, env=_env(data), input=typed, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_arrow_keys_edit_the_line_instead_of_typing_escape_codes(data_dir, tmp_path):
    chat = _spawn_chat(data_dir, tmp_path)
    # "hlp", two steps left, "e": only line editing turns that into the command "help".
    chat.send("hlp" + LEFT + LEFT + "e" + "\r")
    chat.expect("journal show N")
    # Ctrl-A jumps to the start of the line, Ctrl-E to its end.
    chat.send("uit" + "\x01" + "q" + "\x05" + "\r")
    chat.expect("Goodbye")
    chat.expect(pexpect.EOF)
    assert "^[[D" not in chat.before


def test_a_paste_longer_than_the_terminal_line_limit_is_read_whole(data_dir, tmp_path):
    chat = _spawn_chat(data_dir, tmp_path)
    long_question = "helped " + "how do partners share data " * 250 + "ENDMARK"
    assert len(long_question) > 4096  # the kernel's canonical-mode line limit
    chat.send(long_question + "\r")
    chat.expect("ENDMARK")
    chat.expect("you>")  # answered, not stuck waiting for the rest of a truncated line
    chat.sendline("quit")
    chat.expect(pexpect.EOF)


def test_a_second_chat_for_the_same_person_is_refused_and_the_first_goes_on(data_dir, tmp_path):
    first = _spawn_chat(data_dir, tmp_path)
    second = _piped_chat(
        data_dir, tmp_path, "reflect\nThis should never reach the first conversation.\n"
    )
    assert second.returncode == 1
    assert "already has a Ripple chat open" in second.stderr
    assert "should never reach" not in second.stdout
    first.sendline("help")
    first.expect("journal show N")
    first.sendline("quit")
    first.expect(pexpect.EOF)
    # Once the first has closed, the person can start again.
    again = _piped_chat(data_dir, tmp_path, "quit\n")
    assert again.returncode == 0, again.stderr


def test_a_piped_chat_prints_no_log_lines_and_logs_go_to_the_log_file(data_dir, tmp_path):
    result = _piped_chat(data_dir, tmp_path, "help\njournal\nquit\n")
    assert result.returncode == 0, result.stderr
    seen = result.stdout + result.stderr
    for noise in (" INFO ", " WARNING ", "alembic", "setup plugin", "Batches:", "%|"):
        assert noise not in seen, noise
    # The first run's new key is one calm sentence, and the detail is in the log.
    assert "Back it up" in result.stdout
    assert "alembic" not in (data_dir / "ripple.log").read_text()
    assert oct((data_dir / "ripple.log").stat().st_mode & 0o777) == "0o600"


def test_database_commands_print_no_log_lines(tmp_path):
    result = subprocess.run(
        [*RIPPLE, "stats"], cwd=tmp_path, env=_env(tmp_path / "data"), capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "INFO" not in result.stdout + result.stderr
    assert "alembic" not in result.stdout + result.stderr


def test_commands_work_from_any_folder_with_the_bundled_library(tmp_path):
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    code = (
        "from bot.config import Settings; s = Settings(); "
        "print(s.knowledge_dir, s.prompts_dir, s.evals_dir, sep='|')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=_env(elsewhere / "data"),
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    knowledge, prompts, evals = (Path(p) for p in out.split("|"))
    assert (knowledge / "sources.yaml").is_file()
    assert (prompts / "questions.yaml").is_file()
    assert (evals / "retrieval.jsonl").is_file()


def test_ask_with_no_library_says_which_setting_to_change_and_leaves_no_data_folder(tmp_path):
    env = _env(tmp_path / "data", RIPPLE_KNOWLEDGE_DIR=str(tmp_path / "nothing-here"))
    env.pop("RIPPLE_DATA_DIR")
    result = subprocess.run(
        [*RIPPLE, "ask", "how did others pool budgets?"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "RIPPLE_KNOWLEDGE_DIR" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_eval_with_a_missing_set_is_one_sentence_not_a_traceback(tmp_path):
    result = subprocess.run(
        [*RIPPLE, "eval", "themes"], cwd=tmp_path,
        env=_env(tmp_path / "data", RIPPLE_EVALS_DIR=str(tmp_path / "no-evals")),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "FileNotFoundError" not in result.stderr
    assert "RIPPLE_EVALS_DIR" in " ".join(result.stderr.split())


def test_journal_show_prints_one_whole_entry(data_dir, tmp_path):
    from bot.coaching.ports import Who
    from bot.journal import Journal
    from tests.conftest import make_settings

    long_text = "The hospital keeps agreeing in the board meeting. " * 6 + "Last words here."
    journal = Journal(make_settings(data_dir))
    journal.add_member("plymouth-alcohol", "leader-1")
    journal.save_entry(Who("leader-1", "plymouth-alcohol"), long_text, commitment="Call Sam.")
    journal.close()
    result = _piped_chat(data_dir, tmp_path, "journal\njournal show 1\nquit\n")
    assert result.returncode == 0, result.stderr
    listing, shown = result.stdout.split("> journal show 1", 1)
    assert "Last words here." not in listing  # the list shows a preview ...
    assert "Last words here." in shown  # ... and `journal show` the whole entry
    assert "Call Sam." in shown
