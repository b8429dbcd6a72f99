"""Streaming readers: records one at a time, checked, with file and line in errors.

These are what the commands use, so that memory does not grow with the
corpus; :func:`toolkit.load_corpus` builds on them for in-memory lookups.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from .checks import Checks, load_checks, refuse
from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteLink, resolve_footnotes
from .jsonl import check_readable, lone_surrogate, read_json, read_jsonl
from .models import (
    ANNOTATION_FIELDS,
    BLOCK_FIELDS,
    DOCUMENT_FIELDS,
    DOCUMENT_LISTS,
    ID_RULE,
    Annotation,
    Block,
    Document,
    FieldSpec,
    field_problems,
    is_valid_id,
)
from .paths import resolve_annotations_dir, resolve_corpus_dir
from .validation.records import Located, check_block

# Block ids and the block an annotation belongs to, found in a raw line without parsing it.
RAW_ID_RULE = ('the first "id" of the line is not the block\'s id: write "id" as the block\'s first field, '
               "plainly (no escapes, no nested objects before it)")
PARAGRAPH = re.compile(rb'(?<!\\)"paragraph"\s*:\s*"((?:[^"\\]|\\.)*)"')
BLOCK_ID = re.compile(rb'(?<!\\)"id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _records(path: Path, spec: FieldSpec, section: tuple[int, int, int] | None = None
             ) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, record in read_jsonl(path, section=section):
        if spec is ANNOTATION_FIELDS and _plain_annotation(record):
            yield line, record  # the hot path: most records need no closer look
            continue
        problems = field_problems(record, spec)
        if problems:
            rid = record.get("id")
            raise ToolkitError("; ".join(problems), file=path, line=line, code="E101",
                               record=rid if isinstance(rid, str) else None)
        yield line, record


def _plain_annotation(r: dict[str, Any]) -> bool:
    """True for an annotation record whose common fields all have their types (no optional ones)."""
    return (type(r.get("id")) is str and type(r.get("paragraph")) is str and type(r.get("start")) is int
            and type(r.get("end")) is int and type(r.get("text")) is str and type(r.get("label")) is str
            and "annotator" not in r and "note" not in r)


def document_dirs(corpus_dir: Path) -> list[Path]:
    """The document folders of a corpus (those holding ``document.json``), sorted by id."""
    found = sorted(p.parent for p in corpus_dir.glob("*/document.json"))
    if not found:
        raise ToolkitError("no documents (expected DOC/document.json and DOC/blocks.jsonl)", file=corpus_dir)
    return found


def read_document(folder: Path) -> Document:
    """The document record of one document folder, checked."""
    path = folder / "document.json"
    raw = read_json(path)
    problems = field_problems(raw, DOCUMENT_FIELDS) if isinstance(raw, dict) else ["not a JSON object"]
    for name, spec in DOCUMENT_LISTS.items():
        for k, item in enumerate(raw.get(name, ()) if not problems else ()):
            found = field_problems(item, spec) if isinstance(item, dict) else ["not a JSON object"]
            extra = sorted(set(item) - spec.keys()) if isinstance(item, dict) else []
            problems += [f"{name}[{k}]: {p}" for p in found + [f"unknown field {quote(x)}" for x in extra]]
    if problems:
        raise ToolkitError("; ".join(problems), file=path, code="E101")
    if not is_valid_id(raw["id"]):
        raise ToolkitError(f"document id {quote(raw['id'])} {ID_RULE}", file=path, code="E111")
    if Path(raw["source"]).name != raw["source"] or raw["source"] in ("", ".", ".."):
        raise ToolkitError(f"source {quote(raw['source'])} is not a file name in the document folder", file=path,
                           code="E101")
    try:
        return Document.from_dict(raw)
    except (KeyError, TypeError) as e:
        raise ToolkitError(f"bad document record: {quote(str(e))}", file=path, code="E101") from None


def read_blocks(folder: Path) -> Iterator[Block]:
    """Stream the blocks of one document folder, each checked on its own (refused: ToolkitError)."""
    path = check_readable(folder / "blocks.jsonl")
    return (block for _, block in _checked_blocks(path))


def _checked_blocks(path: Path) -> Iterator[tuple[int, Block]]:
    for line, record in _records(path, BLOCK_FIELDS):
        block = Block.from_dict(record)
        refuse(check_block(block, {"file": path, "line": line, "id": block.id}))
        yield line, block


def iter_blocks(corpus_dir: str | Path | None = None) -> Iterator[Block]:
    """Every block of every document of the corpus (default: the shipped one), in reading order.

    A block id used twice is refused (E102), found from :func:`block_positions`.
    """
    cdir = resolve_corpus_dir(corpus_dir)
    folders = document_dirs(cdir)
    for folder in folders:
        check_readable(folder / "blocks.jsonl")
    return _placed_blocks(folders, block_positions(cdir))


def _placed_blocks(folders: list[Path], positions: dict[str, int]) -> Iterator[Block]:
    """The blocks of ``folders``, the n-th at position n of their :func:`block_positions`.

    A block out of place is an id used twice (found without a second set of
    ids beside ``positions``) or an id the raw scan could not read.
    """
    n = 0
    for folder in folders:
        path = folder / "blocks.jsonl"
        for line, block in _checked_blocks(path):
            position = positions.get(block.id)
            if position is not None and position < n:
                raise ToolkitError(f"block id {quote(block.id)} is used twice", file=path, line=line,
                                   record=block.id, code="E102")
            if position != n:
                raise ToolkitError(RAW_ID_RULE, file=path, line=line, record=block.id, code="E111")
            n += 1
            yield block


def block_positions(corpus_dir: str | Path | None = None) -> dict[str, int]:
    """Block id -> reading-order position, for every block of the corpus (ids only are kept).

    Found without parsing the records: a bad line is for the reader of the
    blocks (or ``validate``) to report, with its line number.
    """
    positions: dict[str, int] = {}
    for folder in document_dirs(resolve_corpus_dir(corpus_dir)):
        path = folder / "blocks.jsonl"
        if not path.exists():
            continue
        _raw_positions(path, positions)
    return positions


def _raw_positions(path: Path, positions: dict[str, int]) -> dict[str, int]:
    """Add the block ids of one blocks.jsonl to ``positions``, in order, from the raw lines."""
    with path.open("rb") as f:
        for raw in f:
            block_id = raw_string(BLOCK_ID, raw)
            if block_id is not None:
                positions.setdefault(block_id, len(positions))
    return positions


class LayerCursor:
    """Walks one layer file alongside the blocks, in reading order.

    Layer files are kept in reading order (block order, then start offset;
    ``toolkit validate`` reports records out of order as E110), so the
    annotations of a block can be taken as the block goes by and nothing
    else is held in memory. A record of an unknown block (E103) or out of
    order (E110) is refused.
    """

    def __init__(self, annotations_dir: Path, layer: str, positions: dict[str, int], *,
                 section: tuple[int, int, int] | None = None) -> None:
        self.path = annotations_dir / f"{layer}.jsonl"
        self.layer = layer
        self.positions = positions
        empty = section is not None and section[0] == section[1]
        self._records: Iterator[tuple[int, dict[str, Any]]] = (
            _records(self.path, ANNOTATION_FIELDS, section) if self.path.exists() and not empty else iter(()))
        self._pending: tuple[int, Located] | None = None  # position, record
        self._last = (-1, -1)
        self._advance()

    def _advance(self) -> None:
        item = next(self._records, None)
        if item is None:
            self._pending = None
            return
        line, record = item
        annotation = Annotation.from_dict(record, layer=self.layer)
        position = self.positions.get(annotation.paragraph)
        if position is None:
            raise ToolkitError(f"no block {quote(annotation.paragraph)} in the corpus", file=self.path, line=line,
                               record=annotation.id, code="E103")
        if (position, annotation.start) < self._last:
            raise ToolkitError("record out of reading order: layer files are sorted by block, then start",
                               file=self.path, line=line, record=annotation.id, code="E110")
        self._last = (position, annotation.start)
        self._pending = (position, Located(annotation, self.path, line))

    def take(self, block_id: str) -> list[Located]:
        """The records of ``block_id``; blocks must be asked for in reading order."""
        position = self.positions[block_id]
        taken = []
        while self._pending is not None and self._pending[0] <= position:
            taken.append(self._pending[1])
            self._advance()
        return taken


@dataclass(frozen=True, slots=True)
class AnnotatedBlock:
    """A block with its annotations per layer and the footnote links of its markers."""

    block: Block
    layers: dict[str, list[Annotation]]
    links: list[FootnoteLink]


def iter_parts(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None, *,
               layers: Iterable[str] | None = None, checks: Checks | None = None) -> Iterator[list[AnnotatedBlock]]:
    """Stream the corpus one document part at a time, blocks joined with their annotations.

    A part is the smallest unit in which footnote markers can be resolved (its
    bodies close it), so it is what is held in memory, never the corpus.
    ``layers`` defaults to every layer the schema declares. Every record is
    checked as it goes by (:mod:`toolkit.checks`; pass ``checks`` already read from
    ``annotations_dir`` to read them once). Checks its arguments at the call.
    """
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    checks = checks or load_checks(adir)
    positions = block_positions(cdir)
    cursors = [LayerCursor(adir, layer, positions) for layer in checks.layers(layers)]
    folders = document_dirs(cdir)
    for folder in folders:
        read_document(folder)  # its record is checked too, though the parts do not carry it
    return _parts_of(_placed_blocks(folders, positions), cursors, checks)


def _parts_of(blocks: Iterable[Block], cursors: list[LayerCursor], checks: Checks) -> Iterator[list[AnnotatedBlock]]:
    seen: set[str] = set()  # annotation ids of the current document
    document = None
    for (doc, _), group in groupby(blocks, key=lambda b: (b.doc, b.part)):
        if doc != document:
            document, seen = doc, set()
        part = list(group)
        links: dict[str, list[FootnoteLink]] = defaultdict(list)
        for link in resolve_footnotes(part):
            if link.paragraph is not None:
                links[link.paragraph].append(link)
        annotated = []
        for block in part:
            located = {c.layer: c.take(block.id) for c in cursors}
            checks.annotations(block, located, seen)
            layers = {name: [item.annotation for item in items] for name, items in located.items()}
            annotated.append(AnnotatedBlock(block, layers, links.get(block.id, [])))
        yield annotated


@dataclass(frozen=True, slots=True)
class Shard:
    """One document and the slices of the layer files that annotate it: a worker's unit."""

    folder: Path
    annotations_dir: Path
    sections: dict[str, tuple[int, int, int]]  # layer -> (start byte, end byte, first line); empty: (0, 0, 1)
    checks: Checks


def document_shards(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None, *,
                    layers: Iterable[str] | None = None, checks: Checks | None = None) -> Iterator[Shard]:
    """Cut the corpus into one shard per document, reading only a few lines of each layer file.

    Layer files are in reading order, so each document's records are one
    contiguous slice, found by binary search on byte offsets; shards come one
    by one, so workers can start on the first while the next is cut. A file
    out of order cannot go unnoticed: a record in another document's slice
    names a block the worker does not have, and the worker stops with an error.
    """
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    checks = checks or load_checks(adir)
    folders = document_dirs(cdir)
    for folder in folders:
        read_document(folder)
    owner: dict[str, int] = {}
    for k, folder in enumerate(folders):
        with check_readable(folder / "blocks.jsonl").open("rb") as f:
            for raw in f:
                block_id = raw_string(BLOCK_ID, raw)
                if block_id is not None:
                    owner.setdefault(block_id, k)
    chosen = [layer for layer in checks.layers(layers) if (adir / f"{layer}.jsonl").exists()]
    return _shards(folders, adir, chosen, owner, checks)


def raw_string(pattern: re.Pattern[bytes], raw: bytes) -> str | None:
    """The JSON string value that ``pattern`` finds in a raw line, without parsing the line."""
    m = pattern.search(raw)
    if m is None:
        return None
    try:
        value = json.loads(b'"' + m.group(1) + b'"')
    except ValueError:
        return None
    return value if isinstance(value, str) and not lone_surrogate(value) else None


def _shards(folders: list[Path], adir: Path, layers: list[str], owner: dict[str, int],
            checks: Checks) -> Iterator[Shard]:
    slicers = [_slices(adir / f"{layer}.jsonl", owner, len(folders)) for layer in layers]
    for folder, *sections in zip(folders, *slicers, strict=True):
        yield Shard(folder, adir, dict(zip(layers, sections, strict=True)), checks)


def _slices(path: Path, owner: dict[str, int], n_docs: int) -> Iterator[tuple[int, int, int]]:
    """(start byte, end byte, first line) of each document's records in a sorted layer file, in order."""
    size = path.stat().st_size
    with path.open("rb") as f, path.open("rb") as counter:

        def line_start(offset: int) -> int:
            if offset <= 0:
                return 0
            f.seek(offset - 1)
            f.readline()
            return f.tell()

        def document_at(start: int) -> int:
            """The document of the first record at or after ``start`` (n_docs at the end)."""
            f.seek(start)
            for raw in iter(f.readline, b""):
                paragraph = raw_string(PARAGRAPH, raw)
                if paragraph is not None:
                    if paragraph not in owner:
                        raise ToolkitError(f"a record of unknown block {quote(paragraph)}", file=path, code="E103")
                    return owner[paragraph]
            return n_docs

        start, line = 0, 1
        for k in range(n_docs):
            lo, hi = start, size
            while lo < hi:  # the first offset whose next record belongs to a later document than k
                mid = (lo + hi) // 2
                if document_at(line_start(mid)) > k:
                    hi = mid
                else:
                    lo = mid + 1
            end = size if k == n_docs - 1 else line_start(lo)
            yield start, end, line
            line += counter.read(end - start).count(b"\n")
            start = end


def shard_parts(shard: Shard) -> Iterator[list[AnnotatedBlock]]:
    """The parts of one shard's document, blocks joined with their annotations."""
    positions = _raw_positions(shard.folder / "blocks.jsonl", {})
    cursors = [LayerCursor(shard.annotations_dir, layer, positions, section=section)
               for layer, section in shard.sections.items()]
    return _parts_of(_placed_blocks([shard.folder], positions), cursors, shard.checks)
