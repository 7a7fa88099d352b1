"""The terminal adapter: `ripple chat`. The same coaching services as Slack, no Slack.

Readable with rich when a person is typing; plain text, one reply after another, when lines
are piped in (so a whole conversation can be scripted and its output checked). Like every
adapter it only translates: a line in, a call to the coach or the journal, a `Reply` out.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console as RichConsole
from rich.markup import escape

from bot.coaching.helped import NO_PLACE
from bot.coaching.ports import Who
from bot.coaching.reply import Reply, ReplyKind
from bot.evidence.passage import Passage
from bot.terminal import LineReader, thinking, warm_up

HELP = """Commands:
  reflect              start (or pick up) your weekly reflection; or just start talking
  helped <question>    what helped elsewhere? e.g. helped how did others get data shared?
  journal              your journal entries in this team
  journal show N       the whole of entry N
  journal share N      share entry N with your team
  journal unshare N    make entry N private again
  team journal         the entries your teammates have shared
  help                 this list
  quit                 leave (your journal is kept)"""
WELCOME = (
    "Ripple: a reflective coach for leading across organisations. Type `reflect` or just "
    "start talking about your week; `help` lists the commands."
)
SOMETHING_WRONG = (
    "Something went wrong on my side. Your words are kept; type `retry` to send them again."
)
RETRY_HINT = "(Type `retry`, or press Enter, to send it again.)"
_SHARE = re.compile(r"^journal\s+(share|unshare)\s+#?(\S+)$", re.IGNORECASE)
_SHOW = re.compile(r"^journal\s+show(?:\s+#?(\S+))?$", re.IGNORECASE)
# readline must be told which bytes of the prompt take no room (\001 ... \002) to redraw it.
PROMPT = "\001\033[1;32m\002you>\001\033[0m\002 "
_HELPED = re.compile(r"^/?helped\b[\s:,-]*(.*)$", re.IGNORECASE | re.DOTALL)
_QUIT = {"quit", "exit", "bye", "/quit", ":q"}
PREVIEW_CHARS = 90
log = logging.getLogger(__name__)


class Renderer:
    """Turns plain `Reply` data into terminal text; rich styles only when `rich` is True."""

    def __init__(self, out: TextIO, *, rich: bool) -> None:
        self.rich = rich
        self.console = RichConsole(file=out, highlight=False, soft_wrap=not rich)

    def line(self, text: str = "", style: str = "") -> None:
        if self.rich and style:
            self.console.print(f"[{style}]{escape(text)}[/{style}]")
        else:
            self.console.print(escape(text))

    def reply(self, reply: Reply) -> None:
        style = "red" if reply.kind is ReplyKind.ERROR else ""
        self.line(reply.text, style)
        if reply.groups:
            for group in reply.groups:
                self.line()
                heading = group.place if group.place == NO_PLACE else f"In {group.place}"
                self.line(heading, "bold cyan")
                for passage in group.passages:
                    self._passage(passage)
        else:
            for passage in reply.passages:
                self._passage(passage)
        if reply.question:
            self.line()
            self.line(reply.question, "bold")
        self.line()

    def _passage(self, passage: Passage) -> None:
        text = passage.shown  # the words, without the source's markup; "…" where cut
        if not (text.startswith(("“", '"')) and text.endswith(("”", '"'))):  # no ““double””
            text = f"“{text}”"
        self.line(f"    {text}", "italic")
        self.line(f"    — {passage.source_line}", "dim")

    def echo(self, text: str) -> None:
        """Piped input is not shown by the terminal, so a transcript shows it."""
        self.line(f"> {text}")


class ChatSession:
    def __init__(self, services, who: Who, *, out: TextIO | None = None, rich: bool = False):
        self.services = services
        self.who = who
        self.render = Renderer(out or sys.stdout, rich=rich)
        self.rich = rich
        self.pending: str | None = None  # words the journal couldn't take; kept for a retry
        self._warming: threading.Thread | None = None
        self._early_notes: list[tuple[str, str]] = []

    # --- the loop -------------------------------------------------------------------------
    def run(self, lines: Iterable[str] | None = None) -> None:
        self.render.line(WELCOME, "bold")
        self.render.line()
        if self.rich:  # a person is waiting for the prompt: load the model meanwhile
            self._start_warm_up()
        else:  # scripted: the same output in the same order, every run
            self._prepare()
        source = lines if lines is not None else self._prompted_lines()
        for raw in source:
            line = raw.rstrip("\r\n")
            if lines is not None and not self.rich:
                self.render.echo(line)
            if not self.handle(line):
                break
        else:
            self.render.line("Goodbye. Your journal is kept.")

    def _prompted_lines(self) -> Iterable[str]:
        reader = LineReader()
        while True:
            try:
                yield reader.read(PROMPT)
            except (EOFError, KeyboardInterrupt):
                return

    def _warm_coach(self) -> None:
        """Build the coach (question bank, theme and turn models) before the first line."""
        _ = self.services.coach

    def _ready(self) -> None:
        """The first line waits for the warm-up; shared services are never built twice."""
        if self._warming is not None:
            with thinking(self.render.console.status, "Getting ready…"):
                self._warming.join()
            self._warming = None
            for text, style in self._early_notes:
                self.render.line(text, style)
            self._early_notes.clear()

    def _prepare(self) -> None:
        """First run: build the evidence index; make sure this person is in this team."""
        for text, style in self._preparation_notes():
            self.render.line(text, style)

    def _preparation_notes(self) -> list[tuple[str, str]]:
        """What preparing found worth saying. Collected, not printed, so a warm-up in the
        background never writes over the line the person is typing."""
        from bot.evidence.errors import EvidenceError
        from bot.evidence.passage import EvidenceUnavailable

        notes: list[tuple[str, str]] = []
        try:
            report = self.services.evidence.ensure_ingested()
            if report is not None:
                notes.append((f"Loaded the evidence library: {report.summary()}", "dim"))
        except EvidenceUnavailable:
            notes.append(("The evidence library is unavailable; reflection still works.", "dim"))
        except EvidenceError as error:  # e.g. a broken manifest: say what to fix, carry on
            notes.append((f"{error} Reflection still works.", "red"))
        try:
            self.services.journal.add_member(
                self.who.team, self.who.user, workspace=self.who.workspace
            )
            if notice := self.services.journal.key_notice:  # first run: one calm sentence
                notes.append((notice, "dim"))
        except Exception as error:  # the journal's own messages are written for people
            notes.append((str(error), "red"))
        return notes

    def _start_warm_up(self) -> None:
        """Open the library and build the coach while the person reads the prompt. A first
        run, which must build the index (a minute), does that in the open, with a spinner."""
        settings = self.services.settings
        first_run = settings.chroma_host is None and not any(settings.chroma_dir.glob("*"))
        if first_run:
            with self.render.console.status("Building the evidence index (first run only)…"):
                self._prepare()
        notes: list[tuple[str, str]] = self._early_notes
        self._warming = warm_up(
            *(() if first_run else (lambda: notes.extend(self._preparation_notes()),)),
            self._warm_coach,
        )

    # --- one line -------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Act on one line; False means leave. Never raises: a problem becomes a sentence."""
        from bot.evidence.errors import EvidenceError
        from bot.journal.errors import JournalError

        try:
            self._ready()
            if not self.rich:
                return self._handle(line)
            with thinking(self.render.console.status, "thinking…"):
                return self._handle(line)
        except (JournalError, EvidenceError) as error:  # their messages are written for people
            self.render.line(str(error), "red")
        except Exception:
            log.exception("ripple chat: unexpected error")
            if line.strip():
                self.pending = line.strip()
            self.render.line(SOMETHING_WRONG, "red")
        self.render.line()
        return True

    def _handle(self, line: str) -> bool:
        text = line.strip()
        lowered = " ".join(text.lower().split())
        if lowered in _QUIT:
            self.render.line("Goodbye. Your journal is kept.")
            return False
        if lowered in {"help", "?", "/help"}:
            self.render.line(HELP)
            self.render.line()
        elif lowered in {"journal", "/journal", "my journal"}:
            self._journal()
        elif lowered == "team journal":
            self._team_journal()
        elif match := _SHOW.match(text):
            self._show(match.group(1))
        elif match := _SHARE.match(text):
            self._share(match.group(1).lower() == "share", match.group(2))
        elif match := _HELPED.match(text):
            self.render.reply(self.services.coach.helped(self.who, match.group(1)))
        elif lowered in {"reflect", "/reflect"}:
            self.render.reply(self.services.coach.start_reflection(self.who))
        elif self.pending is not None and lowered in {"", "retry"}:
            self._reflect(self.pending)
        elif lowered == "retry":  # nothing waiting: not a reflection turn of its own
            self.render.line(
                "There's nothing waiting to be sent again. Carry on whenever you like."
            )
            self.render.line()
        elif not text and not self.services.coach.in_reflection(self.who):
            return True  # a blank line outside a conversation: nothing to say
        else:
            self._reflect(text)
        return True

    def _reflect(self, text: str) -> None:
        reply = self.services.coach.reflect(self.who, text)
        retry = reply.meta.get("retry_text")
        self.pending = retry if retry else None
        self.render.reply(reply)
        if retry:
            self.render.line(RETRY_HINT, "dim")
            self.render.line()

    # --- journal commands -----------------------------------------------------------------
    def _journal(self) -> None:
        entries = self._journal_call(lambda j: j.list_entries(self.who.user, team=self.who.team))
        if entries is None:
            return
        if not entries:
            self.render.line("Your journal is empty. Type `reflect` to write your first entry.")
        for entry in entries:
            self._entry_line(entry, mine=True)
        self.render.line()

    def _team_journal(self) -> None:
        entries = self._journal_call(lambda j: j.team_entries(self.who.user, self.who.team))
        if entries is None:
            return
        if not entries:
            self.render.line(f"Nobody in {self.who.team} has shared an entry yet.")
        for entry in entries:
            self._entry_line(entry, mine=entry.author == self.who.user)
        self.render.line()

    def _share(self, share: bool, number: str) -> None:
        if not number.isdigit():
            self.render.line(
                "Which entry? For example: journal share 3 (numbers are in `journal`)."
            )
            return
        journal_call = (
            (lambda j: j.share_entry(self.who.user, int(number)))
            if share
            else (lambda j: j.unshare_entry(self.who.user, int(number)))
        )
        entry = self._journal_call(journal_call)
        if entry is None:
            return
        if entry.shared:
            self.render.line(
                f"Entry {entry.id} is now shared with {entry.team_name or entry.team}."
            )
        else:
            self.render.line(f"Entry {entry.id} is private again: only you can see it.")
        self.render.line()

    def _show(self, number: str | None) -> None:
        if number is None or not number.isdigit():
            self.render.line("Which entry? For example: journal show 3 (numbers are in `journal`).")
            self.render.line()
            return
        entry = self._journal_call(lambda j: j.get_entry(self.who.user, int(number)))
        if entry is None:
            return
        self._entry_line(entry, mine=entry.author == self.who.user, whole=True)
        self.render.line()

    def _journal_call(self, call):
        from bot.journal.errors import JournalError

        try:
            return call(self.services.journal)
        except JournalError as error:  # AccessDenied, NotFound, JournalUnavailable...
            self.render.line(str(error), "red")
            self.render.line()
            return None

    def _entry_line(self, entry, *, mine: bool, whole: bool = False) -> None:
        when = entry.created_at.strftime("%d %b %Y")
        who = "you" if mine else (entry.author_name or entry.author or "a teammate")
        visibility = "shared" if entry.shared else "private"
        themes = ", ".join(t.replace("_", " ") for t in entry.themes) or "no theme"
        preview = entry.text.strip() if whole else " ".join(entry.text.split())
        if not whole and len(preview) > PREVIEW_CHARS:
            preview = preview[: PREVIEW_CHARS - 1].rstrip() + "…"
        self.render.line(f"Entry {entry.id} · {when} · {visibility} · {themes} · by {who}", "bold")
        self.render.line("    " + preview.replace("\n", "\n    "))
        if entry.commitment:
            self.render.line(f"    Commitment: {entry.commitment}", "dim")
