from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from toolkit import ToolkitError, ingest, read_document, segment

from .conftest import CORPUS, EXCERPT, ROOT, SOURCE, run_cli

SEED = ROOT.parent / "shared" / "seed" / "prospects-of-worker-communism.txt"


def test_shipped_source_is_the_seed_byte_for_byte() -> None:
    if not SEED.exists():
        pytest.skip("shared/seed is not beside this checkout")
    assert SOURCE.read_bytes() == SEED.read_bytes()


def test_every_block_is_its_source_slice() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    blocks = read_document("pwc", corpus_dir=CORPUS)[1]
    assert len(blocks) > 90
    for block in blocks:
        assert source[block.source_start:block.source_end] == block.text, block.id
    starts = [b.source_start for b in blocks]
    assert starts == sorted(starts)


def test_document_record_provenance_and_residue() -> None:
    document = read_document("pwc", corpus_dir=CORPUS)[0]
    source = SOURCE.read_text(encoding="utf-8")
    assert document.sha256 == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert document.author == "Rezgar Akrawi"
    assert [d.value for d in document.dates] == ["2025-07-03", "2012-06-29", "2013-07-01"]
    (excluded,) = document.excluded
    residue = source[excluded.source_start:excluded.source_end]
    assert residue.startswith("Add comment") and residue.endswith("vote : 2")
    last = read_document("pwc", corpus_dir=CORPUS)[1][-1]
    assert last.source_end <= excluded.source_start
    assert "Add comment" not in "".join(b.text for b in read_document("pwc", corpus_dir=CORPUS)[1])


def test_artefacts_are_kept_and_reported() -> None:
    document = read_document("pwc", corpus_dir=CORPUS)[0]
    kinds = {(a.kind, a.text) for a in document.artefacts}
    assert ("truncated_list_item", "12. ......") in kinds
    assert ("apostrophe_lost_as_space", "party s") in kinds
    assert ("apostrophe_lost_as_space", "Ba athist") in kinds
    assert any(k == "separator" for k, _ in kinds)


def test_ingest_regenerates_the_shipped_corpus_exactly(tmp_path: Path) -> None:
    result = run_cli("ingest", SOURCE, "--doc", "pwc", "--corpus", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("blocks.jsonl", "document.json", SOURCE.name):
        assert (tmp_path / "pwc" / name).read_bytes() == (CORPUS / "pwc" / name).read_bytes(), name


def test_footnote_blocks_carry_number_and_part() -> None:
    blocks = {b.id: b for b in read_document("pwc", corpus_dir=CORPUS)[1]}
    assert blocks["pwc.p2.fn13"].number == 13 and blocks["pwc.p2.fn13"].part == 2
    assert blocks["pwc.p1.fn8"].section == "Footnotes"
    assert sum(b.kind == "footnote" for b in blocks.values()) == 8 + 13


def test_excerpt_segmentation() -> None:
    _, blocks = segment(EXCERPT, doc="x", source_name="x.txt")
    kinds = [(b.id, b.kind, b.part) for b in blocks]
    assert kinds[:3] == [("x.front.title1", "title", None), ("x.front.byline1", "byline", None),
                         ("x.front.date1", "dateline", None)]
    assert ("x.p1.li1", "list_item", 1) in kinds
    assert ("x.sep1", "separator", None) in kinds
    assert ("x.p2.fn2", "footnote", 2) in kinds
    assert ("x.p2.li1", "list_item", 2) in kinds
    assert all("Add comment" not in b.text for b in blocks)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no essay text"),
        ("Title\n\nA Writer\n\nText.\n\nFootnotes\n[1] fine\nnot a footnote\n", "not a footnote"),
        ("Title\n\nAdd comment\n\nA paragraph that goes on.\n", "residue"),
        ("Title\n\nThe Start Part One\n\nText.\n\nThe End Part Three\n", "part 3 follows part 1"),
        ("Title\n\nText here.\n[1] a footnote outside a footnotes section\n", "outside a Footnotes section"),
        ("Title\n\nA Writer\n\nText.\n\nFootnotes\n[1] one\n[1] again\n", "appears twice"),
    ],
)
def test_ingest_refuses_what_it_cannot_segment(text: str, message: str) -> None:
    with pytest.raises(ToolkitError, match=message):
        segment(text, doc="x", source_name="x.txt")


def test_refusal_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nA Writer\n\nText.\n\nFootnotes\n[1] fine\nnot a footnote\n", encoding="utf-8")
    result = run_cli("ingest", bad, "--doc", "bad", "--corpus", tmp_path / "out")
    assert result.returncode == 2
    assert f"{bad}:9:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "bad").exists()


def test_ingest_never_overwrites_without_force(tmp_path: Path, excerpt_file: Path) -> None:
    ingest(excerpt_file, doc="ex", corpus_dir=tmp_path)
    blocks = tmp_path / "ex" / "blocks.jsonl"
    blocks.write_text("hand edited\n", encoding="utf-8")
    result = run_cli("ingest", excerpt_file, "--doc", "ex", "--corpus", tmp_path)
    assert result.returncode == 2 and "--force" in result.stderr
    assert blocks.read_text(encoding="utf-8") == "hand edited\n"
    assert run_cli("ingest", excerpt_file, "--doc", "ex", "--corpus", tmp_path, "--force").returncode == 0
    assert json.loads(blocks.read_text(encoding="utf-8").splitlines()[0])["kind"] == "title"
    assert not list(tmp_path.glob("ex/.*.tmp"))


def test_non_utf8_source_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Title\n\nCaf\xe9 society.\n".encode("latin-1"))
    with pytest.raises(ToolkitError, match=r"latin1.txt:3: not UTF-8"):
        ingest(bad, doc="l", corpus_dir=tmp_path / "out")


def test_block_kinds_are_one_list() -> None:
    from toolkit.json_schemas import json_schema
    from toolkit.layout import Layout
    from toolkit.models import KINDS

    schema = json_schema("blocks", Layout.open().schema)
    assert schema["properties"]["kind"]["enum"] == list(KINDS)
    assert {b.kind for b in read_document("pwc", corpus_dir=CORPUS)[1]} <= KINDS.keys()
