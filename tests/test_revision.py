"""``toolkit revise`` and ``toolkit reanchor`` on real edits of the shipped essay, and on random ones.

Each edit's expected states are computed from the edit and the data (which
spans hold the changed characters), never written down by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.anchoring import STATES
from toolkit.corpus import Corpus
from toolkit.validation import validate

from .conftest import ANNOTATIONS, CORPUS, ROOT, SOURCE, run_cli

OLD = SOURCE.read_text(encoding="utf-8")


@dataclass
class Revised:
    corpus: Path
    annotations: Path
    report: dict[str, dict[str, Any]]  # annotation id -> its report line
    stderr: str


def revise(root: Path, new: str, *extra: str) -> Revised:
    """A copy of the shipped data revised to ``new`` through the CLI."""
    corpus, annotations = root / "corpus", root / "annotations"
    if not corpus.exists():
        shutil.copytree(CORPUS, corpus)
        shutil.copytree(ANNOTATIONS, annotations)
    source = root / "new.txt"
    source.write_text(new, encoding="utf-8")
    report = root / "report.jsonl"
    result = run_cli("revise", source, "--doc", "pwc", "--corpus", corpus, "--annotations", annotations,
                     "--report", report, *extra)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    return Revised(corpus, annotations, {r["id"]: r for r in lines}, result.stderr)


def source_span(corpus: Corpus, a: toolkit.Annotation) -> tuple[int, int]:
    block = corpus[a.paragraph]
    return block.source_start + a.start, block.source_start + a.end


def expected_states(corpus: Corpus, edits: list[tuple[int, int]]) -> dict[str, str]:
    """What each annotation should become when the old source ranges ``edits`` are replaced.

    A span that an edit reaches strictly inside (both its first and last
    characters untouched) is changed; one whose first or last character an
    edit touches, orphaned; any other, kept.
    """
    states = {}
    for a in corpus.annotations():
        start, end = source_span(corpus, a)
        state = "kept"
        for lo, hi in edits:
            if lo < hi and (lo <= start < hi or lo <= end - 1 < hi):
                state = "orphaned"
            elif state == "kept" and start < lo and (hi < end if lo < hi else lo < end):
                state = "changed"
        states[a.id] = state
    return states


def findings(corpus: Path, annotations: Path) -> Counter[tuple[str, str | None]]:
    return Counter((f.code, f.id) for f in validate(corpus_dir=corpus, annotations_dir=annotations)
                   if f.severity != "info")


@pytest.fixture(scope="module")
def baseline() -> Counter[tuple[str, str | None]]:
    return findings(CORPUS, ANNOTATIONS)


def check_after(revised: Revised, baseline: Counter[tuple[str, str | None]], old: Corpus, *,
                new_names: frozenset[str] = frozenset()) -> Corpus:
    """What holds after every revision: quotes match, states add up, nothing lost, validate lists the flagged.

    ``new_names``: blocks where the edit itself wrote names nobody annotated yet (W702 there is the text's).
    """
    new = toolkit.load_corpus(corpus_dir=revised.corpus, annotations_dir=revised.annotations)
    states = Counter(r["state"] for r in revised.report.values() if r["layer"] != "exceptions")
    assert sum(states.values()) == len(old.annotations()) and set(states) <= set(STATES)
    placed = {a.id: a for a in new.annotations()}
    orphans = [json.loads(line) for line in (revised.annotations / "orphans.jsonl").read_text(
        encoding="utf-8").splitlines()] if (revised.annotations / "orphans.jsonl").exists() else []
    for a in old.annotations():
        line = revised.report[a.id]
        if line["state"] in ("kept", "changed"):
            moved = placed.pop(a.id)
            assert moved.text == new[moved.paragraph].text[moved.start:moved.end] == line["new"]["text"]
            assert (moved.review is not None) >= (line["state"] == "changed")  # a changed text is always flagged
        else:
            assert a.id not in placed
            (orphan,) = [o for o in orphans if o["record"]["id"] == a.id]
            assert orphan["state"] == line["state"] and orphan["quote"] == a.text
    assert placed == {}  # no annotation appears from nowhere, none is lost
    flagged = {a.id for a in new.annotations() if a.review is not None}
    after = findings(revised.corpus, revised.annotations)
    unmentioned = {e for e in new.registry if not new.mentions(e) and old.mentions(e)}  # every mention orphaned
    brought = Counter({k: v for k, v in (after - baseline).items() if k[0] == "W702" and k[1] in new_names})
    assert after - baseline - brought == Counter(("W113", i) for i in flagged) + Counter(
        ("W504", e) for e in unmentioned)
    assert baseline - after <= Counter({k: v for k, v in baseline.items() if k[0] == "W506"})  # markers may gain bodies
    return new


def test_restoring_the_lost_apostrophes(tmp_path: Path, shipped_corpus: Corpus,
                                        baseline: Counter[tuple[str, str | None]]) -> None:
    document, _ = toolkit.read_document("pwc")
    spaces = sorted(shipped_corpus[x.block].source_start + x.start + x.text.index(" ")
                    for x in document.artefacts if x.kind == "apostrophe_lost_as_space")
    assert len(spaces) >= 5
    lost = set(spaces)
    new = "".join("’" if i in lost else ch for i, ch in enumerate(OLD))
    revised = revise(tmp_path, new)
    expected = expected_states(shipped_corpus, [(i, i + 1) for i in spaces])
    assert {i: r["state"] for i, r in revised.report.items() if r["layer"] != "exceptions"} == expected
    assert Counter(expected.values())["changed"] >= 8 and "orphaned" not in expected.values()
    new_corpus = check_after(revised, baseline, shipped_corpus)
    assert [b.id for b in new_corpus] == [b.id for b in shipped_corpus]  # every block persists
    record = json.loads((revised.corpus / "pwc" / "document.json").read_text(encoding="utf-8"))
    assert not [x for x in record["artefacts"] if x["kind"] == "apostrophe_lost_as_space"]
    first, current = record["history"]
    kept = revised.corpus / "pwc" / first["file"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == first["sha256"] == document.sha256  # retrievable
    assert current["sha256"] == record["sha256"] and current["file"] is None
    assert current["states"] == {s: Counter(expected.values())[s] for s in STATES}
    assert "W113" in {code for code, _ in findings(revised.corpus, revised.annotations)}


def test_completing_the_truncated_item(tmp_path: Path, shipped_corpus: Corpus,
                                       baseline: Counter[tuple[str, str | None]]) -> None:
    (item,) = [b for b in shipped_corpus if re.fullmatch(r"\d+\. \.+", b.text)]
    text = item.text.split(" ")[0] + " A party must rebuild its ties with the labour movement."
    revised = revise(tmp_path, OLD[:item.source_start] + text + OLD[item.source_end:])
    assert {r["state"] for r in revised.report.values()} == {"kept"}
    new = check_after(revised, baseline, shipped_corpus)
    assert new[item.id].text == text  # the same block, its id carried
    assert [b.id for b in new] == [b.id for b in shipped_corpus]


def test_inserting_a_paragraph_and_a_footnote_in_part_one(tmp_path: Path, shipped_corpus: Corpus,
                                                           baseline: Counter[tuple[str, str | None]]) -> None:
    blocks = list(shipped_corpus)
    part_one = [b for b in blocks if b.part == 1]
    paragraph = [b for b in part_one if b.kind == "paragraph"][4]
    last_note = [b for b in part_one if b.kind == "footnote"][-1]
    number = (last_note.number or 0) + 1
    added = f"A paragraph added in a later edition of the essay.[{number}]\n\n"
    note = f"\n[{number}] A footnote added in a later edition."
    new = (OLD[:paragraph.source_start] + added + OLD[paragraph.source_start:last_note.source_end] + note
           + OLD[last_note.source_end:])
    revised = revise(tmp_path, new)
    assert {r["state"] for r in revised.report.values()} == {"kept"}
    after = check_after(revised, baseline, shipped_corpus)
    ids = [b.id for b in after]
    fresh = [i for i in ids if i not in {b.id for b in blocks}]
    count = len([b for b in part_one if b.kind == "paragraph"])
    assert fresh == [f"pwc.p1.para{count + 1}", f"pwc.p1.fn{number}"]  # never a number used before
    assert [i for i in ids if i not in fresh] == [b.id for b in blocks]  # every later block keeps its id
    assert ids.index(fresh[0]) == ids.index(paragraph.id) - 1  # in reading order
    links = {(link.paragraph, link.number): link.footnote for link in after.footnote_links()
             if isinstance(link, toolkit.FootnoteLink)}
    assert links[(fresh[0], number)] == fresh[1]  # footnote references resolved again
    assert "blocks: 2 new, 0 retired" in revised.stderr


def test_deleting_a_sentence_that_holds_annotations(tmp_path: Path, shipped_corpus: Corpus,
                                                   baseline: Counter[tuple[str, str | None]]) -> None:
    sentence = "In reality, this was likely a nationalistic and personal power struggle between Persians and Kurds " \
               "within the Iranian party. "
    lo = OLD.index(sentence)
    revised = revise(tmp_path, OLD.replace(sentence, ""))
    expected = expected_states(shipped_corpus, [(lo, lo + len(sentence))])
    assert {i: r["state"] for i, r in revised.report.items() if r["layer"] != "exceptions"} == expected
    orphaned = [i for i, s in expected.items() if s == "orphaned"]
    assert len(orphaned) >= 3
    check_after(revised, baseline, shipped_corpus)
    orphans = [json.loads(line) for line in (revised.annotations / "orphans.jsonl").read_text(
        encoding="utf-8").splitlines()]
    for orphan in orphans:
        old = shipped_corpus.annotation(orphan["record"]["id"])
        start, end = source_span(shipped_corpus, old)
        assert orphan["prefix"] == OLD[max(0, start - 32):start] and orphan["suffix"] == OLD[end:end + 32]
        assert orphan["version"] == hashlib.sha256(OLD.replace(sentence, "").encode()).hexdigest()


def test_renaming_an_entity_inside_spans(tmp_path: Path, shipped_corpus: Corpus,
                                          baseline: Counter[tuple[str, str | None]]) -> None:
    at = [m.start() + 2 for m in re.finditer("Koorosh", OLD)]  # "Koorosh" -> "Kourosh": its third letter
    revised = revise(tmp_path, OLD.replace("Koorosh", "Kourosh"))
    expected = expected_states(shipped_corpus, [(i, i + 1) for i in at])
    assert {i: r["state"] for i, r in revised.report.items() if r["layer"] != "exceptions"} == expected
    changed_mentions = [shipped_corpus.annotation(i) for i, s in expected.items() if s == "changed"
                        and shipped_corpus.annotation(i).layer == "entities"]
    assert changed_mentions
    new = check_after(revised, baseline, shipped_corpus)
    (entity,) = {new.registry[a.attrs["entity"]] for a in changed_mentions if a.text == "Koorosh Modarresi"}
    assert "Kourosh Modarresi" in entity.aliases and "Koorosh Modarresi" not in entity.aliases
    spec = new.layout.schema.layers["entities"]
    assert all(a.text in new.registry[a.attrs["entity"]].aliases for a in new.annotations("entities")
               if spec.is_name(a.attrs))  # registry aliases still match their mentions


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def renamed(tmp_path: Path) -> dict[str, bytes]:
    """A copy of the shipped data in ``tmp_path`` and a source renaming an entity (new.txt): the tree before."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    (tmp_path / "new.txt").write_text(OLD.replace("Koorosh", "Kourosh"), encoding="utf-8")
    return tree(tmp_path)


def test_dry_run_writes_nothing(tmp_path: Path, renamed: dict[str, bytes]) -> None:
    result = run_cli("revise", tmp_path / "new.txt", "--doc", "pwc", "--corpus", tmp_path / "corpus",
                     "--annotations", tmp_path / "annotations", "--dry-run")
    assert result.returncode == 0 and "dry run: nothing changed" in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["state"] for line in lines} == {"kept", "changed"}
    assert tree(tmp_path) == renamed


def test_a_failure_halfway_leaves_the_old_version_whole(tmp_path: Path, renamed: dict[str, bytes],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = os.fsync

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 5:  # the fifth of the files being written: the disk is full
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        toolkit.revise(tmp_path / "new.txt", doc="pwc", corpus_dir=tmp_path / "corpus",
                       annotations_dir=tmp_path / "annotations")
    assert len(calls) == 5
    assert tree(tmp_path) == renamed  # no debris either


def test_a_source_that_cannot_be_segmented_is_refused_naming_its_line(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    lines = OLD.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("[1] "))
    lines.insert(at + 1, "A line in a footnotes section that is no footnote.")
    (tmp_path / "new.txt").write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("revise", tmp_path / "new.txt", "--doc", "pwc", "--corpus", tmp_path / "corpus",
                     "--annotations", tmp_path / "annotations")
    assert result.returncode == 2 and f"new.txt:{at + 2}:" in result.stderr and "Traceback" not in result.stderr


# --- reanchor ---------------------------------------------------------------------------------------------------

def _rewrite(path: Path, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in map(change, records) if r),
                    encoding="utf-8")


def test_reanchor_reattaches_by_quote(tmp_path: Path, shipped_corpus: Corpus,
                                      baseline: Counter[tuple[str, str | None]]) -> None:
    corpus, annotations = tmp_path / "corpus", tmp_path / "annotations"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(ANNOTATIONS, annotations)
    claims = shipped_corpus.annotations("claims")
    shifted, elsewhere = claims[3], claims[40]  # unique sentences: found again
    entities = shipped_corpus.annotations("entities")
    common = next(a for a in entities if sum(b.text.count(a.text) for b in shipped_corpus) > 1
                  and shipped_corpus[a.paragraph].text.count(a.text) > 1)
    other_block = next(b.id for b in shipped_corpus if b.id not in (elsewhere.paragraph, common.paragraph))

    def hand_edit(r: dict[str, Any]) -> dict[str, Any] | None:
        if r["id"] == shifted.id:
            return r | {"start": r["start"] + 3, "end": r["end"] + 3}
        if r["id"] == elsewhere.id:
            return r | {"paragraph": other_block}
        if r["id"] == common.id:
            return r | {"start": r["start"] + 1, "end": r["end"] + 1}
        return r

    _rewrite(annotations / "claims.jsonl", hand_edit)
    _rewrite(annotations / "entities.jsonl", hand_edit)
    dry = run_cli("reanchor", "--corpus", corpus, "--annotations", annotations, "--dry-run")
    assert dry.returncode == 0
    states = {r["id"]: r["state"] for r in map(json.loads, dry.stdout.splitlines())}
    assert states[shifted.id] == states[elsewhere.id] == "kept" and states[common.id] == "ambiguous"
    assert Counter(states.values()) == Counter({"kept": len(states) - 1, "ambiguous": 1})
    result = run_cli("reanchor", "--corpus", corpus, "--annotations", annotations)
    assert result.returncode == 0 and "moved: 2" in result.stderr
    after = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    for record in (shifted, elsewhere):  # back where they were, flagged: a person confirms the place
        assert after.annotation(record.id) == replace(record, review="re-attached by its quote")
    (orphan,) = [json.loads(line) for line in (annotations / "orphans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert orphan["state"] == "ambiguous" and orphan["record"]["id"] == common.id and len(orphan["candidates"]) > 1
    extra = findings(corpus, annotations) - baseline
    flagged = Counter({("W113", shifted.id): 1, ("W113", elsewhere.id): 1})  # moved: a person confirms
    assert extra - Counter({("W702", common.paragraph): 5}) == flagged
    again = run_cli("reanchor", "--corpus", corpus, "--annotations", annotations)
    assert "moved: 0" in again.stderr  # nothing left to do


# --- random edits -----------------------------------------------------------------------------------------------

EDIT = st.tuples(st.integers(0, 10_000), st.integers(0, 12), st.text("abc xyz’", max_size=8))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_random_edits_inside_paragraphs_lose_nothing(tmp_path_factory: pytest.TempPathFactory,
                                                     shipped_corpus: Corpus,
                                                     edits: list[tuple[int, int, str]]) -> None:
    """Deletions and insertions of letters inside paragraphs (their structure kept): every property holds."""
    paragraphs = [b for b in shipped_corpus if b.kind == "paragraph"]
    planned: list[tuple[int, int, str]] = []  # ranges of the old source and what replaces them
    for where, length, insert in edits:
        block = paragraphs[where % len(paragraphs)]
        start = block.source_start + 1 + where % max(1, len(block.text) - 14)
        end = min(start + length, block.source_end - 1)
        if any(c in OLD[start:end] for c in "[]\n") or any(lo <= end and start <= hi for lo, hi, _ in planned):
            continue
        planned.append((start, end, insert))
    text = OLD
    for start, end, insert in sorted(planned, reverse=True):  # from the end, so earlier offsets stay true
        text = text[:start] + insert + text[end:]
    applied = [(start, end) for start, end, _ in planned]
    revised = revise(tmp_path_factory.mktemp("random"), text)
    expected = expected_states(shipped_corpus, applied)
    assert all(revised.report[i]["state"] == "kept" for i, s in expected.items() if s == "kept")
    new = toolkit.load_corpus(corpus_dir=revised.corpus, annotations_dir=revised.annotations)
    placed = {a.id for a in new.annotations()}
    orphaned = {i for i, r in revised.report.items() if r["state"] in ("orphaned", "ambiguous")}
    assert placed | orphaned >= {a.id for a in shipped_corpus.annotations()} and not placed & orphaned
    for a in new.annotations():
        assert a.text == new[a.paragraph].text[a.start:a.end]
        assert revised.report[a.id]["state"] in ("kept", "changed")
    flagged = {a.id for a in new.annotations() if a.review is not None}
    errors = {f.id for f in validate(corpus_dir=revised.corpus, annotations_dir=revised.annotations)
              if f.severity == "error"}
    assert errors <= flagged  # whatever broke is flagged for review


def test_other_documents_keep_their_annotations_and_several_revise_at_once(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate

    generate(tmp_path, blocks=300)
    corpus, annotations = tmp_path / "corpus", tmp_path / "annotations"
    before = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    docs = sorted(before.documents)
    assert len(docs) >= 3
    sources = {}
    for name in docs[:2]:
        record = json.loads((corpus / name / "document.json").read_text(encoding="utf-8"))
        text = (corpus / name / record["source"]).read_text(encoding="utf-8")
        paragraph = next(b for b in before if b.doc == name and b.kind == "paragraph")
        at = paragraph.source_start + paragraph.text.index(" ") + 1  # the start of its second word
        sources[name] = tmp_path / f"{name}.txt"
        sources[name].write_text(text[:at] + "newly " + text[at:], encoding="utf-8")
    one = run_cli("revise", sources[docs[0]], "--doc", docs[0], "--corpus", corpus, "--annotations", annotations)
    assert one.returncode == 0, one.stderr
    after = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    untouched = [a for a in before.annotations() if before[a.paragraph].doc != docs[0]]
    assert [after.annotation(a.id) for a in untouched] == untouched
    assert len(after.annotations()) == len(before.annotations())
    spec = after.layout.schema.layers["entities"]
    assert all(a.text in after.registry[a.attrs["entity"]].aliases for a in after.annotations("entities")
               if spec.is_name(a.attrs))  # names changed in one document stay aliases for the others
    both = run_cli("revise", *sources.values(), "--corpus", corpus, "--annotations", annotations)
    assert both.returncode == 0, both.stderr
    assert f"revise {docs[0]}, {docs[1]}:" in both.stderr
    final = toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    assert len(final.annotations()) == len(before.annotations())
    histories = [json.loads((corpus / n / "document.json").read_text(encoding="utf-8"))["history"] for n in docs[:2]]
    assert [len(h) for h in histories] == [2, 2]  # the first document was revised to the same text again: no change
    assert [b.id for b in final] == [b.id for b in before]


def _sentence_before(corpus: Corpus, claim: toolkit.Annotation) -> tuple[int, int]:
    """The source range of the sentence just before a claim in its block (the claim begins a sentence)."""
    block = corpus[claim.paragraph]
    start = block.text.rfind(". ", 0, claim.start - 2) + 2
    return block.source_start + start, block.source_start + claim.start


def _edits(corpus: Corpus) -> dict[str, tuple[str, list[tuple[int, int]] | None]]:
    """Edits that leave most spans untouched: the new source, and the ranges replaced (None: a move)."""
    claim = next(a for a in corpus.annotations("claims") if a.start > 80 and corpus[a.paragraph].text[
        a.start - 2:a.start] == ". " and corpus[a.paragraph].text.rfind(". ", 0, a.start - 2) > 0)
    lo, hi = _sentence_before(corpus, claim)
    paragraphs = [b for b in corpus if b.kind == "paragraph" and b.part == 1]
    mover, after = paragraphs[9], paragraphs[5]
    moved = OLD[:after.source_end] + "\n\n" + mover.text + OLD[after.source_end:mover.source_start - 2] \
        + OLD[mover.source_end:]
    twice = OLD[:hi] + OLD[lo:hi] + OLD[hi:]
    return {"delete the sentence before a claim": (OLD[:lo] + OLD[hi:], [(lo, hi)]),
            "move a paragraph": (moved, None),
            "repeat the sentence before a claim": (twice, [(hi, hi)])}


@pytest.mark.parametrize("name", ["delete the sentence before a claim", "move a paragraph",
                                  "repeat the sentence before a claim"])
def test_spans_no_edit_touches_stay_kept(tmp_path: Path, shipped_corpus: Corpus,
                                         baseline: Counter[tuple[str, str | None]], name: str) -> None:
    new, edits = _edits(shipped_corpus)[name]
    revised = revise(tmp_path, new)
    expected = expected_states(shipped_corpus, edits or [])
    states = {i: r["state"] for i, r in revised.report.items() if r["layer"] != "exceptions"}
    assert {i for i, s in expected.items() if s == "kept"} <= {i for i, s in states.items() if s == "kept"}
    assert states == expected
    touched = frozenset(b.id for b in shipped_corpus for lo, _ in edits or [] if b.source_start <= lo <= b.source_end)
    written = touched if name.startswith("repeat") else frozenset()  # the repeated sentence's names are new text
    after = check_after(revised, baseline, shipped_corpus, new_names=written)
    assert {b.id for b in after} == {b.id for b in shipped_corpus}  # a moved paragraph keeps its id too
    for a in shipped_corpus.annotations():
        if expected[a.id] == "kept":
            assert after.annotation(a.id).text == a.text


def test_a_change_the_layer_refuses_orphans_the_record_with_the_reason(tmp_path: Path, shipped_corpus: Corpus,
                                                                       baseline: Counter[tuple[str, str | None]]
                                                                       ) -> None:
    entity = next(a for a in shipped_corpus.annotations("entities") if " " in a.text and len(a.text) > 15)
    start, _ = source_span(shipped_corpus, entity)
    cut = start + entity.text.index(" ")
    number = 9  # a marker that resolves to nothing is the text's own problem, not the annotation's
    revised = revise(tmp_path, OLD[:cut] + f"[{number}]" + OLD[cut:])
    line = revised.report[entity.id]
    assert line["state"] == "orphaned" and line["reason"].startswith("E204")
    orphans = [json.loads(x) for x in (revised.annotations / "orphans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["record"]["id"] for o in orphans] == [entity.id] and orphans[0]["reason"].startswith("E204")


def test_an_unwritable_report_is_refused_before_anything_is_written(tmp_path: Path, renamed: dict[str, bytes]) -> None:
    result = run_cli("revise", tmp_path / "new.txt", "--doc", "pwc", "--corpus", tmp_path / "corpus",
                     "--annotations", tmp_path / "annotations", "--report", tmp_path / "corpus")
    assert result.returncode == 2 and "report cannot be written" in result.stderr
    assert tree(tmp_path) == renamed
