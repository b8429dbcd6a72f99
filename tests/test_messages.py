"""Messages: one finding per root cause, flags as the CLI spells them, values shown safely; the rule for absent data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import toolkit
from toolkit.cli import main

from .conftest import ROOT, run_cli


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _rewrite(path: Path, index: int, **fields: object) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[index])
    record.update(fields)
    lines[index] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("flag", "value", "listed"), [
    ("--label", "NOPE", "ORG"), ("--entity", "nobody", "wcp-iraq")])
def test_unknown_filter_values_exit_2_listing_the_known(capsys: pytest.CaptureFixture[str], flag: str, value: str,
                                                       listed: str) -> None:
    status, out, err = _run(capsys, "extract", flag, value)
    assert status == 2 and out == ""
    assert f"unknown {flag[2:]} '{value}'" in err and listed in err


def test_label_of_another_layer_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "extract", "--layer", "dates", "--label", "ORG")
    assert status == 2 and "DURATION" in err


def test_workers_flag_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "extract", "--workers", "0")
    assert status == 2 and "--workers" in err and "n_process" not in err


def test_agree_needs_annotation_folders_with_layers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "agree", ROOT / "annotations" / "passes" / "a", tmp_path)
    assert status == 2 and out == "" and f"{tmp_path}: not an annotations folder" in err
    for name in ("schema.json", "registry.jsonl"):
        shutil.copy(ROOT / "annotations" / name, tmp_path / name)
    status, out, err = _run(capsys, "agree", tmp_path, tmp_path)
    assert status == 2 and out == "" and "no layer files" in err


@pytest.mark.parametrize("command", [["extract"], ["render", "--out", "x.html"], ["validate"]])
def test_a_wrong_annotations_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             command: list[str]) -> None:
    status, out, err = _run(capsys, *command, "--annotations", tmp_path)
    assert status == 2 and out == ""
    assert f"{tmp_path}: not an annotations folder: no schema.json and no registry.jsonl" in err
    assert not (Path.cwd() / "x.html").exists()


def test_a_missing_layer_file_is_an_empty_layer(data_copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
                                                ) -> None:
    corpus, annotations = data_copy
    (annotations / "dates.jsonl").unlink()
    (annotations / "claims.jsonl").write_text("", encoding="utf-8")
    status, out, _ = _run(capsys, "extract", "--corpus", corpus, "--annotations", annotations, "--layer", "all")
    layers = {json.loads(line)["layer"] for line in out.splitlines()}
    assert status == 0 and layers == {"entities"}
    status, out, _ = _run(capsys, "extract", "--corpus", corpus, "--annotations", annotations, "--layer", "dates")
    assert status == 0 and out == ""
    assert not [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    loaded = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    assert loaded.annotations("dates") == [] and loaded.annotations("claims") == []


def test_an_empty_entities_file_passes_everywhere(data_copy: tuple[Path, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    (annotations / "entities.jsonl").write_text("", encoding="utf-8")
    assert _run(capsys, "extract", "--corpus", corpus, "--annotations", annotations)[:2] == (0, "")
    status, _, _ = _run(capsys, "validate", "--corpus", corpus, "--annotations", annotations)
    assert status == 0  # W504 (registry entities without mentions) and W702 are warnings


def test_registry_footnote_that_is_no_block(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    lines = (annotations / "registry.jsonl").read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if json.loads(line)["footnotes"])
    _rewrite(annotations / "registry.jsonl", index, footnotes=["pwc.p1.fn99"])
    found = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations)
             if f.file and f.file.endswith("registry.jsonl") and f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E103", index + 1)]
    assert "not a block" in found[0].message and "not a footnote" not in found[0].message


def test_a_bad_block_line_is_one_finding_with_a_count(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    lines = blocks.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"pwc.p1.para1"' in line)
    lines[index] = lines[index][:-1]  # cut the closing brace: the line no longer parses
    blocks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = sum(f'"paragraph": "pwc.p1.para1"' in line for name in ("entities", "dates", "claims")
                   for line in (annotations / f"{name}.jsonl").read_text(encoding="utf-8").splitlines())
    assert expected > 3
    found = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E100", index + 1)]
    assert f"{expected} annotation records of this block left unchecked" in found[0].message


@pytest.mark.parametrize("start", [2.0, -3])
def test_a_bad_start_is_not_also_out_of_order(data_copy: tuple[Path, Path], start: float) -> None:
    corpus, annotations = data_copy
    _rewrite(annotations / "dates.jsonl", 5, start=start)
    found = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E101" if isinstance(start, float) else "E104", 6)]


def test_control_characters_are_escaped_on_the_terminal(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    _rewrite(annotations / "entities.jsonl", 3, label="\x1b[2J\x1b]0;owned\x07ORG")
    result = run_cli("validate", "--corpus", corpus, "--annotations", annotations)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    result = run_cli("extract", "--corpus", corpus, "--annotations", annotations)
    assert result.returncode == 2 and "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_a_huge_value_is_quoted_short(data_copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    _rewrite(annotations / "entities.jsonl", 3, label="X" * 100_000)
    status, _, err = _run(capsys, "extract", "--corpus", corpus, "--annotations", annotations)
    assert status == 2 and len(err) < 500 and "(100000 characters)" in err
    found = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.code == "E401"]
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
def test_an_unwritable_out_path_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          command: list[str]) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for out in (tmp_path / "folder", tmp_path / "afile" / "x.out"):
        status, _, err = _run(capsys, *command, "--out", out)
        assert status == 2 and err.startswith("toolkit: error:") and err.count("\n") == 1, err
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_a_refused_extract_creates_no_folder(data_copy: tuple[Path, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    _rewrite(annotations / "entities.jsonl", 1, label="NOPE")
    status, _, _ = _run(capsys, "extract", "-q", "--corpus", corpus, "--annotations", annotations,
                        "--out", tmp_path / "new" / "sub" / "x.jsonl")
    assert status == 2 and not (tmp_path / "new").exists()


def test_a_block_line_whose_first_id_is_not_its_own(data_copy: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    lines = blocks.read_text(encoding="utf-8").splitlines()
    lines[4] = '{"meta": {"id": "zzz"}, ' + lines[4][1:]
    blocks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    assert [(f.code, f.line) for f in found] == [("E111", 5)]  # its two records counted, not reported
    assert "2 annotation records of this block left unchecked" in found[0].message
    for workers in ("1", "2"):
        status, _, err = _run(capsys, "extract", "-q", "--corpus", corpus, "--annotations", annotations,
                              "--workers", workers)
        assert status == 2 and "blocks.jsonl:5" in err and " E111 " in err


def test_the_document_record_is_checked_by_every_reader(data_copy: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    path = corpus / "pwc" / "document.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["excluded"][0]["source_start"] = "38031"
    path.write_text(json.dumps(document), encoding="utf-8")
    status, _, err = _run(capsys, "extract", "-q", "--corpus", corpus, "--annotations", annotations)
    assert status == 2 and "document.json" in err and " E101 " in err
    errors = [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    assert [(f.code, Path(f.file or "").name) for f in errors] == [("E101", "document.json")]
