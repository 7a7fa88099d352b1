"""Readers for the deployment files the ops tests check: compose, .env.example, Dockerfile.

Docker cannot run on the test machine, so these parse the files the way docker compose and
docker build would read them, closely enough to check their structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import AliasChoices

from bot.config import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_variables(text: str) -> dict[str, bool]:
    """The `${VAR...}` variables a compose file interpolates, each with whether it has a default."""
    found: dict[str, bool] = {}
    for match in _INTERPOLATION.finditer(text.replace("$$", "")):
        has_default = match["op"] in (":-", "-")
        found[match["name"]] = found.get(match["name"], True) and has_default
    return found


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose-style interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a literal $."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = env.get(name)
        if op in (":-", "-"):
            return present if present else arg
        if op in (":?", "?"):
            if not present:
                raise KeyError(f"compose would refuse to start: {name} unset ({arg})")
            return present
        return present or ""

    escaped = value.replace("$$", "\0")
    return _INTERPOLATION.sub(substitute, escaped).replace("\0", "$")


def env_example_values() -> dict[str, str]:
    """Variables set (uncommented) in .env.example."""
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


def env_example_documented() -> set[str]:
    """Variables .env.example mentions as assignments, set or commented out."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


def service_environment(service: dict, env: dict[str, str]) -> dict[str, str]:
    """The environment a compose service's container gets: env_file values, then `environment`."""
    merged: dict[str, str] = {}
    env_files = service.get("env_file") or []
    if isinstance(env_files, str | dict):
        env_files = [env_files]
    for item in env_files:
        path = item["path"] if isinstance(item, dict) else item
        if path == ".env":  # the operator's copy of .env.example
            merged.update(env)
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        declared = dict(entry.split("=", 1) for entry in declared)
    for name, value in declared.items():
        merged[name] = interpolate(str(value), env)
    return merged


def settings_env_names() -> dict[str, set[str]]:
    """Each Settings field and the environment variable names that set it."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: dict[str, set[str]] = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names[field_name] = {str(choice).upper() for choice in alias.choices}
        elif isinstance(alias, str):
            names[field_name] = {alias.upper()}
        else:
            names[field_name] = {f"{prefix}{field_name}".upper()}
    return names


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


def dockerfile_instructions(text: str | None = None) -> list[Instruction]:
    """Dockerfile instructions with line continuations joined and comments dropped."""
    text = DOCKERFILE.read_text() if text is None else text
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    return instructions
