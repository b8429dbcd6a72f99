"""The benchmark runs at its smallest size and its synthetic corpus is valid. No timings are asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit import extract, validate

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    counts = generate(out, blocks=1000, seed=7)
    assert counts["blocks"] > 900 and counts["entities"] > counts["claims"] > counts["dates"] > 0
    return out


def test_synthetic_corpus_validates_cleanly(synthetic: Path) -> None:
    findings = validate(corpus_dir=synthetic / "corpus", annotations_dir=synthetic / "annotations")
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


def test_benchmark_script_runs_at_the_smallest_size(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--sizes", "1000", "--reps", "1",
                           "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| Docs: DocBin round trip / toolkit load | >= 4 |" in proc.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["sizes"]["1000"]["blocks"] > 900
    assert {"load", "docbin", "floor", "validate", "extract", "validate_rss", "load_2"} <= results["sizes"]["1000"].keys()
