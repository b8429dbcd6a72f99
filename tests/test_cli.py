"""Bad input everywhere: one clear message naming the file and line, exit 2, no traceback.

Commands run in this process (``run_cli``: ``toolkit.cli.main`` with its exit
statuses); a few end-to-end tests at the bottom run the real entry points
(``python -m toolkit``, the ``toolkit`` console script) as processes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli, run_process

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
    result = run_cli("validate", "--corpus", corpus, "--format", "json")
    assert result.returncode == 1  # the annotations now point at blocks that are gone
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    bad = [(f["code"], Path(f["file"]).name, f["line"]) for f in findings if f["file"].endswith("blocks.jsonl")]
    assert bad == [("E100", "blocks.jsonl", 1)]


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


# --- end to end: the real entry points, as processes ---------------------------------------------------------------

def test_python_m_toolkit_help_and_console_script() -> None:
    result = run_process("--help")
    assert result.returncode == 0
    for command in ("ingest", "footnotes", "extract", "validate", "schema", "agree", "render"):
        assert command in result.stdout
    script = shutil.which("toolkit")
    if script is None:
        pytest.skip("package not installed (run the README test command)")
    proc = run_process("schema", "findings", command=[script])
    assert proc.returncode == 0 and "Validation finding" in proc.stdout


def test_python_m_toolkit_refuses_bad_input_with_exit_2(tmp_path: Path) -> None:
    corpus = _corpus_with_blocks(tmp_path, BAD_FILES["truncated"])
    result = run_process("extract", "--corpus", corpus)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("toolkit: error: ") and "blocks.jsonl:1:" in lines[0], lines


def test_python_m_toolkit_validate_exit_1_with_json_findings(tmp_path: Path) -> None:
    corpus = _corpus_with_blocks(tmp_path, BAD_FILES["not_object"] + b"\n")
    result = run_process("validate", "--corpus", corpus, "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert ("E100", 1) in {(f["code"], f["line"]) for f in findings if f["file"].endswith("blocks.jsonl")}


def test_output_closed_early_is_not_an_error() -> None:
    """``toolkit extract | head -1``: the reader goes away; the command stops at once, quietly."""
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "extract", "--layer", "all", "-q"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # far more output is still to come than a pipe holds
    err = proc.stderr.read()
    proc.stderr.close()
    status = proc.wait(timeout=600)
    assert json.loads(first)["paragraph"] == "pwc.front.title1"
    assert err == b""  # no traceback, no "Exception ignored ... BrokenPipeError"
    assert status == 0
