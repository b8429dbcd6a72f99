"""Every command and loader refuses what `validate` rejects: exit 2 or ToolkitError, naming code, file:line, record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import toolkit
from toolkit.cli import main
from toolkit.layout import Layout
from toolkit.readers import iter_blocks

Record = dict[str, Any]
Lines = list[Record]


def _edit(path: Path, change: Callable[[Lines], None]) -> None:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    change(records)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _set(index: int, **fields: Any) -> Callable[[Lines], None]:
    def change(records: Lines) -> None:
        records[index].update(fields)
    return change


def _swap_offsets(records: Lines) -> None:
    r = records[3]
    r["start"], r["end"] = r["end"], r["start"]


def _past_end(records: Lines) -> None:
    records[3]["end"] += 10_000


def _duplicate_id(records: Lines) -> None:
    records[3]["id"] = records[2]["id"]


def _crossing(records: Lines) -> None:
    # pwc.front.title1 is "Prospects of Worker Communism"; the gold marks 13:29 "Worker Communism".
    assert records[0]["paragraph"] == "pwc.front.title1" and (records[0]["start"], records[0]["end"]) == (13, 29)
    records.insert(0, {"id": "e-crossing", "paragraph": "pwc.front.title1", "start": 0, "end": 19,
                       "text": "Prospects of Worker", "label": "ORG", "entity": "wcp-iraq", "mention": "NAM"})


def _out_of_order(records: Lines) -> None:
    records[3], records[40] = records[40], records[3]


# name -> (edit of entities.jsonl, code, the 1-based line the message must name)
BROKEN: dict[str, tuple[Callable[[Lines], None], str, int]] = {
    "start > end": (_swap_offsets, "E105", 4),
    "end past the block": (_past_end, "E104", 4),
    "negative offset": (_set(3, start=-1), "E104", 4),
    "text differs from the block": (_set(3, text="Something else"), "E106", 4),
    "unknown label": (_set(3, label="NOPE"), "E401", 4),
    "entity not in the registry": (_set(3, entity="nobody"), "E501", 4),
    "malformed id": (_set(3, id='x" onfocus="alert(1)'), "E111", 4),
    "duplicate id": (_duplicate_id, "E102", 4),
    "crossing spans": (_crossing, "E301", 2),
    "unknown block": (_set(3, paragraph="pwc.p9.para9"), "E103", 4),
    "out of reading order": (_out_of_order, "E110", 5),  # line 4 jumps ahead; line 5 comes back
    "missing field": (_set(3, start=None), "E101", 4),
}


@pytest.fixture
def broken(request: pytest.FixtureRequest, data_copy: tuple[Path, Path]) -> tuple[Path, Path, str, int]:
    corpus, annotations = data_copy
    change, code, line = BROKEN[request.param]
    _edit(annotations / "entities.jsonl", change)
    return corpus, annotations, code, line


def _refused(capsys: pytest.CaptureFixture[str], args: list[str], code: str, line: int) -> str:
    status = main(args)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("toolkit: error:"), err
    assert f"entities.jsonl:{line}" in err and f" {code} " in err, err
    return err


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_extract_refuses_and_writes_nothing(broken: tuple[Path, Path, str, int], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations, code, line = broken
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    for workers in ("1", "2"):
        _refused(capsys, ["extract", "--corpus", str(corpus), "--annotations", str(annotations), "--layer", "all",
                          "--out", str(out), "-q", "--workers", workers], code, line)
        assert out.read_text(encoding="utf-8") == "previous\n"
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_render_refuses_and_writes_nothing(broken: tuple[Path, Path, str, int], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations, code, line = broken
    out = tmp_path / "page.html"
    out.write_text("previous", encoding="utf-8")
    _refused(capsys, ["render", "--corpus", str(corpus), "--annotations", str(annotations), "--out", str(out)],
             code, line)
    assert out.read_text(encoding="utf-8") == "previous"


@pytest.mark.parametrize("broken", ["start > end", "unknown label", "crossing spans", "duplicate id"],
                         indirect=True)
def test_agree_refuses(broken: tuple[Path, Path, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations, code, line = broken
    _refused(capsys, ["agree", str(Path(toolkit.__file__).parent.parent / "annotations"), str(annotations),
                      "--corpus", str(corpus)], code, line)


@pytest.mark.parametrize("broken", list(BROKEN), indirect=True)
def test_loaders_refuse(broken: tuple[Path, Path, str, int]) -> None:
    corpus, annotations, code, line = broken
    loaders: list[Callable[[], object]] = [
        lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations),
        lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations)),
        lambda: list(toolkit.extract(corpus_dir=corpus, annotations_dir=annotations, layer="all")),
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
    _edit(annotations / "entities.jsonl", _set(3, label="NOPE"))
    with pytest.raises(toolkit.ToolkitError, match="E401"):
        corpus.to_dataframe("entities")


@pytest.mark.parametrize("broken", ["start > end", "unknown label", "crossing spans"], indirect=True)
def test_validate_reports_what_readers_refuse(broken: tuple[Path, Path, str, int]) -> None:
    corpus, annotations, code, line = broken
    found = {(f.code, f.line) for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations)}
    assert (code, line) in found


def test_registry_is_checked(data_copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    _edit(annotations / "registry.jsonl", _set(1, label='x" autofocus onfocus="alert(7)'))
    assert main(["extract", "--corpus", str(corpus), "--annotations", str(annotations)]) == 2
    err = capsys.readouterr().err
    assert "registry.jsonl:2" in err and " E401 " in err


def test_block_ids_are_checked(data_copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, annotations = data_copy
    _edit(corpus / "pwc" / "blocks.jsonl", _set(0, id="<img src=x onerror=alert(1)>"))
    assert main(["footnotes", "--corpus", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert "blocks.jsonl:1" in err and " E111 " in err
    found = toolkit.validate(corpus_dir=corpus, annotations_dir=annotations)
    assert [f.line for f in found if f.code == "E111"] == [1]


def test_duplicate_block_id_is_refused(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    blocks = corpus / "pwc" / "blocks.jsonl"
    annotated = "".join((annotations / f"{layer}.jsonl").read_text(encoding="utf-8")
                        for layer in ("entities", "dates", "claims"))
    ids = [json.loads(line)["id"] for line in blocks.read_text(encoding="utf-8").splitlines()]
    index = next(i for i, block_id in enumerate(ids) if i > 0 and f'"{block_id}"' not in annotated)
    _edit(blocks, _set(index, id=ids[0]))  # a block without annotations takes the first block's id
    pattern = rf"blocks.jsonl:{index + 1} \(record {ids[0]}\): E102"
    for read in (lambda: list(iter_blocks(Layout.open(corpus_dir=corpus, annotations_dir=annotations))), lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations)),
                 lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)):
        with pytest.raises(toolkit.ToolkitError, match=pattern):
            read()
