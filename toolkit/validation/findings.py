"""Findings: what validation reports, as plain data."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

from .codes import CATALOG


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: a stable ``code``, where it is (``file``, 1-based ``line``, record ``id``), what, how to fix it."""

    code: str
    severity: str
    file: str | None
    line: int | None
    id: str | None
    message: str
    hint: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def display_path(path: str | Path | None) -> str | None:
    """A path relative to the working directory when it lies below it."""
    if path is None:
        return None
    return _relative(str(path), os.getcwd())


@lru_cache(maxsize=256)  # findings come by the thousand from a handful of files
def _relative(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


class Where(TypedDict):
    """Where a finding points: keyword arguments of :func:`finding`."""

    file: str | Path | None
    line: int | None
    id: str | None


def finding(code: str, message: str, *, file: str | Path | None = None, line: int | None = None,
            id: str | None = None) -> Finding:
    """A Finding with the severity and hint of ``code`` from the catalog."""
    entry = CATALOG[code]
    return Finding(code, entry.severity, display_path(file), line, id, message, entry.hint)
