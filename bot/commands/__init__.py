"""One module per `ripple` subcommand; `bot/cli.py` only wires them together."""
