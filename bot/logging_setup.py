"""Structured logging: JSON lines in production, readable text in development.

Privacy is the product, so journal text must never reach a log. Three guarantees, whatever
the level or format:

1. Every record passes `PrivacyFilter` on the handler (so records from library loggers too).
   Interpolated arguments and `extra` fields survive only when they are numbers, booleans or
   identifier-shaped strings (Slack ids, event ids, theme ids, timestamps, exception class
   names: no spaces, and a digit, one of `_-:./@`, or an inner capital). Anything else, and
   anything under a key such as `text` or `body`, becomes `<redacted N chars>`. Wrap a
   value in `Safe(...)` to vouch that it is not user text.
2. Libraries that echo request bodies or SQL parameters at DEBUG/INFO (slack_sdk, slack_bolt,
   sqlalchemy.engine, urllib3, httpx) are held at WARNING.
3. Exception messages lose SQLAlchemy's `[parameters: ...]` block and are cut short.

Messages themselves are format strings written by us; `tests/ops/test_logging.py` runs ruff's
G rules so that nobody builds a log message with an f-string or `%`/`+` around user text.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings

# Keys whose values are user-written (or may be) in any logger's `extra`.
SENSITIVE_KEYS = frozenset(
    {
        "text",
        "body",
        "content",
        "entry",
        "entry_text",
        "message",
        "question",
        "answer",
        "commitment",
        "reflection",
        "note",
        "payload",
        "blocks",
        "query",
        "value",
    }
)
# Library loggers that log request bodies or SQL parameters below WARNING.
NOISY_LOGGERS = (
    "slack_sdk",
    "slack_bolt",
    "bot.slack.bolt",  # the logger our app factory hands to Bolt
    "sqlalchemy.engine",
    "urllib3",
    "httpx",
    "chromadb",
)
# Libraries whose INFO lines (alembic's plugin set-up, model loading) and progress bars mean
# nothing to the person at the keyboard; sentence-transformers shows a progress bar whenever
# its logger is at INFO. Held at WARNING in every format.
CHATTY_LOGGERS = ("alembic", "sentence_transformers", "transformers", "huggingface_hub")

_IDENTIFIER = re.compile(r"^[\w.:@/+\-=#]{1,100}$")
_ID_MARK = re.compile(r"[\d_.:/@\-]")
# Code names such as AttributeError or PostgresqlImpl: an inner capital and some lower case.
_CAMEL_CASE = re.compile(r"^(?=.*[a-z])[A-Za-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]\s*", re.DOTALL)
_SQL_TEXT = re.compile(r"\[SQL: .*?\]\s*", re.DOTALL)
# LogRecord's own attributes: everything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
MAX_EXCEPTION_MESSAGE = 300


class Safe(str):
    """A string the caller vouches is not user-written (e.g. a fixed label). Logged as is."""


def redact(value: Any, *, key: str | None = None) -> Any:
    """The loggable form of one value: kept if it cannot be user text, else its length only."""
    if value is None or isinstance(value, bool | int | float | Safe):
        return value
    if key is not None and key.lower() in SENSITIVE_KEYS:
        return _placeholder(value)
    if isinstance(value, str):
        return value if _is_identifier(value) else _placeholder(value)
    if isinstance(value, BaseException):
        return _describe_exception(value)
    return _placeholder(value)


def _is_identifier(value: str) -> bool:
    """Ids, slugs, paths, numbers and CamelCase code names; never a plain word or a phrase."""
    if not _IDENTIFIER.match(value):
        return False
    return bool(_ID_MARK.search(value) or _CAMEL_CASE.match(value))


def _describe_exception(exc: BaseException) -> str:
    """An exception as an argument: its type, plus an API error code when it carries one."""
    response = getattr(exc, "response", None)
    code = response.get("error") if hasattr(response, "get") else None
    if isinstance(code, str) and _IDENTIFIER.match(code):
        return f"{type(exc).__name__}({code})"
    return type(exc).__name__


def _placeholder(value: Any) -> str:
    try:
        size = len(value)
    except TypeError:
        return f"<redacted {type(value).__name__}>"
    unit = "chars" if isinstance(value, str) else "items"
    return f"<redacted {size} {unit}>"


class PrivacyFilter(logging.Filter):
    """Rewrites a record's arguments and extras into their redacted forms (see module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_ripple_redacted", False):
            return True
        if not isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: redact(v, key=str(k)) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(redact(arg) for arg in record.args)
        for key in extra_keys(record):
            setattr(record, key, redact(getattr(record, key), key=key))
        record._ripple_redacted = True
        return True


def extra_keys(record: logging.LogRecord) -> list[str]:
    return [k for k in vars(record) if k not in _RECORD_FIELDS and not k.startswith("_")]


def safe_exception_message(exc: BaseException) -> str:
    """An exception's message without SQL parameters and capped, for logs."""
    text = _SQL_TEXT.sub("", _SQL_PARAMETERS.sub("", str(exc)))
    if len(text) > MAX_EXCEPTION_MESSAGE:
        text = text[:MAX_EXCEPTION_MESSAGE] + "…"
    return text.strip()


def _exception_fields(record: logging.LogRecord) -> dict[str, Any]:
    if not record.exc_info or record.exc_info[1] is None:
        return {}
    exc_type, exc, tb = record.exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return {
        "exc_type": exc_type.__name__ if exc_type else "Exception",
        "exc_message": safe_exception_message(exc),
        "stack": frames[-12:],
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the (redacted) extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in extra_keys(record):
            entry.setdefault(key, getattr(record, key))
        entry.update(_exception_fields(record))
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for development, with the same redactions as JSON."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={getattr(record, k)}" for k in extra_keys(record))
        return f"{line} {extras}".rstrip()

    def formatException(self, ei) -> str:
        fields = _exception_fields(logging.makeLogRecord({"exc_info": ei}))
        return f"{fields['exc_type']}: {fields['exc_message']}\n  " + "\n  ".join(fields["stack"])


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is now, so test runners that swap it never see a
    write to a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _LogFileHandler(logging.Handler):
    """Appends to `ripple.log` in the data folder, opened at the first record, owner-only.

    Commands a person runs at a terminal log here rather than into what they are reading. The
    file is never the reason a data folder appears: while the folder does not exist, records
    below ERROR are dropped and errors go to stderr.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._stderr = _CurrentStderr()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.path.parent.is_dir():
            if record.levelno >= logging.ERROR:
                self._stderr.setFormatter(self.formatter)
                self._stderr.emit(record)
            return
        try:
            line = self.format(record)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        except Exception:  # a log that cannot be written must never stop the command
            self.handleError(record)


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None, to_file: bool = False
) -> logging.Handler:
    """Install Ripple's one root handler; safe to call more than once (it replaces its own).

    `to_file` sends records to `settings.log_path` instead of stderr (commands other than
    `serve`, whose logs belong to its supervisor).
    """
    if stream is not None:
        handler: logging.Handler = logging.StreamHandler(stream)
    elif to_file:
        handler = _LogFileHandler(settings.log_path)
    else:
        handler = _CurrentStderr()
    handler.set_name("ripple")
    handler.addFilter(PrivacyFilter())
    handler.setFormatter(
        JsonFormatter() if settings.resolved_log_format == "json" else TextFormatter()
    )

    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "ripple":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in (*NOISY_LOGGERS, *CHATTY_LOGGERS):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # Read when huggingface_hub / transformers are imported, which is always after this.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.captureWarnings(True)
    return handler
