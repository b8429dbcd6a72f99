"""Messages: one finding per root cause, flags as the CLI spells them, values shown safely; the rule for absent data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import toolkit

from .conftest import ROOT, edit_record, find_record, find_records, read_records, run_cli, session_pipeline

LAYERS = ("entities", "dates", "claims")


def _run(*args: str | Path) -> tuple[int, str, str]:
    """``toolkit ARGS`` in process, in the current working directory: exit status, stdout, stderr."""
    result = run_cli(*args, cwd=Path.cwd())
    return result.returncode, result.stdout, result.stderr


def _validate(corpus: Path, annotations: Path) -> list[toolkit.Finding]:
    return toolkit.validate(corpus_dir=corpus, annotations_dir=annotations, nlp=session_pipeline())


def _records_of(annotations: Path, block_id: str) -> int:
    """How many annotation records (all layers) name ``block_id``."""
    return sum(len(find_records(annotations / f"{layer}.jsonl", paragraph=block_id)) for layer in LAYERS)


@pytest.mark.parametrize(("flag", "value", "listed"), [
    ("--label", "NOPE", "ORG"), ("--entity", "nobody", "wcp-iraq")])
def test_unknown_filter_values_exit_2_listing_the_known(flag: str, value: str, listed: str) -> None:
    status, out, err = _run("extract", flag, value)
    assert status == 2 and out == ""
    assert f"unknown {flag[2:]} '{value}'" in err and listed in err


def test_label_of_another_layer_is_unknown() -> None:
    status, _, err = _run("extract", "--layer", "dates", "--label", "ORG")
    assert status == 2 and "DURATION" in err


def test_workers_flag_is_named() -> None:
    status, _, err = _run("extract", "--workers", "0")
    assert status == 2 and "--workers" in err and "n_process" not in err


def test_error_messages_cannot_drive_the_terminal() -> None:
    status, _, err = _run("extract", "--entity", "x\x1b[2J\x07")
    assert status == 2
    assert "\x1b" not in err and "\x07" not in err
    assert "x\\x1b[2J\\x07" in err


def test_agree_needs_annotation_folders_with_layers(tmp_path: Path) -> None:
    status, out, err = _run("agree", ROOT / "annotations" / "passes" / "a", tmp_path)
    assert status == 2 and out == "" and f"{tmp_path}: not an annotations folder" in err
    for name in ("schema.json", "registry.jsonl"):
        shutil.copy(ROOT / "annotations" / name, tmp_path / name)
    status, out, err = _run("agree", tmp_path, tmp_path)
    assert status == 2 and out == "" and "no layer files" in err


@pytest.mark.parametrize("command", [["extract"], ["render", "--out", "x.html"], ["validate"]])
def test_a_wrong_annotations_folder_is_named(tmp_path: Path, command: list[str]) -> None:
    status, out, err = _run(*command, "--annotations", tmp_path)
    assert status == 2 and out == ""
    assert f"{tmp_path}: not an annotations folder: no schema.json and no registry.jsonl" in err
    assert not (Path.cwd() / "x.html").exists()


def test_a_missing_layer_file_is_an_empty_layer(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    (annotations / "dates.jsonl").unlink()
    (annotations / "claims.jsonl").write_text("", encoding="utf-8")
    status, out, _ = _run("extract", "--corpus", corpus, "--annotations", annotations, "--layer", "all")
    layers = {json.loads(line)["layer"] for line in out.splitlines()}
    assert status == 0 and layers == {"entities"}
    status, out, _ = _run("extract", "--corpus", corpus, "--annotations", annotations, "--layer", "dates")
    assert status == 0 and out == ""
    assert not [f for f in _validate(corpus, annotations) if f.severity == "error"]
    loaded = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    assert loaded.annotations("dates") == [] and loaded.annotations("claims") == []


def test_an_empty_entities_file_passes_everywhere(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    (annotations / "entities.jsonl").write_text("", encoding="utf-8")
    assert _run("extract", "--corpus", corpus, "--annotations", annotations)[:2] == (0, "")
    status, _, _ = _run("validate", "--corpus", corpus, "--annotations", annotations)
    assert status == 0  # W504 (registry entities without mentions) and W702 are warnings


def test_registry_footnote_that_is_no_block(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    _, entity = find_record(annotations / "registry.jsonl", lambda r: bool(r["footnotes"]))
    line = edit_record(annotations / "registry.jsonl", entity["id"], footnotes=["pwc.p1.fn99"])
    found = [f for f in _validate(corpus, annotations)
             if f.file and f.file.endswith("registry.jsonl") and f.severity == "error"]
    assert [(f.code, f.line, f.id) for f in found] == [("E103", line, entity["id"])]
    assert "not a block" in found[0].message and "not a footnote" not in found[0].message


def test_a_bad_block_line_is_one_finding_with_a_count(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    # Cut the closing brace: the line no longer parses.
    line = edit_record(blocks, "pwc.p1.para1", lambda r: json.dumps(r, ensure_ascii=False)[:-1])
    expected = _records_of(annotations, "pwc.p1.para1")
    assert expected > 3
    found = [f for f in _validate(corpus, annotations) if f.severity == "error"]
    assert [(f.code, f.line, f.id) for f in found] == [("E100", line, "pwc.p1.para1")]
    assert f"{expected} annotation records of this block left unchecked" in found[0].message


@pytest.mark.parametrize("start", [2.0, -3])
def test_a_bad_start_is_not_also_out_of_order(data_copy: tuple[Path, Path], start: float) -> None:
    corpus, annotations = data_copy
    # A record in the middle of the file, whose block comes after others: no offset must not read as "out of order".
    _, record = find_records(annotations / "dates.jsonl")[5]
    line = edit_record(annotations / "dates.jsonl", record["id"], start=start)
    found = [f for f in _validate(corpus, annotations) if f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E101" if isinstance(start, float) else "E104", line)]


def test_control_characters_are_escaped_on_the_terminal(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    edit_record(annotations / "entities.jsonl", "e-0004", label="\x1b[2J\x1b]0;owned\x07ORG")
    result = run_cli("validate", "--corpus", corpus, "--annotations", annotations)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    result = run_cli("extract", "--corpus", corpus, "--annotations", annotations)
    assert result.returncode == 2 and "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_a_huge_value_is_quoted_short(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    edit_record(annotations / "entities.jsonl", "e-0004", label="X" * 100_000)
    status, _, err = _run("extract", "--corpus", corpus, "--annotations", annotations)
    assert status == 2 and len(err) < 500 and "(100000 characters)" in err
    found = [f for f in _validate(corpus, annotations) if f.code == "E401"]
    assert len(found) == 1 and len(found[0].message) < 300


def test_ingest_writes_to_the_working_directory(tmp_path: Path) -> None:
    shutil.copy(ROOT / "corpus" / "pwc" / "prospects-of-worker-communism.txt", tmp_path / "essay.txt")
    result = run_cli("ingest", "essay.txt", "--doc", "x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "corpus" / "x" / "blocks.jsonl").is_file()


def test_ingest_never_writes_inside_the_package(tmp_path: Path) -> None:
    package = Path(toolkit.__file__).parent
    shutil.copy(ROOT / "corpus" / "pwc" / "prospects-of-worker-communism.txt", tmp_path / "essay.txt")
    result = run_cli("ingest", tmp_path / "essay.txt", "--doc", "x", "--corpus", package / "_data" / "corpus")
    assert result.returncode == 2 and "inside the installed toolkit package" in result.stderr
    assert not (package / "_data").exists()


@pytest.mark.parametrize("command", [["extract", "-q"], ["render"]])
def test_an_unwritable_out_path_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for out in (tmp_path / "folder", tmp_path / "afile" / "x.out"):
        status, _, err = _run(*command, "--out", out)
        assert status == 2 and err.startswith("toolkit: error:") and err.count("\n") == 1, err
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_a_refused_extract_creates_no_folder(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    edit_record(annotations / "entities.jsonl", "e-0002", label="NOPE")
    status, _, _ = _run("extract", "-q", "--corpus", corpus, "--annotations", annotations,
                        "--out", tmp_path / "new" / "sub" / "x.jsonl")
    assert status == 2 and not (tmp_path / "new").exists()


def test_a_block_line_whose_first_id_is_not_its_own(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    # An annotated block whose line starts with a nested "id": the raw scan reads "zzz" for it.
    block_id = next(b["id"] for b in read_records(blocks)[1:] if _records_of(annotations, b["id"]))
    line = edit_record(blocks, block_id, lambda r: '{"meta": {"id": "zzz"}, ' + json.dumps(r, ensure_ascii=False)[1:])
    records = _records_of(annotations, block_id)
    found = [f for f in _validate(corpus, annotations) if f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E111", line)]  # its records counted, not reported
    assert f"{records} annotation record{'s' if records > 1 else ''} of this block left unchecked" in found[0].message
    for workers in ("1", "2"):
        status, _, err = _run("extract", "-q", "--corpus", corpus, "--annotations", annotations,
                              "--workers", workers)
        assert status == 2 and f"blocks.jsonl:{line} " in err and " E111 " in err, err


def test_the_document_record_is_checked_by_every_reader(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = corpus / "pwc" / "document.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["excluded"][0]["source_start"] = "38031"
    path.write_text(json.dumps(document), encoding="utf-8")
    status, _, err = _run("extract", "-q", "--corpus", corpus, "--annotations", annotations)
    assert status == 2 and "document.json" in err and " E101 " in err
    errors = [f for f in _validate(corpus, annotations) if f.severity == "error"]
    assert [(f.code, Path(f.file or "").name) for f in errors] == [("E101", "document.json")]
