"""Per-record checks of the registry and the annotation layers."""

from __future__ import annotations

import unicodedata
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from numpy.typing import NDArray

from ..display import quote
from ..footnotes import MARKER
from ..jsonl import BadLine, iter_lines
from ..models import (
    ANNOTATION_FIELDS,
    ID_RULE,
    KINDS,
    REGISTRY_FIELDS,
    SOURCES,
    Annotation,
    Block,
    RegistryEntity,
    field_problems,
    is_valid_id,
)
from ..schema import LayerSchema, Schema
from ..timex import MODS, TYPES, is_old_style, text_contradiction, timex_problem
from .findings import Finding, Where, finding

HOLDER_WORDS = {"author", "unspecified"}


@dataclass(slots=True)
class Located:
    """A record that passed the structural checks, with where it came from."""

    annotation: Annotation
    file: Path
    line: int | None  # None: a record made in memory, or read from a format without lines


class Ids:
    """Ids are unique across the registry and all layers; memory stays flat however many there are.

    A first pass marks every annotation id in a fixed-size Bloom filter
    (``HASHES`` bits an id); ids whose bits were all set already become
    candidates, and only candidates are tracked exactly (with every place
    they occur) in the second pass. With one bit an id, candidates grew with
    the square of the ids (3,628 at a million ids, so about 100,000 at five
    million); with three, 1,874 at five million. Marks are taken ``BATCH`` at
    a time, by numpy: bit by bit in Python, three bits cost twice the time of
    one.
    """

    BITS = 1 << 27  # 16 MiB, whatever the corpus size (a power of two)
    HASHES = 3
    BATCH = 1 << 14
    # Odd multipliers: the top bits of hash * C are a fresh hash for each C (multiplicative hashing).
    _MIXERS = numpy.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=numpy.uint64)

    def __init__(self) -> None:
        self.registry: dict[str, tuple[Path, int]] = {}
        self._bitmap = numpy.zeros(self.BITS // 8, dtype=numpy.uint8)
        self._candidates: set[str] = set()
        self._pending: list[str] = []
        self.places: dict[str, list[tuple[int, Path, int]]] = {}

    @property
    def candidates(self) -> set[str]:
        """Ids that may occur more than once: every id that does, and a few that do not."""
        self._flush()
        return self._candidates

    def bits(self, rids: list[str]) -> NDArray[numpy.int64]:
        """The filter's bits of each id: one row of ``HASHES`` bits an id."""
        hashes = numpy.array([hash(rid) for rid in rids], dtype=numpy.int64).view(numpy.uint64)
        mixed = hashes[:, None] * self._MIXERS[None, :self.HASHES]
        shift = numpy.uint64(64 - (self.BITS.bit_length() - 1))
        return (mixed >> shift).astype(numpy.int64)

    def mark(self, rid: str) -> None:
        """First pass: note an annotation id."""
        self._pending.append(rid)
        if len(self._pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        rids, self._pending = self._pending, []
        if not rids:
            return
        bits = self.bits(rids)
        bytes_, masks = bits >> 3, (numpy.uint8(1) << (bits & 7).astype(numpy.uint8))
        known = ((self._bitmap[bytes_] & masks) != 0).all(axis=1)
        # Within the batch the bits are set together, so an id twice in it is found by its equal bits instead.
        _, first, counts = numpy.unique(bits, axis=0, return_index=True, return_counts=True)
        again = numpy.ones(len(rids), dtype=bool)
        again[first[counts == 1]] = False
        numpy.bitwise_or.at(self._bitmap, bytes_.ravel(), masks.ravel())
        self._candidates.update(rid for rid, k, a in zip(rids, known, again, strict=True)
                                if k or a or rid in self.registry)

    def place(self, rid: str, order: int, path: Path, line: int) -> None:
        """Second pass: where a candidate id occurs (``order``: the layer's position)."""
        if self._pending:  # the first pass's last marks
            self._flush()
        if rid in self._candidates:
            self.places.setdefault(rid, []).append((order, path, line))

    def duplicates(self) -> Iterator[Finding]:
        for rid, places in self.places.items():
            ordered = sorted(places, key=lambda p: (p[0], p[2]))
            if rid in self.registry:
                first_path, first_line = self.registry[rid]
            else:
                _, first_path, first_line = ordered.pop(0)
            for _, path, line in ordered:
                yield finding("E102", f"id {quote(rid)} already used at {first_path.name}:{first_line}",
                              file=path, line=line, id=rid)


def check_registry(path: Path, schema: Schema, seen: dict[str, tuple[Path, int]], registry: dict[str, RegistryEntity],
                   where: dict[str, int]) -> Iterator[Finding]:
    """Check registry.jsonl; fill ``registry``, ``where`` (id -> line) and ``seen`` with the usable records.

    Whether the footnotes it lists are footnote blocks is checked as the
    blocks go by (E508, in :func:`toolkit.validate`).
    """
    for line, record in iter_lines(path):
        if isinstance(record, BadLine):
            yield finding("E100", record.message, file=path, line=line)
            continue
        rid = record.get("id") if isinstance(record.get("id"), str) else None
        problems = field_problems(record, REGISTRY_FIELDS)
        if problems:
            yield finding("E101", "; ".join(problems), file=path, line=line, id=rid)
            continue
        if record["id"] in seen:
            first = seen[record["id"]][1]
            yield finding("E102", f"id {quote(record['id'])} already used at {path.name}:{first}", file=path,
                          line=line, id=record["id"])
            continue
        seen[record["id"]] = (path, line)
        unknown = sorted(set(record) - REGISTRY_FIELDS.keys())
        if unknown:  # still usable: one root cause, one finding (a writer would drop the field)
            yield finding("E101", f"unknown field {quote(unknown[0])}: registry records have exactly "
                          f"{', '.join(REGISTRY_FIELDS)}", file=path, line=line, id=record["id"])
        entity = RegistryEntity.from_dict(record)
        registry[entity.id] = entity
        where[entity.id] = line
        yield from check_entity(entity, schema, {"file": path, "line": line, "id": entity.id})


def check_entity(entity: RegistryEntity, schema: Schema, where: Where) -> Iterator[Finding]:
    """The checks of one registry record on its own: its id, label and lists."""
    if not is_valid_id(entity.id):
        yield finding("E111", f"id {quote(entity.id)} {ID_RULE}", **where)
    if entity.label not in schema.registry_labels:
        yield finding("E401", f"label {quote(entity.label)} is not a registry label", **where)
    for name in ("aliases", "footnotes"):
        if not all(isinstance(item, str) for item in getattr(entity, name)):
            yield finding("E101", f"field {name!r} should be a list of strings", **where)
    if entity.source is not None and entity.source not in SOURCES:
        yield finding("E101", f"field 'source' is {quote(entity.source)}, not one of {', '.join(SOURCES)}",
                      **where)


def check_block(block: Block, where: Where) -> Iterator[Finding]:
    """The checks of one block record on its own (against the source: see corpus_checks)."""
    if not is_valid_id(block.id):
        yield finding("E111", f"block id {quote(block.id)} {ID_RULE}", **where)
    if not is_valid_id(block.doc):
        yield finding("E111", f"document id {quote(block.doc)} {ID_RULE}", **where)
    if block.kind not in KINDS:
        yield finding("E112", f"kind {quote(block.kind)} is not one of {', '.join(KINDS)}", **where)
    elif block.kind == "footnote" and block.number is None:
        yield finding("E101", "a footnote block needs its printed number ('number')", **where)
    if block.source_start < 0 or block.source_end < block.source_start:
        yield finding("E109", f"source range {block.source_start}:{block.source_end} is not a range", **where)
    elif block.source_end - block.source_start != len(block.text):
        yield finding("E107", f"source range {block.source_start}:{block.source_end} does not have the length "
                      f"of the text ({len(block.text)})", **where)


def check_record(record: dict[str, Any], line: int, path: Path, layer: LayerSchema, block: Block | None,
                 registry: dict[str, RegistryEntity], out: list[Located]) -> Iterator[Finding]:
    """Check one record against its block (None: no such block); append it to ``out`` if usable."""
    rid = record.get("id") if isinstance(record.get("id"), str) else None
    problems = field_problems(record, ANNOTATION_FIELDS)
    if problems:
        yield finding("E101", "; ".join(problems), file=path, line=line, id=rid)
        return
    item = Located(Annotation.from_dict(record, layer=layer.name), path, line)
    if (yield from check_annotation(item, block, layer, registry)):
        out.append(item)


def check_annotation(item: Located, block: Block | None, layer: LayerSchema,
                     registry: Mapping[str, RegistryEntity]) -> Generator[Finding, None, bool]:
    """The checks of one annotation on its own and against its block; returns whether its span is usable.

    The loaders run these on every record they read and refuse the first
    error; ``validate`` reports them all.
    """
    ann = item.annotation
    where: Where = {"file": item.file, "line": item.line, "id": ann.id}
    usable = False
    if not is_valid_id(ann.id):
        yield finding("E111", f"id {quote(ann.id)} {ID_RULE}", **where)
    if block is None:
        yield finding("E103", f"no block {quote(ann.paragraph)}", **where)
    elif ann.start >= ann.end:
        yield finding("E105", f"start {ann.start} >= end {ann.end}", **where)
    elif ann.start < 0 or ann.end > len(block.text):
        yield finding("E104", f"{ann.start}:{ann.end} outside the block text (length {len(block.text)})", **where)
    elif block.text[ann.start:ann.end] != ann.text:
        yield finding("E106", f"text {quote(ann.text)} but the block has "
                      f"{quote(block.text[ann.start:ann.end])} at {ann.start}:{ann.end}", **where)
    else:
        usable = True
        yield from _edges(ann, layer, where)
    if ann.review is not None:
        yield finding("W113", f"flagged for review: {quote(ann.review)}", **where)
    if ann.label not in layer.labels:
        yield finding("E401", f"label {quote(ann.label)} is not in the {layer.name} label set "
                      f"({', '.join(sorted(layer.labels))})", **where)
    yield from _attributes(ann, layer, registry, where)
    return usable


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _edges(ann: Annotation, layer: LayerSchema, where: Where) -> Iterator[Finding]:
    text = ann.text
    if text != text.strip():
        yield finding("E202", f"{quote(text)} starts or ends with whitespace", **where)
    elif _is_punct(text[0]) or (_is_punct(text[-1]) and not _balanced_close(text)):
        yield finding("W203", f"{quote(text)} starts or ends with punctuation", **where)
    if not layer.markers_inside and MARKER.search(text):
        yield finding("E204", f"{quote(text)} contains a footnote marker (the {layer.name} layer keeps them "
                      "outside its spans)", **where)
    elif layer.markers_inside and text.endswith("]"):
        marker = MARKER.fullmatch(text, text.rfind("[")) if "[" in text else None
        if marker:
            yield finding("W203", f"{quote(text)} ends with the footnote marker {marker.group()}: a span that "
                          "ends at a marker ends before it", **where)


def _balanced_close(text: str) -> bool:
    """A closing bracket or quotation mark whose opening one is inside the span (``Left (HAYD)``,
    ``the “Union of Communists in Iraq.”``)."""
    pairs = {")": "(", "]": "[", "”": "“"}
    if text[-1] == '"':
        return text.count('"') % 2 == 0
    return text[-1] in pairs and pairs[text[-1]] in text[:-1]


def _attributes(ann: Annotation, layer: LayerSchema, registry: Mapping[str, RegistryEntity],
                where: Where) -> Iterator[Finding]:
    for name, spec in layer.attributes.items():
        value = ann.attrs.get(name)
        if value is None:
            if spec.required:
                yield finding("E403", f"missing attribute {name!r}", **where)
            continue
        if spec.enum is not None and value not in spec.enum:
            yield finding("E402", f"{name}={quote(value)} is not one of {', '.join(map(str, spec.enum))}", **where)
        kind = spec.type
        if kind == "string":
            if not isinstance(value, str) and spec.enum is None:
                yield finding("E402", f"{name} should be a string, not {quote(value)}", **where)
        elif kind == "registry_id":
            entity = registry.get(value) if isinstance(value, str) else None
            if entity is None:
                yield finding("E501", f"entity {quote(value)} is not in the registry", **where)
            elif entity.label != ann.label:
                yield finding("E502", f"label {quote(ann.label)} but registry entity {quote(value)} is "
                              f"{quote(entity.label)}", **where)
        elif kind == "holder":
            if not isinstance(value, str) or (value not in HOLDER_WORDS and value not in registry):
                yield finding("E503", f"holder {quote(value)} is not 'author', 'unspecified' or a registry id",
                              **where)
        elif kind == "holders":
            if not isinstance(value, list) or not value:
                yield finding("E402", f"{name} must be a non-empty list of holders", **where)
            else:
                for item in value:
                    if not isinstance(item, str) or (item not in HOLDER_WORDS and item not in registry):
                        yield finding("E503", f"{name}: {quote(item)} is not 'author', 'unspecified' or a "
                                      "registry id", **where)
                if len(set(map(str, value))) < len(value):
                    yield finding("E402", f"{name} lists a holder twice", **where)
        elif kind == "registry_ids":
            if not isinstance(value, list):
                yield finding("E402", f"{name} must be a list of registry ids", **where)
            else:
                for item in value:
                    if not isinstance(item, str) or item not in registry:
                        yield finding("E503", f"{name} id {quote(item)} is not in the registry", **where)
        elif kind == "timex3":
            yield from _timex(ann, value, where)
        elif kind == "timex3_mod" and (not isinstance(value, str) or value not in MODS):
            yield finding("E603", f"mod {quote(value)} is not a TIMEX3 mod", **where)


def _timex(ann: Annotation, value: Any, where: Where) -> Iterator[Finding]:
    if ann.label not in TYPES:
        return  # E401 already reported; the value cannot be checked against an unknown type
    if not isinstance(value, str):
        yield finding("E601", f"value {quote(value)} is not a string", **where)
        return
    if is_old_style(value):
        yield finding("W604", f"value {quote(value)} is old-style", **where)
        return
    problem = timex_problem(ann.label, value)
    if problem:
        yield finding("E601", problem, **where)
        return
    contradiction = text_contradiction(ann.text, value)
    if contradiction:
        yield finding("E602", f"{quote(ann.text)}: {contradiction}", **where)

