"""Trust nothing: mutated corpora and annotations through the readers, ``validate`` and ``extract``.

Each example copies a small real excerpt of the shipped data (the first 12
blocks of ``corpus/pwc``, the Part One footnotes they reference, and the
annotations of those blocks), applies one or two mutations to a layer file,
the registry, ``blocks.jsonl`` or ``document.json`` (field types, offsets,
text, lone surrogates, encodings, truncation, duplicated, deleted, swapped
or blank lines, unknown ids, labels and references), then runs the real CLI entry point
in-process (``validate``, ``extract --layer all --out``, ``footnotes``) and
the Python readers (``load_corpus``, ``stream_docs``), and checks that:

- nothing escapes: the CLI returns 0, 1 or 2 (``extract`` and ``footnotes``
  0 or 2) and never prints a traceback; the readers raise only ToolkitError;
- exit 2 prints one line, ``toolkit: error: FILE[:LINE] ...``, naming the
  file, and the line for a JSONL record;
- a refused ``extract`` leaves ``--out`` byte for byte as it was and no
  ``*.tmp`` beside it; a successful one writes records that match the JSON
  Schema of their layer, whose context slices back to their text, one per
  annotation the loader holds;
- what ``validate`` passes without errors, ``extract``, ``footnotes`` and the
  readers accept too.

Output is captured as a terminal or pipe would take it: stdout is strict
UTF-8, so text that UTF-8 cannot hold (a lone surrogate read from a JSON
escape such as ``"\\ud800"``) fails here as it would for a user.

The commands share the session's spaCy pipeline (``conftest.shared_pipeline``;
building one per command would cost 0.2 s each), so an example costs about a
tenth of a second and the suite runs a few dozen. To hunt for bugs, ask for
many more with ``FUZZ_EXAMPLES`` (the examples stay derandomized, so a
failure is found again, and the failing example's notes show the changed
lines as bytes)::

    FUZZ_EXAMPLES=500 python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

``KNOWN`` lists the smallest reproductions of the failures found so far,
each with the exact change and what went wrong; all are fixed, and each
guards against its bug coming back.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import hypothesis
import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from spacy.language import Language

import toolkit
import toolkit.cli
from toolkit.json_schemas import json_schema
from toolkit.layout import Layout

from .conftest import ANNOTATIONS, CORPUS, session_pipeline, shared_pipeline

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# No "explain" phase: re-running a failure a hundred times to point at lines costs minutes here.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

BLOCKS_KEPT = 12
LAYERS = ("entities", "dates", "claims")
OLD_OUT = b'{"previous": "output"}\n'

# What is mutated, relative to the copy's root.
LAYER_FILES = tuple(f"annotations/{layer}.jsonl" for layer in LAYERS)
REGISTRY = "annotations/registry.jsonl"
BLOCKS = "corpus/pwc/blocks.jsonl"
DOCUMENT = "corpus/pwc/document.json"
JSONL_TARGETS = (*LAYER_FILES, REGISTRY, BLOCKS)
ALL_TARGETS = (*JSONL_TARGETS, DOCUMENT)


def note(text: str) -> None:
    """Shown with a failing example (hypothesis) or with a failing reproduction (printed)."""
    if hypothesis.currently_in_test_context():
        hypothesis.note(text)
    else:
        print(text)


def event(text: str) -> None:
    """Counted in ``--hypothesis-show-statistics``: how often each outcome comes up."""
    if hypothesis.currently_in_test_context():
        hypothesis.event(text)


# --- the small corpus ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Small:
    """The excerpt, built once per module, and what every example shares."""

    root: Path
    block_lengths: dict[str, int]
    nlp: Language  # for stream_docs (its public ``nlp=``): one pipeline instead of one per example


def build_small_corpus(root: Path) -> tuple[Path, Path]:
    """Write the excerpt under ``root``: ``corpus/pwc/`` and ``annotations/``; return both folders.

    Registry entries keep only the footnotes that are blocks of the excerpt
    (a listed footnote that is not a block is an error).
    """
    corpus, annotations = root / "corpus", root / "annotations"
    (corpus / "pwc").mkdir(parents=True)
    annotations.mkdir(parents=True)
    lines = (CORPUS / "pwc" / "blocks.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    records = [json.loads(line) for line in lines]
    first = records[:BLOCKS_KEPT]
    markers = {int(n) for r in first for n in re.findall(r"\[(\d+)\]", r["text"])}
    kept = [line for line, r in zip(lines, records, strict=True)
            if r in first or (r["kind"] == "footnote" and r["part"] == 1 and r["number"] in markers)]
    ids = {json.loads(line)["id"] for line in kept}
    (corpus / "pwc" / "blocks.jsonl").write_text("".join(kept), encoding="utf-8")
    shutil.copy2(CORPUS / "pwc" / "document.json", corpus / "pwc" / "document.json")
    shutil.copy2(CORPUS / "pwc" / "prospects-of-worker-communism.txt", corpus / "pwc")
    shutil.copy2(ANNOTATIONS / "schema.json", annotations / "schema.json")
    for name in (*LAYERS, "exceptions"):
        source = (ANNOTATIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        (annotations / f"{name}.jsonl").write_text(
            "".join(line for line in source if json.loads(line)["paragraph"] in ids), encoding="utf-8")
    registry = []
    for line in (ANNOTATIONS / "registry.jsonl").read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        entity["footnotes"] = [fn for fn in entity["footnotes"] if fn in ids]
        registry.append(json.dumps(entity, ensure_ascii=False) + "\n")
    (annotations / "registry.jsonl").write_text("".join(registry), encoding="utf-8")
    return corpus, annotations


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Small:
    root = tmp_path_factory.mktemp("small")
    corpus, annotations = build_small_corpus(root)
    findings = toolkit.validate(corpus_dir=corpus, annotations_dir=annotations, nlp=session_pipeline())
    errors = [f for f in findings if f.severity == "error"]
    assert not errors, errors
    lengths = {b.id: len(b.text) for b in toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations)}
    return Small(root, lengths, session_pipeline())


def test_small_corpus_is_valid_and_annotated(small: Small) -> None:
    findings = toolkit.validate(corpus_dir=small.root / "corpus", annotations_dir=small.root / "annotations",
                                nlp=small.nlp)
    # Warnings only for registry entities whose mentions lie outside the excerpt.
    assert {f.code for f in findings if f.severity != "info"} == {"W504"}
    corpus = toolkit.load_corpus(corpus_dir=small.root / "corpus", annotations_dir=small.root / "annotations")
    assert len(corpus) == 16 and all(corpus.annotations(layer) for layer in LAYERS)
    assert {f.footnote for f in toolkit.resolve_footnotes(corpus) if f.status == "resolved"} == {
        f"pwc.p1.fn{n}" for n in range(1, 5)}


# --- mutations -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mutation:
    """One change to one file. Drawn indexes (``line``, ``other``, ``walk``) are taken modulo what exists.

    ``kind`` "set" is for the reproductions: ``arg`` is ``(path, value)``,
    the key path inside the record on line ``line`` (0-based; document.json
    is one record) and the value to put there (``DELETE`` removes the key).
    The reproductions name records by id instead of by line: ``record`` and
    ``other_record``, when given, set ``line`` and ``other`` to the lines
    those records are on when the change is applied.
    """

    target: str
    kind: str
    line: int = 0
    other: int = 0
    walk: tuple[int, ...] = (0,)  # which field: a key at each level, going down while there are more
    arg: Any = None
    record: str | None = None
    other_record: str | None = None

    def __repr__(self) -> str:
        ids = "".join(f", {name}={value!r}" for name, value in (("record", self.record),
                                                                ("other_record", self.other_record)) if value)
        return (f"Mutation({self.target!r}, {self.kind!r}, line={self.line}, other={self.other}, "
                f"walk={self.walk}, arg={self.arg!r}{ids})")

    def placed(self, data: bytes) -> Mutation:
        """This mutation with ``record`` and ``other_record`` turned into the lines they are on in ``data``."""
        if self.record is None and self.other_record is None:
            return self
        ids = []
        for raw in split_lines(data):
            try:
                ids.append(json.loads(raw).get("id"))
            except (ValueError, AttributeError):
                ids.append(None)
        line = ids.index(self.record) if self.record is not None else self.line
        other = ids.index(self.other_record) if self.other_record is not None else self.other
        return replace(self, line=line, other=other)


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()
NASTY_TEXT = ["", " ", "\x00", "\x1b[2J", "\r", "\n", "\u2028", "\x85", "\ud800", "\udfff", "a\udc80b",
              "\U0001d518\U0001d52b", "\u0301", "\ufeff", "[1]", "é", "\\", '"', "\t"]
UNKNOWN_REFS = ["zz-unknown", "pwc.p9.para99", "pwc.p1.fn99", "", " ", "author", "unspecified", "PERSON", "X",
                "a" * 300, "bad id", "pwc.p1.para1", "pwc.p1.fn1", "pwc.p1.h1", "e-0001", "d-0002", "c-0001",
                "rezgar-akrawi", "mansoor-hekmat", "NOM", "NAM", "fact", "CLAIM", "DATE", "1992", "START",
                "pwc", "paragraph", "footnote", "\ud800"]
CONVERSIONS = ["str", "float", "list", "dict", "negate", "huge", "bool", "null", "delete", "plus_one"]
BAD_BYTES = [b"\xff", b"\x80", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc3", b"\x00", b"\x1b",
             b"\xef\xbb\xbf", b"\r"]

values = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 2000), st.sampled_from([10**30, -10**30, 2**63, 2**64, -1, 0]),
    st.floats(), st.text(max_size=6), st.sampled_from(NASTY_TEXT),
    st.lists(st.one_of(st.integers(-2, 5), st.text(max_size=3), st.lists(st.integers(), max_size=1)), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(["field", "offsets", "text", "surrogate", "encoding", "truncate", "duplicate",
                                 "delete", "swap", "blank", "reference"]))
    targets = {"offsets": (*LAYER_FILES, BLOCKS, DOCUMENT), "blank": JSONL_TARGETS}.get(kind, ALL_TARGETS)
    target = draw(st.sampled_from(targets))
    line, other = draw(st.integers(0, 200)), draw(st.integers(0, 200))
    walk = tuple(draw(st.lists(st.integers(0, 200), min_size=draw(st.integers(1, 3)), max_size=3)))
    arg: Any = None
    if kind == "field":
        arg = draw(st.one_of(st.tuples(st.just("set"), values),
                             st.tuples(st.just("convert"), st.sampled_from(CONVERSIONS))))
    elif kind == "offsets":
        arg = draw(st.one_of(
            st.tuples(st.sampled_from(["shift_start", "shift_end", "shift_both"]), st.integers(-50, 50)),
            st.tuples(st.sampled_from(["swap", "negative", "past_end", "empty", "huge"]), st.integers(0, 5))))
    elif kind == "text":
        arg = draw(st.tuples(st.sampled_from(["replace", "insert", "set", "change_char"]),
                             st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=4)), st.integers(0, 2000)))
    elif kind == "surrogate":
        arg = draw(st.tuples(st.sampled_from(["\ud800", "\udfff", "\udc80"]), st.integers(0, 2000)))
    elif kind == "encoding":
        arg = draw(st.one_of(st.sampled_from([("bom",), ("crlf",), ("latin1",)]),
                             st.tuples(st.just("bytes"), st.sampled_from(BAD_BYTES), st.integers(0, 10**5))))
    elif kind == "truncate":
        arg = draw(st.integers(0, 10**5))
    elif kind == "blank":
        arg = draw(st.sampled_from(["\n", "   \n", "\t\n", "\r\n"]))
    elif kind == "reference":
        arg = draw(st.one_of(st.sampled_from(UNKNOWN_REFS),
                             st.tuples(st.just("list"), st.sampled_from(UNKNOWN_REFS))))
    return Mutation(target, kind, line, other, walk, arg)


def split_lines(data: bytes) -> list[bytes]:
    """Lines as the readers count them: ended by b"\\n" only, ends kept."""
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def dump(value: Any, *, indent: int | None = None) -> str:
    """JSON as a person would write it (UTF-8), with escapes only where UTF-8 cannot hold the text."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: written as the JSON escape "\ud800"
        return json.dumps(value, indent=indent)
    return text


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a JSON value (dict keys and list indexes), outermost first."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(paths_of(inner, (*prefix, key)))
    return found


def walk_to(record: dict[str, Any], walk: tuple[int, ...]) -> tuple[Any, ...]:
    """The field ``walk`` picks: a key (or index) per level, going down while ``walk`` goes on."""
    path: tuple[Any, ...] = ()
    value: Any = record
    for step in walk:
        keys = list(value) if isinstance(value, dict) else list(range(len(value))) if isinstance(value, list) else []
        if not keys:
            break
        key = keys[step % len(keys)]
        path, value = (*path, key), value[key]
    return path


def get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def put(value: Any, path: tuple[Any, ...], new: Any) -> None:
    holder = get(value, path[:-1])
    if new is DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = new


def convert(old: Any, how: str) -> Any:
    number = isinstance(old, int | float) and not isinstance(old, bool)
    if how == "str":
        return str(old)
    if how == "float":
        return float(old) if number else 1.5
    if how == "list":
        return [old]
    if how == "dict":
        return {"value": old}
    if how == "negate":
        return -old if number else -1
    if how == "huge":
        return 10**30
    if how == "bool":
        return bool(old)
    if how == "plus_one":
        return old + 1 if number else 1
    return None if how == "null" else DELETE


TEXT_KEYS = ("text", "name", "title", "description", "section", "reason", "source")
REFERENCE_KEYS = {"id", "paragraph", "label", "entity", "holder", "about", "mention", "type", "footnotes", "doc",
                  "kind", "part", "number", "block", "source", "value", "mod", "aliases"}
BYTE_KINDS = ("encoding", "truncate", "duplicate", "delete", "swap", "blank")


class Files:
    """The copy being mutated; block lengths of the excerpt give offsets "past the block end"."""

    def __init__(self, root: Path, block_lengths: dict[str, int]) -> None:
        self.root = root
        self.block_lengths = block_lengths

    def apply(self, m: Mutation) -> None:
        path = self.root / m.target
        data = path.read_bytes()
        m = m.placed(data)
        new = self._bytes(m, data) if m.kind in BYTE_KINDS else self._record(m, data)
        path.write_bytes(new)
        note(f"{m!r}: {m.target} {_diff(data, new)}")

    def _bytes(self, m: Mutation, data: bytes) -> bytes:
        lines = split_lines(data)
        n = max(len(lines), 1)
        i, j = m.line % n, m.other % n
        if m.kind == "truncate":
            return data[:m.arg % (len(data) + 1)]
        if m.kind == "duplicate":
            return b"".join([*lines[:j], lines[i] if lines else b"", *lines[j:]])
        if m.kind == "delete":
            return b"".join(lines[:i] + lines[i + 1:])
        if m.kind == "swap":
            if lines:
                lines[i], lines[j] = lines[j], lines[i]
            return b"".join(lines)
        if m.kind == "blank":
            return b"".join([*lines[:j], m.arg.encode(), *lines[j:]])
        what = m.arg[0]
        if what == "bom":
            return b"\xef\xbb\xbf" + data
        if what == "crlf":
            return data.replace(b"\n", b"\r\n")
        if what == "latin1":
            if not lines:
                return "Café\n".encode("latin-1")
            latin = lines[i].decode("utf-8", errors="replace").encode("latin-1", errors="replace")
            if latin == lines[i]:  # plain ASCII: give it a character latin-1 writes as one byte
                latin = latin.replace(b'"', b'"\xe9', 1) if b'"' in latin else b"\xe9" + latin
            lines[i] = latin
            return b"".join(lines)
        at = m.arg[2] % (len(data) + 1)
        inserted: bytes = m.arg[1]
        return data[:at] + inserted + data[at:]

    def _record(self, m: Mutation, data: bytes) -> bytes:
        """Change one record (the line's, or document.json's); a line an earlier mutation broke stays as it is."""
        try:
            text = data.decode("utf-8")
            lines = [line.decode("utf-8") for line in split_lines(data)] if m.target != DOCUMENT else [text]
            i = m.line % len(lines) if lines else 0
            record = json.loads(lines[i]) if lines else None
        except ValueError:
            return data
        if not isinstance(record, dict) or not record:
            return data
        self._change(m, record)
        if m.target == DOCUMENT:
            return (dump(record, indent=2) + "\n").encode("utf-8")
        lines[i] = dump(record) + "\n"
        return "".join(lines).encode("utf-8")

    def _change(self, m: Mutation, record: dict[str, Any]) -> None:
        paths = paths_of(record)
        if m.kind == "set":
            put(record, *m.arg)
        elif m.kind == "field":
            path = walk_to(record, m.walk)
            how, value = m.arg
            put(record, path, convert(get(record, path), value) if how == "convert" else value)
        elif m.kind == "offsets":
            self._offsets(m, record, paths)
        elif m.kind == "surrogate":  # into any string: JSON can escape what UTF-8 cannot hold
            strings = [p for p in paths if isinstance(get(record, p), str)]
            if strings:
                path = strings[m.other % len(strings)]
                put(record, path, _edit_text(get(record, path), "insert", *m.arg))
        elif m.kind == "text":
            texts = [p for p in paths if p[-1] in TEXT_KEYS and isinstance(get(record, p), str)]
            if texts:
                path = texts[m.other % len(texts)]
                put(record, path, _edit_text(get(record, path), *m.arg))
        else:  # reference
            refs = [p for p in paths if p[-1] in REFERENCE_KEYS or isinstance(p[-1], int)]
            if refs:
                put(record, refs[m.other % len(refs)], [m.arg[1]] if isinstance(m.arg, tuple) else m.arg)

    def _offsets(self, m: Mutation, record: dict[str, Any], paths: list[tuple[Any, ...]]) -> None:
        pairs = [p[:-1] for p in paths if p[-1] in ("start", "source_start")]
        if not pairs:
            return
        holder = get(record, pairs[m.other % len(pairs)])
        s, e = ("source_start", "source_end") if "source_start" in holder else ("start", "end")
        if type(holder.get(s)) is not int or type(holder.get(e)) is not int:
            return
        how, k = m.arg
        if how == "shift_start":
            holder[s] += k
        elif how == "shift_end":
            holder[e] += k
        elif how == "shift_both":
            holder[s] += k
            holder[e] += k
        elif how == "swap":
            holder[s], holder[e] = holder[e], holder[s]
        elif how == "negative":
            holder[s] = -1 - k
        elif how == "empty":
            holder[e] = holder[s]
        elif how == "huge":
            holder[e] = 10**30
        else:  # past_end: one to a few code points past the end of the block (or of the source)
            paragraph = record.get("paragraph")
            holder[e] = (self.block_lengths.get(paragraph, 0) if isinstance(paragraph, str) else 38214) + 1 + k


def _edit_text(old: str, how: str, piece: str, at: int) -> str:
    at %= len(old) + 1
    if how == "set":
        return piece
    if how == "insert":
        return old[:at] + piece + old[at:]
    if how == "replace":
        return old[:at] + piece + old[at + len(piece):]
    # one character changed, same length: the offsets still add up
    return old[:at] + ("x" if old[at:at + 1] != "x" else "y") + old[at + 1:] if old else "x"


def _diff(old: bytes, new: bytes) -> str:
    """The lines that changed, as bytes literals (what a reproduction needs)."""
    a, b = split_lines(old), split_lines(new)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    removed, added = a[head:len(a) - tail], b[head:len(b) - tail]
    return f"line {head + 1}: -{[r[:400] for r in removed]!r} +{[r[:400] for r in added]!r}"


# --- running and checking ---------------------------------------------------------------------------------------

@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli(*args: str | Path) -> Result:
    """The real entry point, in-process; an exception escaping it (a traceback for the user) fails the test.

    stdout is strict UTF-8 and stderr replaces what UTF-8 cannot hold, as
    Python sets them up for a UTF-8 terminal or pipe.
    """
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="\n", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", newline="\n",
                           write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), shared_pipeline():
        code = toolkit.cli.main([str(a) for a in args])
    result = Result(code, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8"))
    note(f"toolkit {args[0]} -> {code}; stderr {result.stderr[-500:]!r}")
    return result


def check_refusal(result: Result, root: Path) -> None:
    """Exit 2 prints one line naming the file (and the line of a JSONL record)."""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    message = result.stderr.removeprefix("toolkit: error: ")
    assert message != result.stderr, result.stderr
    m = re.match(r"([^\s:]+)(?::(\d+))?[: ]", message)  # FILE[:LINE] (record ID): ...  or  FILE: ...
    named = Path.cwd() / m.group(1) if m else root  # a path below the working directory is shown relative
    assert m and named.resolve().is_relative_to(root) and named.is_file(), f"no file named: {result.stderr!r}"
    if named.suffix == ".jsonl":
        assert m.group(2) is not None, f"a JSONL record without its line: {result.stderr!r}"
        lines = len(split_lines(named.read_bytes()))
        assert 1 <= int(m.group(2)) <= max(lines, 1), f"line {m.group(2)} of a {lines}-line file: {result.stderr!r}"


def check_common(result: Result, root: Path, allowed: set[int]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code in allowed, (result.code, result.stderr)
    if result.code == 2:
        check_refusal(result, root)


SCHEMAS = {name: jsonschema.Draft202012Validator(json_schema(name, Layout.open().schema))
           for name in (*LAYERS, "findings", "footnotes")}


def jsonl(text: str) -> list[dict[str, Any]]:
    """Records of JSONL text, split on "\\n" only (U+2028 and friends may stand raw inside JSON strings)."""
    return [json.loads(line) for line in text.split("\n") if line]


def check_extract_output(out: Path) -> list[str]:
    ids = []
    for record in jsonl(out.read_bytes().decode("utf-8")):
        SCHEMAS[record["layer"]].validate(record)
        context = record["context"]
        if context is not None:
            assert context["text"][context["start"]:context["end"]] == record["text"], record
        ids.append(record["id"])
    return ids


def read(what: str, call: Any) -> Any:
    """A reader's result, or the ToolkitError it raised (which must name a file); nothing else may escape."""
    try:
        return call()
    except toolkit.ToolkitError as e:
        note(f"{what} refused: {e}")
        error = e
    assert error.file is not None, str(error)
    return error


def run_everything(small: Small, changes: list[Mutation]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        corpus, annotations = root / "corpus", root / "annotations"
        shutil.copytree(small.root / "corpus", corpus)
        shutil.copytree(small.root / "annotations", annotations)
        files = Files(root, small.block_lengths)
        for change in changes:
            files.apply(change)
        outdir = root / "out"
        outdir.mkdir()
        out = outdir / "all.jsonl"
        out.write_bytes(OLD_OUT)
        check_all(corpus, annotations, root, out, small.nlp)


def check_all(corpus: Path, annotations: Path, root: Path, out: Path, nlp: Language) -> None:
    validate = cli("validate", "--corpus", corpus, "--annotations", annotations, "--format", "json")
    check_common(validate, root, {0, 1, 2})
    findings = jsonl(validate.stdout) if validate.code != 2 else []
    for f in findings:
        SCHEMAS["findings"].validate(f)
    errors = [f for f in findings if f["severity"] == "error"]
    if validate.code != 2:
        assert validate.code == (1 if errors else 0), (validate.code, errors)
    event(f"validate {validate.code} {errors[0]['code'] if errors else ''}".strip())

    extract = cli("extract", "--corpus", corpus, "--annotations", annotations, "--layer", "all", "--out", out)
    check_common(extract, root, {0, 2})
    assert not [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")], list(out.parent.iterdir())
    extracted = None
    if extract.code == 2:
        assert out.read_bytes() == OLD_OUT
    else:
        extracted = check_extract_output(out)
    event(f"extract {extract.code}")

    footnotes = cli("footnotes", "--corpus", corpus)
    check_common(footnotes, root, {0, 2})
    if footnotes.code == 0:
        for record in jsonl(footnotes.stdout):
            SCHEMAS["footnotes"].validate(record)

    loaded = read("load_corpus", lambda: toolkit.load_corpus(corpus_dir=corpus, annotations_dir=annotations))
    streamed = read("stream_docs",
                    lambda: list(toolkit.stream_docs(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)))

    if validate.code == 0:  # what validate passes, every reader takes
        assert extract.code == 0, extract.stderr
        assert footnotes.code == 0, footnotes.stderr
        assert not isinstance(loaded, Exception), str(loaded)
        assert not isinstance(streamed, Exception), str(streamed)
    if extracted is not None and not isinstance(loaded, Exception):  # one record per annotation
        assert sorted(extracted) == sorted(a.id for layer in LAYERS for a in loaded.annotations(layer))


# --- the properties ---------------------------------------------------------------------------------------------

@FUZZ
@given(changes=st.lists(mutations(), min_size=1, max_size=2))
def test_mutated_inputs_are_read_or_refused_cleanly(small: Small, changes: list[Mutation]) -> None:
    run_everything(small, changes)


def _set(target: str, record: str | None, path: tuple[Any, ...], value: Any) -> list[Mutation]:
    """Set a field of the record ``record`` (by id; None: document.json, one record)."""
    return [Mutation(target, "set", record=record, arg=(path, value))]


# Failures the fuzzing found, smallest form; each comment says what went wrong when it was found (those
# fixed since stay as guards). Records are named by id (the excerpt holds the first 12 blocks of the essay,
# pwc.front.title1 to pwc.p1.para3, and the footnotes pwc.p1.fn1-fn4 they reference). A lone surrogate is
# written as the JSON escape "\ud800"; the readers took it in as text.
KNOWN = [
    # validate: TypeError unhashable type 'list' (run._check_late: ``record.get("paragraph") in late``)
    # once a layer file is out of order and another of its records has a list for "paragraph".
    pytest.param([*_set(LAYER_FILES[1], "d-0001", ("paragraph",), ["pwc.front.date1"]),
                  Mutation(LAYER_FILES[1], "swap", record="d-0001", other_record="d-0003")],
                 id="dates-out-of-order-and-list-paragraph"),
    # validate: TypeError '<' not supported between 'str' and 'int' (corpus_checks._against_source);
    # document.json's excluded ranges are not type-checked.
    pytest.param(_set(DOCUMENT, None, ("excluded", 0, "source_start"), "38031"), id="document-excluded-start-string"),
    # validate: TypeError unhashable type 'list' (run.py, ``listed = {fn: entity ...}``), after its own E101.
    pytest.param(_set(REGISTRY, "rezgar-akrawi", ("footnotes",), [["pwc.p1.fn1"]]),
                 id="registry-footnote-list-in-list"),
    # extract exits 0 but writes entity_footnotes[].number null, against entities.schema.json.
    pytest.param(_set(BLOCKS, "pwc.p1.fn1", ("number",), None), id="listed-footnote-without-number"),
    # Lone surrogates: read, then fatal wherever text is encoded (ujson in jsonl.dumps, spaCy's StringStore).
    # validate --format json: UnicodeEncodeError in jsonl.dumps (the finding's id, read from the raw line
    # of the block that was refused for its surrogate).
    pytest.param(_set(BLOCKS, "pwc.front.title1", ("id",), "pwc.front.title1\ud800"), id="block-id-lone-surrogate"),
    # extract: UnicodeEncodeError in jsonl.dumps (the canonical name); validate passes it.
    pytest.param(_set(REGISTRY, "rezgar-akrawi", ("name",), "Rezgar\ud800Akrawi"), id="registry-name-lone-surrogate"),
    # extract: UnicodeEncodeError in jsonl.dumps (the section); validate passes it.
    pytest.param(_set(BLOCKS, "pwc.p1.para1", ("section",), "Intro\ud800"), id="block-section-lone-surrogate"),
    # validate --format json: UnicodeEncodeError in jsonl.dumps (the finding's id).
    pytest.param(_set(LAYER_FILES[2], "c-0001", ("id",), "c-\ud800"), id="claim-id-lone-surrogate"),
    # validate: UnicodeEncodeError in spaCy's tokenizer (spans.check_alignment); stream_docs the same.
    # pwc.p1.para1's text with its 6th character replaced, length kept.
    pytest.param([Mutation(BLOCKS, "text", record="pwc.p1.para1", other=1, arg=("replace", "\ud800", 5))],
                 id="block-text-lone-surrogate"),
]


@pytest.mark.parametrize("changes", KNOWN)
def test_known_reproductions(small: Small, changes: list[Mutation]) -> None:
    run_everything(small, changes)
