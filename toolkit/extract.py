"""``extract``: annotations as flat JSON records, with context and resolved footnotes.

Streams: blocks are read one part at a time (footnote bodies close a part, so
a part is the smallest unit in which markers can be resolved) and records are
yielded as they are made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ToolkitError
from .footnotes import FootnoteLink, footnote_text, resolve_footnotes
from .models import Annotation, Block, RegistryEntity
from .paths import resolve_annotations_dir, resolve_corpus_dir
from .stream import LayerCursor, block_positions, iter_blocks, read_registry

LAYER_ORDER = {layer: i for i, layer in enumerate(Annotation.LAYERS)}
CONTEXTS = ("none", "sentence", "paragraph")
# A marker may follow the span after closing quotes and punctuation: Iran,”[6]
FOLLOWING_MARKERS = re.compile(r"[”\"’'.,;:!?)]*((?:\[\d+\])+)")


def extract(*, layer: str = "entities", labels: Iterable[str] = (), entities: Iterable[str] = (),
            context: str = "sentence", corpus_dir: str | Path | None = None,
            annotations_dir: str | Path | None = None, nlp: Language | None = None) -> Iterator[dict[str, Any]]:
    """Yield one plain dict per annotation, in reading order.

    ``layer`` is ``entities``, ``dates``, ``claims`` or ``all``; ``labels``
    and ``entities`` filter (an entity filter keeps mentions of those
    entities and claims held by or about them). Arguments are checked here,
    before the first record is asked for.

    >>> record = next(extract(entities=["tudeh-party"]))
    >>> record["text"], record["canonical"], record["context"]["type"]
    ('Tudeh Party', 'Tudeh Party', 'sentence')
    """
    if layer != "all" and layer not in LAYER_ORDER:
        raise ToolkitError(f"unknown layer {layer!r}; use entities, dates, claims or all")
    if context not in CONTEXTS:
        raise ToolkitError(f"unknown context {context!r}; use none, sentence or paragraph")
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    layers = list(LAYER_ORDER) if layer == "all" else [layer]
    registry = {e.id: e for e in read_registry(adir)} if (adir / "registry.jsonl").exists() else {}
    wanted_entities = set(entities)
    unknown = wanted_entities - registry.keys()
    if unknown:
        raise ToolkitError(f"unknown entity id(s) {', '.join(sorted(unknown))}: not in the registry",
                           file=adir / "registry.jsonl")
    if context == "sentence":
        from .nlp import make_nlp

        nlp = make_nlp(nlp)
    positions = block_positions(cdir)
    cursors = [LayerCursor(adir, name, positions) for name in layers]
    keep = _filter(set(labels), wanted_entities)
    return _records(cdir, cursors, keep, registry, context, nlp)


def _filter(labels: set[str], entities: set[str]) -> Callable[[Annotation], bool]:
    def keep(a: Annotation) -> bool:
        return (not labels or a.label in labels) and (not entities or _concerns(a, entities))

    return keep


def _concerns(a: Annotation, entities: set[str]) -> bool:
    if a.layer == "entities":
        return a.attrs.get("entity") in entities
    if a.layer == "claims":
        return a.attrs.get("holder") in entities or bool(entities & set(a.attrs.get("about") or ()))
    return False


def _records(cdir: Path, cursors: list[LayerCursor], keep: Callable[[Annotation], bool],
             registry: dict[str, RegistryEntity], context: str, nlp: Language | None) -> Iterator[dict[str, Any]]:
    wanted_footnotes = {fn for e in registry.values() for fn in e.footnotes}
    registry_notes = {b.id: _note(b) for b in iter_blocks(cdir) if b.id in wanted_footnotes}
    for _, part_blocks in groupby(iter_blocks(cdir), key=lambda b: (b.doc, b.part)):
        blocks = list(part_blocks)
        bodies = {b.id: b for b in blocks if b.kind == "footnote"}
        links: dict[tuple[str, int], FootnoteLink] = {
            (link.paragraph, link.start): link for link in resolve_footnotes(blocks)
            if link.paragraph is not None and link.start is not None}
        annotated = []
        for block in blocks:
            taken = [a for cursor in cursors for a in cursor.take(block.id) if keep(a)]
            if taken:
                taken.sort(key=lambda a: (a.start, -a.end, LAYER_ORDER[a.layer]))
                annotated.append((block, taken))
        docs: Iterable[Doc | None]
        if context == "sentence" and nlp is not None:
            docs = nlp.pipe((b.text for b, _ in annotated), batch_size=128)
        else:
            docs = (None for _ in annotated)
        for (block, taken), doc in zip(annotated, docs, strict=True):
            for a in taken:
                yield _record(a, block, doc, context, links, bodies, registry, registry_notes)


def _note(block: Block) -> dict[str, Any]:
    return {"footnote": block.id, "number": block.number, "part": block.part, "text": footnote_text(block)}


def _record(a: Annotation, block: Block, doc: Doc | None, context: str,
            links: dict[tuple[str, int], FootnoteLink], bodies: dict[str, Block],
            registry: dict[str, RegistryEntity], registry_notes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": a.id, "layer": a.layer, "doc": block.doc, "paragraph": block.id, "part": block.part,
        "section": block.section, "start": a.start, "end": a.end, "text": a.text, "label": a.label,
    }
    if a.layer == "entities":
        entity = registry.get(a.attrs.get("entity", ""))
        record.update({
            "entity": a.attrs.get("entity"), "canonical": entity.name if entity else None,
            "mention": a.attrs.get("mention"),
            "entity_footnotes": [registry_notes[fn] for fn in entity.footnotes if fn in registry_notes]
            if entity else [],
        })
    elif a.layer == "dates":
        record.update({"value": a.attrs.get("value"), "type": a.label, "mod": a.attrs.get("mod")})
    else:
        record.update({"type": a.attrs.get("type"), "holder": a.attrs.get("holder"),
                       "about": list(a.attrs.get("about") or [])})
    record["footnotes"] = _following_footnotes(a, block, links, bodies)
    record["context"] = _context(a, block, doc, context)
    return record


def _following_footnotes(a: Annotation, block: Block, links: dict[tuple[str, int], FootnoteLink],
                         bodies: dict[str, Block]) -> list[dict[str, Any]]:
    m = FOLLOWING_MARKERS.match(block.text, a.end)
    if not m:
        return []
    notes = []
    for marker in re.finditer(r"\[(\d+)\]", block.text[m.start(1):m.end(1)]):
        link = links.get((block.id, m.start(1) + marker.start()))
        body = bodies.get(link.footnote) if link and link.footnote else None
        notes.append(_note(body) if body else
                     {"footnote": None, "number": int(marker.group(1)), "part": block.part, "text": None})
    return notes


def _context(a: Annotation, block: Block, doc: Doc | None, context: str) -> dict[str, Any] | None:
    if context == "none":
        return None
    if context == "paragraph" or doc is None:
        return {"type": "paragraph", "text": block.text, "offset": 0, "start": a.start, "end": a.end}
    first = last = None
    for sent in doc.sents:
        if sent.start_char <= a.start < sent.end_char or (first is None and a.start < sent.start_char):
            first = first if first is not None else sent.start_char
        if first is not None:
            last = sent.end_char
            if a.end <= sent.end_char:
                break
    begin = first if first is not None else 0
    end = last if last is not None else len(block.text)
    return {"type": "sentence", "text": block.text[begin:end], "offset": begin,
            "start": a.start - begin, "end": a.end - begin}
