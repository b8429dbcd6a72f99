"""Layers are declared by schema.json alone: a fifth layer, ``quotes``, works everywhere with no code change."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import toolkit
from toolkit.cli import main
from toolkit.json_schemas import json_schema
from toolkit.layout import Layout

from .conftest import ANNOTATIONS, CORPUS

QUOTES = {
    "file": "quotes.jsonl",
    "description": "Words the essay quotes, between quotation marks.",
    "labels": ["QUOTE", "SLOGAN"],
    "attributes": {"speaker": {"type": "holder", "required": False},
                   "register": {"type": "string", "required": True, "enum": ["title", "phrase"]}},
    "overlap": {"crossing": False, "duplicates": False, "nesting": False},
    "markers_inside": True,
}
QUOTED = re.compile(r"“([^”]{3,80})”")


def _quotes(corpus: Path) -> list[dict[str, Any]]:
    """A quote record for every short “...” of the essay (the words inside the marks)."""
    records: list[dict[str, Any]] = []
    _, blocks = toolkit.read_document("pwc", corpus_dir=corpus)
    for block in blocks:
        for m in QUOTED.finditer(block.text):
            text = m.group(1)
            if text != text.strip():
                continue
            records.append({"id": f"q-{len(records) + 1:04d}", "paragraph": block.id, "start": m.start(1),
                            "end": m.end(1), "text": text, "label": "QUOTE", "register": "phrase",
                            "speaker": "author"})
        if block.id == "pwc.p1.para2":  # a span over a footnote marker: this layer lets markers inside
            start = block.text.index("Iranian Communist Party[2]")
            records.append({"id": f"q-{len(records) + 1:04d}", "paragraph": block.id, "start": start,
                            "end": start + 26, "text": block.text[start:start + 26], "label": "SLOGAN",
                            "register": "title"})
    return records


@pytest.fixture(scope="module")
def five_layers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, Any]]]:
    """A copy of the annotations with ``quotes`` declared in schema.json and a quotes.jsonl beside the others."""
    annotations = tmp_path_factory.mktemp("five") / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    schema = json.loads((annotations / "schema.json").read_text(encoding="utf-8"))
    schema["layers"]["quotes"] = QUOTES
    (annotations / "schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    records = _quotes(CORPUS)
    assert len(records) >= 5
    (annotations / "quotes.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                              encoding="utf-8")
    return CORPUS, annotations, records


def _cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def test_validate_checks_the_new_layer(five_layers: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    corpus, annotations, records = five_layers
    assert [f for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations) if f.severity == "error"] == []
    broken = tmp_path / "annotations"
    shutil.copytree(annotations, broken)
    lines = (broken / "quotes.jsonl").read_text(encoding="utf-8").splitlines()
    k = len(lines) - 1
    lines[k] = lines[k].replace('"register": "phrase"', '"register": "speech"')
    (broken / "quotes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [(f.code, Path(f.file or "").name, f.line, f.id)
             for f in toolkit.validate(corpus_dir=corpus, annotations_dir=broken) if f.severity == "error"]
    assert found == [("E402", "quotes.jsonl", k + 1, records[k]["id"])]


def test_extract_the_new_layer_alone_and_with_all(five_layers: tuple[Path, Path, list[dict[str, Any]]],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations, records = five_layers
    code, out = _cli(capsys, "extract", "--layer", "quotes", "--context", "none", "--corpus", corpus,
                     "--annotations", annotations)
    assert code == 0
    extracted = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in extracted] == [r["id"] for r in records]
    assert all(r["layer"] == "quotes" for r in extracted)
    assert [(r["register"], r["speaker"]) for r in extracted] == [(r["register"], r.get("speaker")) for r in records]
    validator = jsonschema.Draft202012Validator(json_schema("quotes", Layout.open(annotations_dir=annotations).schema))
    for record in extracted:
        validator.validate(record)
    code, out = _cli(capsys, "extract", "--layer", "all", "--context", "none", "--corpus", corpus,
                     "--annotations", annotations)
    layers = {json.loads(line)["layer"] for line in out.splitlines()}
    assert code == 0 and layers == {"entities", "dates", "claims", "quotes"}


def test_docs_carry_the_new_layer_as_a_span_group(five_layers: tuple[Path, Path, list[dict[str, Any]]]) -> None:
    corpus, annotations, records = five_layers
    found = {span.id_: span.text for doc in toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations)
             for span in doc.spans["quotes"]}
    assert found == {r["id"]: r["text"] for r in records}
    loaded = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    assert [a.id for a in loaded.annotations("quotes")] == [r["id"] for r in records]


def test_render_draws_the_new_layer(five_layers: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations, records = five_layers
    out = tmp_path / "page.html"
    assert _cli(capsys, "render", "--out", out, "--corpus", corpus, "--annotations", annotations)[0] == 0
    page = out.read_text(encoding="utf-8")
    # The third layer without a registry link gets the third line channel, in the spans and in the legend.
    for r in records:
        assert re.search(rf'<span class="ann line2 k\d[ a-z-]*" id="{r["id"]}" tabindex="0" [^>]*'
                         rf'data-tip="{r["label"]} \(quotes\)', page), r["id"]
    legend = re.search(r'<dt>quotes</dt><dd>(.*?)</dd>', page)
    assert legend is not None
    chips = re.findall(r'<span class="chip line2 (k\d)">([A-Z]+)</span>', legend.group(1))
    assert {label for _, label in chips} == {r["label"] for r in records}
    assert len({colour for colour, _ in chips}) == len(chips)  # a colour per label


def test_agree_compares_the_new_layer(five_layers: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    corpus, annotations, records = five_layers
    other = tmp_path / "b"
    shutil.copytree(annotations, other)
    lines = (other / "quotes.jsonl").read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[1]) | {"register": "title"}
    (other / "quotes.jsonl").write_text("\n".join([lines[0], json.dumps(changed, ensure_ascii=False), *lines[3:]])
                                        + "\n", encoding="utf-8")
    report = {r["layer"]: r for r in toolkit.agree(annotations, other, corpus_dir=corpus, bootstrap=0)
              if r["label"] is None}
    quotes = report["quotes"]
    assert (quotes["a"], quotes["b"], quotes["matched"]) == (len(records), len(records) - 1, len(records) - 1)
    assert quotes["attributes"]["register"] == round((len(records) - 2) / (len(records) - 1), 3)
    assert report["entities"]["exact"]["f1"] == 1.0


def test_fmt_leaves_the_new_layer_in_canonical_form(five_layers: tuple[Path, Path, list[dict[str, Any]]],
                                                     tmp_path: Path) -> None:
    corpus, annotations, _ = five_layers
    copy = tmp_path / "annotations"
    shutil.copytree(annotations, copy)
    changed = toolkit.fmt(corpus_dir=corpus, annotations_dir=copy)
    assert changed == [copy / "quotes.jsonl"]  # attributes in declared order: speaker before register
    first = json.loads((copy / "quotes.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first)[6:] == ["speaker", "register"]
    assert toolkit.fmt(corpus_dir=corpus, annotations_dir=copy, check=True) == []


@pytest.mark.parametrize("change", [{"key": ["value"]}, {"key": "nope"}, {"ents": "yes"}, {"file": "../x.jsonl"},
                                    {"colour": "red"}, {"attributes": {"value": {"type": "date"}}}])
def test_a_malformed_layer_declaration_is_refused_by_name(change: dict[str, Any], tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    schema = json.loads((annotations / "schema.json").read_text(encoding="utf-8"))
    schema["layers"]["dates"] |= change
    (annotations / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(toolkit.ToolkitError, match=r"schema\.json: E101 .*dates"):
        Layout.open(annotations_dir=annotations)
