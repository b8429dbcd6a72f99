"""Every command and loader refuses what `validate` rejects: exit 2 or ToolkitError, naming code, file:line, record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

import toolkit
from toolkit.layout import Layout
from toolkit.readers import iter_blocks

from .conftest import (
    BLOCKS,
    CORPUS,
    block_order,
    edit_record,
    find_record,
    find_records,
    insert_record,
    read_records,
    record_line,
    run_cli,
    swap_records,
)

# Each breaks one record of a copy of entities.jsonl (found by id, never by line) and returns the line that
# the refusal must name, read from the file after the change.
Break = Callable[[Path], int]


def _set(record_id: str, **fields: Any) -> Break:
    return lambda path: edit_record(path, record_id, **fields)


def _swap_offsets(path: Path) -> int:
    return edit_record(path, "e-0004", lambda r: {**r, "start": r["end"], "end": r["start"]})


def _past_end(path: Path) -> int:
    return edit_record(path, "e-0004", lambda r: {**r, "end": r["end"] + 10_000})


def _duplicate_id(path: Path) -> int:
    assert record_line(path, "e-0003") < record_line(path, "e-0004")
    return edit_record(path, "e-0004", id="e-0003")  # the second use is refused


def _crossing(path: Path) -> int:
    # The first mention of the title ("Worker Communism"), and a new span from the start of the title into it.
    _, mention = find_record(path, paragraph="pwc.front.title1")
    title = find_record(BLOCKS, id="pwc.front.title1")[1]["text"]
    end = mention["start"] + len("Worker")
    insert_record(path, {"id": "e-crossing", "paragraph": "pwc.front.title1", "start": 0, "end": end,
                         "text": title[:end], "label": "ORG", "entity": "wcp-iraq", "mention": "NAM"},
                  before=mention["id"])
    return record_line(path, mention["id"])  # the mention now crosses the span before it


def _out_of_order(path: Path) -> int:
    # A record of a later block swapped ahead: the record on the line after it comes back in reading order.
    order = block_order(CORPUS)
    swap_records(path, "e-0004", "e-0041")
    line, late = find_record(path, id="e-0041")
    _, following = find_records(path)[line]  # 0-based: the record on line ``line + 1``
    assert order[following["paragraph"]] < order[late["paragraph"]]
    return line + 1


# name -> (edit of entities.jsonl, the code of the refusal)
BROKEN: dict[str, tuple[Break, str]] = {
    "start > end": (_swap_offsets, "E105"),
    "end past the block": (_past_end, "E104"),
    "negative offset": (_set("e-0004", start=-1), "E104"),
    "text differs from the block": (_set("e-0004", text="Something else"), "E106"),
    "unknown label": (_set("e-0004", label="NOPE"), "E401"),
    "entity not in the registry": (_set("e-0004", entity="nobody"), "E501"),
    "malformed id": (_set("e-0004", id='x" onfocus="alert(1)'), "E111"),
    "duplicate id": (_duplicate_id, "E102"),
    "crossing spans": (_crossing, "E301"),
    "unknown block": (_set("e-0004", paragraph="pwc.p9.para9"), "E103"),
    "out of reading order": (_out_of_order, "E110"),
    "missing field": (_set("e-0004", start=None), "E101"),
}


@pytest.fixture
def broken(request: pytest.FixtureRequest, data_copy: tuple[Path, Path]) -> tuple[Path, Path, str, int]:
    corpus, annotations = data_copy
    change, code = BROKEN[request.param]
    line = change(annotations / "entities.jsonl")
    return corpus, annotations, code, line


def _refused(args: list[str], code: str, line: int) -> str:
    """``toolkit ARGS`` stops with exit 2 and one line naming the file, the line, the record and the code."""
    result = run_cli(*args, cwd=Path.cwd())
    status, err = result.returncode, result.stderr
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("toolkit: error:"), err
    assert f"entities.jsonl:{line} (record " in err and f"): {code} " in err, err
    return err


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_extract_refuses_and_writes_nothing(broken: tuple[Path, Path, str, int], tmp_path: Path) -> None:
    corpus, annotations, code, line = broken
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    for workers in ("1", "2"):
        _refused(["extract", "--corpus", str(corpus), "--annotations", str(annotations), "--layer", "all",
                          "--out", str(out), "-q", "--workers", workers], code, line)
        assert out.read_text(encoding="utf-8") == "previous\n"
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_render_refuses_and_writes_nothing(broken: tuple[Path, Path, str, int], tmp_path: Path) -> None:
    corpus, annotations, code, line = broken
    out = tmp_path / "page.html"
    out.write_text("previous", encoding="utf-8")
    _refused(["render", "--corpus", str(corpus), "--annotations", str(annotations), "--out", str(out)],
             code, line)
    assert out.read_text(encoding="utf-8") == "previous"


@pytest.mark.parametrize("broken", ["start > end", "unknown label", "crossing spans", "duplicate id"],
                         indirect=True)
def test_agree_refuses(broken: tuple[Path, Path, str, int]) -> None:
    corpus, annotations, code, line = broken
    _refused(["agree", str(Path(toolkit.__file__).parent.parent / "annotations"), str(annotations),
                      "--corpus", str(corpus)], code, line)


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_loaders_refuse(broken: tuple[Path, Path, str, int], nlp: Language) -> None:
    corpus, annotations, code, line = broken
    loaders: list[Callable[[], object]] = [
        lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations),
        lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)),
        lambda: list(toolkit.extract(corpus_dir=corpus, annotations_dir=annotations, layer="all", nlp=nlp)),
    ]
    for load in loaders:
        with pytest.raises(toolkit.ToolkitError) as caught:
            load()
        e = caught.value
        assert (e.code, Path(e.file or "").name, e.line) == (code, "entities.jsonl", line), str(e)
        assert e.record is not None


def test_to_dataframe_refuses_a_file_broken_after_loading(data_copy: tuple[Path, Path]) -> None:
    pytest.importorskip("pandas")
    corpus_dir, annotations = data_copy
    corpus = toolkit.load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations)
    line = edit_record(annotations / "entities.jsonl", "e-0004", label="NOPE")
    with pytest.raises(toolkit.ToolkitError, match=rf"entities.jsonl:{line} \(record e-0004\): E401"):
        corpus.to_dataframe("entities")


@pytest.mark.parametrize("broken", ["start > end", "unknown label", "crossing spans"], indirect=True)
def test_validate_reports_what_readers_refuse(broken: tuple[Path, Path, str, int], nlp: Language) -> None:
    corpus, annotations, code, line = broken
    found = {(f.code, Path(f.file or "").name, f.line)
             for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)}
    assert (code, "entities.jsonl", line) in found


def test_registry_is_checked(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    line = edit_record(annotations / "registry.jsonl", "mansoor-hekmat", label='x" autofocus onfocus="alert(7)')
    result = run_cli("extract", "--corpus", corpus, "--annotations", annotations)
    err = result.stderr
    assert result.returncode == 2, err
    assert f"registry.jsonl:{line} (record mansoor-hekmat): E401 " in err, err


def test_block_ids_are_checked(data_copy: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = data_copy
    line = edit_record(corpus / "pwc" / "blocks.jsonl", "pwc.p1.h1", id="<img src=x onerror=alert(1)>")
    result = run_cli("footnotes", "--corpus", corpus)
    err = result.stderr
    assert result.returncode == 2, err
    assert f"blocks.jsonl:{line} " in err and " E111 " in err, err
    found = toolkit.validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)
    assert [f.line for f in found if f.code == "E111"] == [line]


def test_duplicate_block_id_is_refused(data_copy: tuple[Path, Path], nlp: Language) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    annotated = {r["paragraph"] for layer in ("entities", "dates", "claims")
                 for r in read_records(annotations / f"{layer}.jsonl")}
    first, *rest = [b["id"] for b in read_records(blocks)]
    unannotated = next(block_id for block_id in rest if block_id not in annotated)
    line = edit_record(blocks, unannotated, id=first)  # a block without annotations takes the first block's id
    pattern = rf"blocks.jsonl:{line} \(record {first}\): E102"
    for read in (lambda: list(iter_blocks(Layout.open(corpus_dir=corpus))),
                 lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)),
                 lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)):
        with pytest.raises(toolkit.ToolkitError, match=pattern):
            read()
