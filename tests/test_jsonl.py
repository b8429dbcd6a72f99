from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import ToolkitError
from toolkit.jsonl import BadLine, atomic_open, iter_lines, read_jsonl, write_jsonl


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n\n   \n{"a": 2}\n[3]\n{"a":\n', encoding="utf-8")
    lines = list(iter_lines(path))
    assert [n for n, _ in lines] == [1, 4, 5, 6]
    assert isinstance(lines[2][1], BadLine) and "object" in lines[2][1].message
    assert isinstance(lines[3][1], BadLine)


def test_strict_reader_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text('{"a": 1}\n{"a": 2', encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"b.jsonl:2: invalid JSON \(truncated last line\?\)"):
        list(read_jsonl(path))


def test_missing_file_fails_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="no such file"):
        read_jsonl(tmp_path / "missing.jsonl")  # no next() needed


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def records():  # type: ignore[no-untyped-def]
        yield {"a": 1}
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_jsonl(path, records())
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_atomic_open_refuses_to_replace_without_force(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("keep", encoding="utf-8")
    with pytest.raises(ToolkitError, match="--force"):
        with atomic_open(path, force=False):
            pass
    assert path.read_text(encoding="utf-8") == "keep"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@given(st.lists(st.dictionaries(st.text(), json_values, max_size=4), min_size=1, max_size=5))
def test_write_then_read_round_trips(tmp_path_factory, records) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rt") / "r.jsonl"
    write_jsonl(path, records)
    assert [r for _, r in read_jsonl(path)] == records
