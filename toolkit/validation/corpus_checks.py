"""Checks of the corpus itself: documents against their verbatim source, blocks, footnotes.

The corpus is walked one document at a time and footnotes are resolved one
part at a time; for the whole corpus only the compact block positions are
kept (and the ids of the few lines that could be used again, see
:mod:`.block_ids`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

from ..display import quote
from ..errors import ToolkitError
from ..footnotes import FootnoteLink, resolve_footnotes
from ..jsonl import BadLine, iter_lines
from ..layout import blocks_file, document_file
from ..models import BLOCK_FIELDS, Block, Excluded, field_problems
from ..positions import BLOCK_ID, BlockPositions, raw_string
from ..readers import read_document_record
from .block_ids import UsedIds
from .findings import Finding, finding
from .records import check_block

Placed = tuple[Block, Path, int]  # a usable block, its file and line


def walk_corpus(folders: tuple[Path, ...], positions: BlockPositions, findings: list[Finding],
                unusable: dict[str, int]) -> Iterator[Placed]:
    """Yield the usable blocks of the document ``folders`` in reading order; append their findings to ``findings``.

    ``positions`` are those of ``folders``. ``unusable`` gets the id of every
    block line that cannot be used but whose id can be read, with the index
    of its finding in ``findings``.
    """
    used = UsedIds(folders, positions)
    for document, folder in enumerate(folders):
        used.enter(document)
        placed = _document(folder, findings, used, unusable)
        for _, part in groupby(placed, key=lambda p: (p[0].doc, p[0].part)):
            blocks = list(part)
            yield from blocks
            findings.extend(_footnotes(blocks))


def _document(folder: Path, findings: list[Finding], used: UsedIds, unusable: dict[str, int]) -> Iterator[Placed]:
    source = None  # without a usable document record, the blocks are checked without their source
    excluded: tuple[Excluded, ...] = ()
    retired: frozenset[str] = frozenset()
    try:
        document = read_document_record(folder)
    except ToolkitError as e:
        findings.append(finding(e.code or "E100", e.message, file=document_file(folder), line=e.line))
    else:
        excluded = document.excluded
        retired = frozenset(document.retired)
        for version in document.history:
            if version.file is not None:
                kept = folder / version.file
                if not kept.is_file() or hashlib.sha256(kept.read_bytes()).hexdigest() != version.sha256:
                    findings.append(finding("E108", "an earlier version of the source is missing or altered "
                                            "(history in document.json)", file=kept, id=document.id))
        source_path = folder / document.source
        try:
            data = source_path.read_bytes()
            source = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            findings.append(finding("E108", f"cannot read the verbatim source: {quote(str(e))}", file=source_path))
        else:
            if hashlib.sha256(data).hexdigest() != document.sha256:
                findings.append(finding("E108", "sha256 of the source differs from document.json",
                                        file=source_path, id=document.id))
    path = blocks_file(folder)
    previous_end = 0
    raw = _RawLines(path)
    for line, record in iter_lines(path):
        if isinstance(record, BadLine):
            rid = raw.block_id(line)
            if rid is not None:
                unusable.setdefault(rid, len(findings))
            findings.append(finding("E100", record.message, file=path, line=line, id=rid))
            continue
        rid = record.get("id") if isinstance(record.get("id"), str) else None
        problems = field_problems(record, BLOCK_FIELDS)
        if problems:
            if rid is not None:
                unusable.setdefault(rid, len(findings))
            findings.append(finding("E101", "; ".join(problems), file=path, line=line, id=rid))
            continue
        block = Block.from_dict(record)
        earlier = used.earlier(block.id)
        if earlier is not None:
            findings.append(finding("E102", f"block id {quote(block.id)} already used on line {earlier}",
                                    file=path, line=line, id=block.id))
            continue
        used.add(block.id, line)
        if block.id in retired:
            findings.append(finding("E102", f"block id {quote(block.id)} is retired (document.json): a retired id "
                                    "is never given again", file=path, line=line, id=block.id))
        own = list(check_block(block, {"file": path, "line": line, "id": block.id}))
        if own:
            unusable.setdefault(block.id, len(findings))
            findings.extend(own)
            continue
        if source is not None:
            problem = _against_source(block, source, previous_end, excluded)
            if problem:
                findings.append(finding(problem[0], problem[1], file=path, line=line, id=block.id))
            previous_end = max(previous_end, block.source_end)
        yield block, path, line


class _RawLines:
    """The raw lines of a file, read forward on demand: the id of a line that does not parse."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0  # where line ``self._line + 1`` starts
        self._line = 0

    def block_id(self, line: int) -> str | None:
        raw = b""
        with self._path.open("rb") as f:
            f.seek(self._offset)
            while self._line < line:
                raw = f.readline()
                self._line += 1
            self._offset = f.tell()
        return raw_string(BLOCK_ID, raw)


def _against_source(block: Block, source: str, previous_end: int,
                    excluded: tuple[Excluded, ...]) -> tuple[str, str] | None:
    overlapping = [e for e in excluded if block.source_start < e.source_end and e.source_start < block.source_end]
    if not 0 <= block.source_start < block.source_end <= len(source) or block.source_start < previous_end:
        return ("E109", f"source range {block.source_start}:{block.source_end} is out of the source "
                f"(length {len(source)}) or before the previous block's end")
    if overlapping:
        e = overlapping[0]
        return "E109", f"block overlaps the excluded range {e.source_start}:{e.source_end} ({e.reason})"
    if source[block.source_start:block.source_end] != block.text:
        return ("E107", f"text differs from source[{block.source_start}:{block.source_end}] "
                f"= {quote(source[block.source_start:block.source_end])}")
    return None


def _footnotes(placed: list[Placed]) -> Iterator[Finding]:
    where = {block.id: (path, line) for block, path, line in placed}
    for link in resolve_footnotes(block for block, _, _ in placed):
        block_id = link.paragraph if isinstance(link, FootnoteLink) else link.footnote
        path, line = where[block_id]
        if link.status == "unresolved":
            assert isinstance(link, FootnoteLink)
            yield finding("E505", f"marker [{link.number}] at {link.start}:{link.end} has no footnote "
                          f"[{link.number}] in part {link.part}", file=path, line=line, id=block_id)
        elif link.status == "unreferenced":
            yield finding("W506", f"footnote [{link.number}] of part {link.part} is referenced by no "
                          "marker", file=path, line=line, id=block_id)
        elif link.status == "duplicate":
            yield finding("E507", f"a second footnote [{link.number}] in part {link.part}",
                          file=path, line=line, id=block_id)
