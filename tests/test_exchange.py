"""toolkit export and toolkit import: round trips for every two-way format, and the merge's rules.

The merge is driven through doccano, the smallest two-way format (a JSONL
record per document, its spans as ``[start, end, label]`` in UTF-16 units
and the rest in the record's metadata), edited the way an annotator's tool
would change it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import toolkit
from toolkit.formats import TWO_WAY
from toolkit.formats.mapping import UNMAPPED
from toolkit.importing import ImportRefused
from toolkit.layout import Layout

from .conftest import ANNOTATIONS, CORPUS, SOURCE, read_records, run_cli, run_process

LAYER_FILES = ("entities.jsonl", "dates.jsonl", "claims.jsonl")


def _snapshot(annotations: Path) -> dict[str, bytes]:
    return {name: (annotations / name).read_bytes() for name in (*LAYER_FILES, "registry.jsonl")}


@pytest.mark.parametrize("name", TWO_WAY)
def test_round_trip_is_byte_identical(name: str, data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out = tmp_path / "out"
    toolkit.export(format=name, out=out, corpus_dir=corpus, annotations_dir=annotations)
    result = toolkit.import_(out, format=name, corpus_dir=corpus, annotations_dir=annotations)
    assert result.skipped == {}
    assert {c.state for c in result.changes} == {"unchanged"}
    assert len(result.changes) == sum(len(read_records(ANNOTATIONS / f)) for f in LAYER_FILES)
    assert run_cli("fmt", "--annotations", annotations, "--corpus", corpus).returncode == 0
    assert _snapshot(annotations) == _snapshot(ANNOTATIONS)


# --- the merge, through doccano --------------------------------------------------------------------------------

def _exported(tmp_path: Path, corpus: Path, annotations: Path, **filters: Any) -> tuple[Path, dict[str, Any]]:
    out = tmp_path / "out"
    toolkit.export(format="doccano", out=out, corpus_dir=corpus, annotations_dir=annotations, **filters)
    return out, json.loads((out / "pwc.jsonl").read_text(encoding="utf-8"))


def _save(out: Path, record: dict[str, Any]) -> None:
    (out / "pwc.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def _entry(record: dict[str, Any], rid: str) -> tuple[int, dict[str, Any]]:
    return next((n, e) for n, e in enumerate(record["toolkit"]) if e["id"] == rid)


def _drop(record: dict[str, Any], rid: str) -> None:
    n, entry = _entry(record, rid)
    del record["toolkit"][n]
    record["label"].remove(entry["span"])


def test_edits_come_back_as_changes(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    claims = read_records(annotations / "claims.jsonl")
    dropped, retyped = claims[0]["id"], claims[1]["id"]
    _drop(record, dropped)
    _entry(record, retyped)[1]["attributes"]["type"] = "diagnosis"
    assert claims[1]["type"] != "diagnosis"
    _save(out, record)
    before = _snapshot(annotations)
    dry = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    assert _snapshot(annotations) == before  # a dry run writes nothing
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations)
    assert dry.changes == result.changes
    changed = {c.id: c.state for c in result.changes if c.state != "unchanged"}
    assert changed == {dropped: "removed", retyped: "changed"}
    after = {r["id"]: r for r in read_records(annotations / "claims.jsonl")}
    assert dropped not in after and after[retyped]["type"] == "diagnosis"
    assert result.written == [annotations / "claims.jsonl"]  # only the layer that changed
    assert (annotations / "entities.jsonl").read_bytes() == before["entities.jsonl"]


def test_a_span_moved_keeps_its_id(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    first, second = [r for r in read_records(annotations / "entities.jsonl")
                     if r["text"] == "Iraq" and r["entity"] == "iraq"][:2]
    assert first["paragraph"] != second["paragraph"]
    # In the tool, the first mention is dragged onto the second, which is deleted.
    target = _entry(record, second["id"])[1]["span"]
    _drop(record, second["id"])
    entry = _entry(record, first["id"])[1]
    record["label"][record["label"].index(entry["span"])] = entry["span"] = target
    _save(out, record)
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    changed = {c.id: c for c in result.changes if c.state != "unchanged"}
    assert {rid: c.state for rid, c in changed.items()} == {first["id"]: "moved", second["id"]: "removed"}
    moved = changed[first["id"]].new
    assert moved is not None and (moved["paragraph"], moved["start"]) == (second["paragraph"], second["start"])


def test_a_new_span_from_the_tool_needs_a_mapping_and_gets_the_next_id(data_copy: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    block = next(b for b in read_records(CORPUS / "pwc" / "blocks.jsonl") if b["kind"] == "paragraph")
    words = block["text"].split(" ")
    start = block["source_start"]
    record["label"].append([start, start + len(words[0]), "CLAIM"])  # doccano has no place for attributes
    _save(out, record)
    unmapped = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    assert unmapped.skipped == {f"type 'doccano' is not mapped {UNMAPPED}": 1}
    with pytest.raises(ImportRefused) as refused:  # mapped, but the layer's required attributes are missing
        toolkit.import_(out, format="doccano", mapping=["doccano=claims"], corpus_dir=corpus,
                        annotations_dir=annotations, dry_run=True)
    assert {f.code for f in refused.value.findings if f.severity == "error"} == {"E403", "E402"}  # type; holder []
    assert refused.value.findings[0].file == str(out / "pwc.jsonl") and refused.value.findings[0].line == 1
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"types": {"doccano": {"layer": "claims", "set": {
        "type": "fact", "holder": ["author"], "about": []}}}}), encoding="utf-8")
    result = toolkit.import_(out, format="doccano", mapping=[str(mapping)], annotator="tester", corpus_dir=corpus,
                             annotations_dir=annotations)
    (added,) = [c for c in result.changes if c.state == "added"]
    highest = max(int(r["id"].split("-")[1]) for r in read_records(ANNOTATIONS / "claims.jsonl"))
    assert added.id == f"c-{highest + 1:04d}"
    saved = {r["id"]: r for r in read_records(annotations / "claims.jsonl")}[added.id]
    assert saved["text"] == words[0] and saved["annotator"] == "tester" and saved["paragraph"] == block["id"]


def test_a_span_across_blocks_is_refused_naming_both(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    blocks = [b for b in read_records(CORPUS / "pwc" / "blocks.jsonl") if b["kind"] == "paragraph"]
    record["toolkit"].append({"span": [blocks[0]["source_end"] - 3, blocks[1]["source_start"] + 3, "CLAIM"],
                              "layer": "claims", "id": "c-9999",
                              "attributes": {"type": "fact", "holder": ["author"], "about": []}})
    record["label"].append(record["toolkit"][-1]["span"])
    _save(out, record)
    before = _snapshot(annotations)
    run = run_cli("import", out, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 1, run.stderr
    assert f"crosses from block {blocks[0]['id']} into block {blocks[1]['id']}" in run.stderr
    assert "E104" in run.stderr and "c-9999" in run.stderr and "nothing was written" in run.stderr
    assert run.stdout == ""  # stdout carries only the changes
    assert _snapshot(annotations) == before


def test_the_same_id_twice_is_a_conflict_and_renumbered(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    first = read_records(annotations / "dates.jsonl")[0]
    other = read_records(annotations / "dates.jsonl")[1]
    _entry(record, other["id"])[1]["id"] = first["id"]  # a copy in the tool kept the id of the first
    _save(out, record)
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    conflicts = [c for c in result.changes if c.state == "conflict"]
    assert len(conflicts) == 1 and conflicts[0].id not in (first["id"], other["id"])
    assert conflicts[0].new is not None and conflicts[0].new["text"] == other["text"]
    assert {c.id: c.state for c in result.changes}[other["id"]] == "removed"


def test_a_filtered_export_is_the_truth_about_what_it_holds_only(data_copy: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations, layers=["entities"], labels=["PERSON"])
    assert {e["layer"] for e in record["toolkit"]} == {"entities"} and {s[2] for s in record["label"]} == {"PERSON"}
    person = record["toolkit"][0]["id"]
    _drop(record, person)
    _save(out, record)
    before = _snapshot(annotations)
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations)
    assert [c.id for c in result.changes if c.state != "unchanged"] == [person]
    after = read_records(annotations / "entities.jsonl")
    assert [r for r in read_records(ANNOTATIONS / "entities.jsonl") if r["id"] != person] == after
    assert (annotations / "claims.jsonl").read_bytes() == before["claims.jsonl"]


def test_a_changed_text_is_refused_with_its_line(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    at = record["text"].index("Footnotes")
    record["text"] = record["text"][:at] + "Notes" + record["text"][at + len("Footnotes"):]
    _save(out, record)
    run = run_cli("import", out, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    line = SOURCE.read_text(encoding="utf-8").count("\n", 0, at) + 1
    assert run.returncode == 2 and f"at line {line}," in run.stderr and "toolkit revise" in run.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("not json\n", "E100 column 1: not valid JSON"),
    ('{"label": []}\n', 'give "text"'),
    ('{"text": "x", "label": [[0, 1]]}\n', "label 1 is not [start, end, label]"),
])
def test_a_broken_file_names_its_line(content: str, message: str, data_copy: tuple[Path, Path],
                                      tmp_path: Path) -> None:
    corpus, annotations = data_copy
    path = tmp_path / "pwc.jsonl"
    path.write_text(content, encoding="utf-8")
    run = run_process("import", path, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
    assert f"{path}:1" in run.stderr or f"{path.name}:1" in run.stderr


def test_dry_run_on_the_command_line_prints_the_changes(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    gone = record["toolkit"][-1]["id"]
    _drop(record, gone)
    _save(out, record)
    run = run_cli("import", out, "--format", "doccano", "--dry-run", "--corpus", corpus, "--annotations",
                  annotations)
    assert run.returncode == 0, run.stderr
    (line,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert line["state"] == "removed" and line["id"] == gone and line["new"] is None
    assert "dry run: nothing written" in run.stderr and "1 removed" in run.stderr


def test_export_refuses_what_matches_nothing(tmp_path: Path) -> None:
    run = run_cli("export", "--format", "doccano", "--out", tmp_path / "o", "--doc", "nope")
    assert run.returncode == 2 and "no document 'nope'" in run.stderr
    run = run_cli("export", "--format", "nope", "--out", tmp_path / "o")
    assert run.returncode == 2 and "unknown format 'nope'; the formats are xmi, brat" in run.stderr
    run = run_cli("import", tmp_path, "--format", "conll")
    assert run.returncode == 2 and "export only" in run.stderr
    assert not (tmp_path / "o").exists()


def test_export_leaves_the_output_as_it_was_when_it_fails(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out = tmp_path / "out"
    toolkit.export(format="doccano", out=out, corpus_dir=corpus, annotations_dir=annotations)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    lines = (annotations / "dates.jsonl").read_text(encoding="utf-8").splitlines()
    (annotations / "dates.jsonl").write_text("\n".join([*lines, '{"id": broken'] ) + "\n", encoding="utf-8")
    run = run_cli("export", "--format", "doccano", "--out", out, "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and "dates.jsonl" in run.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_the_export_says_what_it_holds(tmp_path: Path) -> None:
    toolkit.export(format="doccano", out=tmp_path, layers=["dates"], labels=["DURATION"])
    manifest = json.loads((tmp_path / "toolkit-export.json").read_text(encoding="utf-8"))
    sha = json.loads((CORPUS / "pwc" / "document.json").read_text(encoding="utf-8"))["sha256"]
    durations = [r["id"] for r in read_records(ANNOTATIONS / "dates.jsonl") if r["label"] == "DURATION"]
    assert manifest == {"format": "doccano", "layers": ["dates"], "labels": ["DURATION"], "entities": [],
                        "documents": {"pwc": sha}, "ids": {"pwc": durations}, "options": {}}
    layout = Layout.open()
    assert layout.schema.layers["dates"].labels  # the manifest's layer exists


# --- files the project did not write ----------------------------------------------------------------------------

INCEPTION = Path(__file__).parent / "fixtures" / "xmi"
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"


def test_an_inception_named_entity_project_comes_in_through_a_mapping(data_copy: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    import cassis

    corpus, annotations = data_copy
    project = tmp_path / "inception"
    shutil.copytree(INCEPTION / "inception", project)
    with (project / "typesystem.xml").open("rb") as f:  # as INCEpTION's export names them
        types = cassis.load_typesystem(f)
    with (project / "annotator1.xmi").open("rb") as f:
        cas = cassis.load_cas_from_xmi(f, typesystem=types)
    mentions = sorted(cas.select(NAMED_ENTITY), key=lambda a: a.begin)
    relinked, unmapped = mentions[0], mentions[1]
    relinked.identifier = "https://kb.example.org/entity/mansoor-hekmat"  # a wrong link made in the tool
    unmapped.value = "MISC"
    cas.to_xmi(project / "annotator1.xmi")
    mapping = str(INCEPTION / "inception-mapping.json")
    without = run_cli("import", project, "--format", "xmi", "--corpus", corpus, "--annotations", annotations,
                      "--dry-run")
    assert without.returncode == 0
    assert f"not imported: {len(mentions)} × type '{NAMED_ENTITY}' is not mapped {UNMAPPED}" in without.stderr
    result = toolkit.import_(project, format="xmi", mapping=[mapping], corpus_dir=corpus, annotations_dir=annotations,
                             dry_run=True)
    assert result.skipped == {f"label 'MISC' of type '{NAMED_ENTITY}' is not mapped": 1}
    states = [c.state for c in result.changes]
    assert states.count("unchanged") == len(mentions) - 2 and "removed" not in states  # no scope: nothing removed
    (changed,) = [c for c in result.changes if c.state != "unchanged"]
    assert changed.state == "changed" and changed.new is not None and changed.new["entity"] == "mansoor-hekmat"
    assert changed.tool_id is not None and changed.old is not None
    assert changed.old["text"] == relinked.get_covered_text()
    assert changed.old["label"] == "PERSON"
    # Linked to an organisation, a PERSON mention breaks the registry's label: refused, nothing written.
    relinked.identifier = "https://kb.example.org/entity/wcp-iraq"
    cas.to_xmi(project / "annotator1.xmi")
    before = _snapshot(annotations)
    with pytest.raises(ImportRefused) as refused:
        toolkit.import_(project, format="xmi", mapping=[mapping], corpus_dir=corpus, annotations_dir=annotations)
    assert [f.code for f in refused.value.findings if f.severity == "error"] == ["E502"]
    assert refused.value.findings[0].file == str(project / "annotator1.xmi")
    assert _snapshot(annotations) == before


@pytest.mark.parametrize(("name", "module", "extra"), [("xmi", "cassis", "inception"), ("w3c", "pyld", "w3c")])
def test_a_missing_extra_is_named(name: str, module: str, extra: str, monkeypatch: pytest.MonkeyPatch,
                                  tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    monkeypatch.delitem(sys.modules, f"toolkit.formats.{name}", raising=False)
    run = run_cli("export", "--format", name, "--out", tmp_path / "out")
    assert run.returncode == 2, run.stderr
    assert f"the {name} format needs {module}: pip install 'standoff-toolkit[{extra}]'" in run.stderr
    assert not (tmp_path / "out").exists()


def _brat(tmp_path: Path, corpus: Path, annotations: Path) -> tuple[Path, list[str]]:
    out = tmp_path / "brat"
    toolkit.export(format="brat", out=out, layers=["entities"], corpus_dir=corpus, annotations_dir=annotations)
    return out, (out / "pwc.ann").read_text(encoding="utf-8").splitlines()


def test_a_changed_text_is_named_before_any_span_it_moves(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _brat(tmp_path, corpus, annotations)
    first = next(r for r in read_records(annotations / "entities.jsonl") if r["paragraph"].startswith("pwc.p1.para"))
    block = next(b for b in read_records(corpus / "pwc" / "blocks.jsonl") if b["id"] == first["paragraph"])
    at = block["source_start"] + first["start"]
    text = (out / "pwc.txt").read_text(encoding="utf-8")
    (out / "pwc.txt").write_text(text[:at] + "X" + text[at + 1:], encoding="utf-8")  # inside a span
    run = run_cli("import", out, "--format", "brat", "--corpus", corpus, "--annotations", annotations)
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    assert run.returncode == 2 and f"pwc.txt: the text differs from the source of document 'pwc' at line {line}, " \
        f"column {column}" in run.stderr, run.stderr


def test_a_span_whose_text_is_not_the_source_s_is_refused(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, lines = _brat(tmp_path, corpus, annotations)
    number, line = next((n, line) for n, line in enumerate(lines, 1) if line.startswith("T"))
    tool_id, data, quoted = line.split("\t")
    kind, start, end = data.split(" ")
    lines[number - 1] = f"{tool_id}\t{kind} {int(start) + 1} {int(end) + 1}\t{quoted}"  # offsets one off
    (out / "pwc.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        toolkit.import_(out, format="brat", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    (error,) = [f for f in refused.value.findings if f.severity == "error"]
    assert (error.code, error.file, error.line) == ("E106", str(out / "pwc.ann"), number)
    assert f"the file gives the text {quoted!r}" in error.message


def test_a_brat_selection_across_a_line_break_is_refused_as_crossing_blocks(data_copy: tuple[Path, Path],
                                                                            tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, lines = _brat(tmp_path, corpus, annotations)
    blocks = [b for b in read_records(corpus / "pwc" / "blocks.jsonl") if b["kind"] == "list_item"][:2]
    text = (out / "pwc.txt").read_text(encoding="utf-8")
    one, two = blocks
    assert not text[one["source_end"]:two["source_start"]].strip()  # only a line break between them
    start, end = one["source_end"] - 5, two["source_start"] + 5
    # brat writes a selection across a line break as fragments split there
    lines.append(f"T9999\tORG {start} {one['source_end']};{two['source_start']} {end}\t"
                 f"{text[start:one['source_end']]} {text[two['source_start']:end]}")
    (out / "pwc.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        toolkit.import_(out, format="brat", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    (error,) = [f for f in refused.value.findings if f.severity == "error"]
    assert error.code == "E104" and f"crosses from block {one['id']} into block {two['id']}" in error.message
    assert error.line == len(lines)


# --- what the review found ----------------------------------------------------------------------------------------

def test_a_value_cleared_in_the_tool_is_cleared(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out = tmp_path / "brat"
    toolkit.export(format="brat", out=out, layers=["dates"], corpus_dir=corpus, annotations_dir=annotations)
    dated = next(r for r in read_records(annotations / "dates.jsonl") if r.get("mod") and r.get("note"))
    lines = (out / "pwc.ann").read_text(encoding="utf-8").splitlines()
    tool_id = next(line.split("\t")[0] for line in lines
                   if line.startswith("#") and line.endswith(f"\t{dated['id']}") and "ToolkitId" in line)
    target = next(line.split("\t")[1].split(" ")[1] for line in lines if line.startswith(tool_id + "\t"))
    kept = [line for line in lines if not ((line.startswith("A") and f" {target} " in line and "mod" in line) or
                                          (line.startswith("#") and f"AnnotatorNotes {target}\t" in line))]
    assert len(kept) == len(lines) - 2
    (out / "pwc.ann").write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = toolkit.import_(out, format="brat", corpus_dir=corpus, annotations_dir=annotations)
    assert {c.id: c.state for c in result.changes if c.state != "unchanged"} == {dated["id"]: "changed"}
    after = {r["id"]: r for r in read_records(annotations / "dates.jsonl")}[dated["id"]]
    assert after["mod"] is None and "note" not in after
    assert result.written == [annotations / "dates.jsonl"]  # the other layers are not rewritten


def test_layer_narrows_an_export_and_never_widens_it(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _exported(tmp_path, corpus, annotations, layers=["entities"], labels=["GPE"])
    wider = run_cli("import", out, "--format", "doccano", "--layer", "dates", "--corpus", corpus, "--annotations",
                    annotations, "--dry-run")
    assert wider.returncode == 2 and "layer 'dates' is not in this export" in wider.stderr
    assert "toolkit-export.json" in wider.stderr
    same = toolkit.import_(out, format="doccano", layers=["entities"], corpus_dir=corpus, annotations_dir=annotations,
                           dry_run=True)
    assert {c.state for c in same.changes} == {"unchanged"}  # the export's label filter still holds


def test_export_does_not_replace_files_without_force(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _exported(tmp_path, corpus, annotations)
    edited = (out / "pwc.jsonl").read_bytes()
    run = run_cli("export", "--format", "doccano", "--out", out, "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and "pwc.jsonl: file exists" in run.stderr and "--force" in run.stderr
    assert (out / "pwc.jsonl").read_bytes() == edited
    (out / "toolkit-export.json").unlink()
    (out / "toolkit-export.json").mkdir()  # a target that cannot be replaced: nothing is moved at all
    (out / "pwc.jsonl").write_text("edited\n", encoding="utf-8")
    run = run_cli("export", "--format", "doccano", "--out", out, "--force", "--corpus", corpus, "--annotations",
                  annotations)
    assert run.returncode == 2 and "toolkit-export.json: is a folder" in run.stderr
    assert (out / "pwc.jsonl").read_text(encoding="utf-8") == "edited\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".toolkit-export-")]


def _second_document(corpus: Path) -> None:
    """``qwc``: a copy of the essay under other ids, so that the corpus has two documents."""
    shutil.copytree(corpus / "pwc", corpus / "qwc")
    for name in ("blocks.jsonl", "document.json"):
        path = corpus / "qwc" / name
        text = path.read_text(encoding="utf-8").replace('"pwc.', '"qwc.').replace('"doc":"pwc"', '"doc":"qwc"')
        path.write_text(text.replace('"id":"pwc"', '"id":"qwc"'), encoding="utf-8")


def test_ids_stay_unique_across_documents(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    _second_document(corpus)
    assert not [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]
    out = tmp_path / "brat"
    toolkit.export(format="brat", out=out, layers=["dates"], corpus_dir=corpus, annotations_dir=annotations)
    project = tmp_path / "qwc-project"  # pwc's dates, brought in as qwc's: every carried id is pwc's
    project.mkdir()
    for suffix in (".txt", ".ann"):
        shutil.copy(out / f"pwc{suffix}", project / f"qwc{suffix}")
    result = toolkit.import_(project, format="brat", corpus_dir=corpus, annotations_dir=annotations)
    dates = read_records(ANNOTATIONS / "dates.jsonl")
    assert [c.state for c in result.changes] == ["conflict"] * len(dates)
    assert not {c.id for c in result.changes} & {r["id"] for r in dates}
    assert not [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"]


def test_a_file_left_from_another_export_is_refused(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    _second_document(corpus)
    out = tmp_path / "brat"
    toolkit.export(format="brat", out=out, corpus_dir=corpus, annotations_dir=annotations)
    toolkit.export(format="brat", out=out, docs=["pwc"], force=True, corpus_dir=corpus, annotations_dir=annotations)
    run = run_cli("import", out, "--format", "brat", "--dry-run", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and "qwc.ann: document 'qwc' is not in this export" in run.stderr


def test_a_record_added_after_the_export_is_kept(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _exported(tmp_path, corpus, annotations, layers=["claims"])
    work = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    block = next(b for b in read_records(corpus / "pwc" / "blocks.jsonl") if b["kind"] == "paragraph")
    word = block["text"].split(" ")[0]
    work.add(toolkit.Annotation("claims", "c-0900", block["id"], 0, len(word), word, "CLAIM",
                                {"type": "fact", "holder": ["author"], "about": []}))  # by someone else, meanwhile
    work.save()
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations)
    assert {c.state for c in result.changes} == {"unchanged"} and "c-0900" not in {c.id for c in result.changes}
    assert "c-0900" in {r["id"] for r in read_records(annotations / "claims.jsonl")}


def test_an_id_no_record_has_any_more_matches_the_same_span(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _exported(tmp_path, corpus, annotations, layers=["entities"])
    work = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    gone = work.remove("e-0288")  # given a new id meanwhile
    work.add(toolkit.Annotation("entities", "e-0900", gone.paragraph, gone.start, gone.end, gone.text, gone.label,
                                dict(gone.attrs), gone.annotator, gone.note))
    work.save()
    result = toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    assert {c.state for c in result.changes} == {"unchanged"}
    assert "e-0900" in {c.id for c in result.changes} and "e-0288" not in {c.id for c in result.changes}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda r: r.update(toolkit=5), '"toolkit"'),
    (lambda r: r.update(toolkit=[{"span": [[1], 2, "X"]}]), 'has the "span"'),
])
def test_broken_doccano_metadata_is_an_error_not_a_traceback(edit: Any, message: str, data_copy: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations)
    edit(record)
    _save(out, record)
    run = run_process("import", out, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_a_relabelled_doccano_span_keeps_its_record(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, record = _exported(tmp_path, corpus, annotations, layers=["entities"])
    person = next(r for r in read_records(annotations / "entities.jsonl") if r["label"] == "PERSON")
    _, entry = _entry(record, person["id"])
    record["label"][record["label"].index(entry["span"])] = [*entry["span"][:2], "NORP"]  # relabelled in doccano
    _save(out, record)
    with pytest.raises(ImportRefused) as refused:  # a PERSON entity's mention cannot be NORP: E502, not a removal
        toolkit.import_(out, format="doccano", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    assert [(f.code, f.id) for f in refused.value.findings if f.severity == "error"] == [("E502", person["id"])]


def test_a_broken_manifest_names_itself(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, _ = _exported(tmp_path, corpus, annotations)
    manifest = json.loads((out / "toolkit-export.json").read_text(encoding="utf-8"))
    (out / "toolkit-export.json").write_text(json.dumps({**manifest, "labels": [[1]]}), encoding="utf-8")
    run = run_process("import", out, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and "toolkit-export.json: 'labels' is not a list of strings" in run.stderr
    (out / "toolkit-export.json").write_text(json.dumps({**manifest, "format": "brat"}), encoding="utf-8")
    run = run_cli("import", out, "--format", "doccano", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and "an export in the brat format, not doccano" in run.stderr


def _labelstudio(tmp_path: Path, corpus: Path, annotations: Path) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path / "ls"
    toolkit.export(format="labelstudio", out=out, layers=["entities"], corpus_dir=corpus, annotations_dir=annotations)
    return out, json.loads((out / "pwc.json").read_text(encoding="utf-8"))


def _labels_results(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels"]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda tasks: _labels_results(tasks)[0]["meta"]["toolkit"].update(review=[]), '"meta" has "text"'),
    (lambda tasks: _labels_results(tasks)[0].pop("value"), 'a labels result has a "value" object'),
    (lambda tasks: tasks[0].update(id="7\nwrote everything"), "task '7\\nwrote everything'"),
])
def test_hostile_label_studio_tasks_are_refused_plainly(edit: Any, message: str, data_copy: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    corpus, annotations = data_copy
    out, tasks = _labelstudio(tmp_path, corpus, annotations)
    edit(tasks)
    if "wrote" in message:
        tasks[0]["data"].pop("text")  # an error that names the task
    (out / "pwc.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    before = _snapshot(annotations)
    run = run_process("import", out, "--format", "labelstudio", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert "\nwrote" not in run.stderr  # data cannot forge a line of the command's own
    assert _snapshot(annotations) == before
