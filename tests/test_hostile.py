"""Hostile input at a scale the suite can afford: cost stays linear, messages stay short, nothing crashes.

The five shapes of issue "Trust nothing", scaled down: a 5 MB line (an
annotation's text, a block's text), 100k distinct annotated names, 20k
annotations in one block (nested, crossing, identical), a value nested 10k
levels deep, a 20 MB file without a newline. Each is written into a copy
of the shipped data; ``toolkit.validate`` and the readers
(``toolkit.load_corpus``, ``toolkit.stream_docs``, ``read_jsonl``) run on
it in a child process (forked from the test) with a hard time limit, so that a quadratic
regression fails instead of hanging the suite. No timing is asserted: the
limit is minutes for work that takes seconds. ``validate`` must return
findings; a reader may refuse the input, with a ToolkitError that names
the file and the line.

``python benchmarks/bench.py --hostile`` measures the full-size case.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.models import Annotation
from toolkit.schema import LayerSchema
from toolkit.validation.consistency import NAME_LIMIT, NameMatcher
from toolkit.validation.records import Located
from toolkit.validation.spans import check_overlaps

from .conftest import ROOT, Finished, insert_record, session_pipeline, starts_early

TIMEOUT = 300  # seconds, per child process; the work takes a few
MESSAGE_LIMIT = 200  # characters of a message about a 5 MB value
BIG_BLOCK = "pwc.p2.para5"

T = TypeVar("T")
Reads = dict[str, dict[str, Any] | None]


class Child:
    """``work()`` in a child process with a hard time limit, so that a quadratic regression fails instead of hanging.

    The child is forked from this process: it starts with everything imported
    (no interpreter start-up, no spaCy import) and hands back its result
    through a pipe. A crash in it (RecursionError, MemoryError, any exception,
    a dead process) fails the test with what happened. Two children run at
    once on two cores: start both, then take their results.
    """

    def __init__(self, work: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(send, work), daemon=True)
        self._process.start()
        send.close()
        self._deadline = time.monotonic() + TIMEOUT

    def result(self) -> Any:
        child = self._process
        try:
            if not self._receive.poll(max(0.0, self._deadline - time.monotonic())):
                pytest.fail(f"no result after {TIMEOUT} s")
            try:
                status, value = self._receive.recv()
            except EOFError:
                child.join(TIMEOUT)
                pytest.fail(f"the child process died (exit status {child.exitcode})")
        finally:
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()
            self._receive.close()
        if status != "ok":
            pytest.fail(f"the work raised:\n{value}")
        return value

    def stop(self) -> None:
        """Kill the child, if it still runs (its result is no longer wanted)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()


def _child(send: Connection, work: Callable[[], Any]) -> None:
    gc.freeze()  # what the parent holds is not the child's garbage: collections look at new objects only
    try:
        result = ("ok", work())
    except BaseException:  # reported to the parent, which fails the test
        result = ("error", traceback.format_exc()[-3000:])
    send.send(result)
    send.close()


def _in_child(work: Callable[[], T]) -> T:
    return cast(T, Child(work).result())


def _validate_and_read(corpus: Path, annotations: Path, touched: Path,
                       readers: tuple[str, ...] = ("load_corpus", "stream_docs", "read_jsonl"),
                       ) -> tuple[list[dict[str, Any]], Reads]:
    """``toolkit.validate`` (its findings as dicts) and the readers, each in a child process, side by side.

    Readers: None where one accepted the data, else its ToolkitError as a
    dict; nothing else may escape them (no RecursionError, MemoryError or
    any other crash). Both use one pipeline, made before they fork.
    """
    import toolkit
    from toolkit.jsonl import read_jsonl

    nlp = session_pipeline()
    every: dict[str, Callable[[], object]] = {
        "load_corpus": lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations),
        "stream_docs": lambda: sum(1 for _ in toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations,
                                                                  nlp=nlp)),
        "read_jsonl": lambda: sum(1 for _ in read_jsonl(touched)),
    }

    def read() -> Reads:
        results: Reads = {}
        for name in readers:
            try:
                every[name]()
                results[name] = None
            except toolkit.ToolkitError as e:
                results[name] = {"file": e.file, "line": e.line, "message": str(e)}
        return results

    reading = Child(read)
    validating = Child(lambda: [f.to_dict() for f in toolkit.validate(corpus_dir=corpus, annotations_dir=annotations,
                                                                       nlp=nlp)])
    try:
        findings = validating.result()
    except BaseException:
        reading.stop()
        raise
    return findings, reading.result()


def _refused_at(results: dict[str, dict[str, Any] | None], path: Path, line: int) -> None:
    """Every reader refused the data, naming ``path`` and ``line``, in a short message."""
    for name, error in results.items():
        assert error is not None, f"{name} accepted it"
        assert Path(error["file"]).name == path.name and error["line"] == line, (name, error)
        assert len(error["message"]) < MESSAGE_LIMIT + len(str(path)), (name, error)


def _accepted_or_refused_at(results: dict[str, dict[str, Any] | None], path: Path) -> None:
    """A reader accepted the data, or refused it naming ``path`` and a line (loaders check records)."""
    for name, error in results.items():
        if error is not None:
            assert Path(error["file"]).name == path.name and error["line"], (name, error)
            assert len(error["message"]) < MESSAGE_LIMIT + len(str(path)), (name, error)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _add_in_reading_order(corpus: Path, path: Path, records: list[dict[str, Any]]) -> dict[str, int]:
    """Add records to a layer file, keeping it sorted by block then start; returns id -> line."""
    order = {b["id"]: i for i, b in enumerate(_lines(corpus / "pwc" / "blocks.jsonl"))}
    merged = sorted(_lines(path) + records, key=lambda r: (order[r["paragraph"]], r["start"]))  # stable
    _write(path, merged)
    return {r["id"]: n for n, r in enumerate(merged, 1)}


def _grow_block(corpus: Path, tmp_path: Path, extra: str) -> dict[str, Any]:
    """Append ``extra`` to the text of BIG_BLOCK in the verbatim source and re-ingest the essay.

    Annotation offsets are relative to their block, so every annotation
    stays valid; the block is verbatim, so validate checks what is in it.
    """
    import toolkit

    source = corpus / "pwc" / "prospects-of-worker-communism.txt"
    block = next(b for b in _lines(corpus / "pwc" / "blocks.jsonl") if b["id"] == BIG_BLOCK)
    text = source.read_text(encoding="utf-8")
    grown = tmp_path / "src" / source.name
    grown.parent.mkdir()
    grown.write_text(text[:block["source_end"]] + extra + text[block["source_end"]:], encoding="utf-8")
    toolkit.ingest(grown, doc="pwc", corpus_dir=corpus, force=True)
    block = next(b for b in _lines(corpus / "pwc" / "blocks.jsonl") if b["id"] == BIG_BLOCK)
    assert block["text"].endswith(extra)
    return block


def _entity(block: dict[str, Any], rid: str, start: int, end: int, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "paragraph": block["id"], "start": start, "end": end, "text": block["text"][start:end],
            "label": "GPE", "entity": "iraq", "mention": "NAM", **fields}


def _errors(findings: list[dict[str, Any]]) -> Counter[str]:
    return Counter(f["code"] for f in findings if f["severity"] == "error")


# 1. A 5 MB line.

def test_annotation_with_a_5_mb_text(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    last = _lines(path)[-1]
    other = next(e["id"] for e in _lines(annotations / "registry.jsonl")
                 if e["label"] == last["label"] and e["id"] != last["entity"])
    huge = "Iraq " * 1_000_000
    # Twice, linked to two entities: the variation check (W701) quotes it too.
    _write(path, [*_lines(path), {**last, "id": "e-huge", "end": last["start"] + len(huge), "text": huge},
                  {**last, "id": "e-huge2", "end": last["start"] + len(huge), "text": huge, "entity": other}])
    line = len(_lines(path)) - 1
    findings, read = _validate_and_read(corpus, annotations, path)
    assert _errors(findings) == {"E104": 2}
    assert [(f["line"], f["id"]) for f in findings if f["code"] == "E104"] == [(line, "e-huge"), (line + 1, "e-huge2")]
    [variation] = [f for f in findings if f["code"] == "W701"]
    assert variation["id"] == "e-huge" and "(5000000 characters) is annotated 2 ways" in variation["message"]
    assert all(len(f["message"]) < MESSAGE_LIMIT for f in findings if f["id"] in ("e-huge", "e-huge2"))
    _accepted_or_refused_at(read, path)


def test_block_with_a_5_mb_text(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    filler = " Lorem ipsum, dolor sit amet." * 90_000
    block = _grow_block(corpus, tmp_path, filler + " Iraq" + filler + " Iraq")
    text = block["text"]
    assert len(text) > 5_000_000
    middle, far = text.index(" Iraq ", len(text) - 2 * len(filler)) + 1, len(text) - len("Iraq")
    cut = text.index("ipsum", len(text) - len(filler))
    lines = _add_in_reading_order(corpus, annotations / "entities.jsonl", [
        _entity(block, "e-far", far, far + 4),  # aligned, at the end of a 5 MB block: no finding
        _entity(block, "e-cut", cut + 1, cut + 5)])  # 'psum' of 'ipsum': E201
    blocks = corpus / "pwc" / "blocks.jsonl"
    findings, read = _validate_and_read(corpus, annotations, blocks, ("load_corpus", "read_jsonl"))
    assert _errors(findings) == {"E201": 1}
    [e201] = [f for f in findings if f["code"] == "E201"]
    assert (e201["id"], e201["line"]) == ("e-cut", lines["e-cut"])
    assert e201["message"] == f"start {cut + 1} of 'psum' falls inside the token 'ipsum'"
    # The name matcher ran over the whole block: the unannotated "Iraq" in the middle is found.
    assert [f["message"] for f in findings if f["code"] == "W702" and f["id"] == BIG_BLOCK] == [
        f"'Iraq' at {middle}:{middle + 4} is not annotated"]
    _accepted_or_refused_at(read, blocks)


def test_block_longer_than_the_pipeline_takes(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    """spaCy refuses a text over nlp.max_length (E088): the Doc builders refuse it first, by name."""
    import toolkit

    corpus, annotations = data_copy
    _grow_block(corpus, tmp_path, " Lorem ipsum, dolor sit amet." * 40_000)  # 1.2 MB
    nlp = session_pipeline()  # spaCy's default max_length, as any pipeline make_nlp() makes
    assert nlp.max_length == 1_000_000
    for build in (lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)),
                  lambda: list(toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations).docs(nlp)),
                  lambda: list(toolkit.map_docs(len, corpus_dir=corpus, annotations_dir=annotations, nlp=nlp,
                                                n_process=2)),
                  lambda: list(toolkit.extract(corpus_dir=corpus, annotations_dir=annotations, layer="all",
                                               nlp=nlp))):
        with pytest.raises(toolkit.ToolkitError, match="more than the pipeline takes") as caught:
            build()
        assert caught.value.record == BIG_BLOCK and len(str(caught.value)) < MESSAGE_LIMIT


# 2. 100k distinct annotated names.

def test_100k_distinct_names(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    records = _lines(path)
    last = records[-1]
    words = re.findall(r"\w+", " ".join(b["text"] for b in _lines(corpus / "pwc" / "blocks.jsonl")))
    grams = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n)}  # they occur in the text
    names = sorted(grams) + [f"Name{i} of Iraq" for i in range(100_000 - len(grams))]
    names = [name for name in names if name != last["text"]]
    added = [{**last, "id": f"e-n{i}", "text": name} for i, name in enumerate(names)]  # all E106: not the block text
    _write(path, records + added)
    findings, read = _validate_and_read(corpus, annotations, path)
    assert _errors(findings) == {"E106": len(added)}
    unannotated = [f for f in findings if f["code"] == "W702"]
    assert len(unannotated) > 1000  # every word of the essay is now an annotated name
    assert all(len(f["message"]) < MESSAGE_LIMIT for f in unannotated)
    _accepted_or_refused_at(read, path)


# 3. 20k annotations in one block.

def test_20k_identical_annotations(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    records = _lines(path)
    original = records[-1]
    copies = [{**original, "id": f"e-same{i}"} for i in range(20_000)]
    _write(path, records + copies)
    findings, read = _validate_and_read(corpus, annotations, path)
    assert _errors(findings) == {"E302": 20_000}
    assert all(f"same span and label as {original['id']} " in f["message"] for f in findings if f["code"] == "E302")
    _accepted_or_refused_at(read, path)


def test_20k_crossing_annotations(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    block = _grow_block(corpus, tmp_path, " Iraq" * 20_001)
    base = len(block["text"]) - 5 * 20_001 + 1
    # Two words each, one word apart: each crosses the one before it.
    spans = [_entity(block, f"e-x{i}", base + 5 * i, base + 5 * i + 9) for i in range(20_000)]
    path = annotations / "entities.jsonl"
    _add_in_reading_order(corpus, path, spans)
    findings, read = _validate_and_read(corpus, annotations, path)
    crossing = [f for f in findings if f["code"] == "E301"]
    assert _errors(findings) == {"E301": len(crossing)}
    ids = Counter(f["id"] for f in crossing)
    assert len(crossing) == 10_000 and max(ids.values()) == 1  # every other one: each root cause once
    _accepted_or_refused_at(read, path)


def test_20k_annotations_nested_in_one_and_a_deep_chain(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, annotations = data_copy
    block = _grow_block(corpus, tmp_path, " Iraq" * 20_000)
    base = len(block["text"]) - 5 * 20_000 + 1
    outer = _entity(block, "e-outer", base, len(block["text"]))
    inner = [_entity(block, f"e-in{i}", base + 5 * i, base + 5 * i + 4) for i in range(20_000)]
    chain = [_entity(block, f"e-chain{i}", base + 5 * i, base + 5 * (2_000 - i) - 1) for i in range(1, 1_000)]
    path = annotations / "entities.jsonl"
    _add_in_reading_order(corpus, path, [outer, *inner, *chain])
    findings, read = _validate_and_read(corpus, annotations, path)
    nested = [f for f in findings if f["code"] == "E303"]
    assert _errors(findings) == {"E303": 20_000 + 999}
    assert len({f["id"] for f in nested}) == len(nested)  # once per inner span, against the nearest one
    for f in nested:  # the inner spans inside the chain are nested in its innermost span that holds them
        if f["id"].startswith("e-in"):
            number = int(f["id"][len("e-in"):])
            holder = f"e-chain{min(number, 1_999 - number)}" if 1 <= number <= 1_998 else "e-outer"
            assert f" nested in {holder} " in f["message"], f
    _accepted_or_refused_at(read, path)


LAYER = LayerSchema("entities", "entities.jsonl", ("GPE",), {}, crossing=False, duplicates=False,
                    nesting={"outer": {"mention": "NOM"}})


def _located(i: int, start: int, end: int, mention: str = "NAM") -> Located:
    return Located(Annotation("entities", f"e{i}", "p", start, end, "x", "GPE", {"mention": mention}), Path("f"), i)


@pytest.mark.parametrize(("shape", "code", "against"), [
    ("nested", "E303", "e99998"), ("crossing", "E301", "e99998"), ("identical", "E302", "e0"), ("nom", None, "")])
def test_100k_spans_in_one_block(shape: str, code: str | None, against: str) -> None:
    n = 100_000
    shapes: dict[str, Callable[[int], Located]] = {
        "nested": lambda i: _located(i, i, 2 * n - i),
        "crossing": lambda i: _located(i, 2 * i, 2 * i + 3),
        "identical": lambda i: _located(i, 0, 10),
        "nom": lambda i: _located(i, i, 2 * n - i, "NOM"),  # nesting inside NOM mentions is allowed
    }
    span = shapes[shape]
    found = _in_child(lambda: [(f.code, f.id, f.message) for f in check_overlaps(LAYER, [span(i) for i in range(n)])])
    findings = [SimpleNamespace(code=c, id=i, message=m) for c, i, m in found]
    assert {f.code for f in findings} == ({code} if code else set())
    assert len({f.id for f in findings}) == len(findings)
    if code == "E302":
        assert len(findings) == n - 1 and all(f"as {against} " in f.message for f in findings)
    elif code:
        assert len(findings) == (n - 1 if shape == "nested" else n // 2)
        assert any(f" {against} " in f.message for f in findings)


# 4. A value nested 10k levels deep.

@pytest.mark.parametrize("nesting", ["[", '{"a": '])
def test_value_nested_10k_levels(data_copy: tuple[Path, Path], nesting: str) -> None:
    corpus, annotations = data_copy
    path = annotations / "dates.jsonl"
    closing = "]" if nesting == "[" else "}"
    deep = nesting * 10_000 + ("" if nesting == "[" else "1") + closing * 10_000
    line = insert_record(path, '{"id": "d-deep", "value": ' + deep + "}", after="d-0003")
    findings, read = _validate_and_read(corpus, annotations, path)
    assert _errors(findings) == {"E100": 1}
    [bad] = [f for f in findings if f["code"] == "E100"]
    assert (Path(bad["file"]).name, bad["line"], bad["message"]) == (
        "dates.jsonl", line, "nested deeper than 100 levels")
    _refused_at(read, path, line)


# 5. A 20 MB file without a newline.

def test_20_mb_line_without_newline_at_the_end_of_a_layer(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "entities.jsonl"
    line = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as f:
        f.write('{"id": "e-cut", "text": "' + "Iraq " * 4_000_000)  # cut off: no closing quote, no newline
    findings, read = _validate_and_read(corpus, annotations, path)
    [bad] = [f for f in findings if f["code"] == "E100"]
    assert bad["line"] == line and len(bad["message"]) < MESSAGE_LIMIT
    assert bad["message"].startswith("column 25: not valid JSON (truncated last line?): unclosed string starts "
                                     "here: '{\"id\": \"e-cut\"")
    _refused_at(read, path, line)


def test_20_mb_file_without_any_newline(data_copy: tuple[Path, Path]) -> None:
    corpus, annotations = data_copy
    path = annotations / "claims.jsonl"
    path.write_bytes(b"x" * 20_000_000)
    findings, read = _validate_and_read(corpus, annotations, path)
    bad = [f for f in findings if f["code"] == "E100"]
    assert [(Path(f["file"]).name, f["line"]) for f in bad] == [("claims.jsonl", 1)]
    assert bad[0]["message"].startswith("column 1: not valid JSON (truncated last line?): expected a value: 'xxx")
    assert bad[0]["message"].endswith("… (20000000 characters)") and len(bad[0]["message"]) < MESSAGE_LIMIT
    _refused_at(read, path, 1)


# The name matcher finds what the regex it replaces found.

def _regex_matches(names: set[str], text: str) -> list[tuple[int, int]]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return [m.span() for m in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text)]


_pieces = st.sampled_from(["Iraq", "Iraqi", "Kurd", "istan", " ", "-", "_", "(", ")", "é", "1", "a", "the", "  "])
_names = st.lists(_pieces, min_size=1, max_size=4).map("".join).filter(str.strip)


@given(st.sets(_names, min_size=1, max_size=8), st.lists(_pieces, max_size=30).map("".join))
def test_name_matcher_matches_the_alternation_regex(names: set[str], text: str) -> None:
    assert list(NameMatcher(names).occurrences(text)) == _regex_matches(names, text)


def test_names_longer_than_the_limit_are_not_searched() -> None:
    long = "Iraq " * (NAME_LIMIT // 5) + "Iraq"
    assert len(long) > NAME_LIMIT
    assert list(NameMatcher([long, "Iraq"]).occurrences(long)) == [(i, i + 4) for i in range(0, len(long), 5)]
    assert not NameMatcher([long])


@pytest.mark.slow
@starts_early(lambda workdir: [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--hostile", "--hostile-mb", "1",
                               "--reps", "1", "--workdir", str(workdir)])
def test_benchmark_measures_hostile_input(early: Finished) -> None:
    assert early.returncode == 0, early.stderr[-2000:]
    assert "| toolkit validate | shipped essay | essay + one 1 MB annotation line |" in early.stdout
    result = json.loads((early.workdir / "hostile.json").read_text())
    assert result["line_bytes"] > 1_000_000 and result["hostile_rss"] > 0 and result["essay"] > 0
    assert not (early.workdir / "hostile").exists()


def _claims_and_mentions(n: int, shape: str) -> list[Located]:
    """``n`` mentions and ``n`` claims around them whose ``about`` names none of them."""
    if shape == "identical":  # every claim the same span, every mention the same span inside it
        mentions = [(1, 5)] * n
        claims = [(0, 10)] * n
    else:  # every claim a nest around the whole run of distinct mentions
        mentions = [(2 * n + 5 * i, 2 * n + 5 * i + 4) for i in range(n)]
        claims = [(i, 8 * n - i) for i in range(n)]
    located = [Located(Annotation("entities", f"e{i}", "p", s, e, "x", "GPE", {"entity": f"x{i % 7}",
                                                                                "mention": "NAM"}), Path("e"), i)
               for i, (s, e) in enumerate(mentions)]
    located += [Located(Annotation("claims", f"c{i}", "p", s, e, "x", "CLAIM",
                                   {"type": "fact", "holder": ["author"], "about": []}), Path("c"), i)
                for i, (s, e) in enumerate(claims)]
    return located


@pytest.mark.parametrize("shape", ["identical", "nested"])
def test_20k_claims_around_20k_mentions(shape: str) -> None:
    """I509 stays near linear: identical spans share one answer, a message names at most a few ids."""
    from toolkit.layout import Layout
    from toolkit.validation.spans import check_contained_links

    n = 20_000 if shape == "identical" else 2_000  # nested: each claim holds every mention, an inherent n*m
    schema = Layout.open().schema
    found = _in_child(lambda: [(f.code, f.message) for f in check_contained_links(schema,
                                                                                   _claims_and_mentions(n, shape))])
    assert len(found) == n and {code for code, _ in found} == {"I509"}
    assert all(len(message) < MESSAGE_LIMIT for _, message in found)
    assert all("'x0'" in message for _, message in found)
    if shape == "nested":
        assert all("2 more" in message for _, message in found)  # 7 ids: five named, two counted


def test_20k_spans_opening_quotations_in_a_long_block() -> None:
    """W205 costs a few binary searches per span, however long the block: no scan of the rest per span."""
    from toolkit.models import Block
    from toolkit.validation.spans import check_quotes

    n = 20_000
    text = "“a " * n + "x" * 5_000_000 + "”"
    block = Block("p", "d", "paragraph", 1, None, text, 0, len(text))
    located = [Located(Annotation("claims", f"c{i}", "p", 3 * i, 3 * i + 2, "“a", "CLAIM", {}), Path("c"), i)
               for i in range(n)]
    found = _in_child(lambda: [f.code for f in check_quotes(block, located)])
    assert found == ["W205"] * n
