"""Annotated-text corpus toolkit.

>>> import toolkit
>>> corpus = toolkit.load_corpus()
>>> corpus.entity("wcp-iraq").name
'Worker-Communist Party of Iraq'
"""

from .agreement import agreement
from .corpus import Corpus, load_corpus
from .errors import ToolkitError
from .extract import extract
from .footnotes import FootnoteLink, resolve_footnotes
from .ingest import ingest, segment
from .models import Annotation, Block, Document, RegistryEntity
from .nlp import make_nlp
from .spacy_docs import map_docs, stream_docs
from .validate import Finding, validate

__all__ = [
    "Annotation",
    "Block",
    "Corpus",
    "Document",
    "Finding",
    "FootnoteLink",
    "RegistryEntity",
    "ToolkitError",
    "agreement",
    "extract",
    "ingest",
    "load_corpus",
    "make_nlp",
    "map_docs",
    "resolve_footnotes",
    "segment",
    "stream_docs",
    "validate",
]
__version__ = "0.1.0"
