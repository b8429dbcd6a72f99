"""JSONL in and out: record by record, with line numbers, and atomic writes.

Every reader counts physical lines, blank ones included, so a line number in
an error is the number an editor shows.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import srsly
import srsly.ujson

from .errors import ToolkitError


class BadLine:
    """A JSONL line that could not be parsed into an object (kept as data).

    ``message`` says what is wrong in the toolkit's own words (never the
    JSON parser's), with the column where there is one, and quotes at most
    about 80 characters of the line.
    """

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


# Records are flat; deeper values are refused before anything recurses into them
# (Python's repr gives up near 1000 levels; ujson stops at 1024).
_MAX_DEPTH = 100
# Characters: a longer line is parsed by Python's json, which needs its size once more
# for the value where ujson needs it five times more (50 MB: 0.36 s, 70 MB; ujson: 0.63 s, 310 MB).
_LONG_LINE = 1 << 20
_BOM = "\ufeff"
# Python's json messages (their beginnings) in our words.
_JSON_ERRORS = (
    ("Expecting value", "expected a value"),
    ("Expecting property name enclosed in double quotes", "expected a field name in double quotes"),
    ("Expecting ':' delimiter", "expected ':' after a field name"),
    ("Unterminated string", "unclosed string starts here"),
    ("Invalid \\uXXXX escape", "\\u escape without four hexadecimal digits"),
    ("Invalid \\escape", "unknown escape sequence in a string"),
    ("Extra data", "more text after the end of the value"),
    ("Unexpected UTF-8 BOM", "byte order mark (U+FEFF) in the middle of the file"),
    ("Illegal trailing comma", "comma before a closing bracket"),
)
_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


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
    r"""Yield ``(line_number, record)`` for each non-blank line; bad lines as BadLine.

    ``section`` is ``(start byte, end byte, number of the first line)``: read
    only that slice of the file (a worker's share). The file is checked when
    the function is called, not at the first ``next()``.

    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.jsonl").write_text('{"id": "e-1"}\n\n{"id": "e-2" "start": 3}\n', encoding="utf-8")
    >>> for number, record in iter_lines(folder / "a.jsonl"):
    ...     print(number, record if isinstance(record, dict) else record.message)
    1 {'id': 'e-1'}
    3 column 14: not valid JSON: expected ',' or '}' after a field: '{"id": "e-2" "start": 3}'
    >>> shutil.rmtree(folder)
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
            if not text or text.isspace():
                continue
            try:
                value = srsly.json_loads(text) if len(text) < _LONG_LINE else _loads_long(text)
            except (ValueError, RecursionError) as e:
                yield number, BadLine(_unreadable(text, str(e), number))
                continue
            if not isinstance(value, dict):
                kind = _JSON_KINDS.get(type(value), type(value).__name__)
                yield number, BadLine(f"expected a JSON object, got {kind}: {_shown(text)}")
                continue
            # Counting brackets is cheap; only a line with many of them has its value walked.
            if text.count("{") + text.count("[") > _MAX_DEPTH and _deeper_than(value, _MAX_DEPTH):
                yield number, BadLine(f"nested deeper than {_MAX_DEPTH} levels")
                continue
            if ("\\ud" in text or "\\uD" in text) and lone_surrogate(value):
                yield number, BadLine(LONE_SURROGATE)
                continue
            yield number, value


LONE_SURROGATE = "a string holds half of a UTF-16 surrogate pair (an escape \\ud800-\\udfff alone): not text"
_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(value: Any) -> bool:
    """Whether a string in ``value`` holds a lone surrogate (JSON decoders join the escapes of a pair)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(lone_surrogate(k) or lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(lone_surrogate(v) for v in value)
    return False


def _loads_long(text: str) -> Any:
    """A long line's value, from Python's json; refused (ValueError) where ujson refuses it."""
    import json

    def parse_int(literal: str) -> int:
        if not _fits_64_bits(literal):
            raise ValueError("integer out of range")
        return int(literal)

    def parse_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, strict=False, parse_int=parse_int, parse_constant=parse_constant)


def _fits_64_bits(literal: str) -> bool:
    return len(literal.lstrip("-")) <= 20 and -(2**63) <= int(literal) < 2**64


def _unreadable(text: str, error: str, number: int) -> str:
    """What is wrong with a line the parser refused (``error``), in our words; only bad lines come here.

    Python's json reads the line again, as leniently as ujson (control
    characters in strings), to find the column and what is there.
    """
    import json

    if number == 1 and text.startswith(_BOM):
        return "file starts with a UTF-8 byte order mark; save it as UTF-8 without one"
    if "depth limit" in error:  # ujson stops at 1024 levels; Python's json would recurse
        return f"nested deeper than {_MAX_DEPTH} levels"
    wide: list[str] = []  # integers ujson refuses (beyond 64 bits), which Python's json reads
    constants: list[str] = []  # NaN and Infinity, which Python's json reads

    def parse_int(literal: str) -> int:
        if _fits_64_bits(literal):
            return int(literal)
        wide.append(literal)
        return 0

    def parse_constant(name: str) -> None:
        constants.append(name)

    try:
        json.loads(text, strict=False, parse_int=parse_int, parse_constant=parse_constant)
    except json.JSONDecodeError as e:
        return _syntax(text, e.msg, e.pos)
    except RecursionError:
        return f"nested deeper than {_MAX_DEPTH} levels"
    if wide:
        from .display import QUOTE_LIMIT, quote

        shown = wide[0] if len(wide[0]) <= QUOTE_LIMIT else quote(wide[0])
        return f"integer out of range: {shown} (more than 64 bits)"
    if constants:
        column = _outside_strings(text, r"-?Infinity|NaN") + 1
        return f"column {column}: not valid JSON: {constants[0]} is not a JSON value: {_shown(text)}"
    return f"not valid JSON: {_shown(text)}"


def _syntax(text: str, msg: str, pos: int) -> str:
    """A syntax error that Python's json found at ``pos``, in our words."""
    cut = "" if text.endswith("\n") else " (truncated last line?)"
    if msg.startswith("Expecting ',' delimiter"):
        what = ("expected ',' or '}' after a field" if _open_bracket(text, pos) == "{"
                else "expected ',' or ']' after a value")
    else:
        what = next((ours for theirs, ours in _JSON_ERRORS if msg.startswith(theirs)), "")
    column = min(pos, len(text.rstrip("\r\n"))) + 1  # not beyond the end of the line
    return f"column {column}: not valid JSON{cut}: {what + ': ' if what else ''}{_shown(text)}"


_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'


def _open_bracket(text: str, pos: int) -> str:
    """The innermost bracket still open at ``pos`` ("{", "[" or "")."""
    import re

    opened: list[str] = []
    for m in re.compile(rf"{_STRING}|[\[\]{{}}]").finditer(text, 0, pos):
        token = m.group()
        if token in ("{", "["):
            opened.append(token)
        elif token in ("}", "]") and opened:
            opened.pop()
    return opened[-1] if opened else ""


def _outside_strings(text: str, pattern: str) -> int:
    """Where ``pattern`` first matches outside the JSON strings of ``text`` (-1 if nowhere)."""
    import re

    return next((m.start(1) for m in re.finditer(rf"{_STRING}|({pattern})", text) if m.group(1)), -1)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (the line's own object is level 1)."""
    level = [value]
    for _ in range(limit):
        level = [child for v in level for child in (v.values() if isinstance(v, dict) else v)
                 if isinstance(child, (dict, list))]
        if not level:
            return False
    return True


def _shown(text: str) -> str:
    """The line as a message shows it: at most about 80 characters, with its length."""
    from .display import quote

    return quote(text.rstrip("\r\n"))


def read_json(path: str | Path) -> Any:
    """The value of a whole JSON file (``document.json``, ``schema.json``); errors in our words, with line and column.

    >>> read_json("annotations/schema.json")["layers"]["claims"]["labels"]
    ['CLAIM']
    """
    import json

    path = check_readable(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ToolkitError(f"not UTF-8 (byte {e.start} of the file)", file=path, line=line, code="E100") from None
    if text.startswith(_BOM):
        raise ToolkitError("file starts with a UTF-8 byte order mark; save it as UTF-8 without one", file=path,
                           line=1, code="E100")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        what = next((ours for theirs, ours in _JSON_ERRORS if e.msg.startswith(theirs)), "")
        raise ToolkitError(f"column {e.colno}: not valid JSON{': ' + what if what else ''}", file=path,
                           line=e.lineno, code="E100") from None
    except (RecursionError, ValueError) as e:
        reason = "nested too deep" if isinstance(e, RecursionError) else str(e)
        raise ToolkitError(f"not valid JSON: {reason}", file=path, code="E100") from None
    if lone_surrogate(value):
        raise ToolkitError(LONE_SURROGATE, file=path, code="E100")
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def read_jsonl(path: str | Path, *, section: tuple[int, int, int] | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)``; raise ToolkitError at the first bad line.

    An empty file is a valid file with no records.
    """
    lines = iter_lines(path, section=section)
    return _strict(Path(path), lines)


def _strict(
    path: Path, lines: Iterator[tuple[int, dict[str, Any] | BadLine]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, value in lines:
        if isinstance(value, BadLine):
            raise ToolkitError(value.message, file=path, line=number, code="E100")
        yield number, value


@contextmanager
def atomic_open(path: str | Path, *, force: bool = True, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; move it over ``path`` only on success.

    With ``force=False`` an existing file is never replaced. Any exception,
    KeyboardInterrupt and :class:`toolkit.interrupt.Interrupted` included,
    removes the temporary file and leaves ``path`` as it was.
    """
    from .interrupt import deferred

    path = Path(path)
    if not force and path.exists():
        raise ToolkitError("file exists; pass --force (force=True) to replace it", file=path)
    if path.is_dir():
        raise ToolkitError("is a folder, not a file", file=path)
    made = [p for p in (path.parent, *path.parent.parents) if not p.exists()]  # removed again on failure
    tmp = ""
    f: IO[Any] | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with deferred():  # a signal must not come between creating the temp file and knowing its name
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            f = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600 files; give the result ordinary permissions.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if f is not None:
            f.close()
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        for folder in made:  # innermost first
            try:
                folder.rmdir()
            except OSError:
                break
        raise


@contextmanager
def atomic_files(targets: list[tuple[Path, bool]]) -> Iterator[list[IO[Any]]]:
    """Open one temporary file per ``(path, binary)``; move them all into place only when all are complete.

    What can fail slowly (a full disk) fails at the flush, while every old
    file is still in place; the renames then run with signals held back, so
    an interrupt leaves either all old files or all new ones.
    """
    from .interrupt import deferred

    with ExitStack() as pending:
        # Entered last to first, so that they are moved into place first to last.
        files = [pending.enter_context(atomic_open(path, binary=binary)) for path, binary in reversed(targets)][::-1]
        yield files
        for f in files:
            f.flush()
            os.fsync(f.fileno())
        with deferred():
            pending.close()  # each atomic_open moves its file into place


def replace_together(contents: Mapping[Path, list[str]] | Mapping[Path, list[str] | bytes]) -> None:
    """Replace every file with its lines (or bytes), all together: each complete before any is moved into place."""
    with atomic_files([(path, isinstance(data, bytes)) for path, data in contents.items()]) as files:
        for f, data in zip(files, contents.values(), strict=True):
            if isinstance(data, bytes):
                f.write(data)
            else:
                f.writelines(line + "\n" for line in data)


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
