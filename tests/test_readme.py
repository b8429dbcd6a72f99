"""The README's promises: the two set-up commands, CI running exactly the test one, and its Python examples."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

import toolkit

from .conftest import ANNOTATIONS, CORPUS, ROOT, Finished, starts_early


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


@pytest.mark.typecheck
@starts_early(lambda workdir: [sys.executable, "-m", "ruff", "check", "--no-cache", "toolkit", "tests", "benchmarks"])
def test_lint_is_clean(early: Finished) -> None:
    assert early.returncode == 0, early.stdout[-3000:] + early.stderr[-1000:]


def test_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the README, in order, in one namespace, where its paths exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.+?)\n```", readme, flags=re.S)
    assert len(blocks) >= 3
    for folder in ("archive", "work"):
        shutil.copytree(CORPUS, tmp_path / folder / "corpus")
        shutil.copytree(ANNOTATIONS, tmp_path / folder / "annotations", ignore=shutil.ignore_patterns("passes"))
    shutil.copytree(ANNOTATIONS / "passes", tmp_path / "annotations" / "passes")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for code in blocks:
        exec(compile(code, "README.md", "exec"), namespace)  # the README's own examples
    saved = (tmp_path / "work" / "annotations" / "entities.jsonl").read_text(encoding="utf-8")
    assert '"id": "e-0900"' in saved  # the write example wrote where it said
    work = tmp_path / "work"
    assert toolkit.fmt(corpus_dir=work / "corpus", annotations_dir=work / "annotations", check=True) == []


def test_shipped_annotations_are_in_canonical_form() -> None:
    assert toolkit.fmt(check=True) == []
    for name in ("a", "b"):
        assert toolkit.fmt(annotations_dir=ANNOTATIONS / "passes" / name, check=True) == []
