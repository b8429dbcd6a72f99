"""The engines: worker processes and Dask give what one process gives, record by record.

A 2-worker Dask LocalCluster (one thread per worker process) runs on the
multi-document synthetic corpus; extract, validate and map_docs are compared
with a serial run. ``validate`` is also compared on a corpus whose layer
files cannot be cut into shards (a record out of order, an unreadable line),
where the workers are not used and one process reports exactly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest

import toolkit
from toolkit import ToolkitError

from .conftest import ROOT

pytest.importorskip("distributed", reason="the dask extra is in the test extra: pip install -e '.[test]'")
from distributed import Client, LocalCluster

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import generate


class Archive(TypedDict):
    corpus_dir: Path
    annotations_dir: Path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A synthetic corpus of several documents (about 400 blocks)."""
    out = tmp_path_factory.mktemp("archive")
    generate(out, blocks=400)
    assert len(list((out / "corpus").iterdir())) > 2
    return Archive(corpus_dir=out / "corpus", annotations_dir=out / "annotations")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def test_extract_on_dask_is_the_serial_extract(archive: Archive, client: Client, tmp_path: Path) -> None:
    serial = list(toolkit.extract(layer="all", **archive))
    on_dask = list(toolkit.extract(layer="all", engine="dask", client=client, scratch=tmp_path, **archive))
    assert len(serial) > 1000 and on_dask == serial
    assert list(tmp_path.iterdir()) == []  # the per-document files are gone


def test_extract_by_scheduler_address(archive: Archive, client: Client) -> None:
    address = client.scheduler_info()["address"]
    serial = list(toolkit.extract(layer="claims", context="paragraph", **archive))
    assert list(toolkit.extract(layer="claims", context="paragraph", engine="dask", scheduler=address,
                                **archive)) == serial


def test_map_docs_on_dask_is_the_serial_map(archive: Archive, client: Client) -> None:
    assert list(toolkit.map_docs(len, engine="dask", client=client, **archive)) == list(
        toolkit.map_docs(len, **archive))


def test_validate_on_dask_and_in_processes_is_the_serial_validate(archive: Archive, client: Client,
                                                                   tmp_path: Path) -> None:
    broken = _broken_copy(archive, tmp_path)
    for data in (archive, broken):
        serial = toolkit.validate(**data)
        assert toolkit.validate(engine="dask", client=client, **data) == serial
        assert toolkit.validate(n_process=2, **data) == serial
    assert {f.code for f in toolkit.validate(**broken)} >= {"E100", "E110", "E102"}


def _broken_copy(archive: Archive, tmp_path: Path) -> Archive:
    """The archive with a record out of order, a line that is no JSON and an id used twice."""
    out = tmp_path / "broken"
    shutil.copytree(archive["corpus_dir"], out / "corpus")
    shutil.copytree(archive["annotations_dir"], out / "annotations")
    path = out / "annotations" / "dates.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3], lines[-3] = lines[-3], lines[3]
    lines.insert(10, "{not json")
    first = json.loads(lines[0])
    lines.append(json.dumps({**json.loads(lines[-1]), "id": first["id"]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Archive(corpus_dir=out / "corpus", annotations_dir=out / "annotations")


def test_the_command_line_runs_a_local_cluster(archive: Archive, tmp_path: Path) -> None:
    where = ["--corpus", str(archive["corpus_dir"]), "--annotations", str(archive["annotations_dir"])]
    run = [sys.executable, "-m", "toolkit"]
    serial, on_dask = tmp_path / "serial.jsonl", tmp_path / "dask.jsonl"
    subprocess.run([*run, "extract", "--layer", "all", "-q", "--out", str(serial), *where], check=True)
    subprocess.run([*run, "extract", "--layer", "all", "-q", "--engine", "dask", "--workers", "2", "--out",
                    str(on_dask), *where], check=True)
    assert on_dask.read_bytes() == serial.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dask.jsonl", "serial.jsonl"]  # no scratch left
    done = subprocess.run([*run, "validate", "--engine", "dask", "--workers", "2", "--format", "json", *where],
                          capture_output=True, text=True)
    alone = subprocess.run([*run, "validate", "--format", "json", *where], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (alone.returncode, alone.stdout)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"engine": "spark"}, "unknown engine 'spark'; use processes or dask"),
    ({"scheduler": "tcp://127.0.0.1:1"}, "needs engine='dask'"),
    ({"client": object()}, "needs engine='dask'"),
])
def test_engines_are_checked_at_the_call(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ToolkitError, match=message):
        toolkit.extract(**kwargs)
    with pytest.raises(ToolkitError, match=message):
        toolkit.map_docs(len, **kwargs)
    with pytest.raises(ToolkitError, match=message):
        toolkit.validate(**kwargs)


def test_without_dask_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ToolkitError, match=r"pip install 'standoff-toolkit\[dask\]'"):
        toolkit.extract(engine="dask")


def test_an_unreachable_scheduler_is_a_clear_error(archive: Archive) -> None:
    with pytest.raises(ToolkitError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        list(toolkit.extract(engine="dask", scheduler="tcp://127.0.0.1:9", **archive))
