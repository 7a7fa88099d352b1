"""Optional LLM phrasing, off unless `settings.llm` names a chat model.

The model may reword a bank question to fit what the leader said, and write a one-line lead
for a "what helped" answer. It never supplies evidence: any quotation it writes must appear
word for word in the retrieved passages. Anything wrong (an invented quote, a closed or
advising question, a provider error, a timeout) returns None, and the caller keeps its own
deterministic wording; the person never sees an error.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from bot.coaching.questions import question_problems
from bot.coaching.quotes import quoted_spans, quotes_are_verbatim
from bot.evidence.passage import Passage
from bot.llm import ask, chat_model

log = logging.getLogger(__name__)

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
MAX_SUMMARY_CHARS = 500
MAX_CONTEXT_CHARS = 1500  # of the leader's words sent to the model
MAX_REFLECTION_WORDS = 40
_ADVICE_WORDS = ("you should", "you could", "you might", "try ", "consider", "i suggest", "why not")


class LLMPhraser:
    def __init__(
        self, model: BaseChatModel, prompts_dir: Path | None = None, timeout_seconds: float = 8.0
    ) -> None:
        self.model = model
        self.timeout_seconds = timeout_seconds
        folder = prompts_dir or DEFAULT_PROMPTS_DIR
        self._question_prompt = (folder / "phrase_question.txt").read_text(encoding="utf-8")
        self._summary_prompt = (folder / "summarise_passages.txt").read_text(encoding="utf-8")
        reflection = folder / "phrase_reflection.txt"
        if not reflection.exists():  # an older custom prompts folder: use the bundled one
            reflection = DEFAULT_PROMPTS_DIR / "phrase_reflection.txt"
        self._reflection_prompt = reflection.read_text(encoding="utf-8")

    def phrase_question(self, question: str, said: str, theme: str) -> str | None:
        prompt = _fill(
            self._question_prompt,
            question=question,
            said=said[-MAX_CONTEXT_CHARS:],
            theme=theme.replace("_", " "),
        )
        answer = self._ask(prompt)
        if answer is None:
            return None
        answer = " ".join(answer.strip().strip('"“”').split())
        if question_problems(answer) or quoted_spans(answer):
            log.info("llm question rejected: %r", answer[:200])
            return None
        return answer

    def phrase_reflection(self, said: str, plain: str) -> str | None:
        """A more natural reflect-back; its quotations must be the leader's words verbatim.

        Never called for a distress turn: the safety reply is fixed text.
        """
        prompt = _fill(self._reflection_prompt, said=said[-MAX_CONTEXT_CHARS:], plain=plain)
        answer = self._ask(prompt)
        if answer is None:
            return None
        answer = " ".join(answer.strip().split())
        quotes = quoted_spans(answer) or re.findall(r"“([^”]{3,})”", answer)
        theirs = " ".join(said.split()).lower().replace("’", "'")
        problems = (
            not answer
            or "?" in answer
            or len(answer.split()) > MAX_REFLECTION_WORDS
            or not quotes
            or any(
                " ".join(q.split()).lower().replace("’", "'").strip(" .…") not in theirs
                for q in quotes
            )
            or any(phrase in answer.lower() for phrase in _ADVICE_WORDS)
        )
        if problems:
            log.info("llm reflection rejected: %r", answer[:200])
            return None
        return answer

    def summarise(self, query: str, passages: list[Passage]) -> str | None:
        numbered = "\n\n".join(
            f"[{i}] {p.title} — {p.section}\n{p.text}" for i, p in enumerate(passages, 1)
        )
        answer = self._ask(_fill(self._summary_prompt, question=query, passages=numbered))
        if answer is None:
            return None
        answer = answer.strip()
        if not answer or len(answer) > MAX_SUMMARY_CHARS:
            return None
        if not quotes_are_verbatim(answer, passages):
            log.info("llm summary rejected: a quotation is not in the passages")
            return None
        return answer

    def _ask(self, prompt: str) -> str | None:
        return ask(self.model, prompt, self.timeout_seconds)


def _fill(template: str, **values: str) -> str:
    # Plain replacement, so braces in a leader's words or in the passages are harmless.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def build_phraser(settings, prompts_dir: Path | None = None) -> LLMPhraser | None:
    """The phraser for `settings.llm`, or None when off or when the model can't be built."""
    model = chat_model(settings, "phrasing stays plain")
    if model is None:
        return None
    return LLMPhraser(model, prompts_dir or settings.prompts_dir, settings.llm_timeout_seconds)
