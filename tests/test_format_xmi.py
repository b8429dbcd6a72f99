"""The xmi format (INCEpTION, WebAnno): cassis reads our export as our data says, imports give back every span,
an INCEpTION Named Entity export reads with its labels and identifiers, and hostile or broken XML is refused."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import cassis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

import toolkit
from toolkit.corpus import Corpus
from toolkit.errors import ToolkitError
from toolkit.exporting import export, source_documents
from toolkit.formats import xmi
from toolkit.formats.mapping import Mapped, apply, read_mapping
from toolkit.formats.model import ExportContext, SourceDocument, Span
from toolkit.importing import import_
from toolkit.layout import Layout
from toolkit.models import Block, Document
from toolkit.schema import Schema, read_schema

from .conftest import ANNOTATIONS, SOURCE, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "xmi"
INCEPTION = FIXTURES / "inception"
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
XMI_NS = "{http://www.omg.org/XMI}"
TOKEN = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"


# --- helpers ---------------------------------------------------------------------------------------------------------

def context_for(schema: Schema, nlp: Language, documents: dict[str, Document] | None = None) -> ExportContext:
    return ExportContext(schema, {}, documents or {}, lambda: nlp)


def write(files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def export_to(folder: Path, docs: list[SourceDocument], context: ExportContext) -> None:
    for doc in docs:
        write(xmi.export_document(doc, context), folder)
    write(xmi.export_config(context), folder)


def read_one(path: Path) -> SourceDocument:
    [doc] = list(xmi.read(path))
    return doc


def ours(span: Span) -> tuple[Any, ...]:
    """What a round trip must keep of an exported span: everything, null attributes being absent."""
    features = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in span.features.items()
                            if v is not None))
    return span.start, span.end, span.type, span.label, features, span.id, span.annotator, span.note, span.review


def back(span: Span, schema: Schema) -> tuple[Any, ...]:
    """An imported span in our terms, through the format's default mapping."""
    mapped = apply(span, xmi.default_mapping(schema), schema)
    assert isinstance(mapped, Mapped), mapped
    return ours(Span(span.start, span.end, mapped.layer, mapped.label, mapped.attrs, span.id, None, span.annotator,
                     span.note, span.review))


def cassis_value(value: Any) -> Any:
    return list(value.elements) if hasattr(value, "elements") else value


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shipped_docs() -> list[SourceDocument]:
    layout = Layout.open()
    return list(source_documents(layout, layers=list(layout.schema.layers)))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, shipped_docs: list[SourceDocument]) -> Path:
    """The whole shipped corpus exported, as ``toolkit export --format xmi`` writes it."""
    from .conftest import shared_pipeline

    out = tmp_path_factory.mktemp("xmi") / "out"
    with shared_pipeline():
        export(format="xmi", out=out)
    return out


# --- 1. cassis reads our export as our data says ------------------------------------------------------------------

def test_cassis_sees_exactly_our_spans(exported: Path, shipped_corpus: Corpus) -> None:
    system = cassis.load_typesystem(exported / "TypeSystem.xml")
    schema = shipped_corpus.layout.schema
    for doc in shipped_corpus.documents:
        cas = cassis.load_cas_from_xmi(exported / f"{doc}.xmi", typesystem=system)
        assert cas.sofa_string == SOURCE.read_text(encoding="utf-8")
        for name, layer in schema.layers.items():
            features = xmi.feature_names(layer)
            expected: Counter[tuple[Any, ...]] = Counter()
            for a in shipped_corpus.annotations(name):
                block = shipped_corpus[a.paragraph]
                if block.doc != doc:
                    continue
                attrs = tuple(sorted((features[k], tuple(v) if isinstance(v, list) else v)
                                     for k, v in a.attrs.items() if v is not None))
                expected[(block.source_start + a.start, block.source_start + a.end, a.text, a.label, attrs, a.id,
                          a.annotator, a.note, a.review)] += 1
            seen: Counter[tuple[Any, ...]] = Counter()
            for fs in cas.select(xmi.layer_type(name)):
                attrs = tuple(sorted((f, tuple(v) if isinstance(v, list) else v) for f in features.values()
                                     if (v := cassis_value(fs.get(f))) is not None))
                seen[(fs.begin, fs.end, fs.get_covered_text(), fs.get("label"), attrs, fs.get("annotationId"),
                      fs.get("annotator"), fs.get("note"), fs.get("review"))] += 1
            assert expected, f"the shipped corpus has no {name}"
            assert seen == expected, name


def test_dkpro_structure_is_what_inception_expects(exported: Path, shipped_corpus: Corpus, nlp: Language) -> None:
    system = cassis.load_typesystem(exported / "TypeSystem.xml")
    cas = cassis.load_cas_from_xmi(exported / "pwc.xmi", typesystem=system)
    [meta] = cas.select("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData")
    assert (meta.get("documentId"), meta.get("documentTitle")) == ("pwc", shipped_corpus.documents["pwc"].title)
    assert (meta.begin, meta.end) == (0, len(cas.sofa_string))
    assert system.get_type(meta.type.name).supertype.name == "uima.tcas.DocumentAnnotation"
    blocks = [b for b in shipped_corpus if b.doc == "pwc"]
    tokens = [(b.source_start + t.idx, b.source_start + t.idx + len(t)) for b in blocks for t in nlp(b.text)
              if not t.is_space]
    sentences = [(b.source_start + s.start_char, b.source_start + s.end_char) for b in blocks
                 for s in nlp(b.text).sents]
    got_tokens = [(t.begin, t.end) for t in cas.select(TOKEN)]
    assert sorted(got_tokens) == sorted(tokens)
    assert sorted((s.begin, s.end) for s in cas.select(SENTENCE)) == sorted(sentences)
    assert all(not t.get_covered_text().isspace() for t in cas.select(TOKEN))


def test_type_system_declares_one_custom_type_per_layer() -> None:
    system = cassis.load_typesystem(xmi.export_config(context_for(Layout.open().schema, toolkit.make_nlp()))
                                    ["TypeSystem.xml"].decode())
    claims = system.get_type("webanno.custom.Claims")
    assert claims.supertype.name == "uima.tcas.Annotation"
    declared = {f.name: f.rangeType.name for f in claims.features}
    assert declared == {"label": "uima.cas.String", "type_": "uima.cas.String", "holder": "uima.cas.StringArray",
                        "about": "uima.cas.StringArray", "annotationId": "uima.cas.String",
                        "annotator": "uima.cas.String", "note": "uima.cas.String", "review": "uima.cas.String"}
    assert {f.name for f in system.get_type("webanno.custom.Entities").features} >= {"label", "entity", "mention"}
    assert {f.name for f in system.get_type("webanno.custom.Dates").features} >= {"label", "value", "mod"}
    assert "NAM, NOM" in (system.get_type("webanno.custom.Entities").get_feature("mention").description or "")


def test_inception_can_take_the_type_system_as_its_layers() -> None:
    """What INCEpTION's type system import (TypeSystemAnalysis) and its feature-name rules accept: a span layer
    is a direct subtype of Annotation with primitive or StringArray features, named like identifiers, none of
    them a name INCEpTION keeps for itself."""
    system = cassis.load_typesystem(xmi.export_config(context_for(Layout.open().schema, toolkit.make_nlp()))
                                    ["TypeSystem.xml"].decode())
    custom = [t for t in system.get_types() if t.name.startswith("webanno.custom.")]
    assert len(custom) == len(Layout.open().schema.layers)
    for uima_type in custom:
        assert uima_type.supertype.name == "uima.tcas.Annotation"
        assert uima_type.description
        for feature in uima_type.features:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", feature.name) and "__" not in feature.name
            assert feature.name.lower() not in {"type", "begin", "end", "sofa", "class", "address", "view"}
            assert feature.rangeType.name in ("uima.cas.String", "uima.cas.StringArray")
            assert feature.description


# --- 2. read(export) gives every span back ------------------------------------------------------------------------

def test_round_trip_whole_corpus(exported: Path, shipped_docs: list[SourceDocument]) -> None:
    schema = Layout.open().schema
    for doc in shipped_docs:
        got = read_one(exported / f"{doc.doc}.xmi")
        assert (got.doc, got.text) == (doc.doc, doc.text)
        assert len(doc.spans) > 500
        assert sorted(back(s, schema) for s in got.spans) == sorted(ours(s) for s in doc.spans)
        lines = (exported / f"{doc.doc}.xmi").read_text(encoding="utf-8").splitlines()
        for span in got.spans:
            assert span.line is not None and f'xmi:id="{span.tool_id}"' in lines[span.line - 1]


def test_export_then_import_leaves_the_layer_files_byte_identical(data_copy: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    from .conftest import shared_pipeline

    corpus, annotations = data_copy
    with shared_pipeline():
        export(format="xmi", out=tmp_path / "out", corpus_dir=corpus, annotations_dir=annotations)
    result = import_(tmp_path / "out", format="xmi", corpus_dir=corpus, annotations_dir=annotations)
    assert {state for counts in result.summary().values() for state in counts} == {"unchanged"}
    for path in sorted(ANNOTATIONS.glob("*.jsonl")):
        assert (annotations / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_export_back_from_inception_imports_unchanged(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    """What INCEpTION's export makes of ours: the CAS named after its annotator, DKPro's typesystem.xml, its
    metadata (the annotator in documentId, the uploaded file's name in documentTitle), and a span made there."""
    from .conftest import BLOCKS, drop_record, find_record, shared_pipeline

    corpus, annotations = data_copy
    _, dropped = drop_record(annotations / "entities.jsonl", "e-0032")  # the annotator adds it again in INCEpTION
    with shared_pipeline():
        export(format="xmi", out=tmp_path / "out", corpus_dir=corpus, annotations_dir=annotations)
    system = cassis.load_typesystem(tmp_path / "out" / "TypeSystem.xml")
    cas = cassis.load_cas_from_xmi(tmp_path / "out" / "pwc.xmi", typesystem=system)
    [meta] = cas.select("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData")
    meta.documentId, meta.documentTitle, meta.documentUri = "annotator1", "pwc.xmi", "my-project/pwc.xmi"
    at = find_record(BLOCKS, id=dropped["paragraph"])[1]["source_start"] + dropped["start"]
    cas.add(system.get_type("webanno.custom.Entities")(begin=at, end=at + len(dropped["text"]), label=dropped["label"],
                                                         entity=dropped["entity"], mention=dropped["mention"]))
    back_from = tmp_path / "from-inception"
    back_from.mkdir()
    cas.to_xmi(back_from / "annotator1.xmi")
    system.to_xml(back_from / "typesystem.xml")
    shutil.copy(tmp_path / "out" / "toolkit-export.json", back_from)
    result = import_(back_from, format="xmi", corpus_dir=corpus, annotations_dir=annotations, dry_run=True)
    records = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in annotations.glob("*.jsonl")
                  if path.stem in Layout.open().schema.layers)
    assert Counter(c.state for c in result.changes) == Counter({"unchanged": records, "added": 1})
    [added] = [c for c in result.changes if c.state == "added"]
    assert added.new is not None and added.new["text"] == dropped["text"] and added.new["id"] != ""


def test_a_layer_added_to_the_schema_travels_with_no_code_change(tmp_path: Path, nlp: Language) -> None:
    spec = json.loads((ANNOTATIONS / "schema.json").read_text(encoding="utf-8"))
    spec["layers"]["named_things"] = {
        "labels": ["THING"], "overlap": {"crossing": True, "duplicates": True, "nesting": True},
        "attributes": {"type": {"type": "string"}, "Begin": {"type": "string"}, "time-zone": {"type": "string"},
                       "annotationId": {"type": "string"}, "kinds": {"type": "registry_ids"}}}
    (tmp_path / "schema.json").write_text(json.dumps(spec), encoding="utf-8")
    schema = read_schema(tmp_path / "schema.json")
    assert xmi.layer_type("named_things") == "webanno.custom.NamedThings"
    assert xmi.feature_names(schema.layers["named_things"]) == {
        "type": "type_", "Begin": "Begin_", "time-zone": "timeZone", "annotationId": "annotationId_", "kinds": "kinds"}
    text = "A thing, another thing."
    spans = (Span(2, 7, "named_things", "THING", {"type": "x", "Begin": "b", "time-zone": "UTC+3",
                                                  "annotationId": "theirs", "kinds": ["a", "b c", "a"]}, id="t-1"),
             Span(2, 7, "named_things", "THING", {"kinds": []}, id="t-2", note="same offsets"))
    doc = SourceDocument("d", text, spans)
    export_to(tmp_path / "out", [doc], context_for(schema, nlp))
    got = read_one(tmp_path / "out" / "d.xmi")
    assert sorted(back(s, schema) for s in got.spans) == sorted(ours(s) for s in spans)


@pytest.mark.parametrize("note", ['<&>"\'', "line one\nline two\r\n\ttabbed", "  spaced  ", "]]> --> <!-- x"])
def test_strings_that_xml_escapes_come_back_as_they_were(tmp_path: Path, nlp: Language, note: str) -> None:
    schema = Layout.open().schema
    span = Span(0, 4, "claims", "CLAIM", {"type": note, "holder": [note, "author"], "about": []}, id="c-1",
                annotator=note, note=note, review=note)
    text = f"Iraq {note}\n"
    export_to(tmp_path, [SourceDocument("d", text, (span,))], context_for(schema, nlp))
    got = read_one(tmp_path / "d.xmi")
    assert got.text == text
    assert [back(s, schema) for s in got.spans] == [ours(span)]


def test_text_xml_cannot_carry_is_refused_at_export(nlp: Language) -> None:
    with pytest.raises(ToolkitError, match=r"U\+000C at character 5.*XML 1\.0"):
        xmi.export_document(SourceDocument("d", "page \x0c two", ()), context_for(Layout.open().schema, nlp))


# --- UTF-16 units: cassis converts, at the format's edge -----------------------------------------------------------

ASTRAL_TEXT = "𝔸 Iraq and 😀Iran.\n\nThe 𝔸-party 😀 of Kurdistan."


@pytest.fixture
def astral(tmp_path: Path, nlp: Language) -> tuple[SourceDocument, Path]:
    second = ASTRAL_TEXT.index("The")
    blocks = (Block("d.p1.para1", "d", "paragraph", 1, None, ASTRAL_TEXT[:second - 2], 0, second - 2),
              Block("d.p1.para2", "d", "paragraph", 1, None, ASTRAL_TEXT[second:], second, len(ASTRAL_TEXT)))
    at = ASTRAL_TEXT.index
    spans = (Span(at("Iraq"), at("Iraq") + 4, "entities", "GPE", {"entity": "iraq", "mention": "NAM"}, id="e-1"),
             Span(at("😀Iran"), at("😀Iran") + 5, "entities", "GPE", {"entity": "iran", "mention": "NAM"}, id="e-2"),
             Span(at("The"), len(ASTRAL_TEXT) - 1, "claims", "CLAIM",
                  {"type": "fact", "holder": ["author"], "about": ["kurdistan"]}, id="c-1"),
             Span(at("Kurdistan"), at("Kurdistan") + 9, "entities", "GPE", {"entity": "kurdistan", "mention": "NAM"},
                  id="e-3"))
    doc = SourceDocument("d", ASTRAL_TEXT, spans, blocks=blocks)
    export_to(tmp_path, [doc], context_for(Layout.open().schema, nlp, {}))
    return doc, tmp_path


def utf16(text: str, point: int) -> int:
    return len(text[:point].encode("utf-16-le")) // 2


def test_xmi_offsets_are_utf16_units_and_cassis_gives_code_points(astral: tuple[SourceDocument, Path]) -> None:
    doc, folder = astral
    root = ElementTree.parse(folder / "d.xmi").getroot()
    written = {el.get("annotationId"): (int(el.get("begin", "")), int(el.get("end", ""))) for el in root
               if el.get("annotationId") is not None}
    for span in doc.spans:
        assert written[span.id] == (utf16(doc.text, span.start), utf16(doc.text, span.end))
    assert all(written[s.id] != (s.start, s.end) for s in doc.spans)  # each span starts past an astral character
    cas = cassis.load_cas_from_xmi(folder / "d.xmi", typesystem=cassis.load_typesystem(folder / "TypeSystem.xml"))
    got = {fs.get("annotationId"): (fs.begin, fs.end, fs.get_covered_text())
           for fs in cas.select("uima.tcas.Annotation") if fs.type.name.startswith("webanno.custom.")}
    assert got == {s.id: (s.start, s.end, doc.text[s.start:s.end]) for s in doc.spans}
    tokens = [t.get_covered_text() for t in cas.select(TOKEN)]
    assert "Kurdistan" in tokens and "Iraq" in tokens


def test_astral_round_trip(astral: tuple[SourceDocument, Path]) -> None:
    doc, folder = astral
    schema = Layout.open().schema
    got = read_one(folder / "d.xmi")
    assert got.text == doc.text
    assert sorted(back(s, schema) for s in got.spans) == sorted(ours(s) for s in doc.spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="ab \n\r\t<&\"é𝔸😀\u2028", max_size=40).flatmap(
    lambda text: st.tuples(st.just(text), st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))),
                                                   max_size=6))))
def test_any_text_and_spans_round_trip_in_utf16_units(tmp_path: Path, nlp: Language,
                                                      case: tuple[str, list[tuple[int, int]]]) -> None:
    text, pairs = case
    schema = Layout.open().schema
    spans = tuple(Span(min(p), max(p), "entities", "GPE", {"entity": f"x{n}", "mention": "NAM"}, id=f"e-{n}")
                  for n, p in enumerate(pairs))
    files = xmi.export_document(SourceDocument("d", text, spans), context_for(schema, nlp))
    write({**files, **xmi.export_config(context_for(schema, nlp))}, tmp_path)
    root = ElementTree.fromstring(files["d.xmi"])
    written = {el.get("annotationId"): (int(el.get("begin", "")), int(el.get("end", ""))) for el in root
               if el.get("annotationId") is not None}
    assert written == {s.id: (utf16(text, s.start), utf16(text, s.end)) for s in spans}
    got = read_one(tmp_path / "d.xmi")
    assert got.text == text
    assert sorted(back(s, schema) for s in got.spans) == sorted(ours(s) for s in spans)


def test_an_offset_inside_a_surrogate_pair_is_refused(astral: tuple[SourceDocument, Path]) -> None:
    doc, folder = astral
    inside = utf16(doc.text, doc.text.index("😀")) + 1
    content = (folder / "d.xmi").read_text(encoding="utf-8")
    first = f'begin="{utf16(doc.text, doc.spans[1].start)}"'
    assert first in content
    (folder / "d.xmi").write_text(content.replace(first, f'begin="{inside}"', 1), encoding="utf-8")
    with pytest.raises(ToolkitError, match=rf"d\.xmi: cassis cannot read it.*\[{inside}\]"):
        read_one(folder / "d.xmi")


# --- 3. an INCEpTION export of its built-in Named Entity layer ----------------------------------------------------

def test_the_inception_fixture_is_what_its_script_writes() -> None:
    maker = load_module(FIXTURES / "make_inception.py")
    typesystem, xmi_text = maker.build(SOURCE.read_bytes().decode("utf-8"))
    assert (INCEPTION / "typesystem.xml").read_text(encoding="utf-8") == typesystem
    assert (INCEPTION / "annotator1.xmi").read_text(encoding="utf-8") == xmi_text


def test_inception_named_entities_read_with_their_labels_and_identifiers(shipped_corpus: Corpus) -> None:
    doc = read_one(INCEPTION / "annotator1.xmi")  # named by its annotator, as INCEpTION names it
    assert doc.doc == "pwc"
    assert doc.text == SOURCE.read_bytes().decode("utf-8")
    assert {s.type for s in doc.spans} == {NAMED_ENTITY}  # tokens, sentences, metadata and tagsets are structure
    root = ElementTree.parse(INCEPTION / "annotator1.xmi").getroot()
    raw = {el.get(f"{XMI_NS}id"): el for el in root if el.tag.endswith("}NamedEntity")}
    assert len(doc.spans) == len(raw) >= 5
    schema = shipped_corpus.layout.schema
    types = read_mapping([str(FIXTURES / "inception-mapping.json")], schema)
    gold = {(shipped_corpus[a.paragraph].source_start + a.start, a.label, a.attrs["entity"], a.attrs["mention"]): a
            for a in shipped_corpus.annotations("entities")}
    for span in doc.spans:
        element = raw[span.tool_id]
        assert (span.label, span.features) == (element.get("value"), {"identifier": element.get("identifier")})
        assert (span.id, span.annotator, span.note, span.review) == (None, None, None, None)
        mapped = apply(span, types, schema)
        assert isinstance(mapped, Mapped)
        assert mapped.layer == "entities"
        assert not mapped.attrs["entity"].startswith("http")
        match = gold[(span.start, mapped.label, mapped.attrs["entity"], mapped.attrs["mention"])]
        assert doc.text[span.start:span.end] == match.text
    assert {s.label for s in doc.spans} == {"PER", "ORG", "LOC"}


def test_a_foreign_custom_layer_keeps_its_own_note_feature(tmp_path: Path) -> None:
    system = cassis.TypeSystem()
    layer = system.create_type("webanno.custom.Stance")
    for name in ("value", "note", "annotator"):
        system.create_feature(layer, name, "uima.cas.String")
    system.create_feature(layer, "score", "uima.cas.Integer")
    system.create_feature(layer, "tags", "uima.cas.StringArray")
    with pytest.warns(UserWarning, match="reserved name"):  # cassis calls its accessor type_
        system.create_feature(layer, "type", "uima.cas.String")
    score = system.create_type("webanno.custom.Score")
    system.create_feature(score, "value", "uima.cas.Integer")
    partial = system.create_type("webanno.custom.Partial")  # one of ours, cut down by hand
    for name in ("label", "annotationId"):
        system.create_feature(partial, name, "uima.cas.String")
    cas = cassis.Cas(system, sofa_string="We oppose it.")
    tags = system.get_type("uima.cas.StringArray")(elements=["x", "y"])
    cas.add(layer(begin=3, end=9, value="AGAINST", note="theirs", annotator="ann1", score=3, tags=tags, type_="t"))
    cas.add(score(begin=0, end=2, value=7))
    cas.add(partial(begin=10, end=12, label="X", annotationId="p-1"))
    cas.to_xmi(tmp_path / "doc.xmi")
    system.to_xml(tmp_path / "TypeSystem.xml")
    spans = {s.type: s for s in read_one(tmp_path / "doc.xmi").spans}
    span = spans["webanno.custom.Stance"]
    assert (span.label, span.note, span.annotator, span.id) == ("AGAINST", None, None, None)
    assert span.features == {"note": "theirs", "annotator": "ann1", "score": 3, "tags": ["x", "y"], "type": "t"}
    assert (spans["webanno.custom.Score"].label, spans["webanno.custom.Score"].features) == (None, {"value": 7})
    assert (spans["webanno.custom.Partial"].label, spans["webanno.custom.Partial"].id) == ("X", "p-1")
    assert read_one(tmp_path / "doc.xmi").doc is None  # no DocumentMetaData: the file's stem names it


def test_relations_references_and_other_views_are_named_as_unread(tmp_path: Path) -> None:
    system = cassis.TypeSystem()
    span_type = system.create_type("webanno.custom.Actor")
    system.create_feature(span_type, "value", "uima.cas.String")
    system.create_feature(span_type, "other", "uima.tcas.Annotation")
    relation = system.create_type("webanno.custom.Supports")
    for name in ("Governor", "Dependent"):
        system.create_feature(relation, name, "webanno.custom.Actor")
    system.create_feature(relation, "value", "uima.cas.String")
    cas = cassis.Cas(system, sofa_string="Iraq and Iran.")
    iraq, iran = span_type(begin=0, end=4, value="GPE"), span_type(begin=9, end=13, value="GPE")
    cas.add_all([iraq, iran])
    iran.other = iraq
    cas.add(relation(begin=9, end=13, Governor=iraq, Dependent=iran, value="supports"))
    cas.create_view("translation").sofa_string = "العراق"
    cas.to_xmi(tmp_path / "doc.xmi")
    system.to_xml(tmp_path / "TypeSystem.xml")
    doc = read_one(tmp_path / "doc.xmi")
    assert [(s.start, s.end, s.type, s.label, dict(s.features)) for s in doc.spans] == [
        (0, 4, "webanno.custom.Actor", "GPE", {}), (9, 13, "webanno.custom.Actor", "GPE", {})]
    assert sorted(doc.unread) == sorted([
        "the CAS view 'translation' (a text of its own) is not read",
        "the UIMA relation webanno.custom.Supports is not a span",
        "feature other of webanno.custom.Actor refers to other feature structures (not read)"])


@pytest.mark.parametrize(("metadata", "expected"), [
    ({"documentId": "pwc", "documentTitle": "Prospects of Worker Communism"}, "pwc"),  # the toolkit's export
    ({"documentId": "annotator1", "documentTitle": "pwc.xmi", "documentUri": "slug/pwc.xmi",
      "documentBaseUri": "slug"}, "pwc"),  # INCEpTION: the data owner in documentId
    ({"documentId": "pwc.txt", "documentTitle": "pwc.txt", "documentUri": "file:/srv/inception/source/pwc.txt"},
     "pwc"),  # older INCEpTION: the file name everywhere
    ({"documentId": "pwc", "documentTitle": "pwc.xmi", "documentUri": "elsewhere"}, "pwc"),
    ({"documentTitle": "pwc.xmi"}, None),
    ({}, None),
])
def test_the_document_is_the_one_the_metadata_names(tmp_path: Path, metadata: dict[str, str],
                                                    expected: str | None) -> None:
    system = cassis.TypeSystem()
    meta = system.create_type("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
                              "uima.tcas.DocumentAnnotation")
    for name in ("documentId", "documentTitle", "documentUri", "documentBaseUri"):
        system.create_feature(meta, name, "uima.cas.String")
    cas = cassis.Cas(system, sofa_string="Some text.")
    cas.add(meta(begin=0, end=10, **metadata))
    cas.to_xmi(tmp_path / "file.xmi")
    system.to_xml(tmp_path / "TypeSystem.xml")
    assert read_one(tmp_path / "file.xmi").doc == expected


# --- XML is parsed safely ---------------------------------------------------------------------------------------------

SECRET = "xmi-secret-7f3a9c"


def hostile(kind: str, secret: Path) -> str:
    if kind == "file":
        return (f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>\n'
                '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" a="&e;"/>')
    if kind == "passwd":
        return ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI">&e;</xmi:XMI>')
    if kind == "network":
        return ('<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]>\n'
                '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI">&e;</xmi:XMI>')
    if kind == "external-dtd":
        return '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">\n<xmi:XMI xmlns:xmi="http://www.omg.org/XMI"/>'
    if kind == "parameter":
        return (f'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n'
                '<xmi:XMI xmlns:xmi="http://www.omg.org/XMI"/>')
    assert kind == "laughs"
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    return f'<!DOCTYPE x [{"".join(entities)}]>\n<xmi:XMI xmlns:xmi="http://www.omg.org/XMI">&l9;</xmi:XMI>'


HOSTILE = ("file", "passwd", "network", "external-dtd", "parameter", "laughs")


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("where", ["pwc.xmi", "TypeSystem.xml"])
def test_dtds_and_entities_are_refused_quickly(tmp_path: Path, exported: Path, kind: str, where: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "in"
    shutil.copytree(exported, folder)
    content = hostile(kind, secret)
    if where == "TypeSystem.xml":
        content = content.replace("xmi:XMI", "typeSystemDescription").replace(
            'xmlns:xmi="http://www.omg.org/XMI"', 'xmlns="http://uima.apache.org/resourceSpecifier"')
    (folder / where).write_text(content, encoding="utf-8")
    began = time.monotonic()
    with pytest.raises(ToolkitError) as caught:
        read_one(folder / "pwc.xmi")
    assert time.monotonic() - began < 2
    assert caught.value.file == str(folder / where)
    assert "DTDs and entities are not accepted in XMI" in str(caught.value)
    assert SECRET not in str(caught.value) and "root:" not in str(caught.value)


@pytest.mark.parametrize("kind", ["file", "laughs"])
def test_the_command_line_refuses_them_and_shows_nothing_of_the_file(tmp_path: Path, data_copy: tuple[Path, Path],
                                                                     kind: str) -> None:
    corpus, annotations = data_copy
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "in"
    write({"TypeSystem.xml": xmi.export_config(context_for(Layout.open().schema, toolkit.make_nlp()))
           ["TypeSystem.xml"], "pwc.xmi": hostile(kind, secret).encode()}, folder)
    run = run_cli("import", folder, "--format", "xmi", "--corpus", corpus, "--annotations", annotations)
    assert run.returncode == 2
    assert "DTDs and entities are not accepted in XMI" in run.stderr and "pwc.xmi" in run.stderr
    assert SECRET not in run.stdout + run.stderr and "lollol" not in run.stdout + run.stderr
    for path in sorted(ANNOTATIONS.glob("*.jsonl")):
        assert (annotations / path.name).read_bytes() == path.read_bytes()


# --- broken files -----------------------------------------------------------------------------------------------------

def truncated(content: str) -> str:
    return content[:len(content) // 2]


def not_xml(content: str) -> str:
    return "Prospects of Worker Communism\nRezgar Akrawi\n"


def wrong_root(content: str) -> str:
    return '<?xml version="1.0"?>\n<html><body>pwc</body></html>'


def empty(content: str) -> str:
    return ""


def unknown_type(content: str) -> str:
    return content.replace("custom:Entities", "custom:Unheardof", 2)


def bad_value(content: str) -> str:
    return content.replace('isLastSegment="false"', 'isLastSegment="perhaps"').replace(
        'begin="0"', 'begin="zero"', 1)


@pytest.mark.parametrize(("breaking", "message", "has_line"), [
    (truncated, r"not well-formed XML \(", True),
    (not_xml, r"not well-formed XML \(syntax error", True),
    (wrong_root, r"not an XMI file \(root xmi:XMI\): its root element is 'html'", False),
    (empty, r"not well-formed XML \(no element found", True),
    (unknown_type, r"not a CAS that TypeSystem\.xml describes: .*Unheardof", False),
    (bad_value, r"not a CAS that TypeSystem\.xml describes: ValueError", False),
])
def test_broken_xmi_is_an_error_naming_the_file(tmp_path: Path, exported: Path, breaking: Callable[[str], str],
                                                message: str, has_line: bool) -> None:
    folder = tmp_path / "in"
    shutil.copytree(exported, folder)
    path = folder / "pwc.xmi"
    path.write_text(breaking(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ToolkitError, match=message) as caught:
        read_one(path)
    assert caught.value.file == str(path)
    assert (caught.value.line is not None) == has_line


@pytest.mark.parametrize(("breaking", "message"), [
    (truncated, r"not well-formed XML"),
    (lambda content: content.replace("webanno.custom.Entities", "webanno.custom.Other"), r"describes:.*Entities"),
    (lambda content: '<typeSystemDescription xmlns="http://uima.apache.org/resourceSpecifier"><types><typeDescription>'
     "<name>x.Y</name><supertypeName>no.Such</supertypeName></typeDescription></types></typeSystemDescription>",
     r"type system cassis can read"),
    (lambda content: content.replace("resourceSpecifier", "elsewhere"), r"not a UIMA type system"),
])
def test_a_broken_type_system_is_an_error_naming_the_file_at_fault(tmp_path: Path, exported: Path,
                                                                    breaking: Callable[[str], str],
                                                                    message: str) -> None:
    folder = tmp_path / "in"
    shutil.copytree(exported, folder)
    system = folder / "TypeSystem.xml"
    system.write_text(breaking(system.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ToolkitError, match=message) as caught:
        read_one(folder / "pwc.xmi")
    assert caught.value.file in (str(system), str(folder / "pwc.xmi"))
    assert ("describes" in str(caught.value)) == (caught.value.file == str(folder / "pwc.xmi"))


def test_without_its_type_system_the_error_names_the_missing_file(tmp_path: Path, exported: Path) -> None:
    shutil.copy(exported / "pwc.xmi", tmp_path / "pwc.xmi")
    with pytest.raises(ToolkitError, match=r"no TypeSystem\.xml \(or typesystem\.xml\) beside pwc\.xmi") as caught:
        read_one(tmp_path / "pwc.xmi")
    assert caught.value.file == str(tmp_path / "TypeSystem.xml")


def test_read_checks_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="cannot read it"):
        xmi.read(tmp_path / "missing.xmi")

