"""Load a corpus (documents, blocks, registry, annotation layers) into memory.

For notebooks and scripts that want lookups; the commands stream instead
(see :mod:`toolkit.stream`), holding one block at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ToolkitError
from .footnotes import FootnoteLink, resolve_footnotes
from .models import Annotation, Block, Document, RegistryEntity
from .paths import resolve_annotations_dir, resolve_corpus_dir
from .stream import document_dirs, read_blocks, read_document, read_layer, read_registry

LAYERS = Annotation.LAYERS


class Corpus:
    """Documents, blocks in reading order, the entity registry and the annotation layers.

    >>> corpus = load_corpus()
    >>> corpus["pwc.p2.fn2"].text[:34]
    '[2] Worker-Communist Party of Iran'
    >>> corpus.footnote(part=2, number=2).id
    'pwc.p2.fn2'
    """

    def __init__(self, *, corpus_dir: Path, annotations_dir: Path, documents: dict[str, Document],
                 blocks: dict[str, Block], registry: dict[str, RegistryEntity],
                 layers: dict[str, list[Annotation]]) -> None:
        self.corpus_dir = corpus_dir
        self.annotations_dir = annotations_dir
        self.documents = documents
        self.entities = registry
        self._blocks = blocks
        self._layers = layers
        self._by_id = {a.id: a for anns in layers.values() for a in anns}
        self._by_block: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        for layer, anns in layers.items():
            for a in anns:
                self._by_block[a.paragraph][layer].append(a)

    def __iter__(self) -> Iterator[Block]:
        return iter(self._blocks.values())

    def __len__(self) -> int:
        return len(self._blocks)

    def __getitem__(self, block_id: str) -> Block:
        try:
            return self._blocks[block_id]
        except KeyError:
            raise KeyError(f"no block {block_id!r} in the corpus") from None

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._blocks

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(v)} {k}" for k, v in self._layers.items())
        return f"<Corpus {len(self.documents)} documents, {len(self)} blocks, {len(self.entities)} entities; {counts}>"

    def footnote(self, *, part: int, number: int, doc: str | None = None) -> Block:
        """The footnote body printed as ``[number]`` in ``part`` (of ``doc``, if several)."""
        for block in self:
            if (block.kind == "footnote" and block.part == part and block.number == number
                    and (doc is None or block.doc == doc)):
                return block
        raise KeyError(f"no footnote [{number}] in part {part}")

    def entity(self, entity_id: str) -> RegistryEntity:
        """The registry record ``entity_id``."""
        try:
            return self.entities[entity_id]
        except KeyError:
            raise KeyError(f"no entity {entity_id!r} in the registry") from None

    def mentions(self, entity_id: str) -> list[Annotation]:
        """Every mention of a registry entity, in reading order."""
        self.entity(entity_id)
        return [a for a in self._layers.get("entities", []) if a.attrs.get("entity") == entity_id]

    def annotations(self, layer: str | None = None, *, label: str | None = None,
                    paragraph: str | None = None) -> list[Annotation]:
        """Annotations of one layer (default: all), optionally of one label or block."""
        if layer is not None and layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
        layers = [layer] if layer else list(self._layers)
        return [a for name in layers for a in self._layers.get(name, [])
                if (label is None or a.label == label) and (paragraph is None or a.paragraph == paragraph)]

    def annotation(self, annotation_id: str) -> Annotation:
        """The annotation record with this id (``span.id_`` of a Span from :meth:`docs`)."""
        try:
            return self._by_id[annotation_id]
        except KeyError:
            raise KeyError(f"no annotation {annotation_id!r}") from None

    def footnote_links(self) -> list[FootnoteLink]:
        """Every marker resolved within its part, then unreferenced and duplicate bodies."""
        return list(resolve_footnotes(self))

    def docs(self, nlp: Language | None = None, *, batch_size: int = 256) -> Iterator[Doc]:
        """One spaCy Doc per block, in reading order, streamed through ``nlp.pipe``.

        Every layer is a span group (``doc.spans["entities"]``, ``"dates"``,
        ``"claims"``, ``"footnote_refs"``); entities are also ``doc.ents``.
        ``doc.user_data`` holds ``block``, ``doc``, ``part``, ``kind`` and ``section``.
        """
        from .nlp import make_nlp
        from .spacy_docs import attach_spans

        nlp = make_nlp(nlp)
        links_by_block: dict[str, list[FootnoteLink]] = defaultdict(list)
        for link in resolve_footnotes(self):
            if link.paragraph is not None:
                links_by_block[link.paragraph].append(link)
        pairs = ((b.text, b) for b in self)
        for doc, block in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            layers = {layer: self._by_block[block.id][layer] for layer in self._layers}
            yield attach_spans(doc, block, layers, links_by_block.get(block.id, ()))


def load_corpus(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None) -> Corpus:
    """Load the corpus (default: the shipped one) and its annotations into memory.

    Raises ToolkitError, naming the file and line, for input it cannot read.
    """
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    documents: dict[str, Document] = {}
    blocks: dict[str, Block] = {}
    for folder in document_dirs(cdir):
        document = read_document(folder)
        documents[document.id] = document
        for block in read_blocks(folder):
            if block.id in blocks:
                raise ToolkitError(f"duplicate block id {block.id!r}", file=folder / "blocks.jsonl")
            blocks[block.id] = block
    registry = {e.id: e for e in read_registry(adir)} if (adir / "registry.jsonl").exists() else {}
    layers = {layer: list(read_layer(adir, layer)) for layer in LAYERS}
    return Corpus(corpus_dir=cdir, annotations_dir=adir, documents=documents, blocks=blocks,
                  registry=registry, layers=layers)
