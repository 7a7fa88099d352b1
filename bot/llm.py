"""The optional chat model `RIPPLE_LLM` names: built with `init_chat_model`, asked with a
deadline. Coaching phrases with it (coaching/phrasing.py); ingest writes the question index
with it (evidence/questions.py). Anything wrong returns None and the caller keeps its own
deterministic path: a missing provider package, a provider error, a timeout.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

# Calls that overrun keep running in the background; a small shared pool bounds them.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ripple-llm")


def chat_model(settings, purpose: str) -> BaseChatModel | None:
    """The model for `settings.llm`, or None when off or when it can't be built.
    `purpose` says in the log what goes without it ("phrasing stays plain")."""
    if not settings.llm:
        return None
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(settings.llm)
    except Exception as exc:  # a missing provider package must not stop Ripple
        log.warning("RIPPLE_LLM=%s could not be loaded (%s); %s", settings.llm, exc, purpose)
        return None


def ask(model: BaseChatModel, prompt: str, timeout_seconds: float) -> str | None:
    """The model's text reply to `prompt` within `timeout_seconds`, else None."""
    future = _POOL.submit(model.invoke, prompt)
    try:
        message = future.result(timeout=timeout_seconds)
    except FutureTimeout:
        future.cancel()
        log.warning("llm timed out after %.1fs", timeout_seconds)
        return None
    except Exception as exc:  # any provider failure falls back, by design
        log.warning("llm call failed (%s)", type(exc).__name__)
        return None
    content = getattr(message, "content", message)
    return content if isinstance(content, str) else None
