"""`ripple`: the operator's and the curious leader's command line.

Each subcommand lives in its own module under `bot/commands/`; this file only registers them.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="ripple",
    help="Ripple: a coaching companion for leaders working across organisations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Commands whose logs belong on stderr: a server's supervisor (docker, systemd) collects them.
LOG_TO_STDERR = {"serve"}


@app.callback()
def _logging(ctx: typer.Context) -> None:
    """Every command logs through the privacy filter: JSON in production, text otherwise.

    A person at a terminal reads answers, not log lines, so in development every command but
    `serve` logs to `ripple.log` in the data folder (RIPPLE_LOG_FILE), at RIPPLE_LOG_LEVEL.
    """
    from contextlib import suppress

    from bot.config import Settings
    from bot.logging_setup import configure_logging

    with suppress(ValueError):  # an invalid setting: the command itself reports it, kindly
        settings = Settings()
        # In production (containers, cron, systemd) every command's logs go to its supervisor.
        to_file = not settings.production and ctx.invoked_subcommand not in LOG_TO_STDERR
        configure_logging(settings, to_file=to_file)


def _register() -> None:
    # Imports are local so `ripple --help` stays fast and one broken command can't hide the rest.
    from bot.commands import ask, ingest

    app.command("ingest")(ingest.ingest)
    app.command("ask")(ask.ask)

    from bot.commands import chat

    app.command("chat")(chat.chat)

    from bot.commands import backup

    app.command("backup")(backup.backup)
    app.command("restore")(backup.restore)

    from bot.commands import eval as eval_commands

    app.add_typer(eval_commands.app, name="eval")

    from bot.commands import schedule, serve

    app.command("serve")(serve.serve)
    app.add_typer(schedule.app, name="schedule")

    from bot.commands import data, db, enabler, keys, retention, stats

    app.add_typer(db.app, name="db")
    app.command("export")(data.export)
    app.command("erase")(data.erase)
    app.add_typer(enabler.app, name="enabler")
    app.command("stats")(stats.stats)
    app.command("rotate-key")(keys.rotate_key)
    app.add_typer(retention.app, name="retention")


_register()


PLAIN_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "bool": "", "Path": "PATH"}


def _plain_type_names() -> None:
    """Help shows the types people know from other tools (TEXT, INTEGER, PATH), not Python's
    (`<str>`, `<list[str]>`), and nothing for an on/off flag such as --help."""
    from typer.core import TyperArgument, TyperOption

    for kind in (TyperArgument, TyperOption):
        original = kind.display_type_rich
        if getattr(original, "plain", False):
            continue

        def display_type_rich(self, ctx, _original=original):
            label = _original(self, ctx)
            if getattr(self, "is_flag", False):
                return ""
            if not label or not label.startswith("<"):
                return label  # a metavar, or a choice list, as written
            name = label.strip("<>")
            if name.startswith("list[") and name.endswith("]"):
                name = name[5:-1]
            if name.endswith(" range"):  # a bounded number: its bounds follow in the help
                name = name.removesuffix(" range")
            return PLAIN_TYPE_NAMES.get(name, label)

        display_type_rich.plain = True
        kind.display_type_rich = display_type_rich


def main() -> None:
    """The `ripple` command."""
    _plain_type_names()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
