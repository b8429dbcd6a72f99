from __future__ import annotations

import json

from toolkit import Block, resolve_footnotes
from toolkit.corpus import Corpus
from toolkit.footnotes import FootnoteLink, find_markers

from .conftest import BLOCKS, read_records, run_cli

# Every marker of the essay and the body it must resolve to. Part Two restarts
# numbering: its [2] is pwc.p2.fn2, never Part One's pwc.p1.fn2.
EXPECTED = [
    ("pwc.p1.para1", 1, "pwc.p1.fn1"), ("pwc.p1.para2", 2, "pwc.p1.fn2"),
    ("pwc.p1.para3", 3, "pwc.p1.fn3"), ("pwc.p1.para3", 4, "pwc.p1.fn4"),
    ("pwc.p1.para6", 5, "pwc.p1.fn5"), ("pwc.p1.para7", 6, "pwc.p1.fn6"),
    ("pwc.p1.para8", 7, "pwc.p1.fn7"), ("pwc.p1.para8", 8, "pwc.p1.fn8"),
    ("pwc.p2.para2", 2, "pwc.p2.fn2"), ("pwc.p2.para2", 3, "pwc.p2.fn3"),
    ("pwc.p2.para4", 4, "pwc.p2.fn4"), ("pwc.p2.para6", 5, "pwc.p2.fn5"),
    ("pwc.p2.para6", 6, "pwc.p2.fn6"), ("pwc.p2.li4", 7, "pwc.p2.fn7"),
    ("pwc.p2.li17", 9, "pwc.p2.fn9"), ("pwc.p2.li18", 10, "pwc.p2.fn10"),
    ("pwc.p2.li18", 11, "pwc.p2.fn11"), ("pwc.p2.li18", 12, "pwc.p2.fn12"),
    ("pwc.p2.li19", 13, "pwc.p2.fn13"),
]


def test_every_marker_of_the_essay_resolves_within_its_part(shipped_corpus: Corpus) -> None:
    corpus = shipped_corpus
    links = corpus.footnote_links()
    resolved: list[FootnoteLink] = []
    for link in links:
        if link.status == "resolved":
            assert isinstance(link, FootnoteLink)
            resolved.append(link)
    assert [(link.paragraph, link.number, link.footnote) for link in resolved] == EXPECTED
    for link in resolved:
        assert link.footnote is not None
        assert corpus[link.paragraph].text[link.start:link.end] == f"[{link.number}]"
        assert corpus[link.footnote].part == corpus[link.paragraph].part


def test_part_two_has_two_unreferenced_bodies(shipped_corpus: Corpus) -> None:
    links = shipped_corpus.footnote_links()
    assert [(link.footnote, link.status) for link in links if link.status != "resolved"] == [
        ("pwc.p2.fn1", "unreferenced"), ("pwc.p2.fn8", "unreferenced")]


def _block(i: str, kind: str, part: int, text: str, number: int | None = None) -> Block:
    return Block(i, "d", kind, part, None, text, 0, len(text), number)


def test_unresolved_markers_and_duplicate_numbers_are_reported() -> None:
    blocks = [
        _block("d.p1.para1", "paragraph", 1, "See this[1] and that[3]."),
        _block("d.p1.fn1", "footnote", 1, "[1] one", 1),
        _block("d.p1.fn1b", "footnote", 1, "[1] one again", 1),
        _block("d.p2.para1", "paragraph", 2, "Part two cites[1]."),
    ]
    statuses = [(link.status, link.number, link.part, link.footnote) for link in resolve_footnotes(blocks)]
    assert statuses == [
        ("resolved", 1, 1, "d.p1.fn1"), ("unresolved", 3, 1, None), ("duplicate", 1, 1, "d.p1.fn1b"),
        ("unresolved", 1, 2, None),
    ]


def test_a_footnote_body_label_is_not_a_marker() -> None:
    body = _block("d.p1.fn2", "footnote", 1, "[2] Text that cites [1].", 2)
    assert [(m.number, m.start) for m in find_markers(body)] == [(1, 20)]


def test_footnotes_command_writes_the_report() -> None:
    result = run_cli("footnotes")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["status"], r.get("paragraph"), r["number"], r["footnote"]) for r in records] == [
        ("resolved", paragraph, number, footnote) for paragraph, number, footnote in EXPECTED] + [
        ("unreferenced", None, 1, "pwc.p2.fn1"), ("unreferenced", None, 8, "pwc.p2.fn8")]
    part_two = next(r for r in records if r.get("paragraph") == "pwc.p2.para2" and r["number"] == 2)
    assert part_two["footnote"] == "pwc.p2.fn2" and part_two["part"] == 2
    assert part_two["footnote_text"].startswith("Worker-Communist Party of Iran: Founded in 1992")
    # Written out from the essay: Part Two's footnote [8], without its label.
    assert records[-1] == {"status": "unreferenced", "doc": "pwc", "part": 2, "number": 8, "footnote": "pwc.p2.fn8",
                           "footnote_text": "Names of some leaders of Iraqi and Iranian Worker-Communist parties who "
                           "are currently, unfortunately, in conflict and rupture with the Hekmatist "
                           "Worker-Communist Party of Iran – official line."}
    # Every body is its block's text without the leading "[N] " label (read from the file, not through toolkit).
    bodies = {b["id"]: b["text"] for b in read_records(BLOCKS) if b["kind"] == "footnote"}
    for r in records:
        label = f"[{r['number']}] "
        assert bodies[r["footnote"]].startswith(label)
        assert r["footnote_text"] == bodies[r["footnote"]][len(label):], r
