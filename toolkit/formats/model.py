"""What travels between the corpus and an annotation tool: a document's verbatim source and spans over it.

Every format converts to and from these records at its own edge, and
nowhere else. Offsets are Unicode code points into the document's verbatim
source (block offsets lifted through ``source_start``), end exclusive;
UTF-16 units, token indices and inclusive ends belong in the format module
that needs them.

On export a span's ``type`` is its layer and ``features`` are the layer's
attributes. On import a span says what the file says: ``type`` and
``label`` in the tool's words (a UIMA type name, a brat type, a Label
Studio control), ``features`` the tool's features; a :mod:`mapping
<toolkit.formats.mapping>` turns them into layers, labels and attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from ..models import Block, Document, RegistryEntity
    from ..schema import Schema
    from .mapping import TypeMap


@dataclass(frozen=True, slots=True)
class Span:
    """One annotation over a document's source: where, what, and what the file said about it.

    >>> span = Span(0, 4, "entities", "GPE", {"entity": "iraq", "mention": "NAM"}, id="e-0001")
    >>> span.end - span.start
    4
    """

    start: int
    end: int
    type: str  # export: the layer; import: the tool's type (mapped to a layer)
    label: str | None
    features: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None  # our annotation id, where the file carries it
    tool_id: str | None = None  # the tool's own id for it (brat T3, a Label Studio region id, an xmi:id)
    annotator: str | None = None
    note: str | None = None
    review: str | None = None
    line: int | None = None  # where the file has it (1-based), for messages
    quote: str | None = None  # the text the file says the span covers (brat, Label Studio): checked on import


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document as an annotation tool sees it: its verbatim source and the spans over it.

    ``doc`` is the document id the file names (None: its file name says it).
    ``blocks`` are the corpus's blocks on export (some formats need them:
    sentences, one Doc per block); an imported file has none. ``unread``
    says what an imported file holds that is not a span (a brat relation, an
    event), one reason each: import lists them, and imports none.
    ``text_file`` is where the text was read, where that is not ``file``
    (brat's ``.txt`` beside the ``.ann``).
    """

    doc: str | None
    text: str
    spans: tuple[Span, ...]
    file: Path | None = None
    blocks: tuple[Block, ...] = ()
    unread: tuple[str, ...] = ()
    text_file: Path | None = None


@dataclass(frozen=True)
class ExportContext:
    """What a format may need beyond one document: the schema, the registry, a tokenizer."""

    schema: Schema
    registry: Mapping[str, RegistryEntity]
    documents: Mapping[str, Document]
    nlp: Callable[[], Language]  # the toolkit's pipeline, made on first use
    options: Mapping[str, Any] = field(default_factory=dict)  # format options (conll: scheme)

    def tokenize(self, text: str) -> Doc:
        return self.nlp().make_doc(text)


class Exporter(Protocol):
    """A format module's writing side."""

    def export_document(self, doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
        """File name (relative to the output folder) -> content, for one document."""
        ...

    def export_config(self, context: ExportContext) -> dict[str, bytes]:
        """The configuration files that go beside the documents (may be empty)."""
        ...


class Importer(Protocol):
    """A two-way format module's reading side."""

    PATTERNS: tuple[str, ...]  # the files import reads in a folder (glob patterns)

    def read(self, path: Path) -> Iterator[SourceDocument]:
        """The documents of one file; errors (ToolkitError) name the file, line and record."""
        ...

    def default_mapping(self, schema: Schema) -> dict[str, TypeMap]:
        """The mapping (see :mod:`toolkit.formats.mapping`) that reads back what this format exports."""
        ...
