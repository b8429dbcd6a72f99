"""Signals leave no debris: old output intact, no temp files, no stray workers, no traceback, exit 128 + N.

Real ``python -m toolkit`` processes get real signals while they work on a
synthetic corpus (generated once for the module). Each test waits for a sign
that the command is under way (its temp file, its workers' temp folder, its
signal handlers), never for a fixed time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.cli import main

from .conftest import CORPUS, EXCERPT, ROOT, SOURCE

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; POSIX signals")

OLD = b'{"old": "output, kept byte for byte"}\n'
WAIT = 60.0  # seconds before giving up on a sign that never comes (a failure, not a timing assertion)
# SIGINT and SIGHUP come from a terminal, which sends them to the whole foreground process group.
GROUP_SIGNALS = {signal.SIGINT, signal.SIGHUP}
SIGNALS = [pytest.param(s, id=s.name) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, blocks=6000, seed=11)  # 60 documents: a few seconds of work for each command
    return out


def _wait_for(sign: Callable[[], Any], proc: subprocess.Popen[bytes], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = sign()
        if found:
            return found
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the command ended (exit {proc.returncode}) before {what}: {err.decode()[-2000:]}")
        time.sleep(0.002)
    proc.kill()
    pytest.fail(f"no sign of {what}")


def _session(sid: int) -> list[int]:
    """Live processes of session ``sid`` (the command and its workers: it was started in a new session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, session, ...
        if int(fields[3]) == sid and fields[0] not in "ZX":
            pids.append(int(entry.name))
    return pids


def _handles(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (its toolkit.cli.main is running)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) >> (signum - 1) & 1)


def _start(args: list[str | Path], tmpdir: Path) -> subprocess.Popen[bytes]:
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen([sys.executable, "-m", "toolkit", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _interrupt(proc: subprocess.Popen[bytes], signum: int) -> str:
    """Send ``signum`` as a terminal or a service manager would; return stderr once the command has ended."""
    if signum in GROUP_SIGNALS:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    try:
        _, err = proc.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the command did not stop")
    return err.decode("utf-8", "replace")


def _assert_no_debris(proc: subprocess.Popen[bytes], signum: int, stderr: str, out: Path, tmpdir: Path) -> None:
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert stderr.strip().endswith(f"toolkit: interrupted ({signal.Signals(signum).name}); no file half-written"), \
        stderr
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no .NAME.*.tmp
    assert list(tmpdir.iterdir()) == []  # no toolkit-extract-* folder
    deadline = time.monotonic() + WAIT
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _session(proc.pid) == [], "worker processes outlived the command"


def _temp_file(out: Path) -> Callable[[], list[Path]]:
    return lambda: list(out.parent.glob(f".{out.name}.*.tmp"))


def _output(tmp_path: Path, name: str) -> Path:
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_bytes(OLD)
    return out


@pytest.mark.parametrize("signum", SIGNALS)
def test_extract_to_file(synthetic: Path, tmp_path: Path, signum: int) -> None:
    out = _output(tmp_path, "all.jsonl")
    tmpdir = tmp_path / "tmp"
    proc = _start(["extract", "--layer", "all", "--corpus", synthetic / "corpus", "--annotations",
                   synthetic / "annotations", "--out", out], tmpdir)
    _wait_for(_temp_file(out), proc, "its temp file")
    stderr = _interrupt(proc, signum)
    _assert_no_debris(proc, signum, stderr, out, tmpdir)


@pytest.mark.parametrize("signum", SIGNALS)
def test_extract_with_workers(synthetic: Path, tmp_path: Path, signum: int) -> None:
    out = _output(tmp_path, "all.jsonl")
    tmpdir = tmp_path / "tmp"
    proc = _start(["extract", "--layer", "all", "--workers", "2", "--corpus", synthetic / "corpus",
                   "--annotations", synthetic / "annotations", "--out", out], tmpdir)
    # A worker has written (part of) a document into the shared temp folder: the pool is at work.
    _wait_for(lambda: list(tmpdir.glob("toolkit-extract-*/*.jsonl")), proc, "a worker's file")
    assert len(_session(proc.pid)) == 3  # the command and its two workers
    stderr = _interrupt(proc, signum)
    _assert_no_debris(proc, signum, stderr, out, tmpdir)


@pytest.mark.parametrize("signum", SIGNALS)
def test_render(synthetic: Path, tmp_path: Path, signum: int) -> None:
    # render builds the page in memory and writes it at the end: signal it as soon as it handles signals.
    out = _output(tmp_path, "essay.html")
    tmpdir = tmp_path / "tmp"
    proc = _start(["render", "--corpus", synthetic / "corpus", "--annotations", synthetic / "annotations",
                   "--out", out], tmpdir)
    _wait_for(lambda: _handles(proc.pid, signal.SIGTERM), proc, "its signal handlers")
    stderr = _interrupt(proc, signum)
    _assert_no_debris(proc, signum, stderr, out, tmpdir)


@pytest.mark.parametrize("signum", SIGNALS)
def test_export(synthetic: Path, tmp_path: Path, signum: int) -> None:
    # export stages every file beside the output folder and moves them in together at the end.
    out = _output(tmp_path, "doc-0000.jsonl")
    tmpdir = tmp_path / "tmp"
    proc = _start(["export", "--format", "doccano", "--out", out.parent, "--corpus", synthetic / "corpus",
                   "--annotations", synthetic / "annotations"], tmpdir)
    _wait_for(lambda: list(tmp_path.glob(".toolkit-export-*/*.jsonl")), proc, "its staged files")
    stderr = _interrupt(proc, signum)
    _assert_no_debris(proc, signum, stderr, out, tmpdir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tmp"]  # no staging folder


def test_footnotes(synthetic: Path, tmp_path: Path) -> None:
    out = _output(tmp_path, "footnotes.jsonl")
    tmpdir = tmp_path / "tmp"
    proc = _start(["footnotes", "--corpus", synthetic / "corpus", "--out", out], tmpdir)
    _wait_for(_temp_file(out), proc, "its temp file")
    stderr = _interrupt(proc, signal.SIGTERM)
    _assert_no_debris(proc, signal.SIGTERM, stderr, out, tmpdir)


def test_workers_die_with_a_killed_parent(synthetic: Path, tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    proc = _start(["extract", "--layer", "all", "--workers", "2", "--corpus", synthetic / "corpus",
                   "--annotations", synthetic / "annotations", "--out", tmp_path / "all.jsonl"], tmpdir)
    _wait_for(lambda: list(tmpdir.glob("toolkit-extract-*/*.jsonl")), proc, "a worker's file")
    workers = [pid for pid in _session(proc.pid) if pid != proc.pid]
    assert len(workers) == 2
    proc.kill()  # SIGKILL: no cleanup in the parent is possible, so the workers must stop by themselves
    _, err = proc.communicate(timeout=WAIT)  # stderr ends when the workers, which share it, have gone too
    # Left to finish their document, they would fail to hand it back: BrokenPipeError tracebacks.
    assert "Traceback" not in err.decode("utf-8", "replace")
    deadline = time.monotonic() + WAIT
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _session(proc.pid) == [], "workers outlived their SIGKILLed parent"


# ingest is too quick to catch with a signal from outside: it signals itself, in-process, at chosen moments.

@pytest.fixture
def ingested(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A corpus holding an older ingest of the source file, which now holds the whole essay."""
    source = tmp_path / "src" / SOURCE.name
    source.parent.mkdir()
    source.write_text(EXCERPT, encoding="utf-8")
    corpus = tmp_path / "corpus"
    assert main(["ingest", str(source), "--doc", "pwc", "--corpus", str(corpus)]) == 0
    shutil.copyfile(SOURCE, source)
    old = {p.name: p.read_bytes() for p in (corpus / "pwc").iterdir()}
    assert sorted(old) == sorted(["blocks.jsonl", "document.json", SOURCE.name])
    return source, corpus, old


def _signal_self(signum: int) -> None:
    if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
        raise AssertionError("toolkit.cli.main installed no handler")  # rather than kill the test run
    os.kill(os.getpid(), signum)


@pytest.mark.parametrize("signum", SIGNALS)
def test_ingest_interrupted_between_files(ingested: tuple[Path, Path, dict[str, bytes]],
                                          monkeypatch: pytest.MonkeyPatch, signum: int) -> None:
    source, corpus, old = ingested
    import toolkit.ingestion
    from toolkit.jsonl import dumps as real_dumps  # what toolkit.writers imports as its dumps

    def dumps(*args: Any, **kwargs: Any) -> str:  # first called for document.json, after the source copy
        _signal_self(signum)
        return real_dumps(*args, **kwargs)

    monkeypatch.setattr(toolkit.writers, "dumps", dumps)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    assert main(["ingest", str(source), "--doc", "pwc", "--corpus", str(corpus), "--force"]) == 128 + signum
    assert {p.name: p.read_bytes() for p in (corpus / "pwc").iterdir()} == old  # no temp file either
    assert {s: signal.getsignal(s) for s in before} == before


def test_ingest_interrupted_while_renaming(ingested: tuple[Path, Path, dict[str, bytes]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source, corpus, _ = ingested
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        _signal_self(signal.SIGTERM)  # held back until all three files are in place
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert main(["ingest", str(source), "--doc", "pwc", "--corpus", str(corpus), "--force"]) == 143
    monkeypatch.undo()
    new = {p.name: p.read_bytes() for p in (CORPUS / "pwc").iterdir()}
    assert {p.name: p.read_bytes() for p in (corpus / "pwc").iterdir()} == new


@pytest.fixture
def revisable(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A copy of the shipped data and a corrected source: the tree before the revision."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations", ignore=shutil.ignore_patterns("passes"))
    (tmp_path / "new.txt").write_text(SOURCE.read_text(encoding="utf-8").replace("Koorosh", "Kourosh"),
                                      encoding="utf-8")
    return tmp_path, _tree(tmp_path)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _revise(root: Path) -> int:
    return main(["revise", str(root / "new.txt"), "--doc", "pwc", "--corpus", str(root / "corpus"),
                 "--annotations", str(root / "annotations"), "--report", os.devnull])


@pytest.mark.parametrize("signum", SIGNALS)
def test_revise_interrupted_while_writing(revisable: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
                                          signum: int) -> None:
    root, before = revisable
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the first file complete, the others not yet
        _signal_self(signum)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert _revise(root) == 128 + signum
    assert _tree(root) == before  # the old version whole, no temp file


def test_revise_interrupted_while_renaming(revisable: tuple[Path, dict[str, bytes]],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root, before = revisable
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        _signal_self(signal.SIGTERM)  # held back until every file is in place
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert _revise(root) == 143
    after = _tree(root)
    assert after["corpus/pwc/prospects-of-worker-communism.txt"] == before["new.txt"]  # the new version whole
    assert any(name.startswith("corpus/pwc/versions/") for name in after)
    assert not [name for name in after if name.endswith(".tmp")]
