"""Checks of the corpus itself: documents against their verbatim source, blocks, footnotes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ToolkitError
from ..footnotes import resolve_footnotes
from ..jsonl import BadLine, iter_lines
from ..models import BLOCK_FIELDS, Block, field_problems
from ..stream import document_dirs, read_document
from .findings import Finding, finding


@dataclass(slots=True)
class BlockIndex:
    """The valid blocks seen, with the file and line each came from."""

    blocks: dict[str, Block] = field(default_factory=dict)
    where: dict[str, tuple[Path, int]] = field(default_factory=dict)


def check_corpus(corpus_dir: Path, index: BlockIndex) -> Iterator[Finding]:
    """Check every document folder; fill ``index`` with the blocks that are usable."""
    for folder in document_dirs(corpus_dir):
        yield from _check_document(folder, index)
    yield from _check_footnotes(index)


def _check_document(folder: Path, index: BlockIndex) -> Iterator[Finding]:
    try:
        document = read_document(folder)
    except ToolkitError as e:
        yield finding("E100", e.message, file=folder / "document.json")
        return
    source_path = folder / document.source
    source = None
    try:
        data = source_path.read_bytes()
        source = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        yield finding("E108", f"cannot read the verbatim source: {e}", file=source_path)
    else:
        if hashlib.sha256(data).hexdigest() != document.sha256:
            yield finding("E108", "sha256 of the source differs from document.json", file=source_path,
                          id=document.id)
    blocks_path = folder / "blocks.jsonl"
    previous_end = 0
    for line, record in iter_lines(blocks_path):
        if isinstance(record, BadLine):
            yield finding("E100", record.message, file=blocks_path, line=line)
            continue
        rid = record.get("id") if isinstance(record.get("id"), str) else None
        problems = field_problems(record, BLOCK_FIELDS)
        if problems:
            yield finding("E101", "; ".join(problems), file=blocks_path, line=line, id=rid)
            continue
        block = Block.from_dict(record)
        if block.id in index.blocks:
            yield finding("E102", f"block id {block.id!r} already used on line {index.where[block.id][1]}",
                          file=blocks_path, line=line, id=block.id)
            continue
        index.blocks[block.id] = block
        index.where[block.id] = (blocks_path, line)
        if source is None:
            continue
        excluded = [e for e in document.excluded
                    if block.source_start < e.source_end and e.source_start < block.source_end]
        if not 0 <= block.source_start < block.source_end <= len(source) or block.source_start < previous_end:
            yield finding("E109", f"source range {block.source_start}:{block.source_end} is out of the "
                          f"source (length {len(source)}) or before the previous block's end",
                          file=blocks_path, line=line, id=block.id)
        elif excluded:
            yield finding("E109", f"block overlaps the excluded range {excluded[0].source_start}:"
                          f"{excluded[0].source_end} ({excluded[0].reason})",
                          file=blocks_path, line=line, id=block.id)
        elif source[block.source_start:block.source_end] != block.text:
            yield finding("E107", f"text differs from source[{block.source_start}:{block.source_end}] "
                          f"= {source[block.source_start:block.source_end][:60]!r}",
                          file=blocks_path, line=line, id=block.id)
        previous_end = max(previous_end, block.source_end)


def _check_footnotes(index: BlockIndex) -> Iterator[Finding]:
    for link in resolve_footnotes(index.blocks.values()):
        block_id = link.paragraph or link.footnote or ""
        path, line = index.where[block_id]
        if link.status == "unresolved":
            yield finding("E505", f"marker [{link.number}] at {link.start}:{link.end} has no footnote "
                          f"[{link.number}] in part {link.part}", file=path, line=line, id=block_id)
        elif link.status == "unreferenced":
            yield finding("W506", f"footnote [{link.number}] of part {link.part} is referenced by no "
                          "marker", file=path, line=line, id=block_id)
        elif link.status == "duplicate":
            yield finding("E507", f"a second footnote [{link.number}] in part {link.part}",
                          file=path, line=line, id=block_id)
