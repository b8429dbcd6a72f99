"""``toolkit-export.json``: what an export holds, written beside its files and read back by ``import``.

It makes an export folder the whole truth about what it holds, and nothing
more: the format, the documents (with the sha256 of the sources their spans
are over), the layers, labels and entities it was filtered to, and the ids
of the records it exported, so that a record added to the corpus after the
export is never taken for one the annotator deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..jsonl import dumps, read_json

MANIFEST = "toolkit-export.json"


@dataclass(frozen=True)
class Manifest:
    """What one export wrote.

    >>> m = Manifest("brat", ["dates"], [], [], {"pwc": "5c5c"}, {"pwc": ["d-0001"]})
    >>> Manifest.from_dict(m.to_dict(), file=Path(MANIFEST)) == m
    True
    """

    format: str
    layers: list[str]
    labels: list[str]
    entities: list[str]
    documents: dict[str, str]  # document -> sha256 of its source
    ids: dict[str, list[str]]  # document -> the ids of the records exported, in reading order
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "layers": self.layers, "labels": self.labels, "entities": self.entities,
                "documents": self.documents, "ids": self.ids, "options": self.options}

    def to_bytes(self) -> bytes:
        return (dumps(self.to_dict(), indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_dict(cls, d: Any, *, file: Path) -> Manifest:
        """Check every field's type; a ToolkitError names the file and the field otherwise."""
        if not isinstance(d, dict):
            raise ToolkitError("not an export manifest (an object)", file=file)
        for name in ("layers", "labels", "entities"):
            if not _strings(d.get(name)):
                raise ToolkitError(f"{name!r} is not a list of strings", file=file)
        if not isinstance(d.get("format"), str):
            raise ToolkitError("'format' is not a string", file=file)
        documents, ids = d.get("documents"), d.get("ids")
        if not isinstance(documents, dict) or not all(isinstance(v, str) for v in documents.values()):
            raise ToolkitError("'documents' is not an object of document ids and sha256 digests", file=file)
        if not isinstance(ids, dict) or not all(_strings(v) for v in ids.values()):
            raise ToolkitError("'ids' is not an object of document ids and lists of record ids", file=file)
        options = d.get("options", {})
        if not isinstance(options, dict):
            raise ToolkitError("'options' is not an object", file=file)
        return cls(d["format"], d["layers"], d["labels"], d["entities"], documents, ids, options)


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder``, if there is one."""
    path = folder / MANIFEST
    return Manifest.from_dict(read_json(path), file=path) if path.is_file() else None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
