"""Readers of the corpus files: records one at a time, checked, with file and line in errors.

What reads layer files alongside the blocks is in :mod:`toolkit.join`; what
cuts the corpus into shards for workers, in :mod:`toolkit.shards`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .checks import refuse
from .display import quote
from .errors import ToolkitError
from .jsonl import check_readable, read_json, read_jsonl
from .layout import Layout, blocks_file, document_file, version_file_name
from .models import (
    ANNOTATION_FIELDS,
    BLOCK_FIELDS,
    DOCUMENT_FIELDS,
    DOCUMENT_LISTS,
    Annotation,
    Block,
    Document,
    FieldSpec,
    RegistryEntity,
    document_name_problem,
    field_problems,
)
from .positions import BLOCK_ID, BlockPositions, raw_string
from .validation.records import check_block
from .versions import check_version

RAW_ID_RULE = ('the first "id" of the line is not the block\'s id: write "id" as the block\'s first field, '
               "plainly (no escapes, no nested objects before it)")


def checked_records(path: Path, spec: FieldSpec, section: tuple[int, int, int] | None = None
                    ) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records of a JSONL file (or a slice of it) whose fields have their types; the first other is E101."""
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
            and "annotator" not in r and "note" not in r and "review" not in r)


def read_document_record(folder: Path) -> Document:
    """The document record of one document folder, checked (its format version too)."""
    path = document_file(folder)
    raw = read_json(path)
    problems = field_problems(raw, DOCUMENT_FIELDS) if isinstance(raw, dict) else ["not a JSON object"]
    if not problems:
        try:
            check_version(raw, path)
        except ValueError as e:
            raise ToolkitError(str(e), file=path, code="E101") from None
    for name, spec in DOCUMENT_LISTS.items():
        for k, item in enumerate(raw.get(name, ()) if not problems else ()):
            found = field_problems(item, spec) if isinstance(item, dict) else ["not a JSON object"]
            extra = sorted(set(item) - spec.keys()) if isinstance(item, dict) else []
            problems += [f"{name}[{k}]: {p}" for p in found + [f"unknown field {quote(x)}" for x in extra]]
    if not problems and not all(isinstance(x, str) for x in raw.get("retired", ())):
        problems.append("retired: should be a list of block ids")
    if not problems:
        problems += [f"history[{k}]: file {quote(v['file'])} is not versions/SHA256.txt"
                     for k, v in enumerate(raw.get("history", ()))
                     if v.get("file") is not None and v["file"] != version_file_name(v["sha256"])]
    if problems:
        raise ToolkitError("; ".join(problems), file=path, code="E101")
    problem = document_name_problem(raw["id"], raw["source"])
    if problem:
        raise ToolkitError(problem[1], file=path, code=problem[0])
    try:
        return Document.from_dict(raw)
    except (KeyError, TypeError) as e:
        raise ToolkitError(f"bad document record: {quote(str(e))}", file=path, code="E101") from None


def _checked_blocks(path: Path) -> Iterator[tuple[int, Block]]:
    for line, record in checked_records(path, BLOCK_FIELDS):
        block = Block.from_dict(record)
        refuse(check_block(block, {"file": path, "line": line, "id": block.id}))
        yield line, block


def iter_blocks(layout: Layout) -> Iterator[Block]:
    """Every block of every document, in reading order; a block id used twice is refused (E102)."""
    for folder in layout.documents:
        check_readable(blocks_file(folder))
    return placed_blocks(layout.documents, block_positions(layout))


def placed_blocks(folders: tuple[Path, ...], positions: Mapping[str, int]) -> Iterator[Block]:
    """The blocks of ``folders``, the n-th at position n of their :func:`block_positions`.

    A block out of place is an id used twice (found without a second set of
    ids beside ``positions``) or an id the raw scan could not read.
    """
    n = 0
    for folder in folders:
        path = blocks_file(folder)
        for line, block in _checked_blocks(path):
            position = positions.get(block.id)
            if position is not None and position < n:
                raise ToolkitError(f"block id {quote(block.id)} is used twice", file=path, line=line,
                                   record=block.id, code="E102")
            if position != n:
                raise ToolkitError(RAW_ID_RULE, file=path, line=line, record=block.id, code="E111")
            n += 1
            yield block


def block_positions(layout: Layout) -> BlockPositions:
    """Block id -> reading-order position, for every block of the corpus (in about 12 bytes a block).

    Found without parsing the records: a bad line is for the reader of the
    blocks (or ``validate``) to report, with its line number.
    """
    return BlockPositions(blocks_file(folder) for folder in layout.documents)


def raw_positions(path: Path, positions: dict[str, int]) -> dict[str, int]:
    """Add the block ids of one blocks.jsonl to ``positions``, in order, from the raw lines (one document's)."""
    with path.open("rb") as f:
        for raw in f:
            block_id = raw_string(BLOCK_ID, raw)
            if block_id is not None:
                positions.setdefault(block_id, len(positions))
    return positions


def read_document(doc: str, *, corpus_dir: str | Path | None = None) -> tuple[Document, list[Block]]:
    """The record and the blocks of one document, checked (the reader of :func:`toolkit.write_document`).

    >>> document, blocks = read_document("pwc")
    >>> document.title, blocks[0].id
    ('Prospects of Worker Communism', 'pwc.front.title1')
    """
    layout = Layout.open(corpus_dir=corpus_dir)
    folders = [folder for folder in layout.documents if folder.name == doc]
    if not folders:
        raise ToolkitError(f"no document {quote(doc)}", file=layout.corpus_dir)
    positions = raw_positions(blocks_file(folders[0]), {})
    return read_document_record(folders[0]), list(placed_blocks(tuple(folders), positions))


def read_layer(layer: str, *, corpus_dir: str | Path | None = None,
               annotations_dir: str | Path | None = None) -> Iterator[Annotation]:
    """Stream the annotations of one layer, in reading order, each checked.

    The reader of :func:`toolkit.write_layer`.
    """
    from .checks import load_checks
    from .join import iter_parts

    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    parts = iter_parts(layout, load_checks(layout), layers=[layer])
    return (a for part in parts for item in part for a in item.layers[layer])


def read_registry(*, annotations_dir: str | Path | None = None, corpus_dir: str | Path | None = None
                  ) -> dict[str, RegistryEntity]:
    """The registry, id -> entity, each record checked (the reader of :func:`toolkit.write_registry`)."""
    from .checks import load_checks

    return load_checks(Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)).registry
