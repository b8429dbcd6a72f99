"""Inter-annotator agreement between two annotation folders, reported the way the field reports it.

Per layer, and per label within it, pass B against pass A:

- precision, recall and F1 on exact spans (same block, offsets and label)
  and on overlapping spans (same block and label, offsets overlapping);
- Cohen's κ for every categorical attribute on exactly matched spans, and
  for the label on spans with the same offsets (layer rows);
- Krippendorff's α for the spans themselves, at token level: each token's
  value is the set of labels of the layer's spans that cover it ("O" when
  none; per label: covered or not), computed by the ``krippendorff``
  package (the ``agreement`` extra; without it α is null, and the command
  says how to install it);
- set agreement for list attributes (Jaccard and MASI) on exact matches;
- linking accuracy for the attribute that links to the registry, on exact
  matches and on overlapping pairs (each B span paired with the A span of
  its label it overlaps most, one to one);
- the share of exact matches whose attribute agrees (``attributes``), as before;
- 95% bootstrap confidence intervals for all of these, resampling blocks
  with replacement (``bootstrap`` resamples, seeded).

A κ or α whose expected disagreement is nil (both passes gave one value
throughout) is undefined and reported as null.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import load_checks
from .errors import ToolkitError
from .join import iter_parts
from .layout import Layout
from .models import Annotation, Block
from .schema import LayerSchema

TOKEN = re.compile(r"\w+|[^\w\s]")
MISSING = "Krippendorff's α needs the krippendorff package: pip install 'standoff-toolkit[agreement]'"


@dataclass
class _Block:
    """One block's spans of one layer (or label) in both passes, what pairs up, and its tokens' values.

    Computed once, so that a bootstrap resample only adds blocks up.
    """

    a: list[Annotation]
    b: list[Annotation]
    tokens: Counter[tuple[str, str]] = field(default_factory=Counter)  # how many tokens have (value in A, in B)
    exact: list[tuple[Annotation, Annotation]] = field(default_factory=list)
    overlapping: list[tuple[Annotation, Annotation]] = field(default_factory=list)
    overlap_p: int = 0  # B spans that overlap an A span of their label
    overlap_r: int = 0  # and the other way round
    labels: list[tuple[str, str]] = field(default_factory=list)  # the labels of A and B spans with the same offsets

    def pair(self) -> None:
        """Exact pairs, and overlapping pairs (each B span with the same-label A span it overlaps most, one to one)."""
        a_keys = {_key(s): s for s in self.a}
        self.exact = [(a_keys[_key(s)], s) for s in self.b if _key(s) in a_keys]
        free = list(self.a)
        for s in sorted(self.b, key=lambda s: (s.start, -s.end)):
            best = max(free, key=lambda o: min(o.end, s.end) - max(o.start, s.start), default=None)
            if best is not None and best.label == s.label and best.start < s.end and s.start < best.end:
                self.overlapping.append((best, s))
                free.remove(best)
        self.overlap_p = sum(_overlaps(s, self.a) for s in self.b)
        self.overlap_r = sum(_overlaps(s, self.b) for s in self.a)
        self.labels = [(x.label, y.label) for x in self.a for y in self.b if (x.start, x.end) == (y.start, y.end)]


def _prf(tp_p: int, n_b: int, tp_r: int, n_a: int) -> dict[str, float]:
    p = tp_p / n_b if n_b else 1.0
    r = tp_r / n_a if n_a else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def _key(s: Annotation) -> tuple[int, int, str]:
    return s.start, s.end, s.label


def _overlaps(s: Annotation, others: Iterable[Annotation]) -> bool:
    return any(o.label == s.label and o.start < s.end and s.start < o.end for o in others)


def cohen_kappa(pairs: Iterable[tuple[Any, Any]]) -> float | None:
    """Cohen's κ of two raters' values, or None if chance agreement is total.

    >>> cohen_kappa([("fact", "fact"), ("fact", "proposal"), ("proposal", "proposal"), ("fact", "fact")])
    0.5
    """
    pairs = list(pairs)
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    first, second = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(first[v] * second[v] for v in first) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def masi(x: frozenset[str], y: frozenset[str]) -> float:
    """Passonneau's MASI: Jaccard times monotonicity (1 same, 2/3 subset, 1/3 overlap, 0 disjoint).

    >>> masi(frozenset({"a", "b"}), frozenset({"a"}))
    0.3333333333333333
    """
    if x == y:
        return 1.0
    union = len(x | y)
    jaccard = len(x & y) / union if union else 1.0
    monotonicity = 2 / 3 if x <= y or y <= x else 1 / 3 if x & y else 0.0
    return jaccard * monotonicity


def _alpha(units: Sequence[_Block]) -> float | None:
    try:
        import krippendorff
        import numpy as np
    except ImportError:  # the agreement extra is not installed: everything else is still reported
        return None
    patterns: Counter[tuple[str, str]] = Counter()
    for unit in units:
        patterns.update(unit.tokens)
    values = sorted({v for pair in patterns for v in pair})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    rows = np.zeros((len(patterns), len(values)))  # each token a unit with one value from each pass
    for row, (x, y) in enumerate(patterns):
        rows[row, index[x]] += 1
        rows[row, index[y]] += 1
    counts = np.repeat(rows, list(patterns.values()), axis=0)
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def _measures(units: Sequence[_Block], spec: LayerSchema, *, layer_row: bool) -> dict[str, Any]:
    """Every figure of one row, from its blocks' spans and tokens."""
    a = sum(len(unit.a) for unit in units)
    b = sum(len(unit.b) for unit in units)
    exact = [pair for unit in units for pair in unit.exact]
    overlapping = [pair for unit in units for pair in unit.overlapping]
    overlap_p = sum(unit.overlap_p for unit in units)
    overlap_r = sum(unit.overlap_r for unit in units)
    kappa: dict[str, float | None] = {}
    if layer_row:
        kappa["label"] = cohen_kappa(pair for unit in units for pair in unit.labels)
    sets: dict[str, dict[str, float | None]] = {}
    attributes: dict[str, float] = {}
    for name, attribute in spec.attributes.items():
        values = [(x.attrs.get(name), y.attrs.get(name)) for x, y in exact]
        attributes[name] = sum(_value(x) == _value(y) for x, y in values) / len(values) if values else 1.0
        if attribute.is_list:
            as_sets = [(frozenset(map(str, x or [])), frozenset(map(str, y or []))) for x, y in values]
            sets[name] = {"jaccard": _mean(len(x & y) / len(x | y) if x | y else 1.0 for x, y in as_sets),
                          "masi": _mean(masi(x, y) for x, y in as_sets)}
        elif name != spec.link:
            kappa[name] = cohen_kappa((_value(x), _value(y)) for x, y in values)
    record: dict[str, Any] = {
        "a": a, "b": b, "matched": len(exact),
        "exact": _prf(len(exact), b, len(exact), a),
        "overlap": _prf(overlap_p, b, overlap_r, a),
        "kappa": kappa, "alpha": _alpha(units), "attributes": attributes,
    }
    if sets:
        record["sets"] = sets
    if spec.link is not None:
        link = spec.link
        record["linking"] = {
            "exact": _mean(x.attrs.get(link) == y.attrs.get(link) for x, y in exact),
            "overlap": _mean(x.attrs.get(link) == y.attrs.get(link) for x, y in overlapping)}
    return record


def _mean(values: Iterable[float | bool]) -> float | None:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else None


def _value(value: Any) -> Any:
    """A list attribute compared as a set of what it lists."""
    return frozenset(map(str, value)) if isinstance(value, list) else value


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The numeric figures of a record by dotted path (``exact.f1``, ``kappa.type``)."""
    out: dict[str, float] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= _flatten(value, path + ".")
        elif isinstance(value, float):
            out[path] = value
    return out


def _with_intervals(units: Sequence[_Block], measure: Callable[[Sequence[_Block]], dict[str, Any]],
                    bootstrap: int, seed: int) -> dict[str, Any]:
    """The row's figures, rounded, with a 95% percentile interval for each from ``bootstrap`` resamples."""
    record = measure(units)
    point = _flatten(record)
    draws: dict[str, list[float]] = {path: [] for path in point}
    rng = random.Random(seed)
    for _ in range(bootstrap if units else 0):
        sample = _flatten(measure([units[rng.randrange(len(units))] for _ in units]))
        for path, values in draws.items():
            if path in sample:
                values.append(sample[path])
    intervals = {}
    for path, values in draws.items():
        if values:
            values.sort()
            intervals[path] = [round(values[int(0.025 * (len(values) - 1))], 3),
                               round(values[int(0.975 * (len(values) - 1))], 3)]
    return {**_rounded(record), "ci": intervals}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, Mapping):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def compare_layer(a: Iterable[Annotation], b: Iterable[Annotation], spec: LayerSchema,
                  blocks: Mapping[str, Block] | None = None, *, bootstrap: int = 0,
                  seed: int = 0) -> list[dict[str, Any]]:
    """The agreement of ``b`` with ``a`` on one layer: its row, then one row per label either pass uses.

    ``blocks`` gives the texts tokens come from (without them α is not computed).

    >>> from toolkit.layout import Layout
    >>> spec = Layout.open().schema.layers["dates"]
    >>> x = Annotation("dates", "d1", "p", 0, 4, "1992", "DATE", {"value": "1992"})
    >>> y = Annotation("dates", "d9", "p", 0, 4, "1992", "DATE", {"value": "1993"})
    >>> row = compare_layer([x], [y], spec)[0]
    >>> row["exact"]["f1"], row["attributes"]["value"]
    (1.0, 0.0)
    """
    a, b = list(a), list(b)
    labels = [label for label in spec.labels if any(s.label == label for s in (*a, *b))]
    rows = []
    for label in (None, *labels):
        units = _units([s for s in a if label in (None, s.label)], [s for s in b if label in (None, s.label)],
                       blocks or {}, label)

        def measure(chosen: Sequence[_Block], *, layer_row: bool = label is None) -> dict[str, Any]:
            record = _measures(chosen, spec, layer_row=layer_row)
            if not blocks:
                record["alpha"] = None
            return record

        rows.append({"layer": spec.name, "label": label, **_with_intervals(units, measure, bootstrap, seed)})
    return rows


def _units(a: list[Annotation], b: list[Annotation], blocks: Mapping[str, Block], label: str | None
           ) -> list[_Block]:
    """One unit per block of the corpus (every block, annotated or not: tokens outside spans count for α)."""
    ids = list(blocks) or sorted({s.paragraph for s in (*a, *b)})
    by_block: dict[str, _Block] = {block_id: _Block([], []) for block_id in ids}
    for s in a:
        by_block.setdefault(s.paragraph, _Block([], [])).a.append(s)
    for s in b:
        by_block.setdefault(s.paragraph, _Block([], [])).b.append(s)
    for block_id, unit in by_block.items():
        unit.pair()
        block = blocks.get(block_id)
        if block is not None:
            unit.tokens = Counter((_covering(unit.a, m.start(), m.end(), label),
                                   _covering(unit.b, m.start(), m.end(), label)) for m in TOKEN.finditer(block.text))
    return list(by_block.values())


def _covering(spans: Iterable[Annotation], start: int, end: int, label: str | None) -> str:
    """A token's value for α: the labels of the spans covering it, "O" if none (per label: "1" or "0")."""
    found = sorted({s.label for s in spans if s.start <= start and end <= s.end})
    if label is not None:
        return "1" if found else "0"
    return "+".join(found) or "O"


def agree(a_dir: str | Path, b_dir: str | Path, *, corpus_dir: str | Path | None = None,
          layers: Iterable[str] | None = None, bootstrap: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    """Agreement rows: per layer that either folder has a file for, its row then its labels' rows.

    Both folders are annotations folders (``schema.json``, ``registry.jsonl``)
    of the same corpus (default: the shipped one); their records are checked
    as every reader checks them. The layers and their attributes are those
    of A's schema. A layer file missing on one side is an empty layer there;
    folders without any layer file are refused. Intervals come from
    ``bootstrap`` resamples of the blocks (0: none), seeded with ``seed``.
    """
    if bootstrap < 0:
        raise ToolkitError("bootstrap must be 0 or more")
    first = Layout.open(corpus_dir=corpus_dir, annotations_dir=a_dir)
    second = first.with_annotations(b_dir)
    chosen = [spec.name for spec in first.schema.chosen(layers)]
    blocks: dict[str, Block] = {}
    a, b = _read(first, chosen, blocks), _read(second, chosen, {})
    present = [name for name in chosen if first.layer_file(name).exists() or second.layer_file(name).exists()]
    if not present:
        files = ", ".join(first.schema.layers[n].file for n in chosen)
        raise ToolkitError(f"no layer files ({files}) in either folder",
                           file=f"{first.annotations_dir}, {second.annotations_dir}")
    return [row for name in present for row in compare_layer(
        a[name], b.get(name, []), first.schema.layers[name], blocks, bootstrap=bootstrap, seed=seed)]


def _read(layout: Layout, layers: list[str], blocks: dict[str, Block]) -> dict[str, list[Annotation]]:
    found: dict[str, list[Annotation]] = {name: [] for name in layers}
    known = [name for name in layers if name in layout.schema.layers]
    for part in iter_parts(layout, load_checks(layout), layers=known):
        for item in part:
            blocks[item.block.id] = item.block
            for name, in_layer in item.layers.items():
                found[name].extend(in_layer)
    return found
