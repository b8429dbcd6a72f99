"""Every check of ``toolkit validate`` triggered by a small, deliberately broken copy of the data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit import validate
from toolkit.validation.codes import CATALOG

from .conftest import ROOT, run_cli


def test_shipped_corpus_has_no_errors_or_warnings_but_the_known_two() -> None:
    findings = validate()
    assert [f.code for f in findings if f.severity == "error"] == []
    assert [(f.code, f.id) for f in findings if f.severity == "warning"] == [
        ("W506", "pwc.p2.fn1"), ("W506", "pwc.p2.fn8")]


def _edit_jsonl(path: Path, line: int, change: Callable[[dict], dict | str]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    result = change(json.loads(lines[line - 1]))
    lines[line - 1] = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _record_line(path: Path, record_id: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if json.loads(line)["id"] == record_id:
            return number
    raise LookupError(record_id)


def _set(**fields: object) -> Callable[[dict], dict]:
    return lambda r: {**r, **fields}


def _shift(delta: int) -> Callable[[dict], dict]:
    return lambda r: {**r, "start": r["start"] + delta, "end": r["end"] + delta}


# (file, record id, change, expected code). Record ids are those of the shipped data.
BREAKAGES: list[tuple[str, str, Callable[[dict], dict | str], str]] = [
    ("entities", "e-0010", lambda r: '{"id": "e-0010", "paragraph": ', "E100"),
    ("entities", "e-0010", lambda r: "[1, 2]", "E100"),
    ("entities", "e-0010", lambda r: {k: v for k, v in r.items() if k != "start"}, "E101"),
    ("entities", "e-0010", _set(start="3"), "E101"),
    ("entities", "e-0011", _set(id="e-0010"), "E102"),
    ("dates", "d-0001", _set(id="e-0010"), "E102"),
    ("entities", "e-0010", _set(paragraph="pwc.p9.para1"), "E103"),
    ("entities", "e-0010", _set(end=100000), "E104"),
    ("entities", "e-0010", lambda r: {**r, "end": r["start"]}, "E105"),
    ("entities", "e-0010", _set(text="Somebody Else"), "E106"),
    ("entities", "e-0010", lambda r: {**r, "start": r["start"] + 1, "text": r["text"][1:]}, "E201"),
    ("claims", "c-0001", lambda r: {**r, "end": r["end"] + 1, "text": r["text"] + "."}, "W203"),
    ("entities", "e-0010", _set(id="e 0010"), "E111"),
    ("entities", "e-0010", _set(label="PLANET"), "E401"),
    ("entities", "e-0010", _set(mention="PRO"), "E402"),
    ("claims", "c-0001", _set(type="rant"), "E402"),
    ("entities", "e-0010", lambda r: {k: v for k, v in r.items() if k != "mention"}, "E403"),
    ("entities", "e-0010", _set(entity="nobody"), "E501"),
    ("claims", "c-0001", _set(holder="nobody"), "E503"),
    ("claims", "c-0001", _set(about=["nobody"]), "E503"),
    ("dates", "d-0001", _set(value="2025-7-3"), "E601"),
    ("dates", "d-0001", _set(value="2024-07-03"), "E602"),
    ("dates", "d-0001", _set(mod="SOMETIMES"), "E603"),
    ("dates", "d-0001", _set(value="202X"), "W604"),
]


@pytest.mark.parametrize(("layer", "record_id", "change", "code"), BREAKAGES,
                         ids=[f"{c}-{i}" for i, (_, _, _, c) in enumerate(BREAKAGES)])
def test_each_breakage_triggers_its_code(data_copy: tuple[Path, Path], layer: str, record_id: str,
                                         change: Callable[[dict], dict | str], code: str) -> None:
    corpus, annotations = data_copy
    path = annotations / f"{layer}.jsonl"
    line = _record_line(path, record_id)
    _edit_jsonl(path, line, change)
    findings = validate(corpus_dir=corpus, annotations_dir=annotations)
    hits = [f for f in findings if f.code == code]
    assert hits, [(f.code, f.message) for f in findings if f.severity != "info"]
    assert any(f.file and f.file.endswith(f"{layer}.jsonl") and f.line == line for f in hits)


def _append(path: Path, record: dict) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _first(path: Path, **match: object) -> dict:
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if all(record.get(k) == v for k, v in match.items()):
            return record
    raise LookupError(match)


def test_whitespace_and_marker_inside_spans(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    # "Iranian Communist Party[2] had": a span over the marker, and one with a trailing space.
    block = _first(corpus / "pwc" / "blocks.jsonl", id="pwc.p1.para2")
    start = block["text"].index("Iranian Communist Party[2]")
    _append(annotations / "claims.jsonl", {"id": "c-x1", "paragraph": "pwc.p1.para2", "start": start,
            "end": start + 30, "text": block["text"][start:start + 30], "label": "CLAIM", "type": "fact",
            "holder": "author", "about": []})
    _append(annotations / "claims.jsonl", {"id": "c-x2", "paragraph": "pwc.p1.para2", "start": start,
            "end": start + 8, "text": block["text"][start:start + 8], "label": "CLAIM", "type": "fact",
            "holder": "author", "about": []})
    _append(annotations / "entities.jsonl", {"id": "e-x1", "paragraph": "pwc.p1.para2", "start": start,
            "end": start + 26, "text": block["text"][start:start + 26], "label": "ORG",
            "entity": "iranian-communist-party", "mention": "NAM"})
    codes = {(f.code, f.id) for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert ("E204", "e-x1") in codes and ("E204", "c-x1") in codes and ("E202", "c-x2") in codes


def test_overlap_policy(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    mention = _first(path, text="Mansoor Hekmat")
    block = _first(corpus / "pwc" / "blocks.jsonl", id=mention["paragraph"])
    s, e = mention["start"], mention["end"]
    crossing = {**mention, "id": "e-x1", "start": s + 8, "end": e + 3, "text": block["text"][s + 8:e + 3]}
    duplicate = {**mention, "id": "e-x2"}
    nested = {**mention, "id": "e-x3", "start": s + 8, "text": block["text"][s + 8:e]}
    for record in (crossing, duplicate, nested):
        _append(path, record)
    found = {(f.code, f.id) for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert {("E301", "e-x1"), ("E302", "e-x2"), ("E303", "e-x3")} <= found


def test_registry_checks(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    registry = annotations / "registry.jsonl"
    _append(registry, {"id": "lonely", "label": "PERSON", "name": "Lonely", "aliases": [], "description": "",
                       "footnotes": ["pwc.p1.para1"]})
    line = _record_line(annotations / "entities.jsonl", _first(annotations / "entities.jsonl", entity="iraq")["id"])
    _edit_jsonl(annotations / "entities.jsonl", line, _set(label="LOC"))
    found = {f.code for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert {"W504", "E508", "E502"} <= found


def test_corpus_checks(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    _edit_jsonl(blocks, 10, lambda r: {**r, "text": r["text"].replace("collapse", "colapse")})
    _edit_jsonl(blocks, 11, lambda r: {**r, "text": r["text"].replace("[2]", "[9]")})
    source = corpus / "pwc" / "prospects-of-worker-communism.txt"
    source.write_bytes(source.read_bytes() + b"\n")
    found = {(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert ("E107", 10) in found and ("E505", 11) in found
    assert any(code == "E108" for code, _ in found)


def test_duplicate_footnote_and_excluded_range(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    lines = blocks.read_text(encoding="utf-8").splitlines()
    fn = json.loads(lines[28])
    lines.insert(29, json.dumps({**fn, "id": "pwc.p1.fn2b"}, ensure_ascii=False))
    last = json.loads(lines[-1])
    lines.append(json.dumps({**last, "id": "pwc.p2.tail", "source_start": 38031, "source_end": 38042,
                             "text": "Add comment"}))
    blocks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = {(f.code, f.id) for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert ("E507", "pwc.p1.fn2b") in found and ("E109", "pwc.p2.tail") in found


def test_consistency_findings(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    # One "Iraq" mention linked elsewhere: the string is now annotated two ways.
    record = _first(path, text="Iraq", entity="iraq")
    _edit_jsonl(path, _record_line(path, record["id"]), _set(entity="iran", label="GPE"))
    # Drop a "Mansoor Hekmat" mention: the name is now left unannotated once.
    dropped = _first(path, text="Mansoor Hekmat")
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if json.loads(l)["id"] != dropped["id"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings = validate(corpus_dir=corpus, annotations_dir=annotations)
    w701 = [f for f in findings if f.code == "W701"]
    assert w701 and "iraq" in w701[0].message and "iran" in w701[0].message
    assert any(f.code == "W702" and f.id == dropped["paragraph"] and f"{dropped['start']}:" in f.message
               for f in findings)
    assert any(f.code == "I702" for f in findings)  # the listed exceptions stay info


def test_records_out_of_reading_order(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "dates.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3], lines[20] = lines[20], lines[3]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations) if f.code == "E110"]
    assert found and found[0][1] == 5
    result = run_cli("extract", "--layer", "dates", "--corpus", corpus, "--annotations", annotations, "-q")
    assert result.returncode == 2 and "dates.jsonl:5" in result.stderr and "reading order" in result.stderr


def test_bad_json_does_not_stop_the_rest_of_the_file(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    _edit_jsonl(path, 3, lambda r: "{not json")
    _edit_jsonl(path, 200, _set(label="PLANET"))
    found = {(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert ("E100", 3) in found and ("E401", 200) in found


def test_validate_changes_no_file(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    before = {p: p.read_bytes() for p in [*corpus.rglob("*"), *annotations.rglob("*")] if p.is_file()}
    run_cli("validate", "--corpus", corpus, "--annotations", annotations)
    after = {p: p.read_bytes() for p in [*corpus.rglob("*"), *annotations.rglob("*")] if p.is_file()}
    assert before == after


def test_exit_status_and_formats(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    args = ("--corpus", corpus, "--annotations", annotations)
    clean = run_cli("validate", *args)
    assert clean.returncode == 0 and "0 errors, 2 warnings" in clean.stderr
    assert run_cli("validate", *args, "--strict").returncode == 1
    _edit_jsonl(annotations / "entities.jsonl", 5, _set(entity="nobody"))
    broken = run_cli("validate", *args, "--format", "json")
    assert broken.returncode == 1
    findings = [json.loads(line) for line in broken.stdout.splitlines()]
    assert any(f["code"] == "E501" and f["line"] == 5 and f["file"].endswith("entities.jsonl") for f in findings)
    assert run_cli("validate", "--annotations", corpus / "nowhere").returncode == 2
    assert run_cli("validate", "--format", "xml").returncode == 2


def test_every_code_in_the_code_is_catalogued_and_documented() -> None:
    used: set[str] = set()
    for path in (ROOT / "toolkit").rglob("*.py"):
        used |= set(re.findall(r'"([EWI]\d{3})"', path.read_text(encoding="utf-8")))
    used -= set()  # nothing exempt
    assert used, "no codes found: the pattern is wrong"
    assert used <= CATALOG.keys(), used - CATALOG.keys()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in readme for code in CATALOG), [c for c in CATALOG if f"`{c}`" not in readme]
    tested = {code for *_, code in BREAKAGES} | {
        "E202", "E204", "E301", "E302", "E303", "W504", "E508", "E502", "E107", "E505", "E108", "E507",
        "E109", "E110", "W701", "W702", "I702", "E100", "E401", "E112"}
    assert CATALOG.keys() - tested <= {"W506", "I701"}  # both shown by the shipped corpus itself


def test_unknown_block_kind(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    _edit_jsonl(corpus / "pwc" / "blocks.jsonl", 3, _set(kind="sidebar"))
    found = [(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations)
             if f.severity == "error"]
    assert found == [("E112", 3)]
