"""The README's commands and CI stay in step: .ci/run runs the README's test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

from feasibility.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def bash_blocks(section: str) -> list[str]:
    """The ```bash blocks of a README section (## heading up to the next one)."""
    start = README.index(f"## {section}\n")
    end = README.find("\n## ", start + 1)
    return re.findall(r"```bash\n(.*?)```", README[start:end if end > 0 else None], flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    main_job, tests = bash_blocks("Two commands")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests.strip() in ci
    assert tests.strip().endswith("&& python -m pytest")
    assert "python3 -m venv .venv && . .venv/bin/activate" in tests
    assert main_job.strip() == "python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && feasibility report"


def test_the_tour_uses_only_real_commands() -> None:
    (tour,) = bash_blocks("A short tour")
    words = [line.split()[1] for line in tour.splitlines() if line.startswith("feasibility ")]
    assert len(words) >= 10
    assert {w for w in words if not w.startswith("-")} <= set(COMMANDS)
    assert "studio" in words and "new" in words
    assert "jupyter lab notebooks/" not in README  # `feasibility studio` starts JupyterLab, also as root
