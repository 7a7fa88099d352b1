"""The README is true: its example chat is what `ripple chat` prints for that script, and it
points at nothing outside the repository."""

from __future__ import annotations

import re
import shutil

from tests.readme_transcript import README, REPO, current_block, run_block, scripts


def test_the_readme_example_session_is_what_the_chat_prints(tmp_path, ingested_data_dir):
    block = current_block()
    assert len(scripts(block)) >= 2, "the example shows week 1 and the week after"
    data = tmp_path / "data"
    shutil.copytree(ingested_data_dir, data)
    fresh = run_block(block, data)
    assert fresh == block, (
        "README.md's example session is out of date: run `python -m tests.readme_transcript "
        "--write` and read the new transcript before committing it"
    )


def test_the_readme_points_at_nothing_outside_the_repository():
    text = README.read_text(encoding="utf-8")
    assert "../" not in text
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        assert (REPO / target).exists(), f"README links to {target}, which is not in the repo"
