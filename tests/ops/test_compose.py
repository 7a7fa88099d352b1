"""docker-compose.yml and .env.example: the production stack is wired the way the bot needs.

Docker cannot run here, so the file is parsed and checked as compose would read it, the
settings the bot would start with are built from it with the real `Settings`, and the chroma
healthcheck probe is run against a real Chroma server.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from importlib.metadata import version

import pytest

from bot.config import Settings
from tests.ops.deployfiles import (
    COMPOSE_FILE,
    REPO,
    compose_variables,
    env_example_documented,
    env_example_values,
    interpolate,
    load_compose,
    service_environment,
    settings_env_names,
)

RIPPLE_SERVICES = ("bot", "migrate", "ingest")
# The settings a production bot cannot work without (Settings field names).
PRODUCTION_FIELDS = (
    "env",
    "database_url",
    "encryption_keys",
    "slack_bot_token",
    "slack_signing_secret",
    "chroma_host",
    "chroma_port",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def test_the_stack_has_every_service(services):
    assert set(services) >= {"bot", "postgres", "chroma", "migrate", "ingest"}


def test_every_service_has_an_image_or_a_build(services):
    for name, service in services.items():
        assert service.get("image") or service.get("build"), f"{name} has neither image nor build"


def test_ripple_services_are_built_from_the_repo_dockerfile(services):
    for name in RIPPLE_SERVICES:
        build = services[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert (REPO / context / "Dockerfile").is_file(), name
    assert len({services[name]["image"] for name in RIPPLE_SERVICES}) == 1, "one image for all"


def test_third_party_images_are_pinned(services):
    for name, service in services.items():
        image = service.get("image", "")
        if name in RIPPLE_SERVICES:
            continue
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", f"{name} image {image!r} is not pinned"


def test_postgres_is_16_with_a_volume(compose, services):
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert _named_volume_at(postgres, "/var/lib/postgresql/data") in compose["volumes"]


def test_chroma_server_matches_the_client_version(compose, services):
    chroma = services["chroma"]
    image_version = chroma["image"].rpartition(":")[2]
    client_major_minor = version("chromadb").split(".")[:2]
    assert image_version.split(".")[:2] == client_major_minor
    assert _named_volume_at(chroma, "/data") in compose["volumes"]


def test_long_running_services_have_healthchecks(services):
    for name in ("postgres", "chroma", "bot"):
        check = services[name].get("healthcheck", {})
        assert check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable")
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "/api/v2/heartbeat" in str(services["chroma"]["healthcheck"]["test"])
    assert "/readyz" in str(services["bot"]["healthcheck"]["test"])


def test_startup_order_waits_for_health_and_one_shot_steps(services):
    assert _conditions(services["migrate"]) == {"postgres": "service_healthy"}
    assert _conditions(services["ingest"]) == {"chroma": "service_healthy"}
    assert _conditions(services["bot"]) == {
        "postgres": "service_healthy",
        "chroma": "service_healthy",
        "migrate": "service_completed_successfully",
        "ingest": "service_completed_successfully",
    }
    for name, service in services.items():
        for dependency in _conditions(service):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_migrate_and_ingest_are_one_shot_ripple_commands(services):
    assert services["migrate"]["command"] == ["ripple", "db", "upgrade"]
    assert services["ingest"]["command"] == ["ripple", "ingest"]
    for name in ("migrate", "ingest"):
        assert services[name]["restart"] == "no"


def test_the_one_shot_and_serve_commands_exist_in_the_cli():
    from typer.testing import CliRunner

    from bot.cli import app

    runner = CliRunner()
    for command in (["db", "upgrade"], ["ingest"], ["serve"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, f"`ripple {' '.join(command)}` is missing: {result.output}"
    serve_help = runner.invoke(app, ["serve", "--help"]).output
    assert "--host" in serve_help and "--port" in serve_help


def test_the_proxy_reaches_the_port_the_bot_serves_on(services):
    bot_port = services["bot"]["command"][services["bot"]["command"].index("--port") + 1]
    assert bot_port in [str(port) for port in services["bot"]["expose"]]
    nginx = (REPO / "deploy" / "nginx.conf").read_text()
    assert f"server bot:{bot_port} resolve;" in nginx, "re-resolve replicas as they scale"
    assert "zone " in nginx and "resolver 127.0.0.11" in nginx  # what `resolve` needs
    tag = services["proxy"]["image"].partition(":")[2].split("-")[0]
    version = tuple(int(part) for part in tag.split("."))
    assert version >= (1, 27, 3), "open-source nginx resolves upstreams from 1.27.3"


def test_every_setting_is_documented_in_env_example():
    documented = env_example_documented()
    missing = {
        field: sorted(names)
        for field, names in settings_env_names().items()
        if not names & documented
    }
    assert not missing, f"Settings fields with no variable in .env.example: {missing}"


def test_every_compose_variable_is_in_env_example():
    values, documented = env_example_values(), env_example_documented()
    for name, has_default in compose_variables(COMPOSE_FILE.read_text()).items():
        assert name in documented, f"docker-compose.yml uses ${{{name}}}, not in .env.example"
        if not has_default:
            assert name in values, f"${{{name}}} has no default and .env.example leaves it unset"


def test_the_bot_gets_every_production_setting(services):
    names = settings_env_names()
    for service_name in RIPPLE_SERVICES:
        env = service_environment(services[service_name], env_example_values())
        for field in PRODUCTION_FIELDS:
            assert names[field] & {k for k, v in env.items() if v}, (
                f"{service_name} gets no {field} (any of {sorted(names[field])})"
            )


def test_the_bot_settings_built_from_compose_are_production_settings(services):
    env = service_environment(services["bot"], env_example_values())
    settings = Settings(_env_file=None, **_as_init_kwargs(env))
    assert settings.production
    assert settings.resolved_log_format == "json"
    assert settings.resolved_database_url.startswith("postgresql+psycopg://ripple:")
    assert settings.resolved_database_url.endswith("@postgres:5432/ripple")
    assert (settings.chroma_host, settings.chroma_port) == ("chroma", 8000)
    assert settings.encryption_keys is not None
    assert settings.slack_signing_secret is not None


def test_the_example_database_password_is_url_safe():
    password = env_example_values()["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", password), "it is interpolated into a URL"


def test_compose_refuses_to_start_without_a_database_password(services):
    env = env_example_values()
    env.pop("POSTGRES_PASSWORD")
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        service_environment(services["bot"], env)


def test_no_secret_is_written_into_compose():
    text = COMPOSE_FILE.read_text()
    assert not re.search(r"xox[abp]-|xapp-", text)
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if re.search(r"(PASSWORD|SECRET|TOKEN|KEYS)$", key.strip()):
            assert value.strip().startswith("${"), f"secret written literally: {line.strip()}"


@pytest.mark.skipif(not shutil.which("chroma"), reason="the chroma CLI is not installed")
def test_the_chroma_healthcheck_probe_passes_only_when_chroma_answers(services, tmp_path):
    script = services["chroma"]["healthcheck"]["test"][-1]
    port = _free_port()
    probe = interpolate(script, {}).replace("/127.0.0.1/8000", f"/127.0.0.1/{port}")
    assert _run_probe(probe) != 0, "probe passed with nothing listening"

    server = subprocess.Popen(
        [
            "chroma",
            "run",
            "--path",
            str(tmp_path / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while _run_probe(probe) != 0:
            assert server.poll() is None, "chroma run exited"
            assert time.monotonic() < deadline, "chroma never became healthy"
            time.sleep(0.2)
        wrong_path = probe.replace("/api/v2/heartbeat", "/api/v2/no-such-endpoint")
        assert _run_probe(wrong_path) != 0, "probe passed on a 404"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run_probe(script: str) -> int:
    return subprocess.run(["/bin/bash", "-c", script], capture_output=True, timeout=10).returncode


def _named_volume_at(service: dict, target: str) -> str:
    for volume in service.get("volumes", []):
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target:
            return source
    raise AssertionError(f"no volume mounted at {target}")


def _conditions(service: dict) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return {name: "service_started" for name in depends}
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def _as_init_kwargs(env: dict[str, str]) -> dict[str, str]:
    """Map environment variable names onto Settings field names (as pydantic-settings does)."""
    kwargs = {}
    for field, names in settings_env_names().items():
        for name in names:
            if name in env:
                kwargs[field] = env[name]
    return kwargs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_listens_on_loopback_unless_told_and_compose_tells_it(services):
    import inspect

    from bot.commands.serve import serve

    # Outside a container, a forgotten --host must not expose the bot to the network.
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    command = services["bot"]["command"]
    assert command[command.index("--host") + 1] == "0.0.0.0", "the proxy reaches it by network"
