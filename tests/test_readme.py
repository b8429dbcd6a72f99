"""The README's promises: the two set-up commands, and CI running exactly the test one."""

from __future__ import annotations

import re
import sys

import pytest

from .conftest import ROOT, Finished, starts_early


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_two_setup_commands_and_ci_runs_the_test_one() -> None:
    main_job, tests = _commands()
    assert "pip install" in main_job and "toolkit extract" in main_job
    assert "pip install" in tests and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


@pytest.mark.typecheck
@starts_early(lambda workdir: [sys.executable, "-m", "mypy"])
def test_package_type_checks(early: Finished) -> None:
    assert early.returncode == 0, early.stdout[-3000:] + early.stderr[-1000:]
    assert "Success: no issues found" in early.stdout
