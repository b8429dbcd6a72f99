"""Blocks and their annotations as spaCy Docs, every layer a span group.

Each Span carries its annotation id (``span.id_``) and label; spans of a
layer that links to the registry also carry the registry id
(``span.kb_id_``); the layer the schema marks ``ents`` is also ``doc.ents``.
The full record is found by id (``corpus.annotation(span.id_)``), never
through ``Span._`` extensions, which spaCy keys by offsets and so shares
between layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .display import quote
from .errors import ToolkitError
from .join import AnnotatedBlock
from .schema import Schema
from .shards import Shard

FOOTNOTE_REFS = "footnote_refs"
T = TypeVar("T")


def attach_spans(doc: Doc, item: AnnotatedBlock, schema: Schema) -> Doc:
    """Add ``doc.spans[layer]`` for every layer of ``item``, ``doc.ents``, and the footnote markers.

    Raises ToolkitError (naming the annotation) for a span that does not
    start and end on token boundaries: ``toolkit validate`` reports those.
    Character offsets become token indices by one binary search per layer
    over the Doc's token offsets (numpy), not a lookup table per Doc.
    """
    block = item.block
    doc.user_data.update(
        {"block": block.id, "doc": block.doc, "part": block.part, "kind": block.kind,
         "section": block.section})
    offsets = doc.to_array([IDX, LENGTH])
    token_starts = offsets[:, 0]
    token_ends = token_starts + offsets[:, 1]
    every: list[Any] = [a for records in item.layers.values() for a in records]
    every.extend(item.links)
    firsts, lasts, aligned = _token_bounds(token_starts, token_ends, every)  # one search for the whole block
    first_of, last_of = firsts.tolist(), lasts.tolist()
    ents: list[Span] | None = None
    k = 0
    for layer, records in item.layers.items():
        spec = schema.layers[layer]
        n = len(records)
        if not aligned[k:k + n].all():
            a = records[int(numpy.argmin(aligned[k:k + n]))]
            raise ToolkitError(f"span {a.start}:{a.end} {quote(a.text)} does not align with token boundaries",
                               file=spec.file, record=a.id, code="E201")
        link = spec.link
        spans = []
        for a, first, last in zip(records, first_of[k:k + n], last_of[k:k + n], strict=True):
            kb_id = a.attrs.get(link) if link else None
            spans.append(Span(doc, first, last + 1, label=a.label, kb_id=kb_id if isinstance(kb_id, str) else "",
                              span_id=a.id))
        k += n
        doc.spans[layer] = spans
        if spec.ents:
            ents = (ents or []) + spans
    if ents is not None:  # the gold spans replace what a pipeline's own NER found
        doc.ents = filter_spans(ents)
    if not aligned[k:].all():
        raise ToolkitError("footnote marker is not a token of its own; build the "
                           "pipeline with toolkit.make_nlp()", record=block.id)
    refs = [Span(doc, first, last + 1, label="FOOTNOTE_REF", kb_id=link_.footnote or "",
                 span_id=link_.footnote or "")
            for link_, first, last in zip(item.links, first_of[k:], last_of[k:], strict=True)]
    doc.spans[FOOTNOTE_REFS] = refs
    return doc


def _token_bounds(token_starts: numpy.ndarray[Any, Any], token_ends: numpy.ndarray[Any, Any], spans: Sequence[Any]
                  ) -> tuple[numpy.ndarray[Any, Any], numpy.ndarray[Any, Any], numpy.ndarray[Any, Any]]:
    """First and last token of each span (``start``, ``end`` in characters), and whether both edges align."""
    starts = numpy.fromiter((s.start for s in spans), dtype=numpy.int64, count=len(spans))
    ends = numpy.fromiter((s.end for s in spans), dtype=numpy.int64, count=len(spans))
    n = len(token_starts)
    firsts = numpy.minimum(numpy.searchsorted(token_starts, starts), max(n - 1, 0))
    lasts = numpy.minimum(numpy.searchsorted(token_ends, ends), max(n - 1, 0))
    if n == 0:
        return firsts, lasts, numpy.zeros(len(spans), dtype=bool)
    aligned = (token_starts[firsts] == starts) & (token_ends[lasts] == ends)
    return firsts, lasts, aligned


def docs_of(items: Iterable[AnnotatedBlock], schema: Schema, nlp: Language, *, batch_size: int = 256) -> Iterator[Doc]:
    """The Doc of every annotated block, through ``nlp.pipe``: what every Docs reader runs."""
    from .nlp import block_text

    pairs = ((block_text(nlp, item.block), item) for item in items)
    return (attach_spans(doc, item, schema) for doc, item in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size))


def stream_docs(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
                nlp: Language | None = None, batch_size: int = 256) -> Iterator[Doc]:
    """One Doc per block of the corpus, with every layer attached, holding one part at a time.

    Unlike :meth:`toolkit.Corpus.docs` it does not load the corpus into
    memory first. To spread the work over processes, see :func:`map_docs`.

    >>> doc = next(stream_docs())
    >>> doc.user_data["block"], [s.text for s in doc.spans["entities"]]
    ('pwc.front.title1', ['Worker Communism'])
    """
    from .checks import load_checks
    from .join import iter_parts
    from .layout import Layout
    from .nlp import make_nlp

    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    parts = iter_parts(layout, load_checks(layout))
    return docs_of((item for part in parts for item in part), layout.schema, make_nlp(nlp), batch_size=batch_size)


def map_docs(func: Callable[[Doc], T], *, corpus_dir: str | Path | None = None,
             annotations_dir: str | Path | None = None, nlp: Language | None = None,
             n_process: int = 1, engine: str = "processes", client: Any = None,
             scheduler: str | None = None) -> Iterator[T]:
    """``func(doc)`` for the Doc of every block, in reading order, in ``n_process`` processes.

    Docs are built where ``func`` runs and only its results travel back, so
    the work spreads over the processes (shipping Docs between processes
    would cost as much as spaCy's DocBin). ``func`` must be picklable: a
    module-level function. With ``engine="dask"`` the documents run as a
    ``dask.bag`` on ``client``, on the cluster at ``scheduler``, or on a
    LocalCluster of ``n_process`` workers (:mod:`toolkit.cluster`).

    >>> next(map_docs(len))  # tokens of the title block
    4
    """
    from .cluster import check_engine

    if n_process < 1:
        raise ToolkitError("n_process must be at least 1")
    check_engine(engine, client, scheduler)
    if n_process == 1 and engine == "processes":
        return (func(doc) for doc in stream_docs(corpus_dir=corpus_dir, annotations_dir=annotations_dir, nlp=nlp))
    from .checks import load_checks
    from .layout import Layout
    from .parallel import map_shards
    from .shards import document_shards

    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    shards = document_shards(layout, load_checks(layout))
    results = map_shards(partial(_map_shard, func), shards, n_process, setup=partial(_pipeline, nlp),
                         engine=engine, client=client, scheduler=scheduler)
    return (result for shard_results in results for result in shard_results)


def _pipeline(nlp: Language | None) -> dict[str, Any]:
    from .nlp import make_nlp

    return {"nlp": make_nlp(nlp)}


def _map_shard(func: Callable[[Doc], T], shard: Shard) -> list[T]:
    from .parallel import worker_state
    from .shards import shard_parts

    items = (item for part in shard_parts(shard) for item in part)
    return [func(doc) for doc in docs_of(items, shard.checks.schema, worker_state()["nlp"])]
