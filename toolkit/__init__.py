"""Annotated-text corpus toolkit.

>>> import toolkit
>>> corpus = toolkit.load_corpus()
>>> corpus.entity("wcp-iraq").name
'Worker-Communist Party of Iraq'

Names are imported on first use, so that a command imports only what it needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .agreement import agree
    from .anchoring import reanchor
    from .corpus import Corpus, load_corpus
    from .edition import render
    from .errors import ToolkitError
    from .exporting import export
    from .extraction import extract
    from .footnotes import FootnoteBody, FootnoteLink, resolve_footnotes
    from .formatting import fmt
    from .importing import import_
    from .ingestion import ingest, segment
    from .models import Annotation, Block, Document, RegistryEntity
    from .nlp import make_nlp
    from .readers import read_document, read_layer, read_registry
    from .revision import revise
    from .spacy_docs import map_docs, stream_docs
    from .validation import Finding, validate
    from .writers import write_document, write_layer, write_registry

# Modules are never named like the functions they export: importing ``toolkit.extraction``
# binds it on the package, and a module named ``extract`` would replace the function.
_WHERE = {
    "agree": "agreement", "Corpus": "corpus", "load_corpus": "corpus", "ToolkitError": "errors",
    "export": "exporting", "import_": "importing",
    "extract": "extraction", "FootnoteBody": "footnotes", "FootnoteLink": "footnotes",
    "resolve_footnotes": "footnotes", "fmt": "formatting", "ingest": "ingestion", "segment": "ingestion",
    "Annotation": "models", "Block": "models", "Document": "models", "RegistryEntity": "models", "make_nlp": "nlp",
    "render": "edition", "revise": "revision", "reanchor": "anchoring",
    "read_document": "readers", "read_layer": "readers", "read_registry": "readers", "map_docs": "spacy_docs",
    "stream_docs": "spacy_docs", "Finding": "validation", "validate": "validation", "write_document": "writers",
    "write_layer": "writers", "write_registry": "writers",
}
__all__ = [
    "Annotation", "Block", "Corpus", "Document", "Finding", "FootnoteBody", "FootnoteLink", "RegistryEntity",
    "ToolkitError", "agree", "export", "extract", "fmt", "import_",
    "ingest", "load_corpus", "make_nlp", "map_docs", "read_document",
    "read_layer", "read_registry", "reanchor", "render", "resolve_footnotes", "revise", "segment", "stream_docs",
    "validate",
    "write_document", "write_layer", "write_registry",
]
__version__ = "0.2.0"


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
