"""Deterministic synthetic corpora in the project's own formats, shaped like the shipped essay.

Each synthetic document copies the essay's block sequence (kinds, parts,
list numbers, block lengths) and, per block, its number of entity mentions,
dates, claims and footnote markers. Text is drawn from the essay's own
lower-case vocabulary; names come from the registry (only aliases that name
exactly one entity), so the result validates with no errors.

    python benchmarks/synthetic.py OUT_DIR --blocks 10000 [--seed 13]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import cast

from toolkit import Block, Corpus, load_corpus
from toolkit.footnotes import find_markers
from toolkit.versions import FORMAT_VERSION

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

# (layer, start, text, attributes) of one annotation in a synthetic block.
Span = tuple[str, int, str, dict[str, object]]


class Writer:
    """Appends JSONL records to the corpus and annotation files, in reading order."""

    def __init__(self, corpus: Path, annotations: Path) -> None:
        annotations.mkdir(parents=True, exist_ok=True)
        self.corpus = corpus
        self.files = {layer: (annotations / f"{layer}.jsonl").open("w", encoding="utf-8")
                      for layer in ("entities", "dates", "claims")}
        self.counters = Counter[str]()

    def annotate(self, layer: str, block: str, start: int, text: str, **attrs: object) -> None:
        self.counters[layer] += 1
        record = {"id": f"{layer[0]}-{self.counters[layer]:07d}", "paragraph": block, "start": start,
                  "end": start + len(text), "text": text, **attrs}
        self.files[layer].write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def generate(out: Path, *, blocks: int, seed: int = 13) -> dict[str, int]:
    """Write ``out/corpus`` and ``out/annotations`` with about ``blocks`` blocks; return the counts."""
    template = load_corpus()
    rng = random.Random(seed)
    vocabulary = sorted({w for w in re.findall(r"\b[a-z]{2,}\b", " ".join(b.text for b in template)) if w != "s"})
    owners: dict[str, set[str]] = {}
    for entity in template.registry.values():
        for alias in entity.aliases:
            owners.setdefault(alias, set()).add(entity.id)
    usable = {a: next(iter(ids)) for a, ids in owners.items() if len(ids) == 1 and not re.search(r"\d", a)}
    registry = [e for e in template.registry.values() if any(usable.get(a) == e.id for a in e.aliases)]
    aliases = [a for e in registry for a in e.aliases if usable.get(a) == e.id]
    label = {e.id: e.label for e in registry}
    reserved = {w.lower() for a in aliases for w in a.split()}
    words = [w for w in vocabulary if w not in reserved]
    counts = {b.id: Counter(a.layer for a in template.annotations(paragraph=b.id)) for b in template}
    markers = {b.id: len(find_markers(b)) for b in template if b.kind != "footnote"}
    per_part = Counter(template[b].part for b, n in markers.items() for _ in range(n))

    corpus_dir = out / "corpus"
    writer = Writer(corpus_dir, out / "annotations")
    n_docs = max(1, round(blocks / len(template)))
    total = 0
    cycle = 0
    for d in range(n_docs):
        doc = f"syn{d:05d}"
        folder = corpus_dir / doc
        folder.mkdir(parents=True, exist_ok=True)
        source_parts: list[str] = []
        offset = 0
        number = Counter[int]()
        bodies = Counter[int]()
        records: list[dict[str, object]] = []
        for b in template:
            if b.kind == "footnote":
                if bodies[b.part or 0] >= per_part[b.part]:
                    continue
                bodies[b.part or 0] += 1
            if b.kind in PROSE:
                text, spans = _block_text(b, rng, words, aliases, counts[b.id], markers.get(b.id, 0),
                                          number, bodies, cycle)
                cycle += counts[b.id]["entities"]
            else:  # headings, datelines and the like as the essay has them, so that the source segments alike
                text, spans = b.text, _copied(template, b, usable)
            block_id = b.id.replace("pwc.", f"{doc}.", 1)
            if b.kind == "footnote":  # numbered afresh: its id follows its number, as ingest names it
                block_id = re.sub(r"\.fn\d+$", f".fn{bodies[b.part or 0]}", block_id)
            record: dict[str, object] = {"id": block_id, "doc": doc, "kind": b.kind, "part": b.part,
                                         "section": b.section, "text": text, "source_start": offset,
                                         "source_end": offset + len(text)}
            if b.number is not None:
                record["number"] = bodies[b.part or 0] if b.kind == "footnote" else b.number
            records.append(record)
            source_parts.append(text)
            offset += len(text) + 2
            for layer, start, span, attrs in spans:
                fields = ({"label": label[usable[span]], "entity": usable[span], "mention": "NAM"}
                          if layer == "entities" and not attrs else attrs)
                if layer == "claims" and "about" in fields:  # every entity inside the claim (rule A1)
                    names = cast(list[str], fields["about"])
                    fields = {**fields, "about": list(dict.fromkeys(usable.get(n, n) for n in names))}
                writer.annotate(layer, block_id, start, span, **fields)
            total += 1
        source = "\n\n".join(source_parts) + "\n"
        (folder / f"{doc}.txt").write_text(source, encoding="utf-8")
        with (folder / "blocks.jsonl").open("w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        document = {"format_version": FORMAT_VERSION, "id": doc, "title": records[0]["text"], "author": None,
                    "dates": [], "source": f"{doc}.txt",
                    "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(), "length": len(source),
                    "excluded": [], "artefacts": [], "retired": []}
        (folder / "document.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    writer.close()
    annotations = out / "annotations"
    with (annotations / "registry.jsonl").open("w", encoding="utf-8") as f:
        for e in registry:
            f.write(json.dumps({"id": e.id, "label": e.label, "name": e.name,
                                "aliases": [a for a in e.aliases if usable.get(a) == e.id],
                                "description": e.description, "footnotes": []}, ensure_ascii=False) + "\n")
    shipped = template.annotations_dir
    (annotations / "schema.json").write_text((shipped / "schema.json").read_text(encoding="utf-8"), encoding="utf-8")
    return {"documents": n_docs, "blocks": total, **writer.counters}


PROSE = ("paragraph", "list_item", "footnote")


def _copied(template: Corpus, block: Block, usable: dict[str, str]) -> list[Span]:
    """The essay's own entities and dates of a block copied verbatim (those the synthetic registry can carry)."""
    spans: list[Span] = []
    for a in template.annotations(paragraph=block.id):
        if a.layer == "dates":
            spans.append(("dates", a.start, a.text, {"label": a.label, **a.attrs}))
        elif a.layer == "entities" and usable.get(a.text) == a.attrs["entity"]:
            spans.append(("entities", a.start, a.text, {"label": a.label, **a.attrs}))
    return spans


def _sentence(rng: random.Random, words: list[str], n: int) -> list[str]:
    sentence = [rng.choice(words) for _ in range(n)]
    sentence[0] = sentence[0].capitalize()
    return sentence


def _block_text(block: Block, rng: random.Random, words: list[str], aliases: list[str], counts: Counter[str],
                n_markers: int, number: Counter[int], bodies: Counter[int], cycle: int) -> tuple[str, list[Span]]:
    """The block's text and its spans: (layer, start, text, attributes)."""
    length = max(8, int(len(block.text) * rng.uniform(0.8, 1.2)))
    if block.kind == "footnote":
        prefix = f"[{bodies[block.part or 0]}] "
    elif block.kind == "list_item":
        prefix = f"{block.number}. "
    else:
        prefix = ""
    sentences: list[list[str]] = []
    size = len(prefix)
    while size < length or not sentences:
        n = rng.randint(8, 28) if block.kind in ("paragraph", "list_item", "footnote") else rng.randint(2, 8)
        sentences.append(_sentence(rng, words, n))
        size += sum(len(w) + 1 for w in sentences[-1]) + 1
    prose = block.kind in ("paragraph", "list_item", "footnote")
    n_claims = min(counts["claims"], len(sentences) - (1 if n_markers else 0)) if prose else 0
    claims = set(rng.sample(range(len(sentences)), n_claims))
    if n_markers and len(claims) == len(sentences):
        sentences.append(_sentence(rng, words, 10))
    marker_home = [i for i in range(len(sentences)) if i not in claims]
    # Entities and dates replace words at random places; markers follow entities in non-claim sentences.
    slots = [(i, j) for i, s in enumerate(sentences) for j in range(len(s))]
    rng.shuffle(slots)
    entity_slots = slots[:counts["entities"]]
    date_slots = slots[counts["entities"]:counts["entities"] + counts["dates"]]
    marked: set[tuple[int, int]] = set()
    for k in range(n_markers):
        home = marker_home[k % len(marker_home)]
        candidates = [s for s in entity_slots if s[0] == home and s not in marked]
        if not candidates:
            free = [(home, j) for j in range(len(sentences[home])) if (home, j) not in marked]
            candidates = [rng.choice(free)]
            if candidates[0] in date_slots:
                date_slots.remove(candidates[0])
            if candidates[0] not in entity_slots:
                entity_slots.append(candidates[0])
        marked.add(candidates[0])
    entity_of = {slot: aliases[(cycle + k) % len(aliases)] for k, slot in enumerate(entity_slots)}
    text = prefix
    spans: list[Span] = []
    for i, sentence in enumerate(sentences):
        start_sentence = len(text)
        inner: list[str] = []
        for j, word in enumerate(sentence):
            if j:
                text += " "
            if (i, j) in entity_of:
                spans.append(("entities", len(text), entity_of[(i, j)], {}))
                inner.append(entity_of[(i, j)])
                text += entity_of[(i, j)]
                if (i, j) in marked:
                    number[block.part or 0] += 1
                    text += f"[{number[block.part or 0]}]"
            elif (i, j) in date_slots:
                year = str(rng.randint(1900, 2024))
                spans.append(("dates", len(text), year, {"label": "DATE", "value": year, "mod": None}))
                text += year
            else:
                text += word
        if i in claims:
            claim = text[start_sentence:]
            spans.append(("claims", start_sentence, claim, {
                "label": "CLAIM", "type": rng.choice(["evaluation", "diagnosis", "proposal", "fact"]),
                "holder": ["author"], "about": inner}))  # names, made registry ids when written
        text += ". " if i + 1 < len(sentences) else "."
    spans.sort(key=lambda s: (s[1], -len(s[2])))
    return text, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, blocks=args.blocks, seed=args.seed)))


if __name__ == "__main__":
    main()
