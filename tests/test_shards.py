"""Work shared out to processes: one shard per document, the same results as one process, in reading order.

The shipped corpus has one document, so its shards cannot show a slice cut
in the wrong place; a small synthetic corpus of several documents can
(``benchmarks/synthetic.py``, shaped like the essay).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

import toolkit
from toolkit.checks import load_checks
from toolkit.layout import Layout
from toolkit.shards import document_shards

from .conftest import ROOT, read_records

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate

DOCUMENTS = 3


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, blocks=DOCUMENTS * 99, seed=5)
    corpus, annotations = out / "corpus", out / "annotations"
    assert len(list(corpus.glob("*/blocks.jsonl"))) == DOCUMENTS
    return corpus, annotations


def spans_of(doc: Doc) -> tuple[str, dict[str, list[str]]]:
    """What a worker hands back for a Doc: its block id and the span texts of each span group."""
    return doc.user_data["block"], {key: [span.text for span in doc.spans[key]] for key in sorted(doc.spans)}


def test_every_document_has_records_in_every_layer(synthetic: tuple[Path, Path]) -> None:
    corpus, annotations = synthetic
    owner = {b["id"]: b["doc"] for path in corpus.glob("*/blocks.jsonl") for b in read_records(path)}
    for layer in ("entities", "dates", "claims"):
        per_document = Counter(owner[r["paragraph"]] for r in read_records(annotations / f"{layer}.jsonl"))
        assert len(per_document) == DOCUMENTS and min(per_document.values()) > 0, (layer, per_document)


def test_shards_cut_each_layer_file_at_document_edges(synthetic: tuple[Path, Path]) -> None:
    corpus, annotations = synthetic
    layout = Layout.open(corpus_dir=corpus, annotations_dir=annotations)
    shards = list(document_shards(layout, load_checks(layout)))
    assert [s.folder.name for s in shards] == sorted(p.parent.name for p in corpus.glob("*/blocks.jsonl"))
    for layer in ("entities", "dates", "claims"):
        path = annotations / f"{layer}.jsonl"
        data = path.read_bytes()
        sections = [s.sections[layer] for s in shards]
        assert sections[0][0] == 0 and sections[-1][1] == len(data)
        for (_, end, _), (start, _, _) in itertools.pairwise(sections):
            assert end == start  # contiguous, no record twice
        for shard, (start, end, first_line) in zip(shards, sections, strict=True):
            blocks = {b["id"] for b in read_records(shard.folder / "blocks.jsonl")}
            records = [json.loads(line) for line in data[start:end].decode("utf-8").splitlines()]
            assert records and {r["paragraph"] for r in records} <= blocks, (layer, shard.folder.name)
            assert first_line == data[:start].count(b"\n") + 1


def test_extract_in_two_processes_gives_what_one_gives(synthetic: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = synthetic
    serial = list(toolkit.extract(layer="all", corpus_dir=corpus, annotations_dir=annotations, nlp=nlp, n_process=1))
    parallel = list(toolkit.extract(layer="all", corpus_dir=corpus, annotations_dir=annotations, nlp=nlp,
                                    n_process=2))
    assert len({r["doc"] for r in serial}) == DOCUMENTS
    assert len(serial) == sum(len(read_records(annotations / f"{layer}.jsonl"))
                              for layer in ("entities", "dates", "claims"))
    assert len(parallel) == len(serial)
    for one, two in zip(serial, parallel, strict=True):
        assert one == two


def test_map_docs_in_two_processes_gives_what_one_gives(synthetic: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = synthetic
    serial = list(toolkit.map_docs(spans_of, corpus_dir=corpus, annotations_dir=annotations, nlp=nlp, n_process=1))
    parallel = list(toolkit.map_docs(spans_of, corpus_dir=corpus, annotations_dir=annotations, nlp=nlp, n_process=2))
    blocks = [b["id"] for path in sorted(corpus.glob("*/blocks.jsonl")) for b in read_records(path)]
    assert [block for block, _ in serial] == blocks
    assert sum(len(spans) for _, groups in serial for spans in groups.values()) > 0
    assert len(parallel) == len(serial)
    for one, two in zip(serial, parallel, strict=True):
        assert one == two
