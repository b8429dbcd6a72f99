from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    with pytest.raises(ToolkitError, match=r"b.jsonl:2: .*column 8: not valid JSON \(truncated last line\?\): "
                       r"expected ',' or '\}' after a field"):
        list(read_jsonl(path))


def test_missing_file_fails_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="no such file"):
        read_jsonl(tmp_path / "missing.jsonl")  # no next() needed


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def records() -> Iterator[dict[str, Any]]:
        yield {"a": 1}
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_jsonl(path, records())
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_atomic_open_refuses_to_replace_without_force(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("keep", encoding="utf-8")
    with pytest.raises(ToolkitError, match="--force"), atomic_open(path, force=False):
        pass
    assert path.read_text(encoding="utf-8") == "keep"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@given(st.lists(st.dictionaries(st.text(), json_values, max_size=4), min_size=1, max_size=5))
def test_write_then_read_round_trips(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> None:
    path = tmp_path_factory.mktemp("rt") / "r.jsonl"
    write_jsonl(path, records)
    assert [r for _, r in read_jsonl(path)] == records


def _message(tmp_path: Path, content: str | bytes) -> str:
    """The message of the one bad line in a file holding ``content``."""
    path = tmp_path / "bad.jsonl"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    lines = list(iter_lines(path))
    bad = [(n, r) for n, r in lines if isinstance(r, BadLine)]
    assert len(bad) == 1, lines
    return bad[0][1].message


def test_byte_order_mark_is_refused_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"a": 2}\n')
    lines = list(iter_lines(path))
    assert lines[0][0] == 1 and isinstance(lines[0][1], BadLine)
    assert lines[0][1].message == "file starts with a UTF-8 byte order mark; save it as UTF-8 without one"
    assert lines[1] == (2, {"a": 2})
    with pytest.raises(ToolkitError, match=r"bom.jsonl:1: .*byte order mark"):
        list(read_jsonl(path))


# (line, message without the quoted line): our words and the column, never the parser's.
SYNTAX = [
    ('{"id": "e-1" "start": 3}', "column 14: not valid JSON: expected ',' or '}' after a field"),
    ('{"about": ["a" "b"]}', "column 16: not valid JSON: expected ',' or ']' after a value"),
    ('{"id" "e-1"}', "column 7: not valid JSON: expected ':' after a field name"),
    ('{"id": "e-1",}', "column 14: not valid JSON: expected a field name in double quotes"),
    ('{id: 1}', "column 2: not valid JSON: expected a field name in double quotes"),
    ('{"start": tru}', "column 11: not valid JSON: expected a value"),
    ('{"text": "a\\qb"}', "column 12: not valid JSON: unknown escape sequence in a string"),
    ('{"text": "\\u12"}', "column 12: not valid JSON: \\u escape without four hexadecimal digits"),
    ('{"a": 1} {"b": 2}', "column 10: not valid JSON: more text after the end of the value"),
    ('{"a": NaN}', "column 7: not valid JSON: NaN is not a JSON value"),
    ('{"a": "x", "b": -Infinity}', "column 17: not valid JSON: -Infinity is not a JSON value"),
]


@pytest.mark.parametrize(("line", "expected"), SYNTAX, ids=[m.split(": ")[-1] for _, m in SYNTAX])
def test_syntax_errors_in_our_words_with_the_column(tmp_path: Path, line: str, expected: str) -> None:
    message = _message(tmp_path, f'{{"a": 1}}\n{line}\n')
    assert message.startswith(expected + ": "), message
    assert message.endswith(repr(line)), message
    assert not any(word in message for word in ("decoding", "Expecting", "Unexpected character", "Trailing data"))


def test_truncated_last_line_keeps_its_hint(tmp_path: Path) -> None:
    message = _message(tmp_path, '{"a": 1}\n{"id": "e-1", "text": "Ira')
    assert message.startswith("column 23: not valid JSON (truncated last line?): unclosed string starts here: "
                              "'{\"id\": \"e-1\", \"text\": \"Ira'"), message


@pytest.mark.parametrize("literal", ["1000000000000000000000000000000", "-9223372036854775809",
                                     "18446744073709551616"])
def test_integer_beyond_64_bits_is_named(tmp_path: Path, literal: str) -> None:
    message = _message(tmp_path, f'{{"id": "e-1", "start": {literal}, "end": 3}}\n')
    assert message == f"integer out of range: {literal} (more than 64 bits)"


def test_largest_64_bit_integers_are_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('{"a": 18446744073709551615, "b": -9223372036854775808}\n', encoding="utf-8")
    assert list(read_jsonl(path)) == [(1, {"a": 2**64 - 1, "b": -(2**63)})]


def test_huge_integer_literal_is_cut_in_the_message(tmp_path: Path) -> None:
    message = _message(tmp_path, '{"start": 1' + "0" * 100_000 + "}\n")
    assert message.startswith("integer out of range: '1000") and "(100001 characters)" in message
    assert len(message) < 200


@pytest.mark.parametrize("depth", [101, 1000, 1025, 10_000])
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, depth: int) -> None:
    value = "[" * (depth - 1) + "]" * (depth - 1)
    assert _message(tmp_path, f'{{"a": {value}}}\n') == "nested deeper than 100 levels"
    nested = '{"a": ' * depth + "1" + "}" * depth
    assert _message(tmp_path, nested + "\n") == "nested deeper than 100 levels"


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('{"a": ' + "[" * 99 + "]" * 99 + ', "text": "' + "[{" * 500 + '"}\n', encoding="utf-8")
    [(_, record)] = list(read_jsonl(path))
    assert record["text"] == "[{" * 500


def test_long_line_is_quoted_short_with_its_length(tmp_path: Path) -> None:
    line = '{"id": "e-1", "text": "' + "x" * 1_000_000 + '" "start": 3}'
    message = _message(tmp_path, line + "\n")
    assert message.startswith("column 1000026: not valid JSON: expected ',' or '}' after a field: ")
    assert message.endswith(f"… ({len(line)} characters)") and len(message) < 200
    not_object = _message(tmp_path, "[" + "1, " * 500_000 + "1]\n")
    assert not_object.startswith("expected a JSON object, got an array: '[1, 1, ") and len(not_object) < 200


@pytest.mark.parametrize("padding", [0, 2_000_000], ids=["short", "long"])  # long lines go to Python's json
@pytest.mark.parametrize(("tail", "expected"), [
    (', "n": 18446744073709551615, "tab": "a\tb"}', {"n": 2**64 - 1, "tab": "a\tb"}),
    (', "n": 18446744073709551616}', "integer out of range: 18446744073709551616 (more than 64 bits)"),
    (', "n": NaN}', "not valid JSON: NaN is not a JSON value"),
    (', "n": ' + "[" * 2000 + "]" * 2000 + "}", "nested deeper than 100 levels"),
    (', "n": ' + "[" * 101 + "]" * 101 + "}", "nested deeper than 100 levels"),
    (', "n" 1}', "not valid JSON: expected ':' after a field name"),
])
def test_long_lines_are_read_like_short_ones(tmp_path: Path, padding: int, tail: str,
                                              expected: str | dict[str, object]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"pad": "' + "x" * padding + '"' + tail + "\n", encoding="utf-8")
    [(_, value)] = list(iter_lines(path))
    if isinstance(expected, dict):
        assert isinstance(value, dict) and {k: value[k] for k in expected} == expected
    else:
        assert isinstance(value, BadLine) and expected in value.message and len(value.message) < 200, value
