"""Where an annotation ends up when its text moves: one of four states, and its quote as the last resort.

Shared by ``toolkit revise`` (a new version of a source) and ``toolkit
reanchor`` (annotation files whose offsets no longer fit). Every annotation
ends in exactly one state:

- ``kept``: the same text, at its new offsets;
- ``changed``: both boundaries survived but the text between them changed;
  the record takes the new text and a ``review`` flag (validate: W113);
- ``orphaned``: a boundary, or the whole span, is gone, and the quote is
  found nowhere it could have gone; the record leaves its layer for the
  orphans file, with its quote and context;
- ``ambiguous``: the quote is found in more than one place and the context
  does not single one out; not moved, kept in the orphans file with the
  places it would fit.

Nothing is ever placed where its quote does not match.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .jsonl import dumps, replace_together
from .layout import Layout
from .models import ANNOTATION_FIELDS, Annotation, Block, RegistryEntity

STATES = ("kept", "changed", "orphaned", "ambiguous")
CONTEXT = 32  # characters of context kept on each side of an orphan's quote


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one annotation: its ``state``, the record as it was and as it is (``new``)."""

    state: str
    old: Annotation
    new: Annotation | None = None
    prefix: str = ""
    suffix: str = ""
    candidates: tuple[tuple[str, int, int], ...] = ()  # (block, start, end) where the quote also fits
    reason: str = ""  # why a record that could be placed was orphaned all the same

    def report(self) -> dict[str, Any]:
        """The line of the JSONL report: old and new position."""
        def where(a: Annotation | None) -> dict[str, Any] | None:
            return None if a is None else {"paragraph": a.paragraph, "start": a.start, "end": a.end, "text": a.text}

        record: dict[str, Any] = {"id": self.old.id, "layer": self.old.layer, "state": self.state,
                                  "old": where(self.old), "new": where(self.new)}
        if self.candidates:
            record["candidates"] = [{"paragraph": b, "start": s, "end": e} for b, s, e in self.candidates]
        if self.reason:
            record["reason"] = self.reason
        return record

    def orphan(self, version: str) -> dict[str, Any]:
        """The line of the orphans file: the whole old record, its quote and context, and where it came from."""
        record: dict[str, Any] = {"layer": self.old.layer, "state": self.state, "version": version,
                                  "record": self.old.to_dict(), "quote": self.old.text, "prefix": self.prefix,
                                  "suffix": self.suffix}
        if self.candidates:
            record["candidates"] = [{"paragraph": b, "start": s, "end": e} for b, s, e in self.candidates]
        if self.reason:
            record["reason"] = self.reason
        return record


def summary(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """How many annotations ended in each state (every state listed)."""
    counts = Counter(o.state for o in outcomes)
    return {state: counts[state] for state in STATES}


class Placer:
    """Finds the block of a source range, and a quote's places, among one document's blocks."""

    def __init__(self, blocks: Sequence[Block], text: str) -> None:
        self.blocks = sorted(blocks, key=lambda b: b.source_start)
        self.starts = [b.source_start for b in self.blocks]
        self.text = text

    def block_of(self, start: int, end: int) -> Block | None:
        """The block that holds all of ``[start, end)`` of the source, if one does."""
        k = bisect_right(self.starts, start) - 1
        if k < 0:
            return None
        block = self.blocks[k]
        return block if end <= block.source_end else None

    def place(self, a: Annotation, start: int, end: int) -> Annotation | None:
        """``a`` moved to the source range ``[start, end)``, or None if no one block holds it."""
        block = self.block_of(start, end)
        if block is None:
            return None
        return replace(a, paragraph=block.id, start=start - block.source_start, end=end - block.source_start,
                       text=self.text[start:end])

    def find(self, a: Annotation, ranges: Iterable[tuple[int, int]], prefix: str, suffix: str, *,
             touching: tuple[int, int] | None = None) -> Outcome:
        """Look for ``a``'s quote in ``ranges`` of the source: kept if one place fits, else ambiguous or orphaned.

        ``touching``: only places that overlap this range (or, empty, reach
        it) count. Among several places, the one whose surrounding text
        equals the old ``prefix`` and ``suffix`` wins if it is the only one.
        """
        places = []
        n = len(a.text)
        for lo, hi in ranges:
            at = self.text.find(a.text, lo, hi)
            while at != -1:
                moved = self.place(a, at, at + n)
                if moved is not None and (touching is None or _touches(at, at + n, *touching)):
                    places.append((at, moved))
                at = self.text.find(a.text, at + 1, hi)
        if len(places) > 1 and (prefix or suffix):
            fitting = [(at, moved) for at, moved in places
                       if self.text[max(0, at - len(prefix)):at] == prefix
                       and self.text[at + len(a.text):at + len(a.text) + len(suffix)] == suffix]
            places = fitting if len(fitting) == 1 else places
        if len(places) == 1:
            return Outcome("kept", a, places[0][1], prefix, suffix)
        if places:
            return Outcome("ambiguous", a, None, prefix, suffix,
                           tuple((moved.paragraph, moved.start, moved.end) for _, moved in places),
                           f"its quote fits {len(places)} places and its context singles none out")
        return Outcome("orphaned", a, None, prefix, suffix, (),
                       "its text is gone: a boundary was deleted and its quote is nowhere it could have gone")


def settle(outcomes: Iterable[Outcome], blocks: Mapping[str, Block], layout: Layout,
           registry: Mapping[str, RegistryEntity]) -> list[Outcome]:
    """The outcomes, with every placed record that its layer would refuse orphaned instead, with the reason.

    A changed text may now hold a footnote marker, or a record placed by its
    quote may now cross or duplicate another: such a record cannot be
    written (nothing is written that a reader would refuse), so it leaves
    its layer like any orphan, and the report says why. Records that stayed
    as they were are trusted; the others are checked against them, one by one.
    """
    from .validation.records import Located, check_annotation
    from .validation.spans import check_overlaps

    result = list(outcomes)
    trusted: dict[tuple[str, str], list[Located]] = defaultdict(list)
    doubtful: list[tuple[int, Located]] = []
    for i, o in enumerate(result):
        spec = layout.schema.layers.get(o.old.layer)
        if o.new is None or spec is None:
            continue
        item = Located(o.new, layout.layer_file(spec.name), 0)
        errors = [f for f in check_annotation(item, blocks.get(o.new.paragraph), spec, registry)
                  if f.severity == "error"]
        if errors:
            result[i] = replace(o, state="orphaned", new=None, reason=f"{errors[0].code}: {errors[0].message}")
        elif o.new is o.old or (o.state == "kept" and o.new.review == o.old.review):
            trusted[(spec.name, o.new.paragraph)].append(item)
        else:
            doubtful.append((i, item))
    for i, item in doubtful:
        spec = layout.schema.layers[item.annotation.layer]
        placed = trusted[(spec.name, item.annotation.paragraph)]
        errors = [f for f in check_overlaps(spec, [*placed, item]) if f.severity == "error"]
        if errors:
            result[i] = replace(result[i], state="orphaned", new=None, reason=f"{errors[0].code}: {errors[0].message}")
        else:
            placed.append(item)
    return result


def _touches(start: int, end: int, lo: int, hi: int) -> bool:
    return start < hi and end > lo if lo < hi else start <= lo <= end


def reanchor(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
             dry_run: bool = False) -> list[Outcome]:
    """Re-attach, by their quotes, the annotations whose offsets no longer fit their blocks' text.

    For files edited by hand or made against another version of a source. A
    record that fits stays (``kept``); one that does not is looked for in its
    block, then in its whole document: found once, it moves there (``kept``,
    new offsets); found in several places, it is ``ambiguous``; found
    nowhere, ``orphaned``. Both leave their layer for the orphans file.
    Nothing is written with ``dry_run``, or when every record fits.
    """
    from .checks import load_checks
    from .jsonl import read_jsonl
    from .readers import checked_records, iter_blocks, read_document_record
    from .writers import layer_lines, writable

    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    blocks = {block.id: block for block in iter_blocks(layout)}
    placers = {}
    for folder in layout.documents:
        document = read_document_record(folder)
        text = (folder / document.source).read_bytes().decode("utf-8")
        placers[document.id] = Placer([b for b in blocks.values() if b.doc == document.id], text)
    outcomes = []
    for name, path in layout.layer_files().items():
        for _, record in checked_records(path, ANNOTATION_FIELDS):
            outcomes.append(_reattach(Annotation.from_dict(record, layer=name), blocks, placers))
    checks = load_checks(layout)
    outcomes = settle(outcomes, blocks, layout, checks.registry)
    if dry_run or all(o.new is o.old for o in outcomes):
        return outcomes
    writable(layout.annotations_dir)
    moved: dict[str, list[Annotation]] = {name: [] for name in layout.schema.layers}
    for o in outcomes:
        if o.new is not None:
            moved[o.old.layer].append(o.new)
    lines = layer_lines(layout, checks, blocks, moved)
    contents: dict[Path, list[str] | bytes] = {layout.layer_file(name): lines[name] for name in lines}
    orphans = [dumps(o.orphan(version="reanchor")) for o in outcomes if o.new is None]
    if orphans:
        previous = [dumps(r) for _, r in read_jsonl(layout.orphans_file)] if layout.orphans_file.exists() else []
        contents[layout.orphans_file] = previous + orphans
    replace_together(contents)
    return outcomes


def _reattach(a: Annotation, blocks: Mapping[str, Block], placers: Mapping[str, Placer]) -> Outcome:
    block = blocks.get(a.paragraph)
    if block is not None and 0 <= a.start < a.end <= len(block.text) and block.text[a.start:a.end] == a.text:
        return Outcome("kept", a, a)
    doc = block.doc if block is not None else a.paragraph.split(".", 1)[0]
    if doc not in placers:
        return Outcome("orphaned", a, reason=f"no document {doc!r} to look for its quote in")
    placer = placers[doc]
    outcome = Outcome("orphaned", a)
    if block is not None:
        outcome = placer.find(a, [(block.source_start, block.source_end)], "", "")
    if outcome.state == "orphaned":
        outcome = placer.find(a, [(0, len(placer.text))], "", "")
    if outcome.new is not None:  # the quote fits, but a person should confirm it is the place meant
        why = "re-attached by its quote"
        outcome = replace(outcome, new=replace(outcome.new, review=f"{a.review}; {why}" if a.review else why))
    return outcome
