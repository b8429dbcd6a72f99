"""Bad input everywhere: one clear message naming the file and line, exit 2, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

BAD_FILES = {
    "latin1": '{"id": "pwc.front.title1", "text": "Caf\xe9"}\n'.encode("latin-1"),
    "truncated": b'{"id": "pwc.front.title1", "doc": "pwc", "kind": "title"',
    "not_object": b'["a", "list"]\n',
}


def _corpus_with_blocks(tmp_path: Path, content: bytes) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "pwc" / "blocks.jsonl").write_bytes(content)
    return corpus


@pytest.mark.parametrize("command", [["extract"], ["footnotes"]])
@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_blocks_file(tmp_path: Path, command: list[str], kind: str) -> None:
    corpus = _corpus_with_blocks(tmp_path, BAD_FILES[kind])
    result = run_cli(*command, "--corpus", corpus)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "blocks.jsonl:1:" in lines[0]


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_validate_reports_bad_lines_as_findings(tmp_path: Path, kind: str) -> None:
    corpus = _corpus_with_blocks(tmp_path, BAD_FILES[kind] + b"\n")
    result = run_cli("validate", "--corpus", corpus)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1  # the annotations now point at blocks that are gone


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_annotation_file(tmp_path: Path, kind: str) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ROOT / "annotations", annotations)
    (annotations / "entities.jsonl").write_bytes(b'\n' + BAD_FILES[kind])
    result = run_cli("extract", "--annotations", annotations)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "entities.jsonl:2:" in result.stderr  # the blank first line is counted


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "--corpus", "/nonexistent"],
        ["footnotes", "--corpus", "/nonexistent"],
        ["validate", "--annotations", "/nonexistent"],
        ["ingest", "/nonexistent.txt", "--doc", "x"],
        ["agree", "/nonexistent", "/nonexistent"],
        ["extract", "--layer", "gossip"],
        ["extract", "--context", "chapter"],
        ["schema", "nothing"],
        ["ingest", "--doc", "x"],
        ["no-such-command"],
    ],
)
def test_missing_paths_and_bad_arguments(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_empty_essay(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = run_cli("ingest", empty, "--doc", "empty", "--corpus", tmp_path / "out")
    assert result.returncode == 2 and "empty.txt" in result.stderr and "Traceback" not in result.stderr


def test_console_script_and_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "footnotes", "extract", "validate", "schema", "agree"):
        assert command in result.stdout
    script = shutil.which("toolkit")
    if script is None:
        pytest.skip("package not installed (run the README test command)")
    import subprocess

    proc = subprocess.run([script, "schema", "findings"], capture_output=True, text=True)
    assert proc.returncode == 0 and "Validation finding" in proc.stdout
