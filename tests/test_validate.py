"""Every code of ``toolkit validate``, each produced by a small, deliberately broken copy of the data.

``CASES`` holds, for every code of the catalog, one or more ways to break a
copy of the shipped data that must give that code; each says where the
finding must point: the exact file, line and record id, computed from the
files after the change (never a hard-coded line or offset). A guard test
keeps ``CASES`` in step with ``toolkit.codes.CATALOG``: a new code without a
case fails it. Every code of the catalog can be produced from files, so none
is exempt.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from spacy.language import Language

from toolkit import Finding, validate
from toolkit.validation.codes import CATALOG

from .conftest import (
    DROP,
    ROOT,
    Record,
    drop_record,
    edit_record,
    find_record,
    find_records,
    insert_annotation,
    insert_record,
    read_records,
    record_line,
    rewrite_block_text,
    run_cli,
    swap_records,
    write_corpus,
)


@dataclass(frozen=True)
class Data:
    """A writable copy of the shipped data."""

    corpus: Path
    annotations: Path

    @property
    def blocks(self) -> Path:
        return self.corpus / "pwc" / "blocks.jsonl"

    def layer(self, name: str) -> Path:
        return self.annotations / f"{name}.jsonl"

    def block(self, block_id: str) -> Record:
        return find_record(self.blocks, id=block_id)[1]


@dataclass(frozen=True)
class Expect:
    """Where the finding must point, words its message must hold, and the other codes the change brings.

    ``also``: codes whose count the change moves as a consequence (a broken
    mention leaves its name unannotated: W702); nothing else may move.
    """

    file: Path
    line: int | None
    id: str | None
    message: tuple[str, ...] = field(default=())
    also: tuple[str, ...] = field(default=())


Case = Callable[[Data], Expect]
CASES: dict[str, list[Case]] = {}


def case(code: str) -> Callable[[Case], Case]:
    def register(func: Case) -> Case:
        CASES.setdefault(code, []).append(func)
        return func
    return register


def _at(path: Path, record_id: str, *message: str, also: tuple[str, ...] = ()) -> Expect:
    """The finding points at the record ``record_id`` of ``path``, on the line it is on now."""
    return Expect(path, record_line(path, record_id), record_id, message, also)


UNANNOTATED = ("W702",)  # a mention that is no longer usable leaves its name unannotated


# --- E1xx: structure ---------------------------------------------------------------------------------------------

@case("E100")
def _bad_block_line(d: Data) -> Expect:
    # A block line cut short: it no longer parses, but its id can still be read from the raw line.
    line = edit_record(d.blocks, "pwc.p1.para1", lambda r: json.dumps(r, ensure_ascii=False)[:-1])
    # Its marker [1] no longer cites footnote [1] (W506), and the exception listed in it is not reached (I702).
    return Expect(d.blocks, line, "pwc.p1.para1", ("not valid JSON", "annotation records of this block left unchecked"),
                  also=("W506", "I702"))


@case("E100")
def _block_line_that_is_no_json(d: Data) -> Expect:
    line = edit_record(d.blocks, "pwc.front.byline1", lambda r: "not json at all")
    # No id to read from the line: the block's one record names a block that is not there.
    return Expect(d.blocks, line, None, ("not valid JSON",), also=("E103",))


@case("E100")
def _bad_annotation_line(d: Data) -> Expect:
    line = edit_record(d.layer("entities"), "e-0010", lambda r: '{"id": "e-0010", "paragraph": ')
    return Expect(d.layer("entities"), line, None, ("column 31: not valid JSON: expected a value",), also=UNANNOTATED)


@case("E100")
def _annotation_line_that_is_no_object(d: Data) -> Expect:
    line = edit_record(d.layer("entities"), "e-0010", lambda r: "[1, 2]")
    return Expect(d.layer("entities"), line, None, ("expected a JSON object",), also=UNANNOTATED)


@case("E100")
def _bad_registry_line(d: Data) -> Expect:
    path = d.annotations / "registry.jsonl"
    line = edit_record(path, "tudeh-party", lambda r: "{")
    return Expect(path, line, None, also=("E501",))  # its mentions now link to no entity


@case("E101")
def _missing_field(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", start=DROP)
    return _at(d.layer("entities"), "e-0010", "missing field 'start'", also=UNANNOTATED)


@case("E101")
def _mistyped_field(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", start="3")
    return _at(d.layer("entities"), "e-0010", "field 'start' should be int, not str", also=UNANNOTATED)


@case("E101")
def _mistyped_block_field(d: Data) -> Expect:
    edit_record(d.blocks, "pwc.p1.h1", part="1")
    return _at(d.blocks, "pwc.p1.h1", "field 'part'")


@case("E102")
def _duplicate_id_in_a_layer(d: Data) -> Expect:
    line = edit_record(d.layer("entities"), "e-0011", id="e-0010")
    return Expect(d.layer("entities"), line, "e-0010", ("already used at entities.jsonl:",))


@case("E102")
def _duplicate_id_across_layers(d: Data) -> Expect:
    line = edit_record(d.layer("dates"), "d-0001", id="e-0010")
    first = record_line(d.layer("entities"), "e-0010")
    return Expect(d.layer("dates"), line, "e-0010", (f"already used at entities.jsonl:{first}",))


@case("E103")
def _unknown_block(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", paragraph="pwc.p9.para1")
    return _at(d.layer("entities"), "e-0010", "no block 'pwc.p9.para1'", also=UNANNOTATED)


@case("E103")
def _registry_footnote_that_is_no_block(d: Data) -> Expect:
    path = d.annotations / "registry.jsonl"
    edit_record(path, "wcp-iraq", footnotes=["pwc.p1.fn99"])
    return _at(path, "wcp-iraq", "not a block")


@case("E104")
def _offsets_out_of_bounds(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", end=100000)
    return _at(d.layer("entities"), "e-0010", "outside the block text", also=UNANNOTATED)


@case("E105")
def _empty_span(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", lambda r: {**r, "end": r["start"]})
    return _at(d.layer("entities"), "e-0010", also=UNANNOTATED)


@case("E106")
def _quote_differs(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", text="Somebody Else")
    return _at(d.layer("entities"), "e-0010", "'Somebody Else'", also=UNANNOTATED)


@case("W113")
def _flagged_for_review(d: Data) -> Expect:
    edit_record(d.layer("claims"), "c-0011", review="its text changed in a revision; it was 'Ba athist'")
    return _at(d.layer("claims"), "c-0011", "flagged for review")


@case("E108")
def _stored_version_altered(d: Data) -> Expect:
    # A revised document keeps its earlier source under versions/, listed with its sha256 in the history.
    folder = d.corpus / "pwc"
    record = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    kept = folder / "versions" / f"{'0' * 64}.txt"
    kept.parent.mkdir()
    kept.write_text("an earlier version, altered since", encoding="utf-8")
    record["history"] = [{"sha256": "0" * 64, "length": 10, "date": None, "file": f"versions/{'0' * 64}.txt",
                          "states": None},
                         {"sha256": record["sha256"], "length": record["length"], "date": "2026-11-25T00:00:00Z",
                          "file": None, "states": {"kept": 1, "changed": 0, "orphaned": 0, "ambiguous": 0}}]
    (folder / "document.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return Expect(kept, None, "pwc", ("earlier version",))


@case("E107")
def _block_text_differs_from_the_source(d: Data) -> Expect:
    # Same length, so only the comparison with the source can tell (annotations of the block stay aligned).
    text = d.block("pwc.p1.h1")["text"]
    edit_record(d.blocks, "pwc.p1.h1", text=text[:-1] + ("x" if text[-1] != "x" else "y"))
    return _at(d.blocks, "pwc.p1.h1", "text differs from source")


@case("E107")
def _block_range_of_another_length(d: Data) -> Expect:
    edit_record(d.blocks, "pwc.p1.h1", lambda r: {**r, "source_end": r["source_end"] + 1})
    return _at(d.blocks, "pwc.p1.h1", "does not have the length of the text")


@case("E108")
def _source_changed(d: Data) -> Expect:
    source = d.corpus / "pwc" / "prospects-of-worker-communism.txt"
    source.write_bytes(source.read_bytes() + b"\n")
    return Expect(source, None, "pwc", ("sha256",))


@case("E109")
def _block_in_the_excluded_range(d: Data) -> Expect:
    document = json.loads((d.corpus / "pwc" / "document.json").read_text(encoding="utf-8"))
    residue = document["excluded"][0]
    source = (d.corpus / "pwc" / document["source"]).read_text(encoding="utf-8")
    start = residue["source_start"]
    end = start + len("Add comment")
    assert source[start:end] == "Add comment"
    last = read_records(d.blocks)[-1]
    line = insert_record(d.blocks, {**last, "id": "pwc.p2.tail", "kind": "paragraph", "number": None,
                                    "source_start": start, "source_end": end, "text": source[start:end]})
    return Expect(d.blocks, line, "pwc.p2.tail", ("excluded range",))


@case("E110")
def _out_of_reading_order(d: Data) -> Expect:
    # Two neighbours of different blocks swapped: the one that now comes second goes back.
    first, second = (r for _, r in find_records(d.layer("dates"))[:2])
    assert first["paragraph"] != second["paragraph"]
    swap_records(d.layer("dates"), first["id"], second["id"])
    return _at(d.layer("dates"), first["id"], "comes before the previous record")


@case("E111")
def _malformed_annotation_id(d: Data) -> Expect:
    line = edit_record(d.layer("entities"), "e-0010", id="e 0010")
    return Expect(d.layer("entities"), line, "e 0010", ("is not an id",))


@case("E111")
def _malformed_block_id(d: Data) -> Expect:
    line = edit_record(d.blocks, "pwc.front.byline1", id="pwc.front byline1")
    # Its record still names "pwc.front.byline1", which is no longer a block.
    return Expect(d.blocks, line, "pwc.front byline1", ("is not an id",), also=("E103",))


@case("E112")
def _unknown_block_kind(d: Data) -> Expect:
    edit_record(d.blocks, "pwc.front.date1", kind="sidebar")
    return _at(d.blocks, "pwc.front.date1", "'sidebar'")


# --- E2xx: alignment ---------------------------------------------------------------------------------------------

@case("E201")
def _boundary_inside_a_token(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", lambda r: {**r, "start": r["start"] + 1, "text": r["text"][1:]})
    return _at(d.layer("entities"), "e-0010", "falls inside the token", also=UNANNOTATED)


def _new_claim(d: Data, record_id: str, block_id: str, start: int, end: int) -> Expect:
    text = d.block(block_id)["text"][start:end]
    record = {"id": record_id, "paragraph": block_id, "start": start, "end": end, "text": text, "label": "CLAIM",
              "type": "fact", "holder": ["author"], "about": []}
    line = insert_annotation(d.corpus, d.layer("claims"), record)
    return Expect(d.layer("claims"), line, record_id)


@case("E202")
def _span_ending_with_whitespace(d: Data) -> Expect:
    block = d.block("pwc.p1.para2")
    start = block["text"].index("Iranian Communist Party")
    assert block["text"][start + 7] == " "
    claim = _new_claim(d, "c-x2", "pwc.p1.para2", start, start + 8)  # "Iranian "
    return replace(claim, also=("E201",))  # its end is no token's end either


@case("W203")
def _span_ending_with_punctuation(d: Data) -> Expect:
    # The first claim followed by a punctuation mark, taken into the span.
    def followed_by_punct(r: Record) -> bool:
        text = d.block(r["paragraph"])["text"]
        return r["end"] < len(text) and text[r["end"]] in ".,;:!?"

    _, claim = find_record(d.layer("claims"), followed_by_punct)
    text = d.block(claim["paragraph"])["text"]
    edit_record(d.layer("claims"), claim["id"], end=claim["end"] + 1, text=text[claim["start"]:claim["end"] + 1])
    return _at(d.layer("claims"), claim["id"], "punctuation")


@case("E204")
def _marker_inside_a_span(d: Data) -> Expect:
    # The entity layer keeps markers outside its spans (claims may hold them: markers_inside).
    block = d.block("pwc.p1.para2")
    start = block["text"].index("The Iranian Communist Party[2] had")
    text = block["text"][start:start + len("The Iranian Communist Party[2] had")]
    record = {"id": "e-x1", "paragraph": "pwc.p1.para2", "start": start, "end": start + len(text), "text": text,
              "label": "ORG", "entity": "iranian-communist-party", "mention": "NOM"}
    line = insert_annotation(d.corpus, d.layer("entities"), record)
    return Expect(d.layer("entities"), line, "e-x1", ("contains a footnote marker",))


@case("W205")
def _quotation_closed_after_the_span(d: Data) -> Expect:
    _, claim = find_record(d.layer("claims"), lambda r: r["text"].endswith("Union of Communists in Iraq.”"))
    edit_record(d.layer("claims"), claim["id"], end=claim["end"] - 2, text=claim["text"][:-2])
    return _at(d.layer("claims"), claim["id"], "closes after the span")


# --- E3xx: overlap -----------------------------------------------------------------------------------------------

def _hekmat(d: Data, record_id: str, start_delta: int, end_delta: int) -> Expect:
    """A copy of the first "Mansoor Hekmat" mention with its edges moved (in characters)."""
    _, mention = find_record(d.layer("entities"), text="Mansoor Hekmat")
    text = d.block(mention["paragraph"])["text"]
    s, e = mention["start"] + start_delta, mention["end"] + end_delta
    line = insert_annotation(d.corpus, d.layer("entities"), {**mention, "id": record_id, "start": s, "end": e,
                                                            "text": text[s:e]})
    return Expect(d.layer("entities"), line, record_id, (mention["id"],))


@case("E301")
def _crossing(d: Data) -> Expect:
    crossing = _hekmat(d, "e-x1", len("Mansoor "), 3)  # "Hekmat" and what follows: crosses "Mansoor Hekmat"
    return replace(crossing, also=("E201",))  # three characters on, it ends inside a word


@case("E302")
def _duplicate(d: Data) -> Expect:
    return _hekmat(d, "e-x2", 0, 0)


@case("E303")
def _nested_where_not_allowed(d: Data) -> Expect:
    return _hekmat(d, "e-x3", len("Mansoor "), 0)  # "Hekmat" inside a NAM mention


# --- E4xx: labels and attributes -----------------------------------------------------------------------------------

@case("E401")
def _unknown_label(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", label="PLANET")
    return _at(d.layer("entities"), "e-0010", "'PLANET'", also=("E502", "W701"))  # and not the registry's label


@case("E402")
def _mention_not_allowed(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", mention="PRO")
    return _at(d.layer("entities"), "e-0010", "mention='PRO'")


@case("E402")
def _claim_type_not_allowed(d: Data) -> Expect:
    edit_record(d.layer("claims"), "c-0001", type="rant")
    return _at(d.layer("claims"), "c-0001", "type='rant'")


@case("E403")
def _required_attribute_missing(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", mention=DROP)
    return _at(d.layer("entities"), "e-0010", "'mention'")


# --- E5xx: cross-references --------------------------------------------------------------------------------------

@case("E501")
def _entity_not_in_the_registry(d: Data) -> Expect:
    edit_record(d.layer("entities"), "e-0010", entity="nobody")
    return _at(d.layer("entities"), "e-0010", "'nobody'", also=("W701",))  # the name now has two analyses


@case("E502")
def _label_differs_from_the_registry(d: Data) -> Expect:
    _, mention = find_record(d.layer("entities"), entity="kurds")
    edit_record(d.layer("entities"), mention["id"], label="LOC")
    return _at(d.layer("entities"), mention["id"], "'LOC'", "'NORP'", also=("W701",))


@case("E503")
def _holder_not_in_the_registry(d: Data) -> Expect:
    edit_record(d.layer("claims"), "c-0001", holder=["nobody"])
    return _at(d.layer("claims"), "c-0001", "holder: 'nobody'")


@case("E503")
def _about_not_in_the_registry(d: Data) -> Expect:
    edit_record(d.layer("claims"), "c-0001", about=["nobody"])
    return _at(d.layer("claims"), "c-0001", "about id 'nobody'")


@case("I509")
def _claim_about_leaves_out_a_mention_inside_it(d: Data) -> Expect:
    _, claim = find_record(d.layer("claims"), lambda r: r["text"].startswith("Mansoor Hekmat decided"))
    assert "mansoor-hekmat" in claim["about"]
    edit_record(d.layer("claims"), claim["id"], about=[x for x in claim["about"] if x != "mansoor-hekmat"])
    return _at(d.layer("claims"), claim["id"], "'mansoor-hekmat'", "about does not name")


@case("W504")
def _entity_without_mentions(d: Data) -> Expect:
    path = d.annotations / "registry.jsonl"
    line = insert_record(path, {"id": "lonely", "label": "PERSON", "name": "Lonely", "aliases": [],
                                "description": "", "footnotes": []})
    return Expect(path, line, "lonely", ("has no mention",))


@case("E505")
def _marker_without_footnote(d: Data) -> Expect:
    rewrite_block_text(d.corpus, "pwc.p1.para2", "[2]", "[9]")  # in the block and the source alike
    # Footnote [2] is left uncited; the claim that holds the marker no longer quotes its block.
    return _at(d.blocks, "pwc.p1.para2", "marker [9]", "part 1", also=("W506", "E106"))


@case("W506")
def _footnote_without_marker(d: Data) -> Expect:
    # Part One's only [2] now cites [1]: its footnote [2] is referenced by no marker.
    assert sum("[2]" in r["text"] for r in read_records(d.blocks) if r["part"] == 1 and r["kind"] != "footnote") == 1
    rewrite_block_text(d.corpus, "pwc.p1.para2", "[2]", "[1]")
    return _at(d.blocks, "pwc.p1.fn2", "footnote [2] of part 1", also=("E106",))  # the claim holding the marker


@case("E507")
def _duplicate_footnote_number(d: Data) -> Expect:
    edit_record(d.blocks, "pwc.p1.fn3", number=2)
    return _at(d.blocks, "pwc.p1.fn3", "a second footnote [2] in part 1", also=("E505",))  # marker [3]: no body


@case("E508")
def _registry_footnote_of_another_kind(d: Data) -> Expect:
    path = d.annotations / "registry.jsonl"
    edit_record(path, "wcp-iraq", footnotes=["pwc.p1.para1"])
    return _at(path, "wcp-iraq", "paragraph block, not a footnote")


# --- E6xx: dates -------------------------------------------------------------------------------------------------

@case("E601")
def _malformed_value(d: Data) -> Expect:
    edit_record(d.layer("dates"), "d-0001", value="2025-7-3")
    return _at(d.layer("dates"), "d-0001")


@case("E602")
def _value_contradicts_the_text(d: Data) -> Expect:
    edit_record(d.layer("dates"), "d-0001", value="2024-07-03")
    return _at(d.layer("dates"), "d-0001", "'2025 / 7 / 3'")


@case("E603")
def _invalid_mod(d: Data) -> Expect:
    edit_record(d.layer("dates"), "d-0001", mod="SOMETIMES")
    return _at(d.layer("dates"), "d-0001", "'SOMETIMES'")


@case("W604")
def _old_style_value(d: Data) -> Expect:
    edit_record(d.layer("dates"), "d-0001", value="202X")
    return _at(d.layer("dates"), "d-0001", "'202X'")


# --- 7xx: consistency across the corpus ----------------------------------------------------------------------------

def _hekmat_two_ways(d: Data) -> str:
    """Link the last "Mansoor Hekmat" mention to Modarresi: the string is now annotated two ways; returns the first."""
    mentions = find_records(d.layer("entities"), text="Mansoor Hekmat", entity="mansoor-hekmat")
    edit_record(d.layer("entities"), mentions[-1][1]["id"], entity="koorosh-modarresi")
    first: str = find_record(d.layer("entities"), lambda r: r["text"] == "Mansoor Hekmat")[1]["id"]
    return first


@case("W701")
def _string_annotated_two_ways(d: Data) -> Expect:
    first = _hekmat_two_ways(d)
    return _at(d.layer("entities"), first, "'Mansoor Hekmat' is annotated 2 ways", "PERSON/mansoor-hekmat",
               "PERSON/koorosh-modarresi", also=("I509",))  # the claim around it names mansoor-hekmat


@case("I701")
def _string_declared_ambiguous(d: Data) -> Expect:
    first = _hekmat_two_ways(d)
    path = d.annotations / "schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["ambiguous"]["Mansoor Hekmat"] = "declared for the test"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return _at(d.layer("entities"), first, "'Mansoor Hekmat' is annotated 2 ways", also=("I509",))


def _drop_a_hekmat(d: Data) -> Record:
    """Remove a "Mansoor Hekmat" mention: the name is now left unannotated once."""
    return drop_record(d.layer("entities"), text="Mansoor Hekmat")[1]


@case("W702")
def _name_left_unannotated(d: Data) -> Expect:
    dropped = _drop_a_hekmat(d)
    span = f"{dropped['start']}:{dropped['end']}"
    return _at(d.blocks, dropped["paragraph"], f"'Mansoor Hekmat' at {span} is not annotated")


@case("I702")
def _name_left_unannotated_as_listed(d: Data) -> Expect:
    dropped = _drop_a_hekmat(d)
    insert_record(d.annotations / "exceptions.jsonl", {k: dropped[k] for k in ("paragraph", "start", "end", "text")}
                  | {"reason": "kept out for the test"})
    span = f"{dropped['start']}:{dropped['end']}"
    return _at(d.blocks, dropped["paragraph"], f"'Mansoor Hekmat' at {span} left unannotated", "kept out for the test")


CASE_PARAMS = [pytest.param(code, func, id=f"{code}-{func.__name__.strip('_')}")
               for code in sorted(CASES) for func in CASES[code]]


def _where(f: Finding) -> tuple[str, Path | None, int | None, str | None]:
    return f.code, Path(f.file).resolve() if f.file else None, f.line, f.id


@pytest.fixture(scope="module")
def shipped_counts(nlp: Language) -> Counter[str]:
    return Counter(f.code for f in validate(nlp=nlp))


def test_every_code_has_a_case() -> None:
    assert CASES.keys() == CATALOG.keys(), (CATALOG.keys() - CASES.keys(), CASES.keys() - CATALOG.keys())


@pytest.mark.parametrize(("code", "make"), CASE_PARAMS)
def test_each_code_points_at_its_cause(data_copy: tuple[Path, Path], nlp: Language, shipped_counts: Counter[str],
                                       code: str, make: Case) -> None:
    corpus, annotations = data_copy
    expected = make(Data(corpus, annotations))
    findings = validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)
    hits = [f for f in findings if f.code == code]
    shown = [(f.code, f.file and Path(f.file).name, f.line, f.id, f.message) for f in findings if f.severity != "info"]
    where = (code, expected.file.resolve(), expected.line, expected.id)
    matching = [f for f in hits if _where(f) == where]
    assert matching, (where, shown)
    assert all(f.severity == CATALOG[code].severity and f.hint == CATALOG[code].hint for f in hits)
    for words in expected.message:
        assert words in matching[0].message, matching[0].message
    # One root cause, one finding: the change adds exactly one finding of its code to what the shipped data gives,
    # and moves no other count but the consequences the case names.
    assert len(hits) == shipped_counts[code] + 1, [(f.line, f.id, f.message) for f in hits]
    counts = Counter(f.code for f in findings)
    moved = {c for c in counts.keys() | shipped_counts.keys() if counts[c] != shipped_counts[c]}
    assert moved == {code, *expected.also}, shown


# --- a corpus built from scratch ----------------------------------------------------------------------------------

def _tiny(root: Path, *, notes: list[tuple[str, int]]) -> tuple[Path, Path]:
    """Title, one paragraph citing [1], [2] and [3], then Part One's footnote bodies ``notes`` (id, number)."""
    text = "The Tudeh Party[1] met the Tudeh Party[2] and the Tudeh Party[3]."
    blocks: list[Record] = [{"id": "d.front.title1", "kind": "title", "text": "A Tiny Essay"},
              {"id": "d.p1.para1", "kind": "paragraph", "part": 1, "text": text},
              *({"id": block_id, "kind": "footnote", "part": 1, "section": "Footnotes", "number": n,
                 "text": f"[{n}] A note."} for block_id, n in notes)]
    tudeh = {"id": "tudeh-party", "label": "ORG", "name": "Tudeh Party", "aliases": ["Tudeh Party"],
             "description": "", "footnotes": []}
    mentions = [{"id": f"e-{k}", "paragraph": "d.p1.para1", "start": m, "end": m + len("Tudeh Party"),
                 "text": "Tudeh Party", "label": "ORG", "entity": "tudeh-party", "mention": "NAM"}
                for k, m in enumerate(i for i in range(len(text)) if text.startswith("Tudeh Party", i))]
    return write_corpus(root, blocks, layers={"entities": mentions}, registry=[tudeh],
                        excluded=[{"text": "Add comment", "reason": "web residue"}])


def test_a_tiny_corpus_from_scratch_is_clean(tmp_path: Path, nlp: Language) -> None:
    corpus, annotations = _tiny(tmp_path, notes=[("d.p1.fn1", 1), ("d.p1.fn2", 2), ("d.p1.fn3", 3)])
    assert validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp) == []
    assert run_cli("validate", "--corpus", corpus, "--annotations", annotations, "--strict").returncode == 0


def test_footnote_findings_on_a_tiny_corpus(tmp_path: Path, nlp: Language) -> None:
    # [2] has no body, [1] has two, [4] has no marker.
    corpus, annotations = _tiny(tmp_path, notes=[("d.p1.fn1", 1), ("d.p1.fn1b", 1), ("d.p1.fn3", 3), ("d.p1.fn4", 4)])
    blocks = corpus / "d" / "blocks.jsonl"
    found = [(f.code, Path(f.file or "").name, f.line, f.id)
             for f in validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)]
    assert found == [("E505", "blocks.jsonl", record_line(blocks, "d.p1.para1"), "d.p1.para1"),
                     ("E507", "blocks.jsonl", record_line(blocks, "d.p1.fn1b"), "d.p1.fn1b"),
                     ("W506", "blocks.jsonl", record_line(blocks, "d.p1.fn4"), "d.p1.fn4")]


# --- the shipped data, the command, and the catalog ----------------------------------------------------------------

def test_shipped_corpus_has_no_errors_or_warnings_but_the_known_two() -> None:
    findings = validate()  # the default pipeline, built by validate itself
    assert [f.code for f in findings if f.severity == "error"] == []
    assert [(f.code, f.id) for f in findings if f.severity == "warning"] == [
        ("W506", "pwc.p2.fn1"), ("W506", "pwc.p2.fn8")]


def test_records_out_of_reading_order_stop_extract(data_copy: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = data_copy
    path = annotations / "dates.jsonl"
    first, second = (r for _, r in find_records(path)[:2])
    _, line = swap_records(path, second["id"], first["id"])
    found = [(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)
             if f.code == "E110"]
    assert found == [("E110", line)]
    result = run_cli("extract", "--layer", "dates", "--corpus", corpus, "--annotations", annotations, "-q")
    assert result.returncode == 2 and f"dates.jsonl:{line}" in result.stderr and "reading order" in result.stderr


def test_bad_json_does_not_stop_the_rest_of_the_file(data_copy: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    records = read_records(path)
    bad = edit_record(path, records[2]["id"], lambda r: "{not json")
    later = edit_record(path, records[-10]["id"], label="PLANET")
    found = {(f.code, f.line) for f in validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)}
    assert ("E100", bad) in found and ("E401", later) in found


def test_validate_changes_no_file(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    edit_record(annotations / "entities.jsonl", "e-0010", label="PLANET")  # findings to report, too
    before = {p: p.read_bytes() for p in [*corpus.rglob("*"), *annotations.rglob("*")] if p.is_file()}
    assert run_cli("validate", "--corpus", corpus, "--annotations", annotations).returncode == 1
    after = {p: p.read_bytes() for p in [*corpus.rglob("*"), *annotations.rglob("*")] if p.is_file()}
    assert before == after


def test_exit_status_and_formats(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    args = ("--corpus", corpus, "--annotations", annotations)
    clean = run_cli("validate", *args)
    assert clean.returncode == 0 and "0 errors, 2 warnings" in clean.stderr
    assert run_cli("validate", *args, "--strict").returncode == 1
    _, record = find_record(annotations / "entities.jsonl", entity="wcp-iraq")
    line = edit_record(annotations / "entities.jsonl", record["id"], entity="nobody")
    broken = run_cli("validate", *args, "--format", "json")
    assert broken.returncode == 1
    findings = [json.loads(x) for x in broken.stdout.splitlines()]
    assert [(f["code"], Path(f["file"]).name, f["line"], f["id"]) for f in findings if f["severity"] == "error"] == [
        ("E501", "entities.jsonl", line, record["id"])]
    text = run_cli("validate", *args)
    assert text.returncode == 1 and f":{line} E501 error [{record['id']}]" in text.stdout
    assert text.stderr.startswith("1 errors, ")
    assert run_cli("validate", "--annotations", corpus / "nowhere").returncode == 2
    assert run_cli("validate", "--format", "xml").returncode == 2


def test_every_code_the_package_emits_is_catalogued_and_documented() -> None:
    emitted: set[str] = set()
    for path in (ROOT / "toolkit").rglob("*.py"):
        if path.name != "codes.py":  # the catalog itself names every code
            emitted |= set(re.findall(r'"([EWI]\d{3})"', path.read_text(encoding="utf-8")))
    assert len(emitted) > 30, "too few codes found: the pattern is wrong"
    assert emitted == CATALOG.keys(), (emitted - CATALOG.keys(), CATALOG.keys() - emitted)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([EWI]\d{3})` \| (error|warning|info) \|", readme, re.M))
    assert rows == {code: entry.severity for code, entry in CATALOG.items()}
