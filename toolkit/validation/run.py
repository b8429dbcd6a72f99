"""The validation run: the corpus walked once, every layer alongside it, then the checks across records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..display import quote
from ..errors import ToolkitError
from ..join import LayerCursor
from ..jsonl import BadLine, iter_lines
from ..layout import Layout, blocks_file
from ..models import Block, RegistryEntity
from ..nlp import make_nlp
from ..positions import BlockPositions
from ..readers import RAW_ID_RULE, block_positions
from ..schema import Schema
from ..shards import Shard
from .consistency import NameMatcher, check_unannotated, check_variation, name_pattern, read_exceptions, survey
from .corpus_checks import walk_corpus
from .findings import Finding, finding
from .records import Ids, Located, check_record, check_registry
from .spans import check_alignment, check_contained_links, check_overlaps, check_quotes

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
Raw = tuple[int, dict[str, Any]]


def run(*, corpus_dir: str | Path | None, annotations_dir: str | Path | None, nlp: Language | None,
        n_process: int = 1, engine: str = "processes", client: Any = None, scheduler: str | None = None
        ) -> list[Finding]:
    """:func:`toolkit.validate`: memory grows with the number of blocks only.

    The blocks are walked one document part at a time, each layer file is
    read alongside them (layer files are in reading order), and only the
    block positions (about 12 bytes a block: :mod:`toolkit.positions`), the
    registry and the distinct annotated names are kept for the run.
    With ``n_process > 1`` or ``engine="dask"`` the documents are walked in
    workers, one shard each, and the checks across records run here on what
    they send back. That needs layer files that cut into shards exactly:
    every line a record of a known block, in reading order, and every block
    id used once; the first pass finds out, and files that break it are
    walked by one process, which reports exactly what is wrong with them.
    """
    from ..cluster import check_engine

    check_engine(engine, client, scheduler)
    if n_process < 1:
        raise ToolkitError("n_process must be at least 1")
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    schema = layout.schema
    findings: list[Finding] = []
    ids = Ids()
    registry: dict[str, RegistryEntity] = {}
    registry_lines: dict[str, int] = {}
    registry_path = layout.registry_file
    findings.extend(check_registry(registry_path, schema, ids.registry, registry, registry_lines))
    paths = layout.layer_files()
    positions = block_positions(layout)
    wants_shards = n_process > 1 or engine != "processes"
    found = survey(schema, paths, ids, positions if wants_shards else None)  # whether files cut into shards
    exceptions, problems = read_exceptions(layout.exceptions_file)
    findings.extend(problems)
    listed = {fn: entity for entity in registry.values() for fn in entity.footnotes if isinstance(fn, str)}
    walk = _Walk(schema, registry, name_pattern(registry.values(), found), exceptions, frozenset(listed),
                 frozenset(ids.candidates))
    kinds: dict[str, str] = {}
    unusable: dict[str, int] = {}  # block id of an unusable block line -> index of its finding
    left: Counter[str] = Counter()  # block id -> records left without their (unusable) block
    sharded = wants_shards and found.sorted and _ids_once(layout, positions)
    if sharded:
        from functools import partial

        from ..checks import Checks
        from ..parallel import map_shards
        from ..shards import document_shards

        shards = document_shards(layout, Checks(schema, registry))
        for shard_findings, shard_kinds, places in map_shards(
                partial(_walk_shard, walk), shards, n_process, setup=partial(_tokenizer, nlp), engine=engine,
                client=client, scheduler=scheduler):
            findings.extend(shard_findings)
            kinds.update(shard_kinds)
            for rid, order, path, line in places:
                ids.place(rid, order, path, line)
    else:
        cursors = [LayerCursor(path, name, positions, problems=findings, seen=_place(ids, order, path))
                   for order, (name, path) in enumerate(paths.items())]
        tokenize = make_nlp(nlp).tokenizer
        walk.blocks(layout.documents, positions, cursors, tokenize, findings, unusable, left, kinds)
        late: dict[str, list[tuple[LayerCursor, int, dict[str, Any]]]] = {}
        for cursor in cursors:
            for record_line, record in cursor.orphans(len(positions)):
                findings.extend(_orphan(record, record_line, cursor, schema, registry, positions, unusable, left))
            for record_line, record in cursor.late:
                late.setdefault(str(record.get("paragraph")), []).append((cursor, record_line, record))
        findings.extend(_check_late(layout, late, registry, tokenize))
    for fn, entity in listed.items():
        if fn not in positions:
            findings.append(finding("E103", f"footnote {quote(fn)} is not a block of the corpus", file=registry_path,
                                    line=registry_lines[entity.id], id=entity.id))
        elif kinds.get(fn, "footnote") != "footnote":
            findings.append(finding("E508", f"{quote(fn)} is a {kinds[fn]} block, not a footnote",
                                    file=registry_path, line=registry_lines[entity.id], id=entity.id))
    for entity in registry.values():
        if not found.mentions[entity.id]:
            findings.append(finding("W504", f"{quote(entity.id)} ({quote(entity.name)}) has no mention",
                                    file=registry_path, line=registry_lines[entity.id], id=entity.id))
    findings.extend(list(_count_left(findings, unusable, left)))
    findings.extend(check_variation(found, schema.ambiguous))
    findings.extend(ids.duplicates())
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, SEVERITY_ORDER[f.severity], f.code))


@dataclass(frozen=True)
class _Walk:
    """What the walk over the blocks checks against: the same in one process and in every worker."""

    schema: Schema
    registry: dict[str, RegistryEntity]
    pattern: NameMatcher | None
    exceptions: dict[tuple[str, int, int], str]
    listed: frozenset[str]  # footnote ids the registry lists (their kinds are sent back)
    candidates: frozenset[str]  # annotation ids the first pass saw more than once, maybe

    def blocks(self, folders: tuple[Path, ...], positions: BlockPositions, cursors: list[LayerCursor],
               tokenize: Callable[[str], Doc], findings: list[Finding], unusable: dict[str, int],
               left: Counter[str], kinds: dict[str, str]) -> None:
        """Every block of ``folders`` with its records: the per-record and per-block checks."""
        schema, registry = self.schema, self.registry
        for block, path, line in walk_corpus(folders, positions, findings, unusable):
            position = positions.get(block.id)
            if position is None:  # its records are counted in this finding, as for any unusable block line
                unusable[block.id] = len(findings)
                findings.append(finding("E111", RAW_ID_RULE, file=path, line=line, id=block.id))
                continue
            if block.id in self.listed:
                kinds[block.id] = block.kind
            located: list[Located] = []
            for cursor in cursors:
                in_layer: list[Located] = []
                for orphan_line, orphan in cursor.orphans(position):
                    findings.extend(_orphan(orphan, orphan_line, cursor, schema, registry, positions, unusable,
                                            left))
                for record_line, record in cursor.records(position):
                    findings.extend(check_record(record, record_line, cursor.path, schema.layers[cursor.layer],
                                                 block, registry, in_layer))
                findings.extend(check_overlaps(schema.layers[cursor.layer], in_layer))
                located.extend(in_layer)
            findings.extend(check_alignment(tokenize, block, located))
            findings.extend(check_contained_links(schema, located))
            findings.extend(check_quotes(block, located))
            findings.extend(check_unannotated(block, path, line, self.pattern, located, self.exceptions, schema))


def _ids_once(layout: Layout, positions: BlockPositions) -> bool:
    """Whether every block line's id reads, and no id is used twice (else one process reports it)."""
    lines = 0
    for folder in layout.documents:
        with blocks_file(folder).open("rb") as f:
            lines += sum(1 for raw in f if raw.strip())
    return lines == len(positions)


def _tokenizer(nlp: Language | None) -> dict[str, Any]:
    return {"tokenize": make_nlp(nlp).tokenizer}


def _walk_shard(walk: _Walk, shard: Shard) -> tuple[list[Finding], dict[str, str], list[tuple[str, int, Path, int]]]:
    """One document in a worker: its findings, the kinds of its listed footnotes, where candidate ids occur."""
    from ..parallel import worker_state

    positions = BlockPositions((blocks_file(shard.folder),))
    findings: list[Finding] = []
    places: list[tuple[str, int, Path, int]] = []

    def seen(order: int, path: Path) -> Callable[[int, dict[str, Any]], None]:
        def note(line: int, record: dict[str, Any]) -> None:
            rid = record.get("id")
            if isinstance(rid, str) and rid in walk.candidates:
                places.append((rid, order, path, line))
        return note

    cursors = [LayerCursor(shard.files[name], name, positions, section=section, problems=findings,
                           seen=seen(order, shard.files[name]))
               for order, (name, section) in enumerate(shard.sections.items())]
    kinds: dict[str, str] = {}
    unusable: dict[str, int] = {}
    left: Counter[str] = Counter()
    walk.blocks((shard.folder,), positions, cursors, worker_state()["tokenize"], findings, unusable, left, kinds)
    for cursor in cursors:
        for record_line, record in cursor.orphans(len(positions)):
            findings.extend(_orphan(record, record_line, cursor, walk.schema, walk.registry, positions, unusable,
                                    left))
    findings.extend(list(_count_left(findings, unusable, left)))
    return findings, kinds, places


def _place(ids: Ids, order: int, path: Path) -> Callable[[int, dict[str, Any]], None]:
    """Note where each annotation id occurs (for E102 across the layers)."""
    def seen(line: int, record: dict[str, Any]) -> None:
        rid = record.get("id")
        if isinstance(rid, str):
            ids.place(rid, order, path, line)
    return seen


def _orphan(record: dict[str, Any], line: int, cursor: LayerCursor, schema: Schema,
            registry: dict[str, RegistryEntity], positions: BlockPositions, unusable: dict[str, int],
            left: Counter[str]) -> Iterator[Finding]:
    """A record of no usable block: E103, unless its block's line is there but unusable (reported already)."""
    paragraph = record.get("paragraph")
    if isinstance(paragraph, str) and (paragraph in positions or paragraph in unusable):
        left[paragraph] += 1  # counted in the block's own finding: one root cause, one finding
        return iter(())
    return check_record(record, line, cursor.path, schema.layers[cursor.layer], None, registry, [])


def _count_left(findings: list[Finding], unusable: dict[str, int], left: Counter[str]) -> Iterator[Finding]:
    """Add to each unusable block's finding how many annotation records it leaves unchecked."""
    for block_id, n in left.items():
        note = f"{n} annotation record{'s' if n > 1 else ''} of this block left unchecked"
        if block_id in unusable:
            index = unusable[block_id]
            findings[index] = replace(findings[index], message=f"{findings[index].message}; {note}")
        else:  # the line's id was found, but the line itself could not be placed
            yield finding("E103", f"block {quote(block_id)} is unusable: {note}", id=block_id)


def _check_late(layout: Layout, late: dict[str, list[tuple[LayerCursor, int, dict[str, Any]]]],
                registry: dict[str, RegistryEntity], tokenize: Any) -> Iterator[Finding]:
    """Check the out-of-order records against their blocks and the other records of those blocks.

    Only needed when a layer file is out of order (an error already); it
    reads the corpus and the layer files a second time.
    """
    if not late:
        return
    schemas = layout.schema.layers
    cursors = {id(c): c for records in late.values() for c, _, _ in records}
    late_lines = {(id(c), line) for records in late.values() for c, line, _ in records}
    others: dict[str, list[tuple[LayerCursor, int, dict[str, Any]]]] = {}
    for cursor in cursors.values():
        for line, record in iter_lines(cursor.path):
            if (not isinstance(record, BadLine) and isinstance(record.get("paragraph"), str)
                    and record["paragraph"] in late
                    and (id(cursor), line) not in late_lines):
                others.setdefault(str(record["paragraph"]), []).append((cursor, line, record))
    for folder in layout.documents:
        for _, raw_block in iter_lines(blocks_file(folder)):
            if isinstance(raw_block, BadLine) or raw_block.get("id") not in late:
                continue
            try:
                block = Block.from_dict(raw_block)
            except TypeError:
                continue
            located: dict[str, tuple[list[Located], list[Located]]] = {}
            for cursor, line, record in late.pop(block.id):
                mine = located.setdefault(cursor.layer, ([], []))[0]
                yield from check_record(record, line, cursor.path, schemas[cursor.layer], block, registry, mine)
            for cursor, line, record in others.get(block.id, []):
                theirs = located.setdefault(cursor.layer, ([], []))[1]
                for _ in check_record(record, line, cursor.path, schemas[cursor.layer], block, registry, theirs):
                    pass  # reported in the main pass
            for name, (mine, theirs) in located.items():
                before = set(check_overlaps(schemas[name], theirs))
                # ties: the earlier line is the original
                together = sorted(mine + theirs, key=lambda item: item.line or 0)
                yield from (f for f in check_overlaps(schemas[name], together) if f not in before)
            yield from check_alignment(tokenize, block, [item for mine, _ in located.values() for item in mine])
