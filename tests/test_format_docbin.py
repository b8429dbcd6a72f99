"""spaCy DocBin: loaded back with spaCy it holds every layer of every block as the corpus says, the toolkit's own
Docs, and ``spacy debug data`` accepts it with the config written beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

import toolkit
from toolkit.exporting import source_documents
from toolkit.formats import docbin
from toolkit.formats.model import ExportContext, SourceDocument, Span
from toolkit.layout import Layout
from toolkit.models import Block

from .conftest import session_pipeline

SpanKey = tuple[int, int, str, str, str]  # start, end (in the block), label, id, kb_id


def context() -> ExportContext:
    return ExportContext(Layout.open().schema, toolkit.read_registry(), {}, session_pipeline)


@cache
def exported_bytes() -> bytes:
    layout = Layout.open()
    doc = next(source_documents(layout, layers=list(layout.schema.layers)))
    files = docbin.export_document(doc, context())
    assert list(files) == ["pwc.spacy"]
    return files["pwc.spacy"]


def loaded(tmp_path: Path) -> list[Doc]:
    path = tmp_path / "pwc.spacy"
    path.write_bytes(exported_bytes())
    return list(DocBin().from_disk(path).get_docs(session_pipeline().vocab))


def corpus_layers() -> dict[str, dict[str, set[SpanKey]]]:
    """block id -> layer -> spans, as the toolkit's reader gives the layer files."""
    schema = Layout.open().schema
    found: dict[str, dict[str, set[SpanKey]]] = defaultdict(lambda: {layer: set() for layer in schema.layers})
    for layer, spec in schema.layers.items():
        for a in toolkit.read_layer(layer):
            kb_id = a.attrs.get(spec.link, "") if spec.link else ""
            found[a.paragraph][layer].add((a.start, a.end, a.label, a.id, kb_id))
    return found


def test_spacy_loads_one_doc_per_block_with_every_layer(tmp_path: Path) -> None:
    docs = loaded(tmp_path)
    _, blocks = toolkit.read_document("pwc")
    assert [d.user_data["block"] for d in docs] == [b.id for b in blocks]
    assert [d.text for d in docs] == [b.text for b in blocks]
    expected = corpus_layers()
    for doc in docs:
        for layer, spans in expected[doc.user_data["block"]].items():
            got = {(s.start_char, s.end_char, s.label_, s.id_, s.kb_id_) for s in doc.spans[layer]}
            assert got == spans, (doc.user_data["block"], layer)
            assert len(doc.spans[layer]) == len(spans)


def test_ents_are_the_outermost_spans_of_the_ents_layer(tmp_path: Path) -> None:
    layer = next(name for name, spec in Layout.open().schema.layers.items() if spec.ents)
    expected = corpus_layers()
    for doc in loaded(tmp_path):
        spans = {(s, e, label) for s, e, label, _, _ in expected[doc.user_data["block"]][layer]}
        outermost = {x for x in spans if not any(o != x and o[0] <= x[0] and x[1] <= o[1] for o in spans)}
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} == outermost


def test_attributes_and_the_rest_are_in_the_table_by_id(tmp_path: Path) -> None:
    table = {k: v for doc in loaded(tmp_path) for k, v in doc.user_data[docbin.USER_DATA].items()}
    n = 0
    for layer in Layout.open().schema.layers:
        for a in toolkit.read_layer(layer):
            n += 1
            side = table[a.id]
            assert side["layer"] == layer
            # spaCy reads user_data's msgpack arrays back as tuples
            assert side["attributes"] == {k: tuple(v) if isinstance(v, list) else v for k, v in a.attrs.items()
                                          if v is not None}
            for name in ("annotator", "note", "review"):
                assert side.get(name) == getattr(a, name)
    assert len(table) == n


def test_the_docs_are_the_toolkits_own(tmp_path: Path) -> None:
    """Tokens, sentences, span groups and footnote markers as toolkit.stream_docs makes them."""
    def summary(doc: Doc) -> tuple[Any, ...]:
        return ([t.text for t in doc], [s.text for s in doc.sents],
                {k: [(s.start, s.end, s.label_, s.id_, s.kb_id_) for s in g] for k, g in doc.spans.items()},
                [(e.start, e.end, e.label_) for e in doc.ents],
                {k: v for k, v in doc.user_data.items() if k != docbin.USER_DATA})

    ours = loaded(tmp_path)
    theirs = list(toolkit.stream_docs(nlp=session_pipeline()))
    assert [summary(d) for d in ours] == [summary(d) for d in theirs]
    assert any(len(d.spans["footnote_refs"]) for d in ours)


def test_a_layer_added_to_the_schema_is_a_span_group_of_its_own() -> None:
    from dataclasses import replace

    schema = Layout.open().schema
    people = replace(schema.layers["dates"], name="people", ents=False)
    extended = replace(schema, layers={**schema.layers, "people": people})
    text = "Mansoor Hekmat spoke."
    doc = SourceDocument("d", text, (Span(0, 14, "people", "DATE", {"value": "x"}, id="p-1"),),
                         blocks=(Block("d.p1.para1", "d", "paragraph", 1, None, text, 0, len(text)),))
    data = docbin.export_document(doc, ExportContext(extended, {}, {}, session_pipeline))["d.spacy"]
    (back,) = DocBin().from_bytes(data).get_docs(session_pipeline().vocab)
    assert [(s.text, s.id_) for s in back.spans["people"]] == [("Mansoor Hekmat", "p-1")]
    assert back.user_data[docbin.USER_DATA] == {"p-1": {"layer": "people", "attributes": {"value": "x"}}}


def test_the_config_is_spacys_with_the_spans_key_set(tmp_path: Path) -> None:
    config = docbin.export_config(context())["config.cfg"].decode()
    proc = subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(tmp_path / "spacy.cfg"), "--lang",
                           "en", "--pipeline", "ner,spancat"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    theirs = (tmp_path / "spacy.cfg").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(theirs.splitlines(), config.splitlines(), strict=True) if a != b]
    assert changed == [('@tokenizers = "spacy.Tokenizer.v1"', '@tokenizers = "toolkit.Tokenizer.v1"'),
                       ('spans_key = "sc"', 'spans_key = "entities"')]


def test_spacy_debug_data_accepts_it(tmp_path: Path) -> None:
    data = tmp_path / "pwc.spacy"
    data.write_bytes(exported_bytes())
    config = tmp_path / "config.cfg"
    config.write_bytes(docbin.export_config(context())["config.cfg"])
    proc = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", str(config), "--paths.train", str(data),
                           "--paths.dev", str(data)], capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "ANSI_COLORS_DISABLED": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if "✘" in line]
    assert errors == []
    assert "Span Categorization" in proc.stdout and "Named Entity Recognition" in proc.stdout
    spans_key = next(line for line in proc.stdout.splitlines() if line.startswith("entities "))
    assert "GPE" in spans_key  # the layer's labels, read from doc.spans["entities"]
    assert "No entities crossing sentence boundaries" in proc.stdout
    assert "misaligned" not in proc.stdout  # the config's tokenizer is the one the data was split with


def test_the_export_command_writes_it(tmp_path: Path) -> None:
    from toolkit.exporting import export

    written = {p.name for p in export(format="docbin", out=tmp_path)}
    assert {"pwc.spacy", "config.cfg"} <= written
    assert len(DocBin().from_disk(tmp_path / "pwc.spacy")) == len(toolkit.read_document("pwc")[1])


def test_a_document_without_blocks_is_one_doc() -> None:
    text = "Mansoor Hekmat founded it. Iran grew."
    doc = SourceDocument("d", text, (Span(text.index("Iran"), text.index("Iran") + 4, "entities", "GPE",
                                          {"entity": "iran", "mention": "NAM"}, id="e-1"),))
    (back,) = DocBin().from_bytes(docbin.export_document(doc, context())["d.spacy"]).get_docs(
        session_pipeline().vocab)
    assert back.text == text and len(list(back.sents)) == 2
    assert [(e.text, e.label_, e.kb_id_, e.id_) for e in back.ents] == [("Iran", "GPE", "iran", "e-1")]
