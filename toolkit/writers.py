"""Writers: the annotation files written back in canonical form, checked first, atomically.

Canonical form is what ``toolkit fmt`` produces and what every writer
writes, so that a file's diff shows only what changed:

- one record per line, UTF-8 kept readable, ``", "`` and ``": "`` separators;
- layer records in reading order (block order, then start; a longer span
  first; then id), keys in the order ``id, paragraph, start, end, text,
  label``, the layer's attributes in the order ``schema.json`` declares
  them, any other attribute in alphabetical order, then ``annotator``,
  ``note`` and ``review``;
- registry records sorted by id, keys ``id, label, name, aliases,
  description, footnotes, source`` (``source`` only where it is given).

Nothing is written that a reader would refuse: every record goes through the
checks of :mod:`toolkit.checks` first, and the first error raises
ToolkitError naming the file and record. Several files are written together
(``Corpus.save``): each is replaced only when all of them are complete.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from .checks import Checks, load_checks, refuse
from .display import quote
from .errors import ToolkitError
from .jsonl import atomic_files, dumps, replace_together
from .layout import BLOCKS, Layout, blocks_file, document_file, shipped, writable_corpus_dir
from .models import (
    ANNOTATION_FIELDS,
    TRAILING,
    Annotation,
    Block,
    Document,
    RegistryEntity,
    document_name_problem,
    field_problems,
)
from .schema import LayerSchema
from .validation.findings import Finding
from .validation.records import Located, check_annotation, check_block, check_entity
from .validation.spans import check_overlaps

COMMON = ("id", "paragraph", "start", "end", "text", "label")


def write_layer(layer: str, annotations: Iterable[Annotation], *, corpus_dir: str | Path | None = None,
                annotations_dir: str | Path | None = None) -> int:
    """Replace a layer's file with ``annotations``, checked, in canonical form and reading order.

    Returns the number of records written. The registry is read from the
    same annotations folder; nothing is written if any record is refused.
    """
    from .join import iter_parts

    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    checks = load_checks(layout)
    layout.schema.layer(layer)
    blocks: dict[str, Block] = {}
    taken: set[str] = set()  # ids of the other layers, which stay as they are
    for part in iter_parts(layout, checks, layers=[name for name in layout.schema.layers if name != layer]):
        for item in part:
            blocks[item.block.id] = item.block
            taken.update(a.id for in_layer in item.layers.values() for a in in_layer)
    lines = layer_lines(layout, checks, blocks, {layer: list(annotations)}, taken=taken)
    return write_files(layout, {layout.layer_file(layer): lines[layer]})[0]


def write_document(document: Document, blocks: Iterable[Block], source: bytes, *,
                   corpus_dir: str | Path | None = None, force: bool = False) -> Path:
    """Write ``CORPUS/DOC/``: the verbatim source, ``document.json`` and ``blocks.jsonl``; returns the folder.

    The blocks are checked against the source first (their text is the
    source's text at their offsets). Existing files are replaced only with
    ``force=True``, and the three files together or not at all. The default
    folder is ``./corpus``, never the shipped corpus.
    """
    root = writable_corpus_dir(corpus_dir)
    problem = document_name_problem(document.id, document.source)
    if problem:
        raise ToolkitError(problem[1], file=root, code=problem[0])
    folder = root / document.id
    blocks = list(blocks)
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ToolkitError(f"the source is not UTF-8 (byte {e.start})", file=folder / document.source) from None
    if hashlib.sha256(source).hexdigest() != document.sha256 or len(text) != document.length:
        raise ToolkitError("sha256 or length of the document record differs from the source", file=folder,
                           code="E108")
    ids = [block.id for block in blocks]
    if len(set(ids)) < len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise ToolkitError(f"block id {quote(twice)} is used twice", file=folder / BLOCKS, record=twice, code="E102")
    for block in blocks:
        refuse(check_block(block, {"file": folder / BLOCKS, "line": None, "id": block.id}))
        if block.doc != document.id or text[block.source_start:block.source_end] != block.text:
            raise ToolkitError("block text differs from the source at its offsets, or names another document",
                               file=folder / BLOCKS, record=block.id, code="E107")
    targets = [folder / document.source, document_file(folder), blocks_file(folder)]
    if not force:
        for target in targets:
            if target.exists():
                raise ToolkitError("file exists; pass --force (force=True) to replace it", file=target)
    with atomic_files([(target, i == 0) for i, target in enumerate(targets)]) as files:
        files[0].write(source)
        files[1].write(dumps(document.to_dict(), indent=2) + "\n")
        for block in blocks:
            files[2].write(dumps(block.to_dict()) + "\n")
    return folder


def write_registry(entities: Iterable[RegistryEntity], *, annotations_dir: str | Path | None = None,
                   corpus_dir: str | Path | None = None) -> int:
    """Replace ``registry.jsonl`` with ``entities``, checked, sorted by id. Returns how many."""
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    return write_files(layout, {layout.registry_file: registry_lines(layout, entities)})[0]


def write_files(layout: Layout, contents: Mapping[Path, list[str]]) -> list[int]:
    """Write every file, each atomically, all replaced only after all are complete; the lines of each."""
    writable(layout.annotations_dir)
    replace_together(contents)
    return [len(lines) for lines in contents.values()]


def layer_lines(layout: Layout, checks: Checks, blocks: Mapping[str, Block], layers: Mapping[str, list[Annotation]],
                *, taken: Iterable[str] = ()) -> dict[str, list[str]]:
    """The canonical lines of each layer, after every record passed the readers' checks.

    ``taken`` holds the ids of the layers not written here (they must not be used again).
    Every record's fields are checked for their types (``E101``), its span and attributes as a reader checks
    them, and its id against every other id of the corpus (``E102``).
    """
    positions = {block_id: n for n, block_id in enumerate(blocks)}
    ordered = {name: sorted(records, key=lambda a: reading_order(a, positions)) for name, records in layers.items()}
    # Ids are unique across the corpus (validate: E102), not only within a document as a streaming reader checks.
    seen = set(taken)
    out = {}
    for name, records in ordered.items():
        spec = layout.schema.layer(name)
        path = layout.layer_file(name)
        by_block: dict[str, list[Located]] = defaultdict(list)
        for a in records:
            if a.layer != name:
                raise ToolkitError(f"an annotation of layer {quote(a.layer)} given for layer {quote(name)}",
                                   file=path, record=a.id)
            problems = field_problems(a.to_dict(), ANNOTATION_FIELDS)
            if problems:
                raise ToolkitError("; ".join(problems), file=path, record=a.id if isinstance(a.id, str) else None,
                                   code="E101")
            block = blocks.get(a.paragraph)
            item = Located(a, path, 0)
            _refuse(check_annotation(item, block, spec, checks.registry))  # E103 when there is no such block
            assert block is not None
            if a.id in seen or a.id in checks.registry:
                raise ToolkitError(f"id {quote(a.id)} is used twice", file=path, record=a.id, code="E102")
            seen.add(a.id)
            by_block[a.paragraph].append(item)
        for items in by_block.values():
            _refuse(check_overlaps(spec, items))
        out[name] = [canonical_dumps(canonical_annotation(a, spec)) for a in records]
    return out


def registry_lines(layout: Layout, entities: Iterable[RegistryEntity]) -> list[str]:
    """The canonical lines of the registry, after every record passed the readers' checks."""
    path = layout.registry_file
    entities = sorted(entities, key=lambda e: e.id)
    for before, entity in pairwise(entities):
        if before.id == entity.id:
            raise ToolkitError(f"id {quote(entity.id)} is used twice", file=path, record=entity.id, code="E102")
    for entity in entities:
        _refuse(check_entity(entity, layout.schema, {"file": path, "line": None, "id": entity.id}))
    return [canonical_dumps(entity.to_dict()) for entity in entities]


def canonical_dumps(record: dict[str, Any]) -> str:
    """One canonical line: UTF-8 kept readable, ``", "`` and ``": "`` separators, keys as given.

    >>> canonical_dumps({"id": "e-1", "text": "Ba’athist / “x”"})
    '{"id": "e-1", "text": "Ba’athist / “x”"}'
    """
    return json.dumps(record, ensure_ascii=False)


def reading_order(a: Annotation, positions: Mapping[str, int]) -> tuple[int, int, int, str]:
    """Block position, start, longer span first, id."""
    return positions.get(a.paragraph, -1), a.start, -a.end, a.id


def canonical_annotation(a: Annotation, layer: LayerSchema) -> dict[str, Any]:
    """The record of ``a`` with its keys in canonical order (see the module's docstring).

    >>> from toolkit.layout import Layout
    >>> spec = Layout.open().schema.layers["entities"]
    >>> a = Annotation("entities", "e-1", "b", 0, 4, "Iraq", "GPE", {"mention": "NAM", "entity": "iraq", "x": 1})
    >>> list(canonical_annotation(a, spec))
    ['id', 'paragraph', 'start', 'end', 'text', 'label', 'entity', 'mention', 'x']
    """
    record = a.to_dict()
    declared = [name for name in layer.attributes if name in record]
    others = sorted(set(record) - set(COMMON) - set(declared) - set(TRAILING))
    return {key: record[key] for key in (*COMMON, *declared, *others, *TRAILING) if key in record}


def _refuse(findings: Iterable[Finding]) -> None:
    """Refuse the first error; an in-memory record has no line."""
    refuse(replace(f, line=None) for f in findings)


def writable(folder: Path) -> None:
    """Refuse to write into the data of an installed package (a ToolkitError saying what to do instead)."""
    inside = folder.resolve()
    for name in ("corpus", "annotations"):
        data = shipped(name).resolve()
        if "_data" in data.parts and inside.is_relative_to(data):
            raise ToolkitError("refusing to write into the data of the installed package; copy it and pass "
                               f"--{name} DIR", file=folder)
