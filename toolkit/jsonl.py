"""JSONL in and out: record by record, with line numbers, and atomic writes.

Every reader counts physical lines, blank ones included, so a line number in
an error is the number an editor shows.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import srsly
import srsly.ujson

from .errors import ToolkitError


class BadLine:
    """A JSONL line that could not be parsed into an object (kept as data)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def check_readable(path: str | Path) -> Path:
    """Return ``path`` as a Path, or raise ToolkitError if it is not a readable file."""
    path = Path(path)
    if not path.exists():
        raise ToolkitError("no such file", file=path)
    if not path.is_file():
        raise ToolkitError("not a file", file=path)
    return path


def iter_lines(path: str | Path, *, section: tuple[int, int, int] | None = None
               ) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield ``(line_number, record)`` for each non-blank line; bad lines as BadLine.

    ``section`` is ``(start byte, end byte, number of the first line)``: read
    only that slice of the file (a worker's share). The file is checked when
    the function is called, not at the first ``next()``.
    """
    path = check_readable(path)
    return _iter_lines(path, section or (0, -1, 1))


def _iter_lines(path: Path, section: tuple[int, int, int]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    start, end, first = section
    with path.open("rb") as f:
        f.seek(start)
        raws = iter(f) if end < 0 else iter(io.BytesIO(f.read(end - start)))
        for number, raw in enumerate(raws, start=first):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield number, BadLine(f"not UTF-8 (byte {e.start} of the line)")
                continue
            if not text.strip():
                continue
            try:
                value = srsly.json_loads(text)
            except ValueError as e:
                cut = "" if text.endswith("\n") else " (truncated last line?)"
                yield number, BadLine(f"invalid JSON{cut}: {e}")
                continue
            if not isinstance(value, dict):
                yield number, BadLine(f"expected a JSON object, got {type(value).__name__}")
                continue
            yield number, value


def read_jsonl(path: str | Path, *, section: tuple[int, int, int] | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)``; raise ToolkitError at the first bad line."""
    lines = iter_lines(path, section=section)
    return _strict(Path(path), lines)


def _strict(
    path: Path, lines: Iterator[tuple[int, dict[str, Any] | BadLine]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    empty = True
    for number, value in lines:
        if isinstance(value, BadLine):
            raise ToolkitError(value.message, file=path, line=number)
        empty = False
        yield number, value
    if empty:
        raise ToolkitError("empty file: no JSONL records", file=path)


@contextmanager
def atomic_open(path: str | Path, *, force: bool = True, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; move it over ``path`` only on success.

    With ``force=False`` an existing file is never replaced.
    """
    path = Path(path)
    if not force and path.exists():
        raise ToolkitError("file exists; pass --force (force=True) to replace it", file=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600 files; give the result ordinary permissions.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: str | Path | None, records: Iterable[dict[str, Any] | str], *, force: bool = True) -> int:
    """Write records (or ready-made JSON lines) as JSONL to ``path`` atomically (``None`` or ``"-"``: stdout).

    Returns the number of records written.
    """
    if path is None or str(path) == "-":
        import sys

        return _write(sys.stdout, records)
    with atomic_open(path, force=force) as f:
        return _write(f, records)


def dumps(record: dict[str, Any], *, indent: int = 0) -> str:
    """JSON text with UTF-8 kept readable (no ``\\u`` escapes), no trailing newline."""
    return str(srsly.ujson.dumps(record, ensure_ascii=False, escape_forward_slashes=False, indent=indent))


def _write(f: IO[str], records: Iterable[dict[str, Any] | str]) -> int:
    n = 0
    for record in records:
        f.write((record if isinstance(record, str) else dumps(record)) + "\n")
        n += 1
    return n
