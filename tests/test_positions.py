"""The compact block positions give every answer a dict of every block id gives, hash collisions or not."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import positions as module
from toolkit.positions import NEAR, BlockPositions
from toolkit.readers import raw_positions

IDS = ["a.p1", "a.p2", "b.p1", "b.p2", "c", "c.fn1", 'q"x', "é"]
# A line: a block with one of a few ids (so that ids come back), or a line whose id does not read, or a blank.
LINE = st.one_of(st.sampled_from(IDS).map(lambda i: json.dumps({"id": i, "text": "t"})),
                 st.sampled_from(['{"text": "no id"}', 'not json "id": 3', '{"id": "\\ud800"}', ""]))
CORPUS = st.lists(st.lists(LINE, max_size=8), min_size=1, max_size=2 * NEAR + 1)
HASHES: dict[str, Callable[[str], int]] = {
    "python's hash": hash,
    "every id one hash": lambda block_id: 7,
    "two hashes": lambda block_id: len(block_id) % 2,
}


@contextmanager
def hashed_by(name: str) -> Iterator[None]:
    with mock.patch.object(module, "id_hash", HASHES[name]):
        yield


def write(folder: Path, documents: list[list[str]]) -> list[Path]:
    paths = []
    for k, lines in enumerate(documents):
        path = folder / f"doc{k}" / "blocks.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("hashing", HASHES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=CORPUS, order=st.randoms(use_true_random=False))
def test_positions_answer_as_the_dict_of_every_id(tmp_path_factory: pytest.TempPathFactory, hashing: str,
                                                  documents: list[list[str]], order: object) -> None:
    paths = write(tmp_path_factory.mktemp("corpus"), documents)
    expected: dict[str, int] = {}
    document: dict[str, int] = {}
    line: dict[str, tuple[int, int]] = {}
    seen_lines: list[str] = []
    for k, path in enumerate(paths):
        before = len(expected)
        raw_positions(path, expected)
        for block_id in list(expected)[before:]:
            document[block_id] = k
        for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
            found = module.raw_string(module.BLOCK_ID, raw)
            if found is not None:
                line.setdefault(found, (k, number))
                seen_lines.append(found)
    with hashed_by(hashing):
        positions = BlockPositions(paths)
        asked = [*IDS, "unknown", "a.p"] * 2
        order.shuffle(asked)  # type: ignore[attr-defined]  # lookups jump between documents in any order
        for block_id in asked:
            assert positions.get(block_id) == expected.get(block_id)
            assert (block_id in positions) == (block_id in expected)
            assert positions.first_line(block_id) == line.get(block_id)
            if block_id in expected:
                assert positions[block_id] == expected[block_id]
                assert positions.document_of(expected[block_id]) == document[block_id]
            else:
                with pytest.raises(KeyError):
                    positions[block_id]
        assert len(positions) == len(expected)
        assert dict(positions) == expected
        assert positions.repeated == {i for i in seen_lines if seen_lines.count(i) > 1}


def test_an_empty_corpus_and_a_missing_file(tmp_path: Path) -> None:
    positions = BlockPositions([tmp_path / "missing" / "blocks.jsonl"])
    assert len(positions) == 0 and positions.get("x") is None and "x" not in positions


def test_ids_used_in_every_document_keep_their_first_position(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"p{k}"}) for k in range(50)]
    positions = BlockPositions(write(tmp_path, [lines] * 200))  # one pass over the documents, not one per pair
    assert len(positions) == 50 and positions.repeated == {f"p{k}" for k in range(50)}
    assert [positions[f"p{k}"] for k in range(50)] == list(range(50))
    assert {positions.document_of(positions[f"p{k}"]) for k in range(50)} == {0}
    assert positions.first_line("p49") == (0, 50)
