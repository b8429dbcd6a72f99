"""``toolkit revise``: a new version of a document's source, with every annotation carried over or reported.

The new source is segmented the way ``ingest`` does it and aligned with the
current one character by character (:mod:`toolkit.alignment`). A new block
that takes most of its surviving text from one old block, which in turn
sends most of its text to it, *persists*: it keeps the old block's id,
whatever moved before it. Every other new block gets a fresh id of the same
form, the next number of its scope and kind never used (``retired`` ids
included); the ids of old blocks that do not persist are retired in
``document.json``. Every annotation of every layer, and every exception,
then ends in one state (:mod:`toolkit.anchoring`); registry footnotes follow
their blocks.

All the document's files and all the annotation files are replaced together
or not at all; the previous source is kept under ``versions/`` and
``document.json`` gains a ``history`` entry with the count of each state.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .alignment import Alignment
from .anchoring import CONTEXT, Outcome, Placer, settle, summary
from .checks import load_checks
from .errors import ToolkitError
from .ingestion import read_source, segment
from .jsonl import dumps, read_jsonl, replace_together
from .layout import Layout, blocks_file, document_file, version_file_name
from .models import KINDS, Annotation, Block, Document, FieldSpec, RegistryEntity, SourceVersion, field_problems

EXCEPTIONS = "exceptions"  # the layer name outcomes of exceptions carry in the report
EXCEPTION_FIELDS: FieldSpec = {"paragraph": ((str,), True), "start": ((int,), True), "end": ((int,), True),
                    "text": ((str,), True), "reason": ((str,), True)}


@dataclass(frozen=True, slots=True)
class Revision:
    """What a revision did (or, dry, would do): one outcome per annotation and exception, and the new records."""

    documents: dict[str, Document]  # the revised documents' new records, by id
    blocks: dict[str, list[Block]]
    outcomes: list[Outcome]
    retired: list[str]  # block ids retired by this revision
    added: list[str]  # ids of blocks new in this revision


@dataclass(frozen=True, slots=True)
class _Revised:
    """One document's part of a revision."""

    folder: Path
    old: Document
    new: Document
    blocks: list[Block]
    alignment: Alignment
    placer: Placer
    moved: dict[str, Block]  # the new blocks that carry an old block's id and its very text, by id
    old_bytes: bytes
    new_bytes: bytes


def revise(sources: str | Path | Iterable[str | Path], *, doc: str | None = None,
           corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
           dry_run: bool = False) -> Revision:
    """Make each source the current version of its document, carrying every annotation over.

    ``sources`` is one new source (its document named by ``doc``) or several,
    each named after its document (``DOC.txt``), revised in one pass: the
    corpus is read once and every file is written once. Nothing is written
    with ``dry_run``. Raises ToolkitError, naming the file, if the corpus or
    its annotations do not load (fix them first), or if a new source cannot
    be segmented.
    """
    from .corpus import load_corpus
    from .writers import canonical_dumps, layer_lines, registry_lines, writable

    paths = [Path(sources)] if isinstance(sources, (str, Path)) else [Path(p) for p in sources]
    if doc is not None and len(paths) != 1:
        raise ToolkitError("--doc names the document of one source; name several sources DOC.txt instead")
    targets = {doc or path.stem: path for path in paths}
    if len(targets) < len(paths):
        raise ToolkitError("two sources for one document", file=paths[0])
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    folders = {folder.name: folder for folder in layout.documents}
    for name, path in targets.items():
        if name not in folders:
            raise ToolkitError(f"no document {name!r} in the corpus", file=path)
    corpus = load_corpus(corpus_dir=layout.corpus_dir, annotations_dir=layout.annotations_dir)
    by_doc: dict[str, list[Block]] = defaultdict(list)
    for block in corpus:
        by_doc[block.doc].append(block)
    revised = {name: _revise_document(folders[name], path, by_doc[name]) for name, path in targets.items()}

    old_blocks = {b.id: b for name in revised for b in by_doc[name]}
    outcomes = []
    kept: dict[str, list[Annotation]] = defaultdict(list)  # the annotations of documents not revised
    for layer in layout.schema.layers:
        for a in corpus.annotations(layer):
            home = old_blocks.get(a.paragraph)
            if home is None:
                kept[layer].append(a)
            else:
                r = revised[home.doc]
                outcomes.append(carry(a, home, r.alignment, r.placer, r.moved))
    all_blocks: dict[str, Block] = {}  # documents in the corpus's order, a revised one's blocks in its new order
    for name in {b.doc: None for b in corpus}:
        for block in revised[name].blocks if name in revised else by_doc[name]:
            all_blocks[block.id] = block
    checks = load_checks(layout)
    outcomes = settle(outcomes, all_blocks, layout, checks.registry)
    exceptions, exception_outcomes = _exceptions(layout, old_blocks, revised)
    outcomes += exception_outcomes

    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    documents = {}
    per_document: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.old.layer != EXCEPTIONS:
            per_document[old_blocks[o.old.paragraph].doc].append(o)
    for name, r in revised.items():
        states = summary(per_document[name])
        history = list(r.old.history) or [SourceVersion(r.old.sha256, r.old.length)]
        history[-1] = replace(history[-1], file=version_file_name(r.old.sha256))
        history.append(SourceVersion(r.new.sha256, r.new.length, now, None, states))
        documents[name] = replace(r.new, history=tuple(history))
    retired = [block_id for r in revised.values() for block_id in r.new.retired[len(r.old.retired):]]
    added = [b.id for r in revised.values() for b in r.blocks if b.id not in old_blocks]
    revision = Revision(documents, {name: r.blocks for name, r in revised.items()}, outcomes, retired, added)
    changed = [name for name, r in revised.items() if not r.alignment.unchanged]
    if dry_run or not changed:
        return revision

    writable(layout.annotations_dir)
    placed = {layer: list(kept[layer]) for layer in layout.schema.layers}
    for o in outcomes:
        if o.new is not None and o.old.layer != EXCEPTIONS:
            placed[o.old.layer].append(o.new)
    lines = layer_lines(layout, checks, all_blocks, placed)
    entities = _registry(layout, corpus.registry, corpus.annotations(),
                         [a for layer in placed.values() for a in layer], retired)
    orphans = [dumps(o.orphan(version=documents[old_blocks[o.old.paragraph].doc].sha256))
               for o in outcomes if o.new is None]
    contents: dict[Path, list[str] | bytes] = {}
    for name in changed:
        r = revised[name]
        writable(r.folder)
        contents |= {r.folder / r.old.source: r.new_bytes,
                     r.folder / version_file_name(r.old.sha256): r.old_bytes,
                     document_file(r.folder): [dumps(documents[name].to_dict(), indent=2)],
                     blocks_file(r.folder): [dumps(b.to_dict()) for b in r.blocks]}
    contents |= {layout.layer_file(name): lines[name] for name in lines}
    contents[layout.registry_file] = registry_lines(layout, entities)
    if exceptions is not None:
        order = {block_id: n for n, block_id in enumerate(all_blocks)}
        contents[layout.exceptions_file] = [canonical_dumps(r) for r in sorted(
            exceptions, key=lambda r: (order.get(r["paragraph"], -1), r["start"], r["end"]))]
    if orphans:
        previous = [dumps(r) for _, r in read_jsonl(layout.orphans_file)] if layout.orphans_file.exists() else []
        contents[layout.orphans_file] = previous + orphans
    replace_together(contents)
    return revision


def _revise_document(folder: Path, source: Path, old_blocks: list[Block]) -> _Revised:
    """Segment a document's new source, align it with the current one and name its blocks."""
    from .readers import read_document_record

    old = read_document_record(folder)
    old_bytes = (folder / old.source).read_bytes()
    new_text = read_source(source)
    try:
        segmented, pieces = segment(new_text, doc=old.id, source_name=old.source)
    except ToolkitError as e:
        raise ToolkitError(e.message, file=source, line=e.line) from None
    alignment = Alignment(old_bytes.decode("utf-8"), new_text)
    names = carry_ids(old_blocks, pieces, alignment, retired=old.retired)
    blocks = [replace(block, id=names[block.id]) for block in pieces]
    texts = {b.id: b.text for b in old_blocks}
    moved = {b.id: b for b in blocks if texts.get(b.id) == b.text}  # carried with its text whole: offsets stay
    new_ids = {block.id for block in blocks}
    new = replace(segmented, dates=tuple(replace(d, block=names[d.block]) for d in segmented.dates),
                  artefacts=tuple(replace(a, block=names[a.block]) for a in segmented.artefacts),
                  retired=(*old.retired, *(b.id for b in old_blocks if b.id not in new_ids)))
    return _Revised(folder, old, new, blocks, alignment, Placer(blocks, new_text), moved, old_bytes,
                    new_text.encode("utf-8"))


def _registry(layout: Layout, registry: Mapping[str, RegistryEntity], before: Iterable[Annotation],
              after: Iterable[Annotation], retired: Iterable[str]) -> list[RegistryEntity]:
    """The registry after a revision: retired footnotes dropped; aliases follow the names that changed.

    Every named mention's text is an alias of its entity; where a revision
    changed a name, its new form becomes an alias, and an old form that no
    mention uses any more (but some did) is dropped.
    """
    def names(annotations: Iterable[Annotation]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for a in annotations:
            spec = layout.schema.layers.get(a.layer)
            link = spec.link if spec is not None else None
            if spec is not None and link is not None and spec.is_name(a.attrs) and isinstance(a.attrs.get(link), str):
                found[a.attrs[link]].add(a.text)
        return found

    old, new = names(before), names(after)
    gone = set(retired)
    out = []
    for entity in registry.values():
        added = sorted(new[entity.id] - set(entity.aliases))
        dropped = old[entity.id] - new[entity.id]
        aliases = tuple(a for a in entity.aliases if a not in dropped) + tuple(added)
        out.append(replace(entity, aliases=aliases, footnotes=tuple(f for f in entity.footnotes if f not in gone)))
    return out


def carry(a: Annotation, block: Block, alignment: Alignment, placer: Placer,
          moved: Mapping[str, Block] | None = None) -> Outcome:
    """The outcome of one annotation: with its block if the block moved whole, through the alignment if its
    boundaries survive, else by its quote (``moved``: old block id -> the new block with the very same text)."""
    start, end = block.source_start + a.start, block.source_start + a.end
    prefix, suffix = alignment.old[max(0, start - CONTEXT):start], alignment.old[end:end + CONTEXT]
    target = (moved or {}).get(block.id)
    if target is not None:
        return Outcome("kept", a, replace(a, paragraph=target.id), prefix, suffix)
    span = alignment.span(start, end)
    if span is not None:
        new = placer.place(a, span.start, span.end)
        if new is not None and span.intact:
            if _beside(alignment.old, start, end) != _beside(alignment.new, span.start, span.end):
                # The words it touches changed: its boundaries may now cut a token.
                new = flag(new, "the text right beside it changed in a revision")
            return Outcome("kept", a, new, prefix, suffix)
        if new is not None:
            return Outcome("changed", a, flag(new, f"its text changed in a revision; it was {a.text!r}"), prefix,
                           suffix)
    lo, hi = alignment.region(start, end)
    n = len(a.text)
    # The quote may reach past the changed text into what survived around it, but must touch the change.
    outcome = placer.find(a, [(max(0, lo - n), min(len(alignment.new), hi + n))], prefix, suffix, touching=(lo, hi))
    if outcome.state == "orphaned":  # moved elsewhere, perhaps: look in what the new version adds
        outcome = placer.find(a, alignment.inserted, prefix, suffix)
    return outcome


def flag(a: Annotation, why: str) -> Annotation:
    """``a`` flagged for review, keeping any reason it was flagged before."""
    return replace(a, review=f"{a.review}; {why}" if a.review else why)


def _beside(text: str, start: int, end: int) -> tuple[str, str]:
    """What touches a span on either side, up to the nearest whitespace (the rest of the words it begins and ends)."""
    left = start
    while left > 0 and not text[left - 1].isspace() and start - left < 40:
        left -= 1
    right = end
    while right < len(text) and not text[right].isspace() and right - end < 40:
        right += 1
    return text[left:start], text[end:right]


def carry_ids(old: list[Block], new: list[Block], alignment: Alignment, *, retired: Iterable[str]) -> dict[str, str]:
    """The final id of every new block, by its provisional id from ``segment``.

    A new block carries an old block's id when each is the other's main
    counterpart (most surviving characters) and both are of the same kind;
    then a block left over carries the id of a left-over old block of the
    same kind with the very same text (a paragraph moved elsewhere).
    """
    shares: dict[tuple[str, str], int] = defaultdict(int)
    old_starts = [b.source_start for b in old]
    new_starts = [b.source_start for b in new]
    for old_start, new_start, length in alignment.equal:
        k = max(0, bisect_right(old_starts, old_start) - 1)
        while k < len(old) and old[k].source_start < old_start + length:
            lo, hi = max(old_start, old[k].source_start), min(old_start + length, old[k].source_end)
            if lo < hi:  # this block's surviving text, in the new text: which new blocks hold it
                nlo, nhi = new_start + lo - old_start, new_start + hi - old_start
                m = max(0, bisect_right(new_starts, nlo) - 1)
                while m < len(new) and new[m].source_start < nhi:
                    overlap = min(nhi, new[m].source_end) - max(nlo, new[m].source_start)
                    if overlap > 0:
                        shares[(old[k].id, new[m].id)] += overlap
                    m += 1
            k += 1
    best_new: dict[str, tuple[int, str]] = {}
    best_old: dict[str, tuple[int, str]] = {}
    for (old_id, new_id), n in shares.items():
        best_new[old_id] = max(best_new.get(old_id, (0, "")), (n, new_id))
        best_old[new_id] = max(best_old.get(new_id, (0, "")), (n, old_id))
    by_id = {b.id: b for b in old}
    names: dict[str, str] = {}
    for block in new:
        counterpart = best_old.get(block.id, (0, ""))[1]
        if counterpart and best_new[counterpart][1] == block.id and by_id[counterpart].kind == block.kind:
            names[block.id] = counterpart
    left = {(b.kind, b.text): b.id for b in reversed(old) if b.id not in names.values()}
    for block in new:
        if block.id not in names and (block.kind, block.text) in left:
            names[block.id] = left.pop((block.kind, block.text))
    used = {b.id for b in old} | set(retired)
    for block in new:
        if block.id not in names:
            names[block.id] = fresh_id(block, used)
            used.add(names[block.id])
    return names


def fresh_id(block: Block, used: set[str]) -> str:
    """The next id of the block's scope and kind that ``used`` does not hold, above every number it holds.

    >>> b = Block("x", "pwc", "paragraph", 2, None, "Text.", 0, 5)
    >>> fresh_id(b, {"pwc.p2.para1", "pwc.p2.para22", "pwc.p1.para30"})
    'pwc.p2.para23'
    """
    scope = "front" if block.part is None else f"p{block.part}"
    stem = f"{block.doc}.sep" if block.kind == "separator" else f"{block.doc}.{scope}.{KINDS[block.kind]}"
    numbers = [int(u[len(stem):]) for u in used if u.startswith(stem) and u[len(stem):].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1}"


def _exceptions(layout: Layout, blocks: Mapping[str, Block], revised: Mapping[str, _Revised]
                ) -> tuple[list[dict[str, Any]] | None, list[Outcome]]:
    """The exceptions file's records carried over like annotations: a record that is not kept is dropped."""
    if not layout.exceptions_file.exists():
        return None, []
    records, outcomes = [], []
    for line, record in read_jsonl(layout.exceptions_file):
        problems = field_problems(record, EXCEPTION_FIELDS)
        if problems:
            raise ToolkitError("; ".join(problems), file=layout.exceptions_file, line=line, code="E101")
        block = blocks.get(record["paragraph"])
        if block is None:  # a document not revised
            records.append(record)
            continue
        a = Annotation(EXCEPTIONS, f"{record['paragraph']}:{record['start']}-{record['end']}", record["paragraph"],
                       record["start"], record["end"], record["text"], "", {"reason": record["reason"]})
        r = revised[block.doc]
        outcome = carry(a, block, r.alignment, r.placer, r.moved)
        if outcome.state != "kept":
            outcome = replace(outcome, state="orphaned" if outcome.state == "changed" else outcome.state, new=None)
        outcomes.append(outcome)
        if outcome.new is not None:
            new = outcome.new
            records.append({"paragraph": new.paragraph, "start": new.start, "end": new.end, "text": new.text,
                            "reason": record["reason"]})
    return records, outcomes
