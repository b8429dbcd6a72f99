"""The benchmark runs at its smallest size and its synthetic corpus is valid. No timings are asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from toolkit import extract, validate

from .conftest import ROOT, Finished, starts_early

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    counts = generate(out, blocks=1000, seed=7)
    assert counts["blocks"] > 900 and counts["entities"] > counts["claims"] > counts["dates"] > 0
    return out


def test_synthetic_corpus_validates_cleanly(synthetic: Path, nlp: Language) -> None:
    findings = validate(corpus_dir=synthetic / "corpus", annotations_dir=synthetic / "annotations", nlp=nlp)
    assert [(f.code, f.message) for f in findings] == []


def test_synthetic_corpus_is_deterministic(synthetic: Path, tmp_path: Path) -> None:
    generate(tmp_path, blocks=1000, seed=7)
    for path in (synthetic / "annotations").glob("*.jsonl"):
        assert path.read_bytes() == (tmp_path / "annotations" / path.name).read_bytes()
    first = sorted((synthetic / "corpus").glob("*/blocks.jsonl"))[0]
    assert first.read_bytes() == (tmp_path / "corpus" / first.parent.name / first.name).read_bytes()


def test_synthetic_corpus_has_the_essays_marker_density(synthetic: Path) -> None:
    records = list(extract(layer="entities", context="none", corpus_dir=synthetic / "corpus",
                           annotations_dir=synthetic / "annotations"))
    with_notes = sum(bool(r["footnotes"]) for r in records)
    assert with_notes >= 15 * len({r["doc"] for r in records})  # the essay: 19 markers, most after a name


@pytest.mark.slow
@starts_early(lambda workdir: [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--sizes", "100", "--reps", "1",
                               "--workdir", str(workdir)])
def test_benchmark_script_runs_at_the_smallest_size(early: Finished) -> None:
    # The smallest corpus the generator makes: one document's worth of blocks (most of the run is the cold-start
    # measure, five starts of `toolkit extract` and of spaCy, whatever the size).
    assert early.returncode == 0, early.stderr[-2000:]
    assert "| Docs: DocBin round trip / toolkit load | >= 4 |" in early.stdout
    results = json.loads((early.workdir / "results.json").read_text())
    size = results["sizes"]["100"]
    assert 90 < size["blocks"] < 110
    assert {"load", "docbin", "floor", "validate", "extract", "validate_rss", "load_2", "extract_2"} <= size.keys()
    assert all(value > 0 for value in size.values()), size
    assert results["cold"]["toolkit_extract"] > 0 and results["cold"]["spacy_blank"] > 0


def test_synthetic_sources_segment_into_their_own_blocks(synthetic: Path) -> None:
    """So that `toolkit revise` can run on them: each source gives back exactly its blocks, ids included."""
    from toolkit import read_document
    from toolkit.ingestion import segment

    for folder in sorted((synthetic / "corpus").iterdir()):
        document, blocks = read_document(folder.name, corpus_dir=synthetic / "corpus")
        source = (folder / document.source).read_text(encoding="utf-8")
        assert segment(source, doc=document.id, source_name=document.source)[1] == blocks
