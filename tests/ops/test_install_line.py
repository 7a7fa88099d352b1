"""The README's two commands are the ones CI runs, and the install takes torch's CPU build."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO

CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("<!-- section:", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", quick, re.DOTALL)[:2]


def _torch_pin() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(d for d in deps if d.startswith("torch=="))


def test_the_install_command_gets_the_cpu_build_of_the_pinned_torch_in_a_venv():
    install, _ = _quick_start_commands()
    assert install.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    torch_step = next(step for step in install.split(" && ") if "torch==" in step)
    assert CPU_INDEX in torch_step and _torch_pin() in torch_step
    assert "--no-deps" in torch_step  # nothing else comes from the torch index
    assert install.rstrip().endswith("ripple chat --user leader-1 --team plymouth-alcohol")


def test_ci_installs_the_same_way_and_runs_exactly_the_readme_test_command():
    install, test_command = _quick_start_commands()
    ci = (REPO / ".ci" / "run").read_text()
    torch_step = next(step for step in install.split(" && ") if "torch==" in step)
    ci_torch = next(line for line in ci.splitlines() if "torch==" in line)
    assert ci_torch.replace("python -m pip install --quiet", "pip install") == torch_step
    assert 'pip install --quiet -e ".[dev]"' in ci
    assert ci.rstrip().splitlines()[-1] == test_command.strip()
