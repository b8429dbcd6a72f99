"""Streaming readers: records one at a time, checked, with file and line in errors.

These are what the commands use, so that memory does not grow with the
corpus; :func:`toolkit.load_corpus` builds on them for in-memory lookups.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import srsly

from .errors import ToolkitError
from .jsonl import check_readable, read_jsonl
from .models import (ANNOTATION_FIELDS, BLOCK_FIELDS, REGISTRY_FIELDS, Annotation, Block,
                     Document, FieldSpec, RegistryEntity, field_problems)
from .paths import resolve_corpus_dir


def _records(path: Path, spec: FieldSpec) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, record in read_jsonl(path):
        problems = field_problems(record, spec)
        if problems:
            raise ToolkitError("; ".join(problems), file=path, line=line, record=record.get("id"))
        yield line, record


def document_dirs(corpus_dir: Path) -> list[Path]:
    """The document folders of a corpus (those holding ``document.json``), sorted by id."""
    found = sorted(p.parent for p in corpus_dir.glob("*/document.json"))
    if not found:
        raise ToolkitError("no documents (expected DOC/document.json and DOC/blocks.jsonl)", file=corpus_dir)
    return found


def read_document(folder: Path) -> Document:
    """The document record of one document folder."""
    path = check_readable(folder / "document.json")
    try:
        return Document.from_dict(srsly.read_json(path))
    except ValueError as e:
        raise ToolkitError(f"invalid JSON: {e}", file=path) from None
    except (KeyError, TypeError) as e:
        raise ToolkitError(f"bad document record: {e}", file=path) from None


def read_blocks(folder: Path) -> Iterator[Block]:
    """Stream the blocks of one document folder."""
    path = check_readable(folder / "blocks.jsonl")
    return (Block.from_dict(r) for _, r in _records(path, BLOCK_FIELDS))


def read_registry(annotations_dir: Path) -> Iterator[RegistryEntity]:
    """Stream the registry records."""
    path = check_readable(annotations_dir / "registry.jsonl")
    return (RegistryEntity.from_dict(r) for _, r in _records(path, REGISTRY_FIELDS))


def read_layer(annotations_dir: Path, layer: str) -> Iterator[Annotation]:
    """Stream one annotation layer (nothing if its file does not exist)."""
    path = annotations_dir / f"{layer}.jsonl"
    if not path.exists():
        return iter(())
    return (Annotation.from_dict(r, layer=layer) for _, r in _records(path, ANNOTATION_FIELDS))


def iter_blocks(corpus_dir: str | Path | None = None) -> Iterator[Block]:
    """Every block of every document of the corpus (default: the shipped one), in reading order."""
    folders = document_dirs(resolve_corpus_dir(corpus_dir))
    return (block for folder in folders for block in read_blocks(folder))
