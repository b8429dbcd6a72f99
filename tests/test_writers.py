"""The write path: every reader has a writer; writes are checked, canonical, in reading order and atomic."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import toolkit
from toolkit import Annotation, RegistryEntity, ToolkitError

from .conftest import edit_record, find_record

Data = tuple[Path, Path]


def test_a_layer_read_and_written_back_is_byte_identical(data_copy: Data) -> None:
    corpus, annotations = data_copy
    path = annotations / "dates.jsonl"
    before = path.read_bytes()
    records = list(toolkit.read_layer("dates", corpus_dir=corpus, annotations_dir=annotations))
    written = toolkit.write_layer("dates", reversed(records), corpus_dir=corpus, annotations_dir=annotations)
    assert written == len(records)
    assert path.read_bytes() == before  # reading order and key order restored from any order


def test_a_refused_record_leaves_the_file_as_it_was(data_copy: Data) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    before = path.read_bytes()
    records = list(toolkit.read_layer("entities", corpus_dir=corpus, annotations_dir=annotations))
    records[5] = replace(records[5], label="PLANET")
    with pytest.raises(ToolkitError) as caught:
        toolkit.write_layer("entities", records, corpus_dir=corpus, annotations_dir=annotations)
    assert (caught.value.code, caught.value.record, Path(caught.value.file or "").name) == (
        "E401", records[5].id, "entities.jsonl")
    assert path.read_bytes() == before
    assert sorted(p.name for p in annotations.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_an_unknown_layer_is_refused_by_name(data_copy: Data) -> None:
    corpus, annotations = data_copy
    with pytest.raises(ToolkitError, match="unknown layer 'gossip'; the schema declares entities, dates, claims"):
        toolkit.write_layer("gossip", [], corpus_dir=corpus, annotations_dir=annotations)


def test_registry_written_sorted_and_duplicates_refused(data_copy: Data) -> None:
    corpus, annotations = data_copy
    registry = toolkit.read_registry(corpus_dir=corpus, annotations_dir=annotations)
    toolkit.write_registry(reversed(list(registry.values())), corpus_dir=corpus, annotations_dir=annotations)
    ids = [json.loads(line)["id"] for line in (annotations / "registry.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == sorted(registry)
    twice = [*registry.values(), RegistryEntity("iraq", "GPE", "Iraq again")]
    with pytest.raises(ToolkitError, match=r"registry.jsonl \(record iraq\): E102"):
        toolkit.write_registry(twice, corpus_dir=corpus, annotations_dir=annotations)


def test_corpus_add_checks_save_writes_remove_undoes(data_copy: Data, tmp_path: Path) -> None:
    corpus_dir, annotations = data_copy
    corpus = toolkit.load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations)
    text = corpus["pwc.p2.para5"].text
    start = text.index("the country")
    shipped = next(a for a in corpus.annotations("entities", paragraph="pwc.p2.para5") if a.start == start)
    corpus.remove(shipped.id)  # added again below under a new id
    mention = Annotation("entities", "e-0900", "pwc.p2.para5", start, start + 11, "the country", "GPE",
                         {"entity": "iraq", "mention": "NOM"})
    with pytest.raises(ToolkitError, match="E106"):
        corpus.add(replace(mention, text="the county"))
    with pytest.raises(ToolkitError, match="E102"):
        corpus.add(replace(mention, id="e-0001"))
    corpus.add(mention)
    assert corpus.annotation("e-0900") == mention
    assert mention in corpus.annotations("entities", paragraph="pwc.p2.para5")
    corpus.save()
    _, record = find_record(annotations / "entities.jsonl", id="e-0900")
    assert list(record) == ["id", "paragraph", "start", "end", "text", "label", "entity", "mention"]
    assert toolkit.fmt(corpus_dir=corpus_dir, annotations_dir=annotations, check=True) == []
    reloaded = toolkit.load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations)
    assert reloaded.annotation("e-0900") == mention
    assert reloaded.remove("e-0900") == mention
    elsewhere = tmp_path / "saved"
    reloaded.save(annotations_dir=elsewhere)  # a new folder gets the schema too, so it can be read back
    again = toolkit.load_corpus(corpus_dir=corpus_dir, annotations_dir=elsewhere)
    assert "e-0900" not in {a.id for a in again.annotations()}
    assert len(again.annotations()) == len(reloaded.annotations())


def test_write_document_is_the_reader_of_read_document(tmp_path: Path) -> None:
    document, blocks = toolkit.read_document("pwc")
    source = (Path(toolkit.load_corpus().corpus_dir) / "pwc" / document.source).read_bytes()
    folder = toolkit.write_document(document, blocks, source, corpus_dir=tmp_path / "corpus")
    assert toolkit.read_document("pwc", corpus_dir=tmp_path / "corpus") == (document, blocks)
    assert json.loads((folder / "document.json").read_text(encoding="utf-8"))["format_version"] == "1.0"
    with pytest.raises(ToolkitError, match="file exists"):
        toolkit.write_document(document, blocks, source, corpus_dir=tmp_path / "corpus")
    wrong = [replace(blocks[0], text="X" + blocks[0].text[1:]), *blocks[1:]]
    with pytest.raises(ToolkitError, match=r"E107"):
        toolkit.write_document(document, wrong, source, corpus_dir=tmp_path / "other")
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize("version", ["2.0", "10.1", "99999.0"])
def test_a_newer_major_format_is_refused(data_copy: Data, version: str) -> None:
    corpus, annotations = data_copy
    schema = json.loads((annotations / "schema.json").read_text(encoding="utf-8"))
    (annotations / "schema.json").write_text(json.dumps({**schema, "format_version": version}), encoding="utf-8")
    with pytest.raises(ToolkitError, match=rf"schema.json: E101 format_version '{version}': written for a newer"):
        toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)


def test_a_document_without_a_format_version_is_refused(data_copy: Data) -> None:
    corpus, annotations = data_copy
    path = corpus / "pwc" / "document.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["format_version"]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"document\.json: E101 missing field 'format_version'"):
        toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)


def test_a_layer_may_not_take_an_id_of_another_layer(data_copy: Data) -> None:
    corpus, annotations = data_copy
    before = (annotations / "dates.jsonl").read_bytes()
    records = list(toolkit.read_layer("dates", corpus_dir=corpus, annotations_dir=annotations))
    records[0] = replace(records[0], id="e-0001")
    with pytest.raises(ToolkitError, match=r"dates\.jsonl \(record e-0001\): E102"):
        toolkit.write_layer("dates", records, corpus_dir=corpus, annotations_dir=annotations)
    assert (annotations / "dates.jsonl").read_bytes() == before


def test_a_registry_field_nobody_declared_is_refused_not_dropped(data_copy: Data) -> None:
    corpus, annotations = data_copy
    line = edit_record(annotations / "registry.jsonl", "iraq", wikidata="Q796")
    found = [(f.code, f.line, f.id) for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations)
             if f.severity == "error"]
    assert found == [("E101", line, "iraq")]
    before = (annotations / "registry.jsonl").read_bytes()
    with pytest.raises(ToolkitError, match=r"registry\.jsonl:\d+ \(record iraq\): E101 unknown field 'wikidata'"):
        toolkit.fmt(corpus_dir=corpus, annotations_dir=annotations)
    assert (annotations / "registry.jsonl").read_bytes() == before


def test_write_document_stays_in_its_folder_and_checks_its_record(tmp_path: Path) -> None:
    document, blocks = toolkit.read_document("pwc")
    source = (toolkit.load_corpus().corpus_dir / "pwc" / document.source).read_bytes()
    target = tmp_path / "corpus"
    for bad, code in ((replace(document, source="../escape.txt"), "E101"), (replace(document, id="../evil"), "E111")):
        with pytest.raises(ToolkitError, match=code):  # what read_document would refuse, with the same code
            toolkit.write_document(bad, [], source, corpus_dir=target)
    with pytest.raises(ToolkitError, match="E108"):
        toolkit.write_document(replace(document, length=1), blocks, source, corpus_dir=target)
    with pytest.raises(ToolkitError, match="E102"):
        toolkit.write_document(document, [*blocks, blocks[0]], source, corpus_dir=target)
    with pytest.raises(ToolkitError, match="not UTF-8"):
        toolkit.write_document(document, blocks, b"\xff" + source, corpus_dir=target)
    assert not target.exists() and not (tmp_path / "escape.txt").exists() and not (tmp_path / "evil").exists()
