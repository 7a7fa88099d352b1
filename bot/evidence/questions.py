"""The question index: for each passage, questions a leader might ask that it answers.

Leaders ask in their own words ("how do I get GPs on board?"), the documents speak in theirs
("securing clinical engagement"). Matching the question against questions written for each
passage bridges that gap better than matching it against the passage alone (measured: see
evals/RESULTS.md). Two sources:

- `knowledge/questions.yaml`, curated for the bundled library: each entry names a document and
  an `anchor` (words copied from the passage), so it survives re-chunking;
- for any other passage, when `RIPPLE_LLM` names a chat model, questions the model writes at
  ingest, kept in the data folder by the passage text's hash so they are written once.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.evidence.store import StoredChunk
from bot.evidence.vectors import text_key
from bot.llm import ask, chat_model

log = logging.getLogger(__name__)

CURATED_FILE = "questions.yaml"  # in the knowledge folder
GENERATED_FILE = "generated-questions.yaml"  # in the data folder
PROMPT_FILE = "passage_questions.txt"
MAX_QUESTIONS = 6  # per passage, from either source
MIN_CHARS, MAX_CHARS = 8, 200
_NUMBERING = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


@dataclass
class QuestionIndex:
    """Questions by passage id, and what went wrong reading the curated file."""

    by_passage: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def questions(self) -> list[tuple[str, str]]:
        """(passage id, question) pairs, in a stable order."""
        return [(pid, q) for pid in sorted(self.by_passage) for q in self.by_passage[pid]]


def load_curated(knowledge_dir: Path, chunks: Sequence[StoredChunk]) -> QuestionIndex:
    """Map each curated entry to the passage whose span holds its anchor.

    An anchor that is no longer in its document (the document was edited) is reported, not
    fatal: that passage simply has no curated questions until the file is updated.
    """
    index = QuestionIndex()
    path = knowledge_dir / CURATED_FILE
    if not path.is_file():
        return index
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        index.problems.append(f"{path.name} could not be read ({exc}); no curated questions.")
        return index
    spans: dict[str, list[StoredChunk]] = {}
    for chunk in chunks:
        spans.setdefault(chunk.meta.get("doc", ""), []).append(chunk)
    texts: dict[str, str] = {}
    for entry in data.get("passages") or []:
        if not isinstance(entry, dict):
            continue
        doc, anchor = str(entry.get("doc", "")), str(entry.get("anchor", ""))
        if doc not in spans:
            continue  # a document not in this library (removed, or a custom knowledge folder)
        if doc not in texts:
            texts[doc] = (knowledge_dir / doc).read_text(encoding="utf-8")
        at = texts[doc].find(anchor) if anchor else -1
        owner = next(
            (c for c in spans[doc] if int(c.meta["start"]) <= at < int(c.meta["end"])), None
        )
        if at < 0 or owner is None:
            index.problems.append(f"{path.name}: anchor not found in {doc}: {anchor[:60]!r}")
            continue
        _add(index.by_passage, owner.id, entry.get("questions") or [])
    return index


def _add(by_passage: dict[str, list[str]], passage: str, questions: Sequence[object]) -> None:
    have = by_passage.setdefault(passage, [])
    for question in questions:
        text = clean_question(str(question))
        if text and text not in have and len(have) < MAX_QUESTIONS * 2:
            have.append(text)


def clean_question(text: str, *, marked: bool = False) -> str | None:
    """One question as the index keeps it, or None when it is not one.

    Curated questions may be bare phrases, as people type them ("pooled budget examples");
    a chat model's reply must mark each question with "?" (`marked`), so a preamble such as
    "Here are five questions:" is never indexed."""
    text = " ".join(_NUMBERING.sub("", text).strip().strip('"“”').split())
    if not (MIN_CHARS <= len(text) <= MAX_CHARS) or (marked and not text.endswith("?")):
        return None
    return text


class GeneratedQuestions:
    """Questions a chat model wrote for passages, by the passage text's hash (data folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._by_key: dict[str, list[str]] = {}
        if path.is_file():
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                self._by_key = {str(k): list(v) for k, v in raw.items() if isinstance(v, list)}
            except (OSError, yaml.YAMLError, AttributeError) as exc:
                log.warning("%s unreadable (%s); questions will be written again", path, exc)

    def get(self, text: str) -> list[str] | None:
        return self._by_key.get(text_key(text))

    def put(self, text: str, questions: list[str]) -> None:
        self._by_key[text_key(text)] = questions

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(yaml.safe_dump(self._by_key, allow_unicode=True, width=100), "utf-8")
        os.replace(tmp, self.path)


class QuestionWriter:
    """Asks a chat model for the questions a passage answers; None on any failure."""

    def __init__(self, model, prompt: str, timeout_seconds: float = 20.0) -> None:
        self.model = model
        self.prompt = prompt
        self.timeout_seconds = timeout_seconds

    def write(self, passage: StoredChunk) -> list[str] | None:
        prompt = (
            self.prompt.replace("{section}", passage.meta.get("section", ""))
            .replace("{places}", passage.meta.get("places", "").replace("|", ", "))
            .replace("{passage}", passage.text)
        )
        content = ask(self.model, prompt, self.timeout_seconds)
        if content is None:  # a provider failure costs this passage its questions only
            return None
        questions = [q for line in content.splitlines() if (q := clean_question(line, marked=True))]
        return questions[:MAX_QUESTIONS] or None


def build_writer(settings) -> QuestionWriter | None:
    """The question writer for `settings.llm`, or None when off or unavailable."""
    model = chat_model(settings, "no questions written")
    if model is None:
        return None
    prompt = _prompt(settings.prompts_dir)
    return QuestionWriter(model, prompt, max(settings.llm_timeout_seconds, 20.0))


def _prompt(prompts_dir: Path) -> str:
    path = prompts_dir / PROMPT_FILE
    if not path.is_file():  # an older custom prompts folder: use the bundled prompt
        path = Path(__file__).resolve().parents[2] / "prompts" / PROMPT_FILE
    return path.read_text(encoding="utf-8")


def question_index(
    knowledge_dir: Path,
    data_dir: Path,
    chunks: Sequence[StoredChunk],
    writer: QuestionWriter | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> QuestionIndex:
    """Curated questions for the passages they cover; for the rest, questions written before
    (kept by text hash) and, with a writer, newly written ones (saved as they come)."""
    index = load_curated(knowledge_dir, chunks)
    generated = GeneratedQuestions(data_dir / GENERATED_FILE)
    missing = [c for c in chunks if c.id not in index.by_passage]
    wrote = 0
    for n, chunk in enumerate(missing, start=1):
        known = generated.get(chunk.text)
        if known is None and writer is not None:
            known = writer.write(chunk)
            if known:
                generated.put(chunk.text, known)
                wrote += 1
                if wrote % 10 == 0:
                    generated.save()  # a long ingest interrupted keeps what it paid for
        if known:
            _add(index.by_passage, chunk.id, known)
        if progress:
            progress(n, len(missing))
    if wrote:
        generated.save()
    return index
