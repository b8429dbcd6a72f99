"""The on-disk layout of a corpus and its annotations: the one place that knows file names.

A corpus folder holds one folder per document::

    corpus/DOC/document.json     the document record (format_version, source file, sha256, ...)
    corpus/DOC/blocks.jsonl      its blocks, in reading order
    corpus/DOC/SOURCE.txt        the verbatim source
    corpus/DOC/versions/SHA.txt  earlier versions of the source (``toolkit revise``), by their sha256

An annotations folder holds::

    annotations/schema.json      format_version and the layers: their files, labels, attributes
    annotations/registry.jsonl   the canonical entities
    annotations/LAYER.jsonl      one file per layer, named in schema.json (a missing file: an empty layer)
    annotations/exceptions.jsonl names deliberately left unannotated (optional)
    annotations/orphans.jsonl    annotations a revision could not carry over, with their quotes (optional)

Public entry points resolve a :class:`Layout` once (``Layout.open``) and
hand it to everything below them. The shipped corpus and annotations are
the defaults: an installed wheel carries them inside the package
(``toolkit/_data``); a source checkout finds them beside the package.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ToolkitError
from .schema import Schema, read_schema

DOCUMENT = "document.json"
BLOCKS = "blocks.jsonl"
SCHEMA = "schema.json"
REGISTRY = "registry.jsonl"
EXCEPTIONS = "exceptions.jsonl"
ORPHANS = "orphans.jsonl"
VERSIONS = "versions"

_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Layout:
    """A corpus folder and an annotations folder, resolved and checked once; its documents; its schema.

    >>> layout = Layout.open()
    >>> [d.name for d in layout.documents], layout.layer_file("dates").name
    (['pwc'], 'dates.jsonl')
    """

    corpus_dir: Path
    annotations_dir: Path
    documents: tuple[Path, ...]  # the document folders, sorted by id
    schema: Schema

    @classmethod
    def open(cls, *, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None) -> Layout:
        """Resolve both folders (default: the shipped ones), list the documents and read the schema."""
        cdir = _existing(corpus_dir, "corpus")
        folders = tuple(sorted(p.parent for p in cdir.glob(f"*/{DOCUMENT}")))
        if not folders:
            raise ToolkitError(f"no documents (expected DOC/{DOCUMENT} and DOC/{BLOCKS})", file=cdir)
        adir = _annotations(annotations_dir)
        return cls(cdir, adir, folders, read_schema(adir / SCHEMA))

    def with_annotations(self, annotations_dir: str | Path) -> Layout:
        """The same corpus with another annotations folder (another pass, for ``agree``)."""
        adir = _annotations(annotations_dir)
        return replace(self, annotations_dir=adir, schema=read_schema(adir / SCHEMA))

    @property
    def registry_file(self) -> Path:
        return self.annotations_dir / REGISTRY

    @property
    def exceptions_file(self) -> Path:
        return self.annotations_dir / EXCEPTIONS

    @property
    def orphans_file(self) -> Path:
        return self.annotations_dir / ORPHANS

    @property
    def schema_file(self) -> Path:
        return self.annotations_dir / SCHEMA

    def layer_file(self, layer: str) -> Path:
        """The file of a layer the schema declares (a ToolkitError names the declared ones otherwise)."""
        return self.annotations_dir / self.schema.layer(layer).file

    def layer_files(self) -> dict[str, Path]:
        """Layer name -> file, for the declared layers whose file exists."""
        found = {name: self.annotations_dir / layer.file for name, layer in self.schema.layers.items()}
        return {name: path for name, path in found.items() if path.exists()}


def version_file_name(sha256: str) -> str:
    """Where a superseded version of a source is kept, relative to its document folder."""
    return f"{VERSIONS}/{sha256}.txt"


def document_file(folder: Path) -> Path:
    return folder / DOCUMENT


def blocks_file(folder: Path) -> Path:
    return folder / BLOCKS


def shipped(name: str) -> Path:
    """The shipped ``corpus`` or ``annotations`` folder."""
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def writable_corpus_dir(corpus_dir: str | Path | None) -> Path:
    """A corpus folder to write into (``ingest``): ``./corpus`` by default, never the shipped data."""
    path = Path(corpus_dir) if corpus_dir is not None else Path("corpus")
    if path.resolve().is_relative_to(_PACKAGE):
        raise ToolkitError("refusing to write inside the installed toolkit package; pass --corpus DIR", file=path)
    return path


def _existing(given: str | Path | None, name: str) -> Path:
    path = Path(given) if given is not None else shipped(name)
    if not path.is_dir():
        raise ToolkitError(f"no {name} folder here", file=path)
    return path


def _annotations(given: str | Path | None) -> Path:
    path = _existing(given, "annotations")
    missing = [name for name in (SCHEMA, REGISTRY) if not (path / name).is_file()]
    if missing:
        raise ToolkitError(f"not an annotations folder: no {' and no '.join(missing)}", file=path)
    return path
