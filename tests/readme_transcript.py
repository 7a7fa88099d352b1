"""The README's example `ripple chat` session, regenerated from a real run.

The README shows a transcript: each `$ ripple chat ... < weekN.txt` line, then exactly what
the chat printed for that script, where `> ...` lines are what was typed. `run_block` plays
the same scripts, in order, against one fresh journal, and returns what the README should
say; `tests/test_readme.py` checks that it does.

After changing what the coach says, rewrite the README from a real run:

    python -m tests.readme_transcript --write
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
# A fixed key so no "generated a new key at /tmp/..." notice differs from run to run.
TRANSCRIPT_KEY = "_OLY4ys6Pnmnsr_HnfplOTGHkib3tpSKOgxdQT3xPZU="
_BLOCK = re.compile(r"(An example session[^\n]*\n\n```text\n)(?P<body>.*?)(\n```)", re.DOTALL)


def current_block(readme: str | None = None) -> str:
    text = readme if readme is not None else README.read_text(encoding="utf-8")
    match = _BLOCK.search(text)
    if match is None:
        raise ValueError("README.md has no 'An example session' transcript block")
    return match.group("body")


def scripts(block: str) -> list[tuple[list[str], list[str]]]:
    """[(chat arguments, typed lines)] for each `$ ripple chat ...` in the block."""
    runs: list[tuple[list[str], list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ ripple chat"):
            command = shlex.split(line[2:].split(" < ")[0])
            runs.append((command[1:], []))
        elif line.startswith("> ") or line == ">":
            runs[-1][1].append(line[2:])
    return runs


def run_block(block: str, data_dir: Path) -> str:
    """Play every script in `block` against `data_dir`; the transcript the README should show."""
    from typer.testing import CliRunner

    from bot.cli import app

    env = {
        "RIPPLE_DATA_DIR": str(data_dir),
        "RIPPLE_DATABASE_URL": f"sqlite:///{data_dir / 'readme.db'}",
        "RIPPLE_KNOWLEDGE_DIR": str(REPO / "knowledge"),
        "RIPPLE_PROMPTS_DIR": str(REPO / "prompts"),
        "RIPPLE_ENCRYPTION_KEYS": TRANSCRIPT_KEY,
        "RIPPLE_LLM": "",
        "COLUMNS": "200",
    }
    parts: list[str] = []
    header_lines = [line for line in block.splitlines() if line.startswith("$ ripple chat")]
    for header, (args, typed) in zip(header_lines, scripts(block), strict=True):
        result = CliRunner().invoke(app, args, input="\n".join(typed) + "\n", env=env)
        if result.exit_code != 0:
            raise RuntimeError(f"{header} exited {result.exit_code}:\n{result.output}")
        parts.append(header + "\n" + result.stdout.rstrip("\n"))
    return "\n\n".join(parts)


def write_readme() -> None:
    from bot.config import Settings
    from bot.evidence.embeddings import SentenceEmbedder
    from bot.evidence.library import EvidenceLibrary

    readme = README.read_text(encoding="utf-8")
    block = current_block(readme)
    with tempfile.TemporaryDirectory(prefix="ripple-readme-") as tmp:
        data = Path(tmp) / "data"
        settings = Settings(
            _env_file=None,
            data_dir=data,
            knowledge_dir=REPO / "knowledge",
            prompts_dir=REPO / "prompts",
        )
        EvidenceLibrary(settings, SentenceEmbedder()).ensure_ingested()
        fresh = run_block(block, data)
    match = _BLOCK.search(readme)
    README.write_text(readme[: match.start("body")] + fresh + readme[match.end("body") :])
    print(f"README.md: example session regenerated ({len(fresh.splitlines())} lines)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.readme_transcript --write")
    write_readme()
