"""A block id used in two documents is E102 with the line of its first use, however the lines are written.

Only the current document's ids and the few that can come back are held
(:mod:`toolkit.validation.block_ids`), so each way an id can come back is a
case here: a plain line twice, and lines whose first "id" (what the raw
scan reads) is not the id they parse to, on either side.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from spacy.language import Language

from toolkit import validate

from .conftest import Record, write_corpus

PLAIN = "plain"  # the line as a writer writes it
SHADOWED = "shadowed"  # '{"id": "other", "id": "x", ...}': the raw scan reads "other", the record's id is "x"


def _blocks(doc: str, n: int) -> list[Record]:
    return [{"id": f"{doc}.p{k}", "kind": "paragraph", "text": f"Paragraph {k} of {doc}."} for k in range(1, n + 1)]


def _two_documents(root: Path) -> tuple[Path, Path]:
    corpus, annotations = write_corpus(root / "a", _blocks("a", 3), doc="a")
    other, _ = write_corpus(root / "b", _blocks("b", 3), doc="b")
    shutil.move(other / "b", corpus / "b")
    return corpus, annotations


def _use(corpus: Path, doc: str, line: int, block_id: str, how: str) -> None:
    path = corpus / doc / "blocks.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[line - 1])
    record["id"] = block_id
    text = json.dumps(record, ensure_ascii=False)
    lines[line - 1] = text if how == PLAIN else '{"id": "shadow.' + doc + '", ' + text[1:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("first", "again"), [(PLAIN, PLAIN), (PLAIN, SHADOWED), (SHADOWED, PLAIN),
                                              (SHADOWED, SHADOWED)])
def test_an_id_used_again_in_a_later_document(tmp_path: Path, nlp: Language, first: str, again: str) -> None:
    corpus, annotations = _two_documents(tmp_path)
    _use(corpus, "a", 2, "x.p1", first)
    _use(corpus, "b", 3, "x.p1", again)
    found = [(Path(f.file or "").parent.name, f.line, f.message) for f in
             validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp) if f.code == "E102"]
    assert found == [("b", 3, "block id 'x.p1' already used on line 2")]


def test_an_id_whose_first_line_is_unusable_is_not_used_twice(tmp_path: Path, nlp: Language) -> None:
    corpus, annotations = _two_documents(tmp_path)
    _use(corpus, "a", 2, "x.p1", PLAIN)
    path = corpus / "a" / "blocks.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"part": null', '"part": "one"', 2), encoding="utf-8")
    _use(corpus, "b", 1, "x.p1", PLAIN)
    found = validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp)
    assert [(f.code, Path(f.file or "").parent.name, f.line) for f in found if f.code in ("E101", "E102")] == [
        ("E101", "a", 1), ("E101", "a", 2)]


def test_an_id_read_on_two_lines_of_one_document_and_parsed_in_another(tmp_path: Path, nlp: Language) -> None:
    corpus, annotations = _two_documents(tmp_path)
    _use(corpus, "a", 1, "x.p1", PLAIN)
    _use(corpus, "a", 3, "x.p1", PLAIN)
    _use(corpus, "b", 2, "x.p1", SHADOWED)
    found = [(Path(f.file or "").parent.name, f.line, f.message) for f in
             validate(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp) if f.code == "E102"]
    assert found == [("a", 3, "block id 'x.p1' already used on line 1"),
                     ("b", 2, "block id 'x.p1' already used on line 1")]
