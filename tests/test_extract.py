from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from spacy.language import Language

from toolkit import ToolkitError, extract
from toolkit.json_schemas import json_schema, schema_names
from toolkit.layout import Layout
from toolkit.schema import read_schema

from .conftest import ANNOTATIONS, CORPUS, DROP, block_order, edit_record, find_records, read_records, run_cli

LAYER_ORDER = {"entities": 0, "dates": 1, "claims": 2}


@pytest.fixture(scope="module")
def all_records(nlp: Language) -> list[dict[str, Any]]:
    """``extract(layer="all")`` of the shipped data, in one process."""
    return list(extract(layer="all", nlp=nlp))


@pytest.mark.parametrize("layer", ["entities", "dates", "claims"])
def test_cli_output_matches_its_published_schema(layer: str) -> None:
    result = run_cli("extract", "--layer", layer, "--quiet")
    assert result.returncode == 0 and result.stderr == ""
    schema = run_cli("schema", layer)
    assert schema.returncode == 0
    validator = jsonschema.Draft202012Validator(json.loads(schema.stdout))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(read_records(ANNOTATIONS / f"{layer}.jsonl"))
    for record in records:
        validator.validate(record)


def test_every_schema_is_valid_json_schema() -> None:
    schema = Layout.open().schema
    for name in schema_names(schema):
        jsonschema.Draft202012Validator.check_schema(json_schema(name, schema))


def test_records_in_reading_order_with_consistent_context(all_records: list[dict[str, Any]]) -> None:
    records = all_records
    assert len({r["id"] for r in records}) == len(records)
    # One record per annotation of the files, in reading order: block, then start, longer spans first, then layer.
    assert sorted(r["id"] for r in records) == sorted(
        a["id"] for layer in LAYER_ORDER for a in read_records(ANNOTATIONS / f"{layer}.jsonl"))
    order = block_order(CORPUS)
    keys = [(order[r["paragraph"]], r["start"], -r["end"], LAYER_ORDER[r["layer"]]) for r in records]
    assert keys == sorted(keys)
    for r in records:
        ctx = r["context"]
        assert ctx["text"][ctx["start"]:ctx["end"]] == r["text"]
        assert r["start"] - ctx["offset"] == ctx["start"]


def test_footnotes_follow_the_span_through_quotes_and_punctuation() -> None:
    by_text = {(r["paragraph"], r["text"]): r for r in extract(layer="entities", context="none")}
    hekmatist = by_text[("pwc.p1.para7", "Hekmatist Worker-Communist Party of Iran")]  # Iran,”[6]
    assert [(n["footnote"], n["number"]) for n in hekmatist["footnotes"]] == [("pwc.p1.fn6", 6)]
    part_two = by_text[("pwc.p2.para2", "Worker-Communist Party of Iran")]  # Iran[2] in Part Two
    assert part_two["footnotes"][0]["footnote"] == "pwc.p2.fn2"
    assert part_two["footnotes"][0]["text"].startswith("Worker-Communist Party of Iran: Founded in 1992")
    assert {n["footnote"] for n in part_two["entity_footnotes"]} == {"pwc.p1.fn3", "pwc.p2.fn2"}
    assert part_two["context"] is None


def test_a_claim_lists_the_markers_inside_it_then_those_after_it() -> None:
    """Claims may hold markers (S4): each marker inside, in order, resolved in its own part."""
    claims = list(extract(layer="claims", context="none"))
    inside = [r for r in claims if "[" in r["text"]]
    assert inside
    for r in inside:
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", r["text"])]
        assert [n["number"] for n in r["footnotes"]][:len(numbers)] == numbers, r["id"]
        assert all(n["part"] == r["part"] and n["footnote"] for n in r["footnotes"]), r["id"]
    rupture = next(r for r in claims if r["text"].endswith("Hekmatist Worker-Communist Party of Iran – official line"))
    assert [n["footnote"] for n in rupture["footnotes"]] == ["pwc.p2.fn6"]  # inside; Part Two's [6], not Part One's


def test_filters() -> None:
    orgs = list(extract(labels=["ORG"], context="none"))
    assert orgs and all(r["label"] == "ORG" for r in orgs)
    iraq_claims = list(extract(layer="claims", entities=["wcp-iraq"], context="none"))
    assert iraq_claims and all("wcp-iraq" in r["about"] or "wcp-iraq" in r["holder"] for r in iraq_claims)
    held = list(extract(layer="claims", entities=["worker-communists"], context="none"))
    assert any("worker-communists" not in r["about"] for r in held)  # found by a holder alone
    assert all("worker-communists" in r["about"] + r["holder"] for r in held)
    tudeh = list(extract(entities=["tudeh-party"], context="none"))
    assert tudeh and all(r["entity"] == "tudeh-party" for r in tudeh)
    assert len(tudeh) == len(find_records(ANNOTATIONS / "entities.jsonl", entity="tudeh-party"))


def test_bad_arguments_fail_at_the_call() -> None:
    with pytest.raises(ToolkitError, match="unknown entity"):
        extract(entities=["atlantis"])
    with pytest.raises(ToolkitError, match="unknown layer"):
        extract(layer="gossip")
    with pytest.raises(ToolkitError, match="no corpus folder"):
        extract(corpus_dir="/nonexistent")


def test_out_writes_atomically(tmp_path: Path, all_records: list[dict[str, Any]]) -> None:
    out = tmp_path / "mentions.jsonl"
    result = run_cli("extract", "--layer", "dates", "--out", out)
    assert result.returncode == 0 and result.stdout == ""
    written = out.read_bytes()
    assert [json.loads(line) for line in written.splitlines()] == [r for r in all_records if r["layer"] == "dates"]
    assert run_cli("extract", "--entity", "atlantis", "--out", out).returncode == 2
    assert out.read_bytes() == written  # untouched by the failed run
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # and no temp file beside it


def test_extract_streams() -> None:
    records = extract(layer="all")
    assert iter(records) is records  # a generator, not a list
    first = next(records)
    assert first["paragraph"] == "pwc.front.title1"


def test_two_workers_give_the_same_records(all_records: list[dict[str, Any]]) -> None:
    assert list(extract(layer="all", n_process=2)) == all_records
    with pytest.raises(ToolkitError, match="n_process"):
        extract(n_process=0)


def test_an_optional_holders_attribute_extracts_within_its_json_schema(tmp_path: Path) -> None:
    """An absent optional list is written as [], which its JSON Schema must allow (no minItems then)."""
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    schema = json.loads((annotations / "schema.json").read_text(encoding="utf-8"))
    schema["layers"]["claims"]["attributes"]["holder"]["required"] = False
    (annotations / "schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    edit_record(annotations / "claims.jsonl", "c-0001", holder=DROP)
    records = list(extract(layer="claims", context="none", annotations_dir=annotations))
    validator = jsonschema.Draft202012Validator(json_schema("claims", read_schema(annotations / "schema.json")))
    first = next(r for r in records if r["id"] == "c-0001")
    assert first["holder"] == [] and not list(validator.iter_errors(first))
    assert all(not list(validator.iter_errors(r)) for r in records)
