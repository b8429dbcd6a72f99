"""Shared fixtures: the real shipped data, small excerpts of the essay, a CLI runner, and data-editing helpers.

Tests that break a copy of the data find what they change by record id (or
by a predicate), never by line number or hard-coded offset, so a re-ingest
of the essay or a re-annotation does not silently point them elsewhere; when
a test asserts a line number, it takes it from the file (the helpers return it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from toolkit.versions import FORMAT_VERSION

if TYPE_CHECKING:  # for annotations only: the fixtures import them when first used, as before
    from spacy.language import Language

    from toolkit.corpus import Corpus

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ANNOTATIONS = ROOT / "annotations"
SOURCE = CORPUS / "pwc" / "prospects-of-worker-communism.txt"
BLOCKS = CORPUS / "pwc" / "blocks.jsonl"

# A small real excerpt laid out like the essay: title, byline, dateline, two
# parts with their own footnotes, a separator and web residue.
EXCERPT = """Prospects of Worker Communism

Rezgar Akrawi
2025 / 7 / 3

Worker Communism, Hikmatism – Where To? Part One

Originally published in Arabic – 29 June 2012

Introduction
The Iranian Communist Party[2] had a significant influence. Worker-Communist organizations became very active.[1]
1. He split from the Iranian Communist Party.

Footnotes
[1] Communist Current Organization: Founded in the 1980s in Iraqi Kurdistan.
[2] Iranian Communist Party: Not to be confused with the Tudeh Party.

*********************************

Prospects of Worker Communism in Iraq – Part Two
Published in Arabic on 1 July 2013

The Worker-Communist Party of Iran[2] introduced the "A Better World" program in 1994 as the party s program.
12. ......

Footnotes:
[1] The Worker-Communist current consists of a group of Marxist parties.
[2] Worker-Communist Party of Iran: Founded in 1992 by Mansoor Hekmat.

Add comment
Rate the article
\u00a0 \u00a0 \u00a0
Result : 100% Participated in the vote : 2"""


# --- running the CLI ---------------------------------------------------------------------------------------------

@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


_PIPELINE: list[Language] = []  # the one pipeline of the session, made on first use


def session_pipeline() -> Language:
    """``toolkit.make_nlp()``, made once per session."""
    if not _PIPELINE:
        import toolkit

        _PIPELINE.append(toolkit.make_nlp())
    return _PIPELINE[0]


@contextmanager
def shared_pipeline() -> Iterator[None]:
    """While inside, ``spacy.blank("en")`` returns the session's pipeline, so ``make_nlp()`` costs nothing.

    Each command builds its pipeline with ``toolkit.make_nlp()`` (about 0.2 s,
    most of it spaCy reloading its tokenizer exceptions three times): in
    process, commands share the session's one instead. It is exactly what
    ``make_nlp()`` makes (made by it), and ``make_nlp()`` leaves a pipeline it
    has set up as it is. A fresh pipeline per command is still what the
    end-to-end tests (``run_process``, the signal tests) and the benchmark run.
    """
    import spacy

    pipeline = session_pipeline()
    real = spacy.blank

    def blank(name: str, **kwargs: Any) -> Language:
        return pipeline if name == "en" and not kwargs else real(name, **kwargs)

    spacy.blank = blank
    try:
        yield
    finally:
        spacy.blank = real


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run ``toolkit ARGS`` in this process: ``toolkit.cli.main`` with its exit-status mapping.

    stdout and stderr are captured by click's CliRunner isolation (UTF-8, as
    a pipe would take them; stdout strict, so text UTF-8 cannot hold fails
    here as it would for a user). The working directory is ``cwd`` (default:
    the checkout, as for the subprocess runner) for the call, then restored.
    The command uses the session's pipeline (:func:`shared_pipeline`). An
    exception escaping ``main`` (a traceback for a user) fails the test.
    """
    import toolkit.cli

    previous = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        with shared_pipeline(), CliRunner().isolation() as (out, err, _):
            code = toolkit.cli.main([str(a) for a in args])
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr = out.getvalue(), err.getvalue()
    finally:
        os.chdir(previous)
    return Run(code, stdout.decode("utf-8"), stderr.decode("utf-8"))


def run_process(*args: str | Path, cwd: Path | None = None, command: list[str] | None = None) -> Run:
    """Run the real entry point (``python -m toolkit``, or ``command``) in a subprocess: for end-to-end tests."""
    proc = subprocess.run([*(command or [sys.executable, "-m", "toolkit"]), *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd or ROOT, timeout=600)
    return Run(proc.returncode, proc.stdout, proc.stderr)


# --- a test that hangs fails instead ----------------------------------------------------------------------------

WATCHDOG = 420  # seconds a test may take (the hostile-input children have 300 s each, the early commands 360 s)


class Hung(BaseException):
    """Raised in a test that goes on hanging after the watchdog killed its worker processes."""


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    """After ``WATCHDOG`` seconds, kill the test's worker processes; 30 s later, stop the test; either way it fails.

    A worker pool whose teardown waits for a worker that never got its SIGTERM
    (seen once: ``extract --workers 2`` refusing its input, a worker stuck on
    the pool's task queue) would otherwise hang the whole run.
    """
    import multiprocessing
    import signal
    import threading

    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[str] = []

    def on_alarm(signum: int, frame: object) -> None:
        if fired:
            raise Hung(f"still running {WATCHDOG + 30} s after it started")
        workers = multiprocessing.active_children()
        fired.append(f"ran over {WATCHDOG} s; killed its worker processes {[w.pid for w in workers]}")
        for worker in workers:
            worker.kill()
        signal.alarm(30)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(WATCHDOG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        pytest.fail(f"the test hung: it {fired[0]}")


# --- slow commands, started early -------------------------------------------------------------------------------

@dataclass
class Finished:
    """A command a test started early, once it has ended."""

    returncode: int
    stdout: str
    stderr: str
    workdir: Path  # an empty folder of its own, made before it started


def starts_early(command: Callable[[Path], list[str]]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Start ``command(workdir)`` when the session starts, beside the other tests; the test takes ``early``.

    For the few tests that are one long subprocess (the benchmark script,
    mypy): the machine's second core runs them while this process runs the
    rest, and the tests themselves run last. Only tests that are selected
    start (``-m "not slow"`` starts none); the test waits for its command
    and checks everything as before.
    """
    def mark(test: Callable[..., None]) -> Callable[..., None]:
        test._early_command = command  # type: ignore[attr-defined]  # a mark on the function object, read back with getattr
        return test
    return mark


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests whose command starts early run last, when their command has had the whole run to finish."""
    items.sort(key=lambda item: hasattr(getattr(item, "function", None), "_early_command"))  # stable


@dataclass
class _Job:
    process: subprocess.Popen[bytes]
    workdir: Path
    logs: Path


def _niced(command: list[str]) -> list[str]:
    """``command`` run through ``nice -n 10`` where there is one (it execs the command: same process)."""
    nice = shutil.which("nice") if os.name == "posix" else None
    return [nice, "-n", "10", *command] if nice else command


@pytest.fixture(scope="session", autouse=True)
def _early_jobs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, _Job]]:
    jobs: dict[str, _Job] = {}
    for item in request.session.items:
        command = getattr(getattr(item, "function", None), "_early_command", None)
        if command is None:
            continue
        workdir, logs = tmp_path_factory.mktemp("early"), tmp_path_factory.mktemp("early-logs")
        with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
            # Niced: they take what the rest of the run leaves of the machine, not the other way round.
            process = subprocess.Popen(_niced(command(workdir)), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=err)
        jobs[item.nodeid] = _Job(process, workdir, logs)
    yield jobs
    for job in jobs.values():  # a test that did not run (an early stop, -x): its command goes too
        if job.process.poll() is None:
            job.process.kill()
            job.process.wait()


@pytest.fixture
def early(request: pytest.FixtureRequest, _early_jobs: dict[str, _Job]) -> Finished:
    """The command this test started early (see :func:`starts_early`), waited for."""
    job = _early_jobs[request.node.nodeid]
    returncode = job.process.wait(timeout=WATCHDOG - 60)
    stdout, stderr = ((job.logs / name).read_text(encoding="utf-8", errors="replace") for name in ("stdout", "stderr"))
    return Finished(returncode, stdout, stderr, job.workdir)


# --- the shipped data ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def shipped_corpus() -> Corpus:
    """``toolkit.load_corpus()`` of the unmodified shipped data, loaded once for the session (do not mutate it)."""
    import toolkit

    return toolkit.load_corpus()


@pytest.fixture(scope="session")
def nlp() -> Language:
    """One ``toolkit.make_nlp()`` pipeline for the session, for the API calls that take ``nlp=``.

    Building a pipeline costs about 0.2 s; tests that are not about the
    pipeline pass this one instead of having every call build its own.
    """
    return session_pipeline()


@pytest.fixture
def data_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the shipped corpus and annotations."""
    corpus = tmp_path / "corpus"
    annotations = tmp_path / "annotations"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    return corpus, annotations


@pytest.fixture
def excerpt_file(tmp_path: Path) -> Path:
    path = tmp_path / "excerpt.txt"
    path.write_text(EXCERPT, encoding="utf-8")
    return path


# --- reading and editing JSONL data by record, not by line ----------------------------------------------------------

Record = dict[str, Any]
DROP = object()  # as a value in edit_record: remove the field


def read_records(path: Path) -> list[Record]:
    """The records of a JSONL file, in order (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_records(path: Path, records: Iterable[Record | str]) -> None:
    """Write records as JSONL, one per line (a ``str`` is written as the raw line)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _matches(record: Record, pred: Callable[[Record], bool] | None, match: Mapping[str, Any]) -> bool:
    return (pred is None or pred(record)) and all(record.get(k) == v for k, v in match.items())


def find_records(path: Path, pred: Callable[[Record], bool] | None = None, **match: Any) -> list[tuple[int, Record]]:
    """Every ``(line, record)`` for which ``pred`` holds and whose fields equal ``match``, in file order.

    ``line`` is 1-based and counts every line of the file, as findings and
    errors do; lines that are not JSON objects are skipped.
    """
    found = []
    for number, line in enumerate(_lines(path), 1):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and _matches(record, pred, match):
            found.append((number, record))
    return found


def find_record(path: Path, pred: Callable[[Record], bool] | None = None, **match: Any) -> tuple[int, Record]:
    """``(line, record)`` of the first record :func:`find_records` finds."""
    found = find_records(path, pred, **match)
    if not found:
        raise LookupError(f"no record matching {match or pred} in {path}")
    return found[0]


def record_line(path: Path, record_id: str) -> int:
    """The 1-based line of the record whose id is ``record_id``."""
    return find_record(path, id=record_id)[0]


def edit_record(path: Path, record_id: str, change: Callable[[Record], Record | str] | None = None,
                **fields: Any) -> int:
    """Change the record ``record_id`` in place; return its line.

    ``fields`` are set (``DROP`` removes one); ``change`` maps the record to
    a new one, or to a ``str`` written as the raw line (an unreadable line).
    """
    lines = _lines(path)
    line, record = find_record(path, id=record_id)
    new: Record | str = change(record) if change is not None else record
    if not isinstance(new, str):
        new = {**new, **fields}
        new = {k: v for k, v in new.items() if v is not DROP}
        new = json.dumps(new, ensure_ascii=False)
    lines[line - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return line


def drop_record(path: Path, record_id: str | None = None, pred: Callable[[Record], bool] | None = None,
                **match: Any) -> tuple[int, Record]:
    """Remove a record (by id, or the first matching ``pred``/``match``); return the line it was on and it."""
    if record_id is not None:
        match = {**match, "id": record_id}
    line, record = find_record(path, pred, **match)
    lines = _lines(path)
    del lines[line - 1]
    path.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    return line, record


def drop_records(path: Path, pred: Callable[[Record], bool] | None = None, **match: Any) -> list[Record]:
    """Remove every record matching ``pred``/``match`` (see :func:`find_records`); return them."""
    dropped = {line for line, _ in find_records(path, pred, **match)}
    lines = _lines(path)
    path.write_text("".join(f"{x}\n" for n, x in enumerate(lines, 1) if n not in dropped), encoding="utf-8")
    return [json.loads(lines[n - 1]) for n in sorted(dropped)]


def insert_record(path: Path, record: Record | str, *, after: str | None = None, before: str | None = None) -> int:
    """Insert a record after (or before) the record with that id, or at the end; return its line."""
    lines = _lines(path)
    if after is not None:
        index = record_line(path, after)
    elif before is not None:
        index = record_line(path, before) - 1
    else:
        index = len(lines)
    lines.insert(index, record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def swap_records(path: Path, first: str, second: str) -> tuple[int, int]:
    """Swap the lines of two records (by id); return their lines, in the order the ids were given, after the swap."""
    a, b = record_line(path, first), record_line(path, second)
    lines = _lines(path)
    lines[a - 1], lines[b - 1] = lines[b - 1], lines[a - 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return b, a


def block_order(corpus_dir: Path) -> dict[str, int]:
    """Block id -> reading-order position, over every document of a corpus (sorted by folder, as the readers go)."""
    ids = [r["id"] for path in sorted(corpus_dir.glob("*/blocks.jsonl")) for r in read_records(path)]
    return {block_id: n for n, block_id in enumerate(ids)}


def insert_annotation(corpus_dir: Path, path: Path, record: Record) -> int:
    """Insert an annotation record where reading order puts it (after its block's records that start no later).

    Layer files are sorted by block, then start; returns the line it was put on.
    """
    order = block_order(corpus_dir)
    key = (order[record["paragraph"]], record["start"])
    lines = _lines(path) if path.exists() else []
    index = sum(1 for line in lines if (order[json.loads(line)["paragraph"]], json.loads(line)["start"]) <= key)
    lines.insert(index, json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def rewrite_block_text(corpus_dir: Path, block_id: str, old: str, new: str) -> Record:
    """Replace ``old`` by ``new`` (same length) in a block's text and in the verbatim source alike.

    Offsets stay valid and the sha256 in document.json is updated, so the
    data stays coherent: only what the change itself breaks is wrong.
    """
    assert len(old) == len(new), "same length only: offsets must stay valid"
    folder = corpus_dir / block_id.split(".", maxsplit=1)[0]
    _, block = find_record(folder / "blocks.jsonl", id=block_id)
    at = block["text"].index(old)
    block_start = block["source_start"]
    edit_record(folder / "blocks.jsonl", block_id, text=block["text"][:at] + new + block["text"][at + len(old):])
    document_path = folder / "document.json"
    document = json.loads(document_path.read_text(encoding="utf-8"))
    source_path = folder / document["source"]
    source = source_path.read_bytes().decode("utf-8")
    assert source[block_start + at:block_start + at + len(old)] == old
    data = (source[:block_start + at] + new + source[block_start + at + len(old):]).encode("utf-8")
    source_path.write_bytes(data)
    document["sha256"] = hashlib.sha256(data).hexdigest()
    document_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return find_record(folder / "blocks.jsonl", id=block_id)[1]


def write_corpus(root: Path, blocks: list[Record], *, doc: str = "d", layers: Mapping[str, list[Record]] | None = None,
                 registry: list[Record] | None = None, excluded: list[Record] | None = None) -> tuple[Path, Path]:
    """A tiny coherent corpus built from Block dicts, and its annotations folder; returns both folders.

    Each block needs ``id``, ``kind`` and ``text``; ``doc``, ``part``
    (None), ``section`` (None) and the source offsets are filled in: the
    verbatim source is the block texts separated by blank lines, and
    document.json records its sha256. ``excluded`` ranges are appended to
    the source as residue. The annotations folder gets the shipped schema,
    ``registry`` (default: none) and the given ``layers`` (layer -> records,
    each written in the given order).
    """
    corpus, annotations = root / "corpus", root / "annotations"
    folder = corpus / doc
    folder.mkdir(parents=True)
    annotations.mkdir(parents=True)
    source, written = "", []
    for b in blocks:
        if source:
            source += "\n\n"
        start = len(source)
        source += b["text"]
        written.append({"id": b["id"], "doc": b.get("doc", doc), "kind": b["kind"], "part": b.get("part"),
                        "section": b.get("section"), "text": b["text"], "source_start": start,
                        "source_end": len(source), **{k: v for k, v in b.items() if k not in (
                            "id", "doc", "kind", "part", "section", "text", "source_start", "source_end")}})
    ranges = []
    for residue in excluded or ():
        source += "\n\n"
        ranges.append({"source_start": len(source), "source_end": len(source) + len(residue["text"]),
                       "reason": residue.get("reason", "residue")})
        source += residue["text"]
    data = (source + "\n").encode("utf-8")
    (folder / "source.txt").write_bytes(data)
    document = {"format_version": FORMAT_VERSION, "id": doc, "title": blocks[0]["text"] if blocks else doc,
                "author": None, "dates": [],
                "source": "source.txt", "sha256": hashlib.sha256(data).hexdigest(), "length": len(source) + 1,
                "excluded": ranges, "artefacts": []}
    (folder / "document.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_records(folder / "blocks.jsonl", written)
    shutil.copy2(ANNOTATIONS / "schema.json", annotations / "schema.json")
    write_records(annotations / "registry.jsonl", registry or [])
    for layer, records in (layers or {}).items():
        write_records(annotations / f"{layer}.jsonl", records)
    return corpus, annotations

