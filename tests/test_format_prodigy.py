"""Prodigy span JSONL: spaCy reads our export (tokens, inclusive token ends), it reads back exactly, and
records as Prodigy writes them read as spans of the type ``spans``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

import toolkit
from toolkit.errors import ToolkitError
from toolkit.exporting import source_documents
from toolkit.formats import prodigy
from toolkit.formats.mapping import Mapped, apply, read_mapping
from toolkit.formats.model import ExportContext, SourceDocument, Span
from toolkit.layout import Layout
from toolkit.readers import read_document

from .conftest import ANNOTATIONS, read_records, session_pipeline, write_records

FIXTURES = Path(__file__).parent / "fixtures" / "prodigy"


def export_context(layout: Layout) -> ExportContext:
    return ExportContext(layout.schema, toolkit.read_registry(), {}, session_pipeline)


@cache
def shipped() -> tuple[SourceDocument, dict[str, Any]]:
    """The shipped document, and its Prodigy task as exported."""
    layout = Layout.open()
    doc = next(source_documents(layout, layers=list(layout.schema.layers)))
    files = prodigy.export_document(doc, export_context(layout))
    assert list(files) == ["pwc.jsonl"]
    (line,) = files["pwc.jsonl"].decode("utf-8").splitlines()
    return doc, json.loads(line)


def corpus_spans() -> set[tuple[str, int, int, str, str]]:
    """(layer, source start, source end, label, id) of every annotation, read with the toolkit's own readers."""
    _, blocks = read_document("pwc")
    at = {b.id: b.source_start for b in blocks}
    return {(layer, at[a.paragraph] + a.start, at[a.paragraph] + a.end, a.label, a.id)
            for layer in Layout.open().schema.layers for a in toolkit.read_layer(layer)}


def test_spacy_reads_the_task_and_every_span_falls_on_its_tokens() -> None:
    _, task = shipped()
    tokens = task["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    doc = Doc(session_pipeline().vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
    assert doc.text == task["text"]
    assert [(t.idx, t.idx + len(t)) for t in doc] == [(t["start"], t["end"]) for t in tokens]
    seen = set()
    for span in task["spans"]:
        char_span = doc.char_span(span["start"], span["end"])
        assert char_span is not None, span
        assert (char_span.start, char_span.end - 1) == (span["token_start"], span["token_end"])  # token_end inclusive
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
        seen.add((span["layer"], span["start"], span["end"], span["label"], span["id"]))
    assert seen == corpus_spans()
    assert len(task["spans"]) == len(seen)


def test_attributes_and_the_rest_travel_as_extra_keys() -> None:
    _, task = shipped()
    by_id = {s["id"]: s for s in task["spans"]}
    for layer in Layout.open().schema.layers:
        for a in toolkit.read_layer(layer):
            span = by_id[a.id]
            assert span["attributes"] == {k: v for k, v in a.attrs.items() if v is not None}
            for name in ("annotator", "note", "review"):
                assert span.get(name) == getattr(a, name)
    assert task["meta"] == {"doc": "pwc"}


def test_tokens_are_the_whole_source_tokenized() -> None:
    """Per block and between blocks (the module's way) is, over the shipped source, the whole source at once."""
    _, task = shipped()
    whole = session_pipeline().make_doc(task["text"])
    assert [(t["text"], t["start"], t["ws"]) for t in task["tokens"]] == [
        (t.text, t.idx, bool(t.whitespace_)) for t in whole]


def test_read_gives_back_every_exported_span(tmp_path: Path) -> None:
    doc, _ = shipped()
    path = tmp_path / "pwc.jsonl"
    path.write_bytes(prodigy.export_document(doc, export_context(Layout.open()))["pwc.jsonl"])
    (back,) = prodigy.read(path)
    assert back.doc == "pwc" and back.text == doc.text

    def key(s: Span) -> tuple[Any, ...]:
        return (s.start, s.end, s.type, s.label, s.id, s.annotator, s.note, s.review)

    exported = {key(s): {k: v for k, v in s.features.items() if v is not None} for s in doc.spans}
    read_back = {key(s): dict(s.features) for s in back.spans}
    assert read_back == exported and len(back.spans) == len(doc.spans)
    assert all(s.line == 1 for s in back.spans)
    schema = Layout.open().schema
    mapping = prodigy.default_mapping(schema)
    for span in back.spans:
        mapped = apply(span, mapping, schema)
        assert isinstance(mapped, Mapped) and mapped.layer == span.type and mapped.label == span.label
        lists = [n for n, a in schema.layers[span.type].attributes.items() if a.is_list]
        assert all(isinstance(mapped.attrs[n], list) for n in lists)


def test_a_layer_added_to_the_schema_travels_too(tmp_path: Path) -> None:
    """No layer name in the module: a span of a new layer keeps its layer and attributes."""
    layout = Layout.open()
    text = "Mansoor Hekmat founded the party in 1992."
    spans = (Span(0, 14, "people", "PERSON", {"role": ["founder", "theorist"]}, id="p-1", annotator="x"),
             Span(0, 14, "entities", "PERSON", {"entity": "mansoor-hekmat", "mention": "NAM"}, id="e-1"))
    files = prodigy.export_document(SourceDocument("d", text, spans), export_context(layout))
    (tmp_path / "d.jsonl").write_bytes(files["d.jsonl"])
    (back,) = prodigy.read(tmp_path / "d.jsonl")
    assert [(s.type, s.label, dict(s.features), s.id) for s in back.spans] == [
        ("people", "PERSON", {"role": ["founder", "theorist"]}, "p-1"),
        ("entities", "PERSON", {"entity": "mansoor-hekmat", "mention": "NAM"}, "e-1")]


WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1,
                max_size=6)
VALUES = st.one_of(st.none(), st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), words=st.lists(WORDS, min_size=1, max_size=12))
def test_any_spans_on_tokens_read_back_exactly(tmp_path: Path, data: st.DataObject, words: list[str]) -> None:
    """Texts in any script (astral characters too), spans on any tokens, any attribute values and trailing fields."""
    text = " ".join(words)
    tokens = [t for t in session_pipeline().make_doc(text) if not t.is_space]
    spans = []
    for n in range(data.draw(st.integers(0, 6))):
        first = data.draw(st.integers(0, len(tokens) - 1))
        last = data.draw(st.integers(first, len(tokens) - 1))
        features = data.draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUES, max_size=3))
        trailing = [data.draw(st.one_of(st.none(), st.text(max_size=6))) for _ in range(3)]
        spans.append(Span(tokens[first].idx, tokens[last].idx + len(tokens[last]), data.draw(st.sampled_from(
            ["entities", "claims", "new-layer"])), data.draw(st.text(min_size=1, max_size=5)), features,
            id=f"x-{n}", annotator=trailing[0], note=trailing[1], review=trailing[2]))
    doc = SourceDocument("d", text, tuple(spans))
    path = tmp_path / "d.jsonl"
    path.write_bytes(prodigy.export_document(doc, export_context(Layout.open()))["d.jsonl"])
    (back,) = prodigy.read(path)
    assert back.text == text and back.doc == "d"
    assert [(s.start, s.end, s.type, s.label, dict(s.features), s.id, s.annotator, s.note, s.review)
            for s in back.spans] == [
        (s.start, s.end, s.type, s.label, {k: v for k, v in s.features.items() if v is not None}, s.id, s.annotator,
         s.note, s.review) for s in spans]


def test_a_span_off_the_tokens_is_refused() -> None:
    doc = SourceDocument("d", "Iraq’s party", (Span(0, 3, "entities", "GPE", {}, id="e-1"),))
    with pytest.raises(ToolkitError, match="token boundaries") as caught:
        prodigy.export_document(doc, export_context(Layout.open()))
    assert caught.value.record == "e-1"


def test_a_task_prodigy_wrote_reads_as_spans_to_map() -> None:
    path = FIXTURES / "spans-manual.jsonl"
    tasks = read_records(path)
    docs = list(prodigy.read(path))
    assert [d.doc for d in docs] == [None, None]  # Prodigy's meta names no document: the file's name says it
    for n, (doc, task) in enumerate(zip(docs, tasks, strict=True), 1):
        assert doc.text == task["text"]
        assert [(s.start, s.end, s.label) for s in doc.spans] == [(s["start"], s["end"], s["label"])
                                                                  for s in task["spans"]]
        assert {s.type for s in doc.spans} == {prodigy.FOREIGN_TYPE}
        assert all(s.id is None and s.line == n and s.annotator == "pwc_ner-alice" for s in doc.spans)
    assert [doc.text[s.start:s.end] for s in docs[1].spans] == ["Marxist", "Marx", "Engels", "Hekmat"]
    schema = Layout.open().schema
    assert isinstance(apply(docs[0].spans[0], prodigy.default_mapping(schema), schema), str)  # not mapped yet
    mapping = {**prodigy.default_mapping(schema), **read_mapping(["spans=entities"], schema)}
    mapped = apply(docs[0].spans[0], mapping, schema)
    assert mapped == Mapped("entities", "PERSON", {})


def test_prodigys_own_tokens_read_with_spacy() -> None:
    """The fixture is as Prodigy writes it: its tokens make a Doc in which each span is a char_span."""
    for task in read_records(FIXTURES / "spans-manual.jsonl"):
        doc = Doc(session_pipeline().vocab, words=[t["text"] for t in task["tokens"]],
                  spaces=[t["ws"] for t in task["tokens"]])
        assert doc.text == task["text"]
        for span in task["spans"]:
            char_span = doc.char_span(span["start"], span["end"])
            assert char_span is not None and (char_span.start, char_span.end - 1) == (span["token_start"],
                                                                                      span["token_end"])


def test_rejected_and_ignored_tasks_are_refused_naming_the_line() -> None:
    path = FIXTURES / "db-out.jsonl"
    tasks = read_records(path)
    line = next(n for n, t in enumerate(tasks, 1) if t["answer"] == "reject")
    docs = prodigy.read(path)
    assert next(docs).text == tasks[0]["text"]
    assert next(docs).text == tasks[1]["text"]
    with pytest.raises(ToolkitError, match="answer is 'reject'") as caught:
        next(docs)
    assert caught.value.file == str(path) and caught.value.line == line
    assert caught.value.record == str(tasks[line - 1]["_task_hash"])


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(task: dict[str, Any]) -> None:
        task[key] = value
    return change


def _span_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(task: dict[str, Any]) -> None:
        task["spans"][1][key] = value
    return change


def _drop_text(task: dict[str, Any]) -> None:
    del task["text"]


@pytest.mark.parametrize(("change", "message"), [
    (_drop_text, "not a Prodigy task"),
    (_set("answer", "maybe"), "unknown answer"),
    (_set("answer", "ignore"), "answer is 'ignore'"),
    (_set("spans", {"start": 0}), '"spans" should be a list'),
    (_set("tokens", [{"text": "x"}]), '"tokens" should be a list'),
    (_span_set("end", 10_000), "offsets into the text"),
    (_span_set("start", "3"), "offsets into the text"),
    (_span_set("label", None), "span 2: no label"),
    (_span_set("token_end", 0), "do not cover"),
    (_span_set("attributes", ["x"]), '"attributes" should be an object'),
    (_span_set("layer", 3), "'layer' should be a string"),
])
def test_a_broken_task_names_file_and_line(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                                           message: str) -> None:
    tasks = read_records(FIXTURES / "spans-manual.jsonl")
    change(tasks[1])
    path = tmp_path / "broken.jsonl"
    write_records(path, ["", *tasks])  # a blank first line: the line number still counts it
    with pytest.raises(ToolkitError, match=message) as caught:
        list(prodigy.read(path))
    assert caught.value.file == str(path) and caught.value.line == 3


@pytest.mark.parametrize("content", [b"not json\n", b"[1, 2]\n", b"\xff\xfe\n"])
def test_a_file_not_of_the_format_names_file_and_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(ToolkitError) as caught:
        list(prodigy.read(path))
    assert caught.value.file == str(path) and caught.value.line == 1


def test_a_missing_file_fails_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError):
        prodigy.read(tmp_path / "none.jsonl")


def test_export_then_import_leaves_the_layer_files_as_they_were(tmp_path: Path) -> None:
    from toolkit.exporting import export
    from toolkit.importing import import_

    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    export(format="prodigy", out=tmp_path / "out")
    import_(tmp_path / "out", format="prodigy", annotations_dir=annotations)
    for layer in Layout.open().schema.layers:
        name = f"{layer}.jsonl"
        assert (annotations / name).read_bytes() == (ANNOTATIONS / name).read_bytes(), name


def test_a_span_added_in_prodigy_beside_ours_is_prodigys_to_map(tmp_path: Path) -> None:
    """Prodigy keeps our keys on the spans it was given and writes its own spans without them."""
    layout = Layout.open()
    text = "Mansoor Hekmat founded the party in Iran."
    ours = Span(0, 14, "entities", "PERSON", {"entity": "mansoor-hekmat", "mention": "NAM"}, id="e-1")
    (line,) = prodigy.export_document(SourceDocument("d", text, (ours,)), export_context(layout))["d.jsonl"].split(
        b"\n", 1)[:1]
    task = json.loads(line)
    iran = text.index("Iran")
    task["spans"].append({"start": iran, "end": iran + 4, "token_start": 6, "token_end": 6, "label": "GPE"})
    task.update(answer="accept", _annotator_id="pwc-bob", _view_id="spans_manual")
    assert task["tokens"][6]["text"] == "Iran"
    write_records(tmp_path / "d.jsonl", [task])
    (back,) = prodigy.read(tmp_path / "d.jsonl")
    assert [(s.type, s.label, s.id, s.annotator) for s in back.spans] == [
        ("entities", "PERSON", "e-1", None), (prodigy.FOREIGN_TYPE, "GPE", None, "pwc-bob")]
