"""Label Studio: our tasks and config as label_studio_sdk validates and converts them, exact read-back, UTF-16
offsets past astral characters, and a project export as Label Studio writes it."""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from label_studio_sdk.converter import converter as ls_converter
from label_studio_sdk.label_interface import interface as ls_interface

import toolkit
from toolkit.errors import ToolkitError
from toolkit.exporting import export
from toolkit.formats import labelstudio, mapping
from toolkit.formats.mapping import UNMAPPED
from toolkit.formats.model import SourceDocument, Span
from toolkit.importing import import_
from toolkit.layout import Layout
from toolkit.schema import read_schema

from .conftest import ANNOTATIONS
from .test_format_brat import context, documents, export_with, our_terms, small_schema

FIXTURES = Path(__file__).parent / "fixtures" / "labelstudio"
PROJECT = FIXTURES / "project-3-export.json"
Converter: Any = ls_converter.Converter  # the SDK ships py.typed with untyped functions
LabelInterface: Any = ls_interface.LabelInterface


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, SourceDocument], Layout]:
    return export_with(labelstudio, tmp_path_factory.mktemp("labelstudio"))


def units(text: str, point: int) -> int:
    """What JavaScript's string index says at a code point offset, counted by Python's own UTF-16 codec."""
    return len(text[:point].encode("utf-16-le")) // 2


def points(text: str, unit: int) -> int:
    return len(text.encode("utf-16-le")[:2 * unit].decode("utf-16-le"))


# --- the peer reads our export ---------------------------------------------------------------------------------

def test_label_studio_validates_our_config_and_every_region(
        exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, _, _ = exported
    interface = LabelInterface((out / "config.xml").read_text(encoding="utf-8"))
    interface.validate()  # raises on a configuration Label Studio refuses
    [task] = json.loads((out / "pwc.json").read_text(encoding="utf-8"))
    [annotation] = task["annotations"]
    assert interface.validate_prediction(annotation, return_errors=True) == []
    assert interface.validate_annotation(annotation)
    broken = copy.deepcopy(annotation)
    broken["result"][0]["value"]["labels"] = ["NOT_A_LABEL"]
    broken["result"][1]["from_name"] = "no_such_control"
    assert len(interface.validate_prediction(broken, return_errors=True)) == 2


def test_label_studios_converter_sees_the_layer_files(
        exported: tuple[Path, dict[str, SourceDocument], Layout], tmp_path: Path) -> None:
    out, _, layout = exported
    [task] = json.loads((out / "pwc.json").read_text(encoding="utf-8"))
    task["id"] = 1  # Label Studio gives a task its id on import; its converter reads exports, which have one
    (tmp_path / "tasks.json").write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    converter = Converter((out / "config.xml").read_text(encoding="utf-8"), str(tmp_path))
    [item] = list(converter.iter_from_json_file(str(tmp_path / "tasks.json")))
    text = task["data"]["text"]
    named = labelstudio.controls(layout.schema)
    blocks = {b["id"]: b for b in map(json.loads, (layout.corpus_dir / "pwc" / "blocks.jsonl").open())}
    for layer in layout.schema.layers.values():
        seen = [(points(text, v["start"]), points(text, v["end"]), v["text"], v["labels"])
                for v in item["output"][layer.name]]
        records = list(toolkit.read_layer(layer.name))
        lifted = {a.id: blocks[a.paragraph]["source_start"] + a.start for a in records}
        assert sorted(seen) == sorted((lifted[a.id], lifted[a.id] + len(a.text), a.text, [a.label])
                                      for a in records)
        for name, attribute in layer.attributes.items():
            key = "choices" if (layer.name, name) in named.choices else "text"
            got = sorted((points(text, v["start"]), v[key]) for v in item["output"].get(named.names[layer.name,
                                                                                                      name], []))
            want = sorted((lifted[a.id], a.attrs[name] if attribute.is_list else [a.attrs[name]]) for a in records
                          if a.attrs.get(name) not in (None, []))
            assert got == want, name


# --- round trip ---------------------------------------------------------------------------------------------------

def mapped_terms(doc: SourceDocument, layout_schema: Any) -> list[tuple[Any, ...]]:
    rules = labelstudio.default_mapping(layout_schema)
    got = []
    for span in doc.spans:
        result = mapping.apply(span, rules, layout_schema)
        assert isinstance(result, mapping.Mapped), result
        got.append((span.start, span.end, result.layer, result.label, result.attrs, span.id, span.annotator,
                    span.note, span.review))
    return got


def test_read_gives_back_every_exported_span(exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, docs, layout = exported
    [back] = list(labelstudio.read(out / "pwc.json"))
    assert back.doc == "pwc" and back.text == docs["pwc"].text
    assert mapped_terms(back, layout.schema) == [our_terms(span) for span in docs["pwc"].spans]
    assert [s.tool_id for s in back.spans] == [s.id for s in docs["pwc"].spans]


ASTRAL = "𝔸 the 𝔹est of Iraq, 𝕄ansoor\nsaid in 1991."


def test_offsets_are_utf16_code_units_both_ways(tmp_path: Path) -> None:
    layout = Layout.open()
    spans = (Span(0, 1, "entities", "WORK_OF_ART", {"entity": "a-better-world", "mention": "NOM"}, "e-1"),
             Span(14, 18, "entities", "GPE", {"entity": "iraq", "mention": "NAM"}, "e-2", note="after 𝔸 and 𝔹"),
             Span(20, 27, "entities", "PERSON", {"entity": "mansoor-hekmat", "mention": "NAM"}, "e-3"),
             Span(36, 40, "dates", "DATE", {"value": "1991", "mod": None}, "d-1", annotator="x", review="why"),
             Span(0, 41, "claims", "CLAIM", {"type": "fact", "holder": ["author"], "about": ["iraq", "wcp-iraq"]},
                  "c-1"))
    assert ASTRAL[14:18] == "Iraq" and ASTRAL[20:27] == "𝕄ansoor"
    files = labelstudio.export_document(SourceDocument("astral", ASTRAL, spans), context(layout))
    [task] = json.loads(files["astral.json"])
    regions = {r["id"]: r["value"] for r in task["annotations"][0]["result"] if r["type"] == "labels"}
    for span in spans:
        assert (regions[span.id]["start"], regions[span.id]["end"]) == (units(ASTRAL, span.start),
                                                                        units(ASTRAL, span.end))
    assert regions["e-2"]["start"] == 16  # two astral characters before it, two code units each
    (tmp_path / "astral.json").write_bytes(files["astral.json"])
    [back] = list(labelstudio.read(tmp_path / "astral.json"))
    assert mapped_terms(back, layout.schema) == [our_terms(span) for span in spans]


def test_attributes_two_layers_share_have_controls_of_their_own(tmp_path: Path) -> None:
    schema = read_schema(small_schema(tmp_path))
    named = labelstudio.controls(schema)
    assert (named.names["dates", "mention"], named.names["entities", "mention"]) == ("dates_mention",
                                                                                     "entities_mention")
    assert named.names["claims", "comment"] == "comment" and named.choices["dates", "mention"] == ("NAM", "X")
    ctx = replace(context(Layout.open()), schema=schema)
    spans = (Span(0, 4, "dates", "EVENT", {"value": "1991", "mention": "X"}, "d-1"),
             Span(0, 4, "entities", "EVENT", {"entity": "kurdish-uprising", "mention": "NOM"}, "e-1"),
             Span(0, 12, "claims", "CLAIM", {"type": "fact", "holder": ["author"], "about": [],
                                             "comment": " two  spaces "}, "c-1", note="two\nlines"))
    (tmp_path / "d.json").write_bytes(labelstudio.export_document(SourceDocument("d", "1991 uprising", spans),
                                                                  ctx)["d.json"])
    config = labelstudio.export_config(ctx)["config.xml"].decode()
    LabelInterface(config).validate()
    [back] = list(labelstudio.read(tmp_path / "d.json"))
    assert mapped_terms(back, schema) == [our_terms(span) for span in spans]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
                 "ab \t\r\n“”<&\"é𝔸😀\u2028-"))
def test_any_document_reads_back(tmp_path: Path, doc: SourceDocument) -> None:
    layout = Layout.open()
    (tmp_path / "d.json").write_bytes(labelstudio.export_document(doc, context(layout))["d.json"])
    [back] = list(labelstudio.read(tmp_path / "d.json"))
    assert mapped_terms(back, layout.schema) == [our_terms(span) for span in doc.spans]


def test_strings_from_the_schema_are_escaped_in_the_config(tmp_path: Path) -> None:
    spec = json.loads((ANNOTATIONS / "schema.json").read_text(encoding="utf-8"))
    hostile = 'A"/><Label value="B & <C>'
    spec["layers"]["claims"]["labels"].append(hostile)
    spec["layers"]["claims"]["description"] = "</Header><script>alert(1)</script>"
    (tmp_path / "schema.json").write_text(json.dumps(spec), encoding="utf-8")
    schema = read_schema(tmp_path / "schema.json")
    config = labelstudio.export_config(replace(context(Layout.open()), schema=schema))["config.xml"].decode()
    root = ElementTree.fromstring(config)
    claims = root.find("Labels[@name='claims']")
    assert claims is not None and [e.get("value") for e in claims] == ["CLAIM", hostile]
    assert root.find(".//script") is None and "<script>" not in config
    LabelInterface(config).validate()


def test_export_and_import_give_back_the_layer_files(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations)
    export(format="labelstudio", out=tmp_path / "out")
    result = import_(tmp_path / "out", format="labelstudio", annotations_dir=annotations)
    assert {state for counts in result.summary().values() for state in counts} == {"unchanged"}
    assert result.skipped == {}
    for path in ANNOTATIONS.glob("*.jsonl"):
        assert (annotations / path.name).read_bytes() == path.read_bytes(), path.name


def test_edits_made_in_label_studio_come_back_as_changes(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations)
    export(format="labelstudio", out=tmp_path / "out")
    path = tmp_path / "out" / "pwc.json"
    [task] = json.loads(path.read_text(encoding="utf-8"))
    nam = [r for r in map(json.loads, (ANNOTATIONS / "entities.jsonl").open(encoding="utf-8"))
           if r["mention"] == "NAM"]
    renamed, deleted, recreated = nam[3]["id"], nam[4]["id"], nam[5]["id"]
    results = []
    for result in task["annotations"][0]["result"]:
        if result["id"] == deleted:
            continue
        if result["id"] == renamed and result["from_name"] == "mention":
            result["value"]["choices"] = ["NOM"]
        if result["id"] == recreated:  # drawn again in Label Studio: its own region id, no meta
            result["id"] = "Qw7Rt2Yp0s"
            result.pop("meta", None)
        results.append({**result, "origin": "manual"})
    # as Label Studio exports it: its ids and bookkeeping around what was imported
    task.update(id=41, project=2, inner_id=1, total_annotations=1, cancelled_annotations=0, drafts=[],
                predictions=[], created_at="2026-12-01T10:00:00.000000Z")
    task["annotations"] = [{"id": 77, "completed_by": 1, "result": results, "was_cancelled": False,
                            "ground_truth": False, "lead_time": 95.2, "task": 41, "project": 2,
                            "created_at": "2026-12-01T10:05:00.000000Z"}]
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    result = import_(tmp_path / "out", format="labelstudio", annotations_dir=annotations, dry_run=True)
    changed = {c.id: c.state for c in result.changes if c.state != "unchanged"}
    assert changed == {renamed: "changed", deleted: "removed"}
    again = next(c for c in result.changes if c.tool_id == "Qw7Rt2Yp0s")
    assert (again.id, again.state) == (recreated, "unchanged")


# --- Label Studio's own export ------------------------------------------------------------------------------------

def test_a_project_export_reads_and_says_what_is_not_a_span() -> None:
    essay, astral = list(labelstudio.read(PROJECT))
    tasks = json.loads(PROJECT.read_text(encoding="utf-8"))
    assert (essay.doc, astral.doc) == ("pwc", "astral")
    assert essay.text == (Path(__file__).parents[1] / "corpus" / "pwc" / "prospects-of-worker-communism.txt"
                          ).read_bytes().decode("utf-8")
    taken = [r for a in tasks[0]["annotations"] if not a["was_cancelled"] for r in a["result"]
             if r["type"] == "labels"]
    assert [s.tool_id for s in essay.spans] == [r["id"] for r in taken]
    for span, result in zip(essay.spans, taken, strict=True):
        assert (span.type, span.label) == (result["from_name"], result["value"]["labels"][0])
        assert essay.text[span.start:span.end] == result["value"]["text"]
    by_id = {s.tool_id: s for s in essay.spans}
    assert dict(by_id["wB3kPz7x1Q"].features) == {"mention": "NAM", "entity": "communist-current"}
    assert by_id["wB3kPz7x1Q"].note == "in quotation marks in the essay" and by_id["wB3kPz7x1Q"].id is None
    assert dict(by_id["n7Qm2Lk9sE"].features) == {"type": "fact", "holder": "author",
                                                   "about": ["worker-communists", "iraqi-kurdistan"]}
    assert [astral.text[s.start:s.end] for s in astral.spans] == ["Iraq", "𝕄athematics"]
    assert astral.spans[0].start == astral.text.index("Iraq")  # three astral characters before it
    assert sorted(essay.unread) == sorted([
        "a Label Studio prediction is not an annotation (accept it in Label Studio to import it)",
        "a Label Studio relation is not a span",
        "the Label Studio choices result 'status' is about no labelled region"])
    assert astral.unread == ()


def test_a_project_export_maps_into_the_layers() -> None:
    layout = Layout.open()
    essay, _ = list(labelstudio.read(PROJECT))
    rules = labelstudio.default_mapping(layout.schema)
    results = [mapping.apply(span, rules, layout.schema) for span in essay.spans]
    assert results[3] == f"type 'label' is not mapped {UNMAPPED}"  # a control of the project's own
    claim = results[2]
    assert isinstance(claim, mapping.Mapped)
    assert claim.attrs == {"type": "fact", "holder": ["author"], "about": ["worker-communists", "iraqi-kurdistan"]}


def broken_project(change: Any) -> list[Any]:
    tasks = json.loads(PROJECT.read_text(encoding="utf-8"))
    change(tasks)
    return list(tasks)


def _region(tasks: list[Any], rid: str) -> dict[str, Any]:
    return next(r for t in tasks for a in t["annotations"] for r in a["result"] if r.get("id") == rid
                and r["type"] == "labels")


BROKEN = [
    (lambda t: t[1]["data"].pop("doc"), "task 8", "several tasks"),
    (lambda t: t[0]["data"].pop("text"), "task 7", "with a text"),
    (lambda t: _region(t, "Yc2eW5nLs0")["value"].update(start=1), "Yc2eW5nLs0", "not a stretch of the text"),
    (lambda t: _region(t, "Xo0tF2pVda")["value"].update(labels=["DATE", "TIME"]), "Xo0tF2pVda", "one label"),
    (lambda t: _region(t, "Xo0tF2pVda")["value"].update(end="12"), "Xo0tF2pVda", "whole-number"),
    (lambda t: t[0]["annotations"][0]["result"][1]["value"].update(choices="NAM"), "wB3kPz7x1Q",
     "list of strings"),
    (lambda t: _region(t, "Xo0tF2pVda").update(id="wB3kPz7x1Q"), "wB3kPz7x1Q", "an id of its own"),
]


@pytest.mark.parametrize(("change", "record", "what"), BROKEN)
def test_a_broken_export_names_its_task_or_region(tmp_path: Path, change: Any, record: str, what: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(broken_project(change), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ToolkitError, match=what) as caught:
        labelstudio.read(path)
    assert (caught.value.file, caught.value.record) == (str(path), record)


def test_a_file_that_is_no_tasks_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(ToolkitError, match="with a text") as caught:
        labelstudio.read(path)
    assert caught.value.file == str(path)
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ToolkitError) as caught:
        labelstudio.read(path)
    assert caught.value.file == str(path) and caught.value.line == 1
