"""``extract``: annotations as flat JSON records, with context and resolved footnotes.

Streams: the corpus is read one document part at a time (see
:func:`toolkit.stream.iter_parts`) and records are yielded as they are made.
With ``n_process > 1`` whole documents are shared out to worker processes
and their records come back in reading order.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from .checks import Checks, load_checks
from .display import quote
from .errors import ToolkitError
from .footnotes import MARKER, FootnoteLink, footnote_text
from .join import AnnotatedBlock, iter_parts
from .jsonl import dumps
from .layout import Layout
from .models import Annotation, Block, RegistryEntity
from .nlp import block_text
from .readers import iter_blocks
from .schema import Schema
from .shards import Shard, document_shards, shard_parts

CONTEXTS = ("none", "sentence", "paragraph")
# A marker may follow the span after closing quotes and punctuation: Iran,”[6]
FOLLOWING_MARKERS = re.compile(r"[”\"’'.,;:!?)]*((?:\[\d+\])+)")


def extract(*, layer: str = "entities", labels: Iterable[str] = (), entities: Iterable[str] = (),
            context: str = "sentence", corpus_dir: str | Path | None = None,
            annotations_dir: str | Path | None = None, nlp: Language | None = None,
            n_process: int = 1, engine: str = "processes", client: Any = None, scheduler: str | None = None,
            scratch: str | Path | None = None) -> Iterator[dict[str, Any]]:
    """Yield one plain dict per annotation, in reading order.

    ``layer`` is a layer the schema declares, or ``all``; ``labels`` and
    ``entities`` filter (an entity filter keeps the records whose attributes
    name one of those registry ids: mentions, and claims held by or about
    them). Each record has the common fields, then every attribute the
    schema declares for its layer (``null`` when absent); a span linked to
    the registry also gets ``canonical`` and ``entity_footnotes``. With ``n_process > 1`` the
    documents are shared out to worker processes and the records still come
    in reading order; with ``engine="dask"`` they run as a ``dask.bag`` on
    ``client``, on the cluster at ``scheduler``, or on a LocalCluster of
    ``n_process`` workers (see :mod:`toolkit.cluster`); each document's
    records are written to a file in ``scratch`` (a folder every worker can
    reach; default: the system's temporary folder) and read back in order.
    Arguments are checked here, before the first record is asked for.

    >>> record = next(extract(entities=["tudeh-party"]))
    >>> record["text"], record["canonical"], record["context"]["type"]
    ('Tudeh Party', 'Tudeh Party', 'sentence')
    """
    plan = _plan(layer, labels, entities, context, corpus_dir, annotations_dir, nlp, n_process,
                 _Engine(engine, client, scheduler, scratch))
    if plan.engine.serial(n_process):
        return _serial(plan)
    return (srsly.json_loads(line) for piece in _in_workers(plan, n_process) for line in piece.split("\n"))


def extract_jsonl(*, layer: str = "entities", labels: Iterable[str] = (), entities: Iterable[str] = (),
                  context: str = "sentence", corpus_dir: str | Path | None = None,
                  annotations_dir: str | Path | None = None, nlp: Language | None = None,
                  n_process: int = 1, engine: str = "processes", client: Any = None,
                  scheduler: str | None = None, scratch: str | Path | None = None) -> Iterator[str]:
    """Like :func:`extract`, as JSONL text: what the CLI writes.

    Each piece is one record's line (one process) or one document's lines
    (workers), without the final newline.
    """
    plan = _plan(layer, labels, entities, context, corpus_dir, annotations_dir, nlp, n_process,
                 _Engine(engine, client, scheduler, scratch))
    if plan.engine.serial(n_process):
        return (dumps(record) for record in _serial(plan))
    return _in_workers(plan, n_process)


@dataclass(frozen=True)
class _Engine:
    """Where the work runs: ``processes`` (n_process > 1 of them) or ``dask``, and its scratch folder."""

    name: str
    client: Any
    scheduler: str | None
    scratch: str | Path | None

    def serial(self, n_process: int) -> bool:
        return self.name == "processes" and n_process == 1


@dataclass(frozen=True)
class _Plan:
    layout: Layout
    layers: list[str]
    work: Callable[..., list[dict[str, Any]]]
    nlp: Language | None
    sentences: bool
    shards: Iterable[Shard]
    checks: Checks
    engine: _Engine


def _plan(layer: str, labels: Iterable[str], entities: Iterable[str], context: str, corpus_dir: str | Path | None,
          annotations_dir: str | Path | None, nlp: Language | None, n_process: int, engine: _Engine) -> _Plan:
    from .cluster import check_engine

    check_engine(engine.name, engine.client, engine.scheduler)
    if context not in CONTEXTS:
        raise ToolkitError(f"unknown context {quote(context)}; use none, sentence or paragraph")
    if n_process < 1:
        raise ToolkitError("n_process must be at least 1")
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    if layer != "all" and layer not in layout.schema.layers:
        raise ToolkitError(f"unknown layer {quote(layer)}; use {', '.join(layout.schema.layers)} or all")
    checks = load_checks(layout)
    layers = [spec.name for spec in layout.schema.chosen(None if layer == "all" else [layer])]
    check_filters(layout.schema, layers, labels, entities, checks.registry)
    registry = checks.registry
    wanted = {fn for e in registry.values() for fn in e.footnotes}
    notes = {b.id: _note(b) for b in iter_blocks(layout) if b.id in wanted} if wanted else {}
    work = partial(_part_records, keep=AnnotationFilter(frozenset(labels), frozenset(entities), layout.schema),
                   registry=registry, notes=notes, context=context, schema=layout.schema)
    shards = iter(()) if engine.serial(n_process) else document_shards(layout, checks, layers=layers)
    return _Plan(layout, layers, work, nlp, context == "sentence", shards, checks, engine)


def check_filters(schema: Schema, layers: list[str], labels: Iterable[str], entities: Iterable[str],
                  registry: Mapping[str, RegistryEntity]) -> None:
    """Refuse labels that no chosen layer has, and entities the registry does not know."""
    known = {label for name in layers for label in schema.layers[name].labels}
    _known("label", set(labels), known, f"labels of {' and '.join(layers)}")
    _known("entity", set(entities), set(registry), "registry ids")


def _known(what: str, asked: set[str], known: set[str], kind: str, shown: int = 60) -> None:
    """Refuse filter values that match nothing, listing the values that would."""
    unknown = sorted(asked - known)
    if unknown:
        listed = sorted(known)
        more = f" and {len(listed) - shown} more" if len(listed) > shown else ""
        raise ToolkitError(f"unknown {what} {', '.join(map(quote, unknown))}; the {kind} are "
                           f"{', '.join(listed[:shown])}{more}")


def _serial(plan: _Plan) -> Iterator[dict[str, Any]]:
    from .nlp import make_nlp

    parts = iter_parts(plan.layout, plan.checks, layers=plan.layers)
    pipeline = make_nlp(plan.nlp) if plan.sentences else None
    return (record for part in parts for record in plan.work(part, nlp=pipeline))


def _in_workers(plan: _Plan, n_process: int) -> Iterator[str]:
    """Each worker writes one document's records to a file; the files are read back whole, in order.

    On any exception (a signal included: see :mod:`toolkit.interrupt`), or when
    the generator is closed early, the pool is terminated before its folder is
    removed, so nothing is left behind.
    """
    import tempfile

    from .interrupt import deferred
    from .parallel import map_shards

    engine = plan.engine
    with deferred():  # a signal must not come between creating the folder and its cleanup being set up
        folder = tempfile.TemporaryDirectory(prefix="toolkit-extract-", dir=engine.scratch)
    with folder as tmp:
        setup = partial(_worker_setup, plan.nlp, plan.sentences)
        for path in map_shards(partial(_extract_shard, plan.work, tmp), enumerate(plan.shards), n_process,
                               setup=setup, engine=engine.name, client=engine.client, scheduler=engine.scheduler):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            os.unlink(path)
            if text:
                yield text[:-1]


def _worker_setup(nlp: Language | None, sentences: bool) -> dict[str, Any]:
    from .nlp import make_nlp

    return {"nlp": make_nlp(nlp) if sentences else None}


def _extract_shard(work: Callable[..., list[dict[str, Any]]], tmp: str, item: tuple[int, Shard]) -> str:
    from .parallel import worker_state

    index, shard = item
    path = os.path.join(tmp, f"{index:08d}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for part in shard_parts(shard):
            for record in work(part, nlp=worker_state()["nlp"]):
                f.write(dumps(record) + "\n")
    return path


@dataclass(frozen=True, slots=True)
class AnnotationFilter:
    """Which annotations to keep (a class, not a closure, so that workers can receive it)."""

    labels: frozenset[str]
    entities: frozenset[str]
    schema: Schema

    def __call__(self, a: Annotation) -> bool:
        return (not self.labels or a.label in self.labels) and (
            not self.entities or bool(self.entities & self.schema.layers[a.layer].refers_to(a.attrs)))


def _part_records(part: list[AnnotatedBlock], *, keep: Callable[[Annotation], bool],
                  registry: dict[str, RegistryEntity], notes: dict[str, dict[str, Any]], context: str,
                  schema: Schema, nlp: Language | None) -> list[dict[str, Any]]:
    order = {name: i for i, name in enumerate(schema.layers)}
    chosen = []
    for item in part:
        taken = sorted((a for anns in item.layers.values() for a in anns if keep(a)),
                       key=lambda a: (a.start, -a.end, order[a.layer]))
        if taken:
            chosen.append((item, taken))
    docs: Iterable[Doc | None]
    if nlp is not None:
        docs = nlp.pipe((block_text(nlp, item.block) for item, _ in chosen), batch_size=128)
    else:
        docs = (None for _ in chosen)
    records = []
    for (item, taken), doc in zip(chosen, docs, strict=True):
        links = {link.start: link for link in item.links}
        for a in taken:
            records.append(_record(a, item.block, doc, context, links, registry, notes, schema))
    return records


def _note(block: Block) -> dict[str, Any]:
    return {"footnote": block.id, "number": block.number, "part": block.part, "text": footnote_text(block)}


def _record(a: Annotation, block: Block, doc: Doc | None, context: str, links: dict[int, FootnoteLink],
            registry: dict[str, RegistryEntity], notes: dict[str, dict[str, Any]], schema: Schema) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": a.id, "layer": a.layer, "doc": block.doc, "paragraph": block.id, "part": block.part,
        "section": block.section, "start": a.start, "end": a.end, "text": a.text, "label": a.label,
    }
    spec = schema.layers[a.layer]
    for name, attribute in spec.attributes.items():
        value = a.attrs.get(name)
        record[name] = list(value or []) if attribute.is_list else value
    if spec.link is not None:
        entity = registry.get(str(a.attrs.get(spec.link)))
        record["canonical"] = entity.name if entity else None
        record["entity_footnotes"] = [notes[fn] for fn in entity.footnotes if fn in notes] if entity else []
    record["footnotes"] = _footnotes(a, block, links)
    record["context"] = _context(a, block, doc, context)
    return record


def _footnotes(a: Annotation, block: Block, links: dict[int, FootnoteLink]) -> list[dict[str, Any]]:
    """The notes of the markers inside the span (a layer may allow them), then of those directly after it."""
    markers = [(a.start + m.start(), int(m.group(1))) for m in MARKER.finditer(a.text)]
    after = FOLLOWING_MARKERS.match(block.text, a.end)
    if after:
        markers += [(after.start(1) + m.start(), int(m.group(1)))
                    for m in MARKER.finditer(block.text[after.start(1):after.end(1)])]
    notes = []
    for offset, number in markers:
        link = links.get(offset)
        notes.append({"footnote": link.footnote if link else None, "number": number,
                      "part": block.part, "text": link.footnote_text if link else None})
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
