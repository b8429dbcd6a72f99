"""brat standoff: our export as bratly and brat's own format rules see it, its exact read-back, and brat's own files."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bratly.annotation_types import AttributeAnnotation, EntityAnnotation, NormalizationAnnotation, NoteAnnotation
from bratly.io.file_read_src import parse_ann_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.checks import load_checks
from toolkit.errors import ToolkitError
from toolkit.exporting import export
from toolkit.formats import brat, mapping
from toolkit.formats.model import ExportContext, Exporter, SourceDocument, Span
from toolkit.importing import import_
from toolkit.join import iter_parts
from toolkit.layout import Layout
from toolkit.readers import read_document_record
from toolkit.schema import read_schema
from toolkit.timex import MODS

from .conftest import ANNOTATIONS, SOURCE

FIXTURES = Path(__file__).parent / "fixtures" / "brat"


def shipped_documents(layout: Layout) -> dict[str, SourceDocument]:
    """Every document of the corpus as the export driver hands it over: its source, spans lifted to it."""
    items = [item for part in iter_parts(layout, load_checks(layout)) for item in part]
    out = {}
    for folder in layout.documents:
        record = read_document_record(folder)
        spans = [Span(item.block.source_start + a.start, item.block.source_start + a.end, a.layer, a.label,
                      dict(a.attrs), a.id, None, a.annotator, a.note, a.review)
                 for item in items if item.block.doc == folder.name
                 for layer in item.layers.values() for a in layer]
        text = (folder / record.source).read_bytes().decode("utf-8")
        out[folder.name] = SourceDocument(folder.name, text, tuple(sorted(spans, key=lambda s: (s.start, -s.end))))
    return out


def context(layout: Layout) -> ExportContext:
    return ExportContext(layout.schema, load_checks(layout).registry, {}, toolkit.make_nlp)


def export_with(module: Exporter, out: Path) -> tuple[Path, dict[str, SourceDocument], Layout]:
    """The shipped documents written by a format module into ``out``, as the export command lays them out."""
    layout = Layout.open()
    docs = shipped_documents(layout)
    for doc in docs.values():
        for name, content in module.export_document(doc, context(layout)).items():
            (out / name).write_bytes(content)
    for name, content in module.export_config(context(layout)).items():
        (out / name).write_bytes(content)
    return out, docs, layout


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, SourceDocument], Layout]:
    return export_with(brat, tmp_path_factory.mktemp("brat"))


def ann_lines(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


# --- the peer reads our export ---------------------------------------------------------------------------------

def bratly_read(path: Path) -> Any:
    with contextlib.redirect_stdout(io.StringIO()) as said:  # bratly prints what it drops
        collection = parse_ann_file(path.read_text(encoding="utf-8"), str(path), no_duplicates=False,
                                    sorting=False, renumerotize=False)
    return collection, said.getvalue()


def test_bratly_sees_every_line_of_the_export(exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, _, _ = exported
    lines = ann_lines(out / "pwc.ann")
    kinds = Counter(fields[0][0] for fields in lines)
    collection, said = bratly_read(out / "pwc.ann")
    assert len(collection.get_annotations(EntityAnnotation)) == kinds["T"] > 500
    assert len(collection.get_annotations(AttributeAnnotation)) == kinds["A"] > 400  # no A line dropped
    assert len(collection.get_annotations(NoteAnnotation)) == kinds["#"] > 1000
    # bratly's grammar takes a normalisation id of word characters only (brat's own takes \S+): the N lines it
    # drops are exactly those whose registry id has a hyphen, and it says so
    norms = {(n.component.id, n.external_resource) for n in collection.get_annotations(NormalizationAnnotation)}
    ours = {(f[1].split(" ")[1], tuple(f[1].split(" ")[2].split(":", 1))) for f in lines if f[0][0] == "N"}
    assert norms <= ours
    assert ours - norms == {n for n in ours if re.search(r"\W", n[1][1])}
    assert said.count("NormalizationAnnotation") == len(ours - norms) > 0


def test_bratly_sees_the_annotations_of_the_layer_files(
        exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, _, layout = exported
    names = brat.brat_names(layout.schema)
    blocks = {b["id"]: b for b in map(json.loads, (layout.corpus_dir / "pwc" / "blocks.jsonl").open())}
    collection, _ = bratly_read(out / "pwc.ann")
    attributes: dict[str, dict[str, Any]] = {}
    for a in collection.get_annotations(AttributeAnnotation):
        attributes.setdefault(a.component.id, {})[a.label] = a.values[0]
    for n in collection.get_annotations(NoteAnnotation):
        attributes.setdefault(n.component.id, {})[n.label] = n.value
    seen: Counter[tuple[Any, ...]] = Counter()
    for e in collection.get_annotations(EntityAnnotation):
        [fragment] = e.fragments
        said = attributes.get(e.id, {})
        seen[said["ToolkitId"], fragment.start, fragment.end, e.label, e.content,
             tuple(sorted((k, v) for k, v in said.items() if k not in ("ToolkitId", "Annotator", "AnnotatorNotes")))
             ] += 1
    want: Counter[tuple[Any, ...]] = Counter()
    for layer in layout.schema.layers.values():
        for a in toolkit.read_layer(layer.name):
            start = blocks[a.paragraph]["source_start"] + a.start
            attrs = []
            for name, value in a.attrs.items():
                if value is None or value == [] or name == layer.link:
                    continue
                attrs.append((names.attributes[layer.name, name], " ".join(value) if isinstance(value, list)
                              else value))
            want[a.id, start, start + len(a.text), names.types[layer.name, a.label], a.text,
                 tuple(sorted(attrs))] += 1
    assert seen == want


# --- brat's own rules (server/src/annotation.py, projectconfig.py, verify_annotations.py) ------------------------

def read_conf(path: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    """A brat configuration: section -> term -> argument -> values, as brat splits it (terms by '|' too)."""
    sections: dict[str, dict[str, dict[str, list[str]]]] = {}
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.fullmatch(r"\[\w+\]", line.strip()):
            section = line.strip()[1:-1]
            sections[section] = {}
            continue
        assert section is not None
        split = r"^(\s*)([^\t]+)(?:\t(.*))?$" if section == "labels" else r"^(\s*)(\S+)(?:\s+(.*))?$"
        match = re.match(split, line)
        assert match, line
        args: dict[str, list[str]] = {}
        for arg in (match[3] or "").split(","):
            if arg.strip():
                key, _, values = arg.strip().partition(":")
                args[key] = values.split("|")
        for term in match[2].split("|"):
            sections[section][term.strip()] = args
    return sections


def test_the_export_keeps_brats_rules(exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, _, _ = exported
    conf = read_conf(out / "annotation.conf")
    assert set(conf) == {"entities", "relations", "events", "attributes"}
    assert set(read_conf(out / "visual.conf")) == {"labels", "drawing"}
    text = (out / "pwc.txt").read_bytes().decode("utf-8")
    ids: list[str] = []
    types: dict[str, str] = {}
    for fields in ann_lines(out / "pwc.ann"):
        ids.append(fields[0])
        kind = fields[0][0]
        if kind == "T":
            name, start, end = fields[1].split(" ")
            assert fields[2] == text[int(start):int(end)]
            assert name in conf["entities"]
            types[fields[0]] = name
        elif kind == "A":
            name, target, value = fields[1].split(" ")
            assert target in types and name in conf["attributes"]
            assert types[target] in conf["attributes"][name]["Arg"] and value in conf["attributes"][name]["Value"]
        elif kind == "N":
            assert re.fullmatch(r"(\S+) (\S+) (\S+?):(\S+)", fields[1]) and fields[1].split(" ")[1] in types
            assert len(fields) == 3 and fields[2]
        else:
            assert kind == "#" and len(fields) == 3
            name, target = fields[1].split(" ")
            assert target in types
    assert len(ids) == len(set(ids))


def overlap_rules(path: Path) -> list[tuple[set[str], set[str], set[str]]]:
    """The ``<OVERLAP>`` lines of annotation.conf: (Arg1 types, Arg2 types, overlap kinds)."""
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("<OVERLAP>"):
            args = dict(arg.strip().split(":", 1) for arg in line.split(None, 1)[1].split(","))
            rules.append((set(args["Arg1"].split("|")), set(args["Arg2"].split("|")),
                          set(args["<OVL-TYPE>"].split("|"))))
    return rules


def test_brat_allows_every_overlap_of_the_export(exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    """brat's verify_annotations: two overlapping spans need a rule for how they overlap (Arg1 is the inner one;
    <ANY> works both ways)."""
    out, _, _ = exported
    rules = overlap_rules(out / "annotation.conf")

    def kinds(inner: str, outer: str) -> set[str]:
        return set().union(*(k for a1, a2, k in rules if inner in a1 and outer in a2))

    def allowed(kind: str, inner: str, outer: str) -> bool:
        there, back = kinds(inner, outer), kinds(outer, inner)
        if kind == "contain":
            return bool({"contain", "<ANY>"} & there) or "<ANY>" in back
        return bool({kind, "<ANY>"} & (there | back))

    spans = [(int(f[1].split(" ")[1]), int(f[1].split(" ")[2]), f[1].split(" ")[0]) for f in ann_lines(out / "pwc.ann")
             if f[0][0] == "T"]
    checked = Counter[str]()
    for n, (s1, e1, t1) in enumerate(spans):
        for s2, e2, t2 in spans[n + 1:]:
            if not (s1 < e2 and s2 < e1):
                continue
            if (s1, e1) == (s2, e2):
                kind, inner, outer = "equal", t1, t2
            elif s1 <= s2 and e2 <= e1:
                kind, inner, outer = "contain", t2, t1
            elif s2 <= s1 and e1 <= e2:
                kind, inner, outer = "contain", t1, t2
            else:
                kind, inner, outer = "cross", t1, t2
            assert allowed(kind, inner, outer), (s1, e1, t1, s2, e2, t2)
            checked[kind] += 1
    assert checked["contain"] > 100  # claims hold entities and dates, NOM entities hold names


def test_the_export_is_the_source_and_the_conf_every_layer(
        exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, _, layout = exported
    assert (out / "pwc.txt").read_bytes() == SOURCE.read_bytes()
    conf = read_conf(out / "annotation.conf")
    labels = [label for layer in layout.schema.layers.values() for label in layer.labels]
    assert list(conf["entities"]) == labels
    enums = {name for layer in layout.schema.layers.values() for name, a in layer.attributes.items() if a.enum}
    assert enums <= set(conf["attributes"])
    assert conf["attributes"]["mention"]["Value"] == list(layout.schema.layers["entities"].attributes["mention"].enum
                                                          or ())


# --- round trip ---------------------------------------------------------------------------------------------------

def our_terms(span: Span) -> tuple[Any, ...]:
    return (span.start, span.end, span.type, span.label, {k: v for k, v in span.features.items() if v not in
                                                          (None, [])}, span.id, span.annotator, span.note,
            span.review)


def test_read_gives_back_every_exported_span(exported: tuple[Path, dict[str, SourceDocument], Layout]) -> None:
    out, docs, layout = exported
    [back] = list(brat.read(out / "pwc.ann"))
    assert back.doc is None and back.text == docs["pwc"].text
    rules = brat.default_mapping(layout.schema)
    got = []
    for span in back.spans:
        mapped = mapping.apply(span, rules, layout.schema)
        assert isinstance(mapped, mapping.Mapped), mapped
        got.append((span.start, span.end, mapped.layer, mapped.label, mapped.attrs, span.id, span.annotator,
                    span.note, span.review))
    assert got == [our_terms(span) for span in docs["pwc"].spans]
    assert [s.line for s in back.spans][:2] == [1, 1 + next(i for i, f in enumerate(ann_lines(out / "pwc.ann"))
                                                            if i and f[0] == "T2")]


def test_export_and_import_give_back_the_layer_files(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations)
    written = export(format="brat", out=tmp_path / "out")
    assert {p.name for p in written} >= {"pwc.txt", "pwc.ann", "annotation.conf", "visual.conf"}
    result = import_(tmp_path / "out", format="brat", annotations_dir=annotations)
    assert {state for counts in result.summary().values() for state in counts} == {"unchanged"}
    assert result.skipped == {}
    for path in ANNOTATIONS.glob("*.jsonl"):
        assert (annotations / path.name).read_bytes() == path.read_bytes(), path.name


def documents(free: st.SearchStrategy[str], alphabet: str) -> st.SearchStrategy[SourceDocument]:
    """Hand-made documents: any text over ``alphabet``, spans of every layer anywhere, attributes of every kind,
    ``free`` for free strings (values, notes, annotators)."""
    layout = Layout.open()
    registry = sorted(load_checks(layout).registry)
    schema = layout.schema
    ids = st.sampled_from(registry)

    def value(attribute: Any) -> st.SearchStrategy[Any]:
        if attribute.enum:
            return st.sampled_from(attribute.enum)
        if attribute.type == "timex3_mod":
            return st.none() | st.sampled_from(sorted(MODS))
        if attribute.type == "registry_id":
            return ids
        if attribute.type == "holders":
            return st.lists(st.sampled_from(["author", "unspecified", *registry]), min_size=1, max_size=3)
        if attribute.type == "registry_ids":
            return st.lists(ids, max_size=3)
        return free

    def span(text: str, n: int) -> st.SearchStrategy[Span]:
        layer = st.sampled_from(list(schema.layers.values()))
        return layer.flatmap(lambda spec: st.builds(
            lambda start, length, label, attrs, who, note, review: Span(
                start, min(len(text), start + length), spec.name, label, attrs, f"x-{n}", None, who, note, review),
            st.integers(0, len(text)), st.integers(0, 8), st.sampled_from(spec.labels),
            st.fixed_dictionaries({name: value(a) for name, a in spec.attributes.items()}),
            st.none() | free, st.none() | free, st.none() | free))

    return st.text(alphabet=alphabet, max_size=30).flatmap(lambda text: st.integers(0, 6).flatmap(
        lambda count: st.tuples(*(span(text, n) for n in range(count)))).map(
            lambda spans: SourceDocument("d", text, tuple(spans))))


ONE_LINE = st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\n\r\x0b\x0c\x1c"
                                          "\x1d\x1e\x85\u2028\u2029"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents(ONE_LINE, "ab \t“”<&\"é𝔸😀\n\u2028-"))
def test_any_document_brat_can_hold_reads_back(tmp_path: Path, doc: SourceDocument) -> None:
    layout = Layout.open()
    spans = tuple(s for s in doc.spans if not brat.LINE_BREAK.search(doc.text[s.start:s.end]))
    doc = SourceDocument(doc.doc, doc.text, spans)
    for name, content in brat.export_document(doc, context(layout)).items():
        (tmp_path / name).write_bytes(content)
    [back] = list(brat.read(tmp_path / "d.ann"))
    rules = brat.default_mapping(layout.schema)
    got = []
    for span in back.spans:
        mapped = mapping.apply(span, rules, layout.schema)
        assert isinstance(mapped, mapping.Mapped)
        got.append((span.start, span.end, mapped.layer, mapped.label, mapped.attrs, span.id, span.annotator,
                    span.note, span.review))
    assert got == [our_terms(span) for span in spans]


def test_edits_made_in_brat_come_back_as_changes(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations)
    export(format="brat", out=tmp_path / "out")
    ann = tmp_path / "out" / "pwc.ann"
    lines = ann_lines(ann)
    ours = {f[2]: f[1].split(" ")[1] for f in lines if f[1].startswith("ToolkitId ")}  # our id -> T id
    nam = [r for r in map(json.loads, (ANNOTATIONS / "entities.jsonl").open(encoding="utf-8"))
           if r["mention"] == "NAM"]
    renamed, deleted, recreated = nam[3]["id"], nam[4]["id"], nam[5]["id"]

    def about(fields: list[str], tid: str) -> bool:
        return fields[0] == tid or (fields[0][0] != "T" and fields[1].split(" ")[1] == tid)

    kept = []
    for fields in lines:
        if about(fields, ours[deleted]):
            continue  # brat deletes a span with everything said about it
        if about(fields, ours[recreated]) and fields[1].split(" ")[0] in ("ToolkitId", "Annotator"):
            continue  # made again in brat: none of our # lines
        line = "\t".join(fields)
        kept.append(line.replace(f"mention {ours[renamed]} NAM", f"mention {ours[renamed]} NOM"))
    ann.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    result = import_(tmp_path / "out", format="brat", annotations_dir=annotations, dry_run=True)
    changed = {c.id: c.state for c in result.changes if c.state != "unchanged"}
    assert changed == {renamed: "changed", deleted: "removed"}
    # the span made again takes the id of the record with its offsets and label, and keeps its annotator
    again = next(c for c in result.changes if c.tool_id == ours[recreated])
    assert (again.id, again.state) == (recreated, "unchanged")


def small_schema(tmp_path: Path) -> Path:
    """The shipped schema with a label and an attribute that two layers share."""
    spec = json.loads((ANNOTATIONS / "schema.json").read_text(encoding="utf-8"))
    spec["layers"]["dates"]["labels"].append("EVENT")
    spec["layers"]["dates"]["attributes"]["mention"] = {"type": "string", "required": False, "enum": ["NAM", "X"]}
    spec["layers"]["claims"]["attributes"]["comment"] = {"type": "string", "required": False}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize(("where", "name"), [("labels", "GOOD|BAD"), ("labels", "two words"), ("labels", "Annotator"),
                                             ("attributes", "AnnotatorNotes")])
def test_a_name_brat_cannot_write_is_refused(tmp_path: Path, where: str, name: str) -> None:
    spec = json.loads((ANNOTATIONS / "schema.json").read_text(encoding="utf-8"))
    if where == "labels":
        spec["layers"]["claims"]["labels"].append(name)
    else:
        spec["layers"]["claims"]["attributes"][name] = {"type": "string"}
    (tmp_path / "schema.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ToolkitError, match="cannot be a brat name") as caught:
        brat.brat_names(read_schema(tmp_path / "schema.json"))
    assert name in str(caught.value)


def test_labels_and_attributes_two_layers_share_are_kept_apart(tmp_path: Path) -> None:
    schema = read_schema(small_schema(tmp_path))
    names = brat.brat_names(schema)
    assert names.types["entities", "EVENT"] == "entities_EVENT" and names.types["dates", "EVENT"] == "dates_EVENT"
    assert names.types["dates", "DATE"] == "DATE"
    assert names.attributes["dates", "mention"] == "dates_mention"
    text = "In 𝔸 1991 the uprising\tbegan; “Kurdistan” rose."
    spans = (Span(5, 9, "dates", "DATE", {"value": "1991", "mod": "START", "mention": "X"}, "d-1", annotator="x"),
             Span(10, 22, "dates", "EVENT", {"value": "1991"}, "d-2", note="an event as a date"),
             Span(10, 22, "entities", "EVENT", {"entity": "kurdish-uprising", "mention": "NOM"}, "e-1",
                  review="text changed"),
             Span(0, 46, "claims", "CLAIM", {"type": "fact", "holder": ["author", "wcp-iraq"], "about": [],
                                             "comment": " two  spaces, kept "}, "c-1"))
    layout = Layout.open()
    ctx = ExportContext(schema, load_checks(layout).registry, {}, toolkit.make_nlp)
    for name, content in [*brat.export_document(SourceDocument("d", text, spans), ctx).items(),
                          *brat.export_config(ctx).items()]:
        (tmp_path / name).write_bytes(content)
    conf = read_conf(tmp_path / "annotation.conf")
    assert conf["attributes"]["dates_mention"]["Arg"] == ["DATE", "TIME", "DURATION", "SET", "dates_EVENT"]
    [back] = list(brat.read(tmp_path / "d.ann"))
    rules = brat.default_mapping(schema)
    got = []
    for span in back.spans:
        mapped = mapping.apply(span, rules, schema)
        assert isinstance(mapped, mapping.Mapped)
        got.append((span.start, span.end, mapped.layer, mapped.label, mapped.attrs, span.id, span.annotator,
                    span.note, span.review))
    assert got == [our_terms(span) for span in spans]


@pytest.mark.parametrize(("change", "what"), [
    ({"note": "two\nlines"}, "a line break"),
    ({"features": {"value": "19\r91"}}, "a line break"),
    ({"type": "claims", "label": "CLAIM", "features": {"holder": ["the author"]}}, "joined by spaces"),
    ({"label": "PERSON"}, "not one of layer dates"),
    ({"features": {"value": "1991", "mod": "SOMETIME"}}, "not one of the values"),
])
def test_what_a_brat_line_cannot_hold_is_refused(change: dict[str, Any], what: str) -> None:
    layout = Layout.open()
    fields = {"start": 0, "end": 4, "type": "dates", "label": "DATE", "features": {"value": "1991"}, "id": "d-9",
              **change}
    doc = SourceDocument("d", "1991 was the year", (Span(**fields),))
    with pytest.raises(ToolkitError, match=what) as caught:
        brat.export_document(doc, context(layout))
    assert caught.value.record == "d-9"


def test_a_source_with_carriage_returns_is_refused() -> None:
    doc = SourceDocument("d", "1991\r\nwas the year", (Span(0, 4, "dates", "DATE", {"value": "1991"}, "d-1"),),
                         Path("d/SOURCE.txt"))
    with pytest.raises(ToolkitError, match="universal newlines") as caught:
        brat.export_document(doc, context(Layout.open()))
    assert caught.value.file == "d/SOURCE.txt"


# --- files brat wrote ---------------------------------------------------------------------------------------------

def test_a_file_brat_wrote_reads_and_says_what_is_not_a_span() -> None:
    [doc] = list(brat.read(FIXTURES / "essay.ann"))
    text = SOURCE.read_bytes().decode("utf-8")
    assert doc.text == text
    lines = ann_lines(FIXTURES / "essay.ann")
    t_lines = {f[0]: (n, f) for n, f in enumerate(lines, 1) if f[0].startswith("T")}
    assert [s.tool_id for s in doc.spans] == list(t_lines)
    for span in doc.spans:
        assert span.tool_id is not None
        number, fields = t_lines[span.tool_id]
        kind, start, end = fields[1].split(" ")
        assert (span.line, span.type, span.label, span.start, span.end) == (number, kind, kind, int(start), int(end))
        assert text[span.start:span.end] == fields[2]
    by_id = {s.tool_id: s for s in doc.spans}
    assert dict(by_id["T6"].features) == {"Notability": "High", "Wikipedia": "1537284"}
    assert dict(by_id["T7"].features) == {"Wikipedia": "3405431"}
    assert by_id["T3"].note == "the essay puts the name in quotation marks" and by_id["T3"].id is None
    assert by_id["T5"].type == "Found"  # an event's trigger is a span; the event is not
    # one reason for each line that is no span and is about none
    assert sorted(doc.unread) == sorted([
        "brat event 'Found' is not a span (its trigger is)", "brat relation 'Founder' is not a span",
        "brat equivalence 'Equiv' is not a span", "brat attribute 'Negation' of an event is not about a span",
        "brat note 'AnnotatorNotes' of a relation is not about a span"])
    assert len(doc.unread) == sum(1 for f in lines if f[0][0] in "RE*" or f[1].split(" ")[1][0] in "RE")


def test_a_discontinuous_span_is_refused_naming_its_line(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "discontinuous.ann", tmp_path / "essay.ann")
    shutil.copy(FIXTURES / "essay.txt", tmp_path / "essay.txt")
    number = next(n for n, f in enumerate(ann_lines(tmp_path / "essay.ann"), 1) if ";" in f[1])
    with pytest.raises(ToolkitError, match="discontinuous") as caught:
        brat.read(tmp_path / "essay.ann")
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "essay.ann"), number)


BROKEN = [
    ("T1\tPerson 31 44\tRezgar Akrawi\nT1\tPerson 31 44\tRezgar Akrawi\n", 2, "used twice"),
    ("T1\tPerson 31 44\tRezgar Akrawi\nA1\tNotability T2 High\n", 2, "T2 is not an annotation"),
    ("T1\tPerson 31 44\tRezgar Akrawi\n#1\tAnnotatorNotes T1\ta\n#2\tAnnotatorNotes T1\tb\n", 3, "a second"),
    ("T1\tPerson 31\tRezgar Akrawi\n", 1, "not a text span"),
    ("\nT1 Person 31 44 Rezgar Akrawi\n", 2, "not a brat annotation line"),
    ("X1\tPerson 31 44\tRezgar Akrawi\n", 1, "not a brat annotation id"),
    ("T1\tPerson 31 44\tRezgar Akrawi\nN1\tReference T1 Wikipedia\tx\n", 2, "not a brat attribute"),
]


@pytest.mark.parametrize(("ann", "line", "what"), BROKEN)
def test_a_broken_file_names_its_line(tmp_path: Path, ann: str, line: int, what: str) -> None:
    shutil.copy(FIXTURES / "essay.txt", tmp_path / "d.txt")
    (tmp_path / "d.ann").write_text(ann, encoding="utf-8")
    with pytest.raises(ToolkitError, match=what) as caught:
        brat.read(tmp_path / "d.ann")
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "d.ann"), line)


def test_a_missing_or_undecodable_text_is_named(tmp_path: Path) -> None:
    (tmp_path / "d.ann").write_text("T1\tPerson 0 1\tx\n", encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"DOC\.txt beside") as caught:
        brat.read(tmp_path / "d.ann")
    assert caught.value.file == str(tmp_path / "d.txt")
    (tmp_path / "d.txt").write_bytes(b"caf\xe9")
    with pytest.raises(ToolkitError, match="not UTF-8") as caught:
        brat.read(tmp_path / "d.ann")
    assert caught.value.file == str(tmp_path / "d.txt")
