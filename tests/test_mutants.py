"""Tests written against surviving mutants (mutmut) of the validation and sharding code.

Each pins down one behaviour a mutation of the code changed without any
other test noticing; the mutant each one kills is named in its docstring.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from toolkit import Finding, validate
from toolkit.checks import load_checks
from toolkit.layout import Layout
from toolkit.models import ID_RULE, Annotation, Block, RegistryEntity
from toolkit.schema import read_schema
from toolkit.shards import EMPTY, document_shards
from toolkit.validation.records import Ids, Located, check_annotation
from toolkit.validation.spans import check_alignment

from .conftest import ANNOTATIONS, edit_record, write_corpus

Record = dict[str, Any]


# --- shards -------------------------------------------------------------------------------------------------------

def _mention(block_id: str, k: int) -> Record:
    return {"id": f"e-{block_id.replace('.', '-')}-{k}", "paragraph": block_id, "start": 0, "end": 5, "text": "Tudeh",
            "label": "ORG", "entity": "tudeh-party", "mention": "NAM"}


def _three_documents(root: Path) -> tuple[Path, Path]:
    """Documents a, b, c of one block each: a has no entity record, b two, c one; no dates file; claims: b only."""
    text = "Tudeh Party met."
    entities = [_mention("b.p1", 1), _mention("b.p1", 2), _mention("c.p1", 1)]
    claims = [{"id": "c-1", "paragraph": "b.p1", "start": 0, "end": 11, "text": "Tudeh Party", "label": "CLAIM"}]
    corpus, annotations = write_corpus(root / "a", [{"id": "a.p1", "kind": "paragraph", "text": text}], doc="a",
                                       layers={"entities": entities, "claims": claims})
    for doc in ("b", "c"):
        other, _ = write_corpus(root / doc, [{"id": f"{doc}.p1", "kind": "paragraph", "text": text}], doc=doc)
        shutil.move(other / doc, corpus / doc)
    return corpus, annotations


def test_shards_of_a_document_without_records_a_missing_file_and_chosen_layers(tmp_path: Path) -> None:
    """Kills, in ``toolkit.shards``: ``chosen(None)`` for ``chosen(layers)``; ``path.exists() or True``;
    ``repeat(None)``; ``zip(..., strict=True)`` over the endless repeats; ``line_start`` returning 1 at offset 0,
    treating offset 0 as a line's middle, seeking to ``offset - 2``."""
    corpus, annotations = _three_documents(tmp_path)
    layout = Layout.open(corpus_dir=corpus, annotations_dir=annotations)
    shards = list(document_shards(layout, load_checks(layout), layers=["entities", "dates"]))
    assert [s.folder.name for s in shards] == ["a", "b", "c"]
    assert all(set(s.files) == {"entities", "dates"} for s in shards)
    lines = (annotations / "entities.jsonl").read_bytes().splitlines(keepends=True)
    two = len(lines[0]) + len(lines[1])
    size = two + len(lines[2])
    assert [s.sections["entities"] for s in shards] == [(0, 0, 1), (0, two, 1), (two, size, 3)]
    assert [s.sections["dates"] for s in shards] == [EMPTY, EMPTY, EMPTY]
    for shard, expected in zip(shards, ([], ["b.p1", "b.p1"], ["c.p1"]), strict=True):
        start, end, _ = shard.sections["entities"]
        data = (annotations / "entities.jsonl").read_bytes()[start:end].decode("utf-8")
        assert [json.loads(line)["paragraph"] for line in data.splitlines()] == expected


# --- records: ids ---------------------------------------------------------------------------------------------------

TUDEH: Record = {"id": "tudeh-party", "label": "ORG", "name": "Tudeh Party", "aliases": ["Tudeh Party"],
                 "description": "", "footnotes": []}
TEXT = "The Tudeh Party met."


def _tudeh(rid: str, *, start: int = 4, end: int = 15, **extra: Any) -> Record:
    return {"id": rid, "paragraph": "d.p1", "start": start, "end": end, "text": TEXT[start:end], "label": "ORG",
            "entity": "tudeh-party", "mention": "NAM", **extra}


def _validate(root: Path, records: list[Record], nlp: Any) -> list[Finding]:
    corpus, annotations = write_corpus(root, [{"id": "d.p1", "kind": "paragraph", "text": TEXT}],
                                       layers={"entities": records}, registry=[TUDEH])
    return validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)


def _where(findings: list[Finding]) -> list[tuple[str, str | None, int | None, str | None, str]]:
    return [(f.code, f.file and Path(f.file).name, f.line, f.id, f.message) for f in findings]


def test_an_annotation_id_taken_by_the_registry_is_a_duplicate(tmp_path: Path, nlp: Any) -> None:
    """Kills ``Ids.mark`` testing ``rid not in self.registry`` and ``Ids.duplicates`` losing the registry's place."""
    findings = _validate(tmp_path, [_tudeh("tudeh-party")], nlp)
    assert _where(findings) == [("E102", "entities.jsonl", 1, "tudeh-party",
                                 "id 'tudeh-party' already used at registry.jsonl:1")]


def test_ids_keeps_an_id_whose_byte_another_id_marked_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kills ``Ids._flush`` setting the bitmap byte (``=``) instead of adding the bit (``|=``)."""
    monkeypatch.setattr(Ids, "BITS", 8)  # one byte: every id lands in it
    monkeypatch.setattr(Ids, "HASHES", 1)
    monkeypatch.setattr(Ids, "BATCH", 1)  # each mark on its own
    ids = Ids()
    other = next(f"x{k}" for k in range(1000) if ids.bits([f"x{k}"])[0, 0] != ids.bits(["a"])[0, 0])
    for rid in ("a", other, "a"):
        ids.mark(rid)
    assert ids.candidates == {"a"}


def test_ids_takes_an_id_whose_bits_are_set_by_others_only_when_all_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kills ``Ids._flush`` taking one set bit (``any``) for all of them (``all``)."""
    monkeypatch.setattr(Ids, "BITS", 64)
    monkeypatch.setattr(Ids, "HASHES", 2)
    monkeypatch.setattr(Ids, "BATCH", 1)
    ids = Ids()
    a = list(ids.bits(["a"])[0])
    half = next(f"x{k}" for k in range(10000)
                if ids.bits([f"x{k}"])[0, 0] == a[0] and a[1] not in ids.bits([f"x{k}"])[0])
    ids.mark(half)
    ids.mark("a")
    assert ids.candidates == set()
    ids.mark("a")
    assert ids.candidates == {"a"}


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_ids_finds_an_id_twice_within_a_batch_and_across_batches(monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    """Kills ``Ids._flush`` missing an id whose two marks fall in one batch (its bits are set together)."""
    monkeypatch.setattr(Ids, "BATCH", batch)
    ids = Ids()
    for rid in ("a", "b", "a", "c", "d", "c"):
        ids.mark(rid)
    assert ids.candidates == {"a", "c"}


def test_a_record_with_an_id_that_is_no_string_is_reported_without_one(tmp_path: Path, nlp: Any) -> None:
    """Kills ``check_record`` keeping an id that is not a string, and joining the problems with another separator."""
    record = _tudeh("e-1")
    record["id"] = 5
    del record["text"]
    findings = _validate(tmp_path, [record], nlp)
    errors = [f for f in findings if f.code == "E101"]
    assert [(f.file and Path(f.file).name, f.line, f.id) for f in errors] == [("entities.jsonl", 1, None)]
    assert errors[0].message == "field 'id' should be str, not int; missing field 'text'"


# --- spans: token alignment -----------------------------------------------------------------------------------------

def test_alignment_names_the_token_a_boundary_falls_inside(nlp: Any) -> None:
    """Kills, in ``check_alignment``: the inner token looked up one token early (``- 2``), only after the first
    token (``i > 0``, ``i >= 1``), stored as None; and the ``start``/``end`` names in the message changed."""
    block = Block("d.p1", "d", "paragraph", 1, None, TEXT, 0, len(TEXT))
    ann = Annotation("entities", "e-1", "d.p1", 1, 7, TEXT[1:7], "ORG")
    found = list(check_alignment(nlp.tokenizer, block, [Located(ann, Path("entities.jsonl"), 3)]))
    assert _where(found) == [
        ("E201", "entities.jsonl", 3, "e-1", "start 1 of 'he Tud' falls inside the token 'The'"),
        ("E201", "entities.jsonl", 3, "e-1", "end 7 of 'he Tud' falls inside the token 'Tudeh'"),
    ]


def test_alignment_of_a_block_cut_into_pieces(nlp: Any) -> None:
    """Kills, in ``_pieces``: ``or`` for ``and`` (a piece after the last boundary), ``wanted`` or ``start`` lost,
    the first piece starting at 1."""
    text = "The Tudeh Party met. " * 12_000  # 252,000 characters: three pieces
    block = Block("d.p1", "d", "paragraph", 1, None, text, 0, len(text))
    last = len(text) - len("Party met. ")
    early = Located(Annotation("entities", "e-1", "d.p1", 0, 15, text[0:15], "ORG"), Path("entities.jsonl"), 1)
    assert list(check_alignment(nlp.tokenizer, block, [early])) == []
    late = Located(Annotation("entities", "e-2", "d.p1", last, last + 4, "Part", "ORG"), Path("entities.jsonl"), 2)
    assert _where(list(check_alignment(nlp.tokenizer, block, [early, late]))) == [
        ("E201", "entities.jsonl", 2, "e-2", f"end {last + 4} of 'Part' falls inside the token 'Party'")]


# --- records: one annotation against its block ----------------------------------------------------------------------

def _check(layer: str, text: str, span: str, label: str, *, at: tuple[int, int] | None = None, rid: str = "x-1",
           **attrs: Any) -> list[tuple[str, str]]:
    """``check_annotation`` of one span (``at``, or the first occurrence of ``span`` in ``text``): (code, message)."""
    schema = read_schema(ANNOTATIONS / "schema.json")
    start, end = at or (text.index(span), text.index(span) + len(span))
    block = Block("d.p1", "d", "paragraph", 1, None, text, 0, len(text))
    ann = Annotation(layer, rid, "d.p1", start, end, span, label, attrs)
    registry = {"tudeh-party": RegistryEntity("tudeh-party", "ORG", "Tudeh Party")}
    return [(f.code, f.message) for f in check_annotation(Located(ann, Path("x.jsonl"), 1), block,
                                                            schema.layers[layer], registry)]


def test_a_span_ending_with_a_bracket_it_opens_has_no_punctuation_warning() -> None:
    """Kills ``_balanced_close`` losing its ``]`` / ``[`` pair."""
    for span in ("Left (HAYD)", "Left [HAYD]"):
        assert _check("entities", f"The {span} met.", span, "ORG", entity="tudeh-party", mention="NAM") == []
    assert _check("entities", "The Left [HAYD met.", "Left [HAYD", "ORG", entity="tudeh-party", mention="NAM") == []
    assert _check("entities", "The Left HAYD] met.", "Left HAYD]", "ORG", entity="tudeh-party", mention="NAM") == [
        ("W203", "'Left HAYD]' starts or ends with punctuation")]


def test_a_timex_value_that_is_no_string() -> None:
    """Kills ``_timex`` with its E601 for a value that is not a string changed or gone."""
    assert _check("dates", "It was in 2012.", "2012", "DATE", value=2012) == [("E601", "value 2012 is not a string")]


def test_a_timex_value_that_is_no_date_says_why() -> None:
    """Kills ``_timex`` dropping the problem from its E601 message."""
    assert _check("dates", "It was in 2012.", "2012", "DATE", value="2012-13") == [("E601", "month 13 does not exist")]


NAM: dict[str, Any] = {"entity": "tudeh-party", "mention": "NAM"}


@pytest.mark.parametrize(("span", "kwargs", "expected"), [
    ("Tudeh", {"rid": "x 1", **NAM}, ("E111", f"id 'x 1' {ID_RULE}")),
    ("Tudeh", {"at": (4, 4), **NAM}, ("E105", "start 4 >= end 4")),
    ("Party", {"at": (4, 9), **NAM}, ("E106", "text 'Party' but the block has 'Tudeh' at 4:9")),
    ("Tudeh ", NAM, ("E202", "'Tudeh ' starts or ends with whitespace")),
    ("Tudeh Party,", NAM, ("W203", "'Tudeh Party,' starts or ends with punctuation")),
    (", Party", NAM, ("W203", "', Party' starts or ends with punctuation")),
    ("Party[1]", NAM, ("E204", "'Party[1]' contains a footnote marker (the entities layer keeps them outside its "
                               "spans)")),
    ("Tudeh", {"entity": "tudeh-party", "mention": "X"}, ("E402", "mention='X' is not one of NAM, NOM")),
])
def test_annotation_messages(span: str, kwargs: dict[str, Any], expected: tuple[str, str]) -> None:
    """Kills the mutants of ``check_annotation`` and ``_edges`` that blank or garble a message (or its quoted text)."""
    assert _check("entities", "The Tudeh Party, Party[1] met.", span, "ORG", **kwargs) == [expected]


def test_an_unknown_label_names_the_layer_labels() -> None:
    """Kills the E401 message listing the labels with another separator."""
    assert _check("dates", "It was in 2012.", "2012", "YEAR", value="2012") == [
        ("E401", "label 'YEAR' is not in the dates label set (DATE, DURATION, SET, TIME)")]


def test_a_missing_attribute_does_not_stop_the_checks_of_the_next_ones() -> None:
    """Kills ``_attributes`` leaving the loop (``break``) at a missing attribute."""
    assert _check("entities", TEXT, "Tudeh Party", "ORG", mention="X") == [
        ("E403", "missing attribute 'entity'"), ("E402", "mention='X' is not one of NAM, NOM")]


# --- corpus checks: blocks against the source -----------------------------------------------------------------------

def _two_blocks(root: Path) -> tuple[Path, Path]:
    """Blocks d.p1 (source 0:20) and d.p2 (22:32), no annotations."""
    corpus, annotations = write_corpus(root, [{"id": "d.p1", "kind": "paragraph", "text": TEXT},
                                              {"id": "d.p2", "kind": "paragraph", "text": "Party met."}])
    return corpus, annotations


def _document(corpus: Path, **fields: Any) -> None:
    path = corpus / "d" / "document.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **fields}), encoding="utf-8")


def test_a_block_may_end_where_the_source_ends(tmp_path: Path, nlp: Any) -> None:
    """Kills ``_against_source`` taking ``source_end == len(source)`` as out of the source."""
    corpus, annotations = _two_blocks(tmp_path)
    data = (corpus / "d" / "source.txt").read_bytes().rstrip(b"\n")
    (corpus / "d" / "source.txt").write_bytes(data)
    _document(corpus, sha256=hashlib.sha256(data).hexdigest(), length=len(data))
    assert validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp) == []


def test_an_excluded_range_touching_two_blocks_overlaps_neither(tmp_path: Path, nlp: Any) -> None:
    """Kills ``_against_source`` counting an excluded range that ends where a block starts (or starts where it
    ends) as an overlap."""
    corpus, annotations = _two_blocks(tmp_path)
    _document(corpus, excluded=[{"source_start": 20, "source_end": 22, "reason": "the blank line"}])
    assert validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp) == []


def test_a_block_inside_the_previous_one_is_out_of_order(tmp_path: Path, nlp: Any) -> None:
    """Kills ``walk_corpus`` keeping the previous block's start (not its end) as the point the next must follow."""
    corpus, annotations = _two_blocks(tmp_path)
    blocks = corpus / "d" / "blocks.jsonl"
    line = edit_record(blocks, "d.p2", source_start=10, source_end=20)
    assert _where(validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)) == [
        ("E109", "blocks.jsonl", line, "d.p2", "source range 10:20 is out of the source (length 33) or before the "
         "previous block's end")]


@pytest.mark.parametrize(("label", "attrs", "expected"), [
    ("ORG", {"entity": "tudeh-party", "mention": 5}, [("E402", "mention=5 is not one of NAM, NOM")]),
    ("ORG", {"entity": ["tudeh-party"], "mention": "NAM"}, [("E501", "entity ['tudeh-party'] is not in the registry")]),
    ("PERSON", NAM, [("E502", "label 'PERSON' but registry entity 'tudeh-party' is 'ORG'")]),
])
def test_entity_attributes(label: str, attrs: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    """Kills, in ``_attributes``: a non-string value of an enum attribute reported twice (``or`` for ``and``,
    ``enum is not None``); ``registry.get`` of an unhashable value (a crash); the E502 message losing the entity."""
    assert _check("entities", TEXT, "Tudeh Party", label, **attrs) == expected


def test_claim_about_that_is_no_list() -> None:
    """Kills the mutants of ``_attributes``' E402 for a ``registry_ids`` attribute that is not a list."""
    assert _check("claims", TEXT, "The Tudeh Party met", "CLAIM", type="fact", holder=["author"],
                  about="tudeh-party") == [("E402", "about must be a list of registry ids")]


def test_a_free_text_attribute_must_be_a_string() -> None:
    """Kills the ``string`` type check (an attribute with no fixed values) changed or gone."""
    from dataclasses import replace

    from toolkit.schema import Attribute

    layer = read_schema(ANNOTATIONS / "schema.json").layers["claims"]
    layer = replace(layer, attributes={**layer.attributes, "gloss": Attribute("gloss", "string", False)})
    text = "The party grew."
    block = Block("d.p1", "d", "paragraph", 1, None, text, 0, len(text))

    def codes(gloss: object) -> list[tuple[str, str]]:
        ann = Annotation("claims", "c-1", "d.p1", 0, 14, text[:14], "CLAIM",
                         {"type": "fact", "holder": ["author"], "about": [], "gloss": gloss})
        return [(f.code, f.message) for f in check_annotation(Located(ann, Path("x.jsonl"), 1), block, layer, {})]

    assert codes("a note") == []
    assert codes(None) == []  # not required
    assert codes(3) == [("E402", "gloss should be a string, not 3")]
    assert codes(["a"]) == [("E402", "gloss should be a string, not ['a']")]


QUOTED = "He said “the party is neutral” today, and “it” won."


def _quotation_codes(text: str, span: str) -> list[str]:
    from toolkit.validation.spans import check_quotes

    start = text.index(span)
    block = Block("d.p1", "d", "paragraph", 1, None, text, 0, len(text))
    ann = Annotation("claims", "c-1", "d.p1", start, start + len(span), span, "CLAIM",
                     {"type": "fact", "holder": ["author"], "about": []})
    return [f.code + f.message[f.message.rindex(" at "):] for f in check_quotes(block, [Located(ann, Path("x"), 1)])]


@pytest.mark.parametrize(("text", "span", "codes"), [
    (QUOTED, "He said “the party", ["W205 at 8 that closes after the span"]),  # opened inside, closed after
    (QUOTED, "He said “the party is neutral”", []),  # closed inside
    (QUOTED, "the party is neutral", []),  # inside the quotation, no mark in the span
    (QUOTED, "He said “the party is neutral” today, and “it", ["W205 at 42 that closes after the span"]),
    ("the “Union of Communists in Iraq.”[5] met", "the “Union of Communists in Iraq.”", []),
    ('He said "neutral" today.', 'He said "neutral', ["W205 at 8 that closes after the span"]),  # an opening
    ('He said "neutral" today.', 'said "neutral"', []),
    ('He said "neutral" today.', 'neutral" today', []),  # a closing mark inside: not this check's case
    ('He said "go now." Then "later" came.', 'go now." Then', []),  # closing after a full stop
    ('He said "go," and "stay" came.', 'go," and', []),  # closing after a comma
    ('A (“quoted” and "x" y', 'A (“quoted” and "x', ["W205 at 16 that closes after the span"]),
    ("He said “neutral and left", "He said “neutral", []),  # never closed at all: nothing after to point at
    ("The party’s line ‘held’ firm.", "The party’s line ‘held", []),  # single marks are apostrophes too
])
def test_a_quotation_opened_inside_a_span_and_closed_after_it_is_a_warning(text: str, span: str,
                                                                           codes: list[str]) -> None:
    assert _quotation_codes(text, span) == codes


def test_a_claim_ending_with_a_marker_is_warned_and_one_going_on_past_it_is_not() -> None:
    text = "The Tudeh Party[2] met, and the party[3] grew."
    assert [c for c, _ in _check("claims", text, "The Tudeh Party[2] met", "CLAIM", type="fact",
                                 holder=["author"], about=[])] == []
    found = _check("claims", text, "the party[3]", "CLAIM", type="fact", holder=["author"], about=[])
    assert found == [("W203", "'the party[3]' ends with the footnote marker [3]: a span that ends at a marker "
                              "ends before it")]


@pytest.mark.parametrize(("holder", "expected"), [
    (["author"], []),
    (["author", "tudeh-party"], []),
    ([], [("E402", "holder must be a non-empty list of holders")]),
    ("author", [("E402", "holder must be a non-empty list of holders")]),  # a string is not a list
    (["author", "author"], [("E402", "holder lists a holder twice")]),
    (["nobody"], [("E503", "holder: 'nobody' is not 'author', 'unspecified' or a registry id")]),
    ([3], [("E503", "holder: 3 is not 'author', 'unspecified' or a registry id")]),
])
def test_holders_are_a_list_of_distinct_known_holders(holder: object, expected: list[tuple[str, str]]) -> None:
    assert _check("claims", TEXT, "The Tudeh Party met", "CLAIM", type="fact", holder=holder, about=[]) == expected


@pytest.mark.parametrize(("source", "codes"), [("essay", []), ("external", []), (None, []), ("web", ["E101"]),
                                               (3, ["E101"])])
def test_a_registry_source_is_essay_or_external(tmp_path: Path, source: object, codes: list[str]) -> None:
    from toolkit.validation.records import check_registry

    path = tmp_path / "registry.jsonl"
    record = {"id": "tudeh-party", "label": "ORG", "name": "Tudeh Party", "aliases": [], "description": "",
              "footnotes": [], "source": source}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    found = list(check_registry(path, read_schema(ANNOTATIONS / "schema.json"), {}, {}, {}))
    assert [f.code for f in found] == codes, found


@pytest.mark.parametrize("about", [5, True, 1.5, "tudeh-party", {"tudeh-party": 1}, None, ["tudeh-party"]])
def test_a_list_attribute_that_is_no_list_gets_no_i509_on_top_of_its_e402(about: object) -> None:
    from toolkit.layout import Layout
    from toolkit.validation.spans import check_contained_links

    mention = Annotation("entities", "e-1", "d.p1", 4, 15, "Tudeh Party", "ORG",
                         {"entity": "tudeh-party", "mention": "NAM"})
    claim = Annotation("claims", "c-1", "d.p1", 0, 19, TEXT[:19], "CLAIM",
                       {"type": "fact", "holder": ["author"], "about": about})
    found = [f.code for f in check_contained_links(Layout.open().schema,
                                                   [Located(mention, Path("e"), 1), Located(claim, Path("c"), 1)])]
    assert found == (["I509"] if about is None else [])  # None: an empty list, which names nothing
