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
- set agreement for list attributes (Jaccard and MASI) on exact matches; a
  list of holders is also a category for κ (one holder, usually);
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

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
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
class _Unit:
    """One block's spans of one layer (or label) in both passes, what pairs up, and its tokens' values.

    Computed once, so that a bootstrap resample only adds units up.
    """

    a: list[Annotation]
    b: list[Annotation]
    tokens: Counter[tuple[str, str]] = field(default_factory=Counter)  # how many tokens have (value in A, in B)
    exact: list[tuple[Annotation, Annotation]] = field(default_factory=list)
    overlapping: list[tuple[Annotation, Annotation]] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # the labels of A and B spans with the same offsets

    def pair(self) -> None:
        """Exact pairs, and the most overlapping pairs one to one (a maximum matching; see :func:`_match`)."""
        a_keys = {_key(s): s for s in self.a}
        self.exact = [(a_keys[_key(s)], s) for s in self.b if _key(s) in a_keys]
        self.overlapping = _match(self.a, self.b)
        self.labels = [(x.label, y.label) for x in self.a for y in self.b if (x.start, x.end) == (y.start, y.end)]


def _match(a: list[Annotation], b: list[Annotation]) -> list[tuple[Annotation, Annotation]]:
    """As many (A, B) pairs of overlapping spans with the same label as can be made, each span in one pair.

    Kuhn's augmenting paths, each B span trying its candidates best first
    (the same offsets, then the larger overlap, then the nearer start), so
    that among maximum matchings the natural partners are chosen.

    >>> def s(i, start, end): return Annotation("l", i, "p", start, end, "x" * (end - start), "ORG")
    >>> [(x.id, y.id) for x, y in _match([s("a", 0, 10)], [s("b1", 0, 5), s("b2", 5, 10)])]
    [('a', 'b1')]
    """
    def preference(x: Annotation, y: Annotation) -> tuple[bool, int, int]:
        overlap = min(x.end, y.end) - max(x.start, y.start)
        return (x.start, x.end) != (y.start, y.end), -overlap, abs(x.start - y.start)

    candidates = {id(y): sorted((x for x in a if x.label == y.label and x.start < y.end and y.start < x.end),
                                key=lambda x: preference(x, y)) for y in b}
    partner: dict[int, Annotation] = {}  # id(A span) -> its B span

    def augment(y: Annotation, seen: set[int]) -> bool:
        for x in candidates[id(y)]:
            if id(x) in seen:
                continue
            seen.add(id(x))
            if id(x) not in partner or augment(partner[id(x)], seen):
                partner[id(x)] = y
                return True
        return False

    for y in sorted(b, key=lambda y: (y.start, -y.end)):
        augment(y, set())
    return [(x, partner[id(x)]) for x in a if id(x) in partner]


def _prf(matched: int, n_b: int, n_a: int) -> dict[str, float | None]:
    """Precision, recall and F1 of B against A; None where nothing was there to score."""
    p = matched / n_b if n_b else None
    r = matched / n_a if n_a else None
    f = None if p is None or r is None else 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def _key(s: Annotation) -> tuple[int, int, str]:
    return s.start, s.end, s.label


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


def _patterns(units: Sequence[_Unit]) -> Counter[tuple[str, str]]:
    patterns: Counter[tuple[str, str]] = Counter()
    for unit in units:
        patterns.update(unit.tokens)
    return patterns


def pooled_alpha(patterns: Mapping[tuple[str, str], int]) -> float | None:
    """Nominal α of two coders from how many tokens got each (A, B) pair of values, by its closed form.

    Each token is a unit with two values, so the coincidence matrix is the
    pairs counted both ways; α = 1 - D_o / D_e. The bootstrap uses this (a
    resample is a sum of counts); the reported α itself comes from the
    ``krippendorff`` package, and a test checks that the two agree.

    >>> pooled_alpha({("O", "O"): 4, ("GPE", "GPE"): 2, ("GPE", "O"): 1})
    0.7111111111111111
    """
    coincidences: Counter[tuple[str, str]] = Counter()
    for (x, y), n in patterns.items():
        coincidences[(x, y)] += n
        coincidences[(y, x)] += n
    totals: Counter[str] = Counter()
    for (x, _), n in coincidences.items():
        totals[x] += n
    n = sum(totals.values())
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1) if n > 1 else 0
    if not expected:
        return None
    observed = sum(count for (x, y), count in coincidences.items() if x != y)
    return 1 - observed / expected


def _alpha(units: Sequence[_Unit], *, resampled: bool = False) -> float | None:
    """α of the units' tokens: the ``krippendorff`` package's, or (``resampled``) the closed form's."""
    try:
        import krippendorff
        import numpy as np
    except ImportError:  # the agreement extra is not installed: everything else is still reported
        return None
    patterns = _patterns(units)
    if resampled:
        return pooled_alpha(patterns)
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


def _measures(units: Sequence[_Unit], spec: LayerSchema, *, layer_row: bool, resampled: bool = False
              ) -> dict[str, Any]:
    """Every figure of one row, from its blocks' spans and tokens (``resampled``: α by the closed form)."""
    a = sum(len(unit.a) for unit in units)
    b = sum(len(unit.b) for unit in units)
    exact = [pair for unit in units for pair in unit.exact]
    overlapping = [pair for unit in units for pair in unit.overlapping]
    kappa: dict[str, float | None] = {}
    if layer_row:
        kappa["label"] = cohen_kappa(pair for unit in units for pair in unit.labels)
    sets: dict[str, dict[str, float | None]] = {}
    attributes: dict[str, float | None] = {}
    for name, attribute in spec.attributes.items():
        values = [(x.attrs.get(name), y.attrs.get(name)) for x, y in exact]
        if attribute.is_list or any(isinstance(v, list) for pair in values for v in pair):
            # a single value from a folder whose schema had no list here counts as one item, either way round
            as_sets = [(_as_set(x), _as_set(y)) for x, y in values]
            sets[name] = {"jaccard": _mean(len(x & y) / len(x | y) if x | y else 1.0 for x, y in as_sets),
                          "masi": _mean(masi(x, y) for x, y in as_sets)}
            values = list(as_sets)
        attributes[name] = _mean(_value(x) == _value(y) for x, y in values)
        if attribute.is_category and name != spec.link:
            kappa[name] = cohen_kappa((_value(x), _value(y)) for x, y in values)
    record: dict[str, Any] = {
        "a": a, "b": b, "matched": len(exact),
        "exact": _prf(len(exact), b, a),
        "overlap": _prf(len(overlapping), b, a),
        "kappa": kappa, "alpha": _alpha(units, resampled=resampled), "attributes": attributes,
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
    """A list attribute compared as a set of what it lists; an object (of an undeclared attribute) as its JSON."""
    if isinstance(value, list):
        return frozenset(map(str, value))
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else value


def _as_set(value: Any) -> frozenset[str]:
    if isinstance(value, (list, frozenset)):
        return frozenset(map(str, value))
    return frozenset() if value is None else frozenset([str(value)])


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


def _with_intervals(units: Sequence[_Unit], measure: Callable[..., dict[str, Any]], bootstrap: int,
                    seed: int) -> dict[str, Any]:
    """The row's figures, rounded, with a 95% percentile interval for each from ``bootstrap`` resamples."""
    record = measure(units)
    point = _flatten(record)
    draws: dict[str, list[float]] = {path: [] for path in point}
    rng = random.Random(seed)
    for _ in range(bootstrap if units else 0):
        sample = _flatten(measure([units[rng.randrange(len(units))] for _ in units], resampled=True))
        for path, values in draws.items():
            if path in sample:
                values.append(sample[path])
    return {**_rounded(record), "ci": _intervals(draws, bootstrap)}


def _intervals(draws: Mapping[str, list[float]], resamples: int) -> dict[str, list[float]]:
    """The 2.5th and 97.5th percentiles of each figure's draws (linear interpolation, as numpy's default).

    A figure undefined in more than 5% of the resamples (a κ with one value
    throughout, say) gets no interval: the defined ones would overstate it.

    >>> _intervals({"f1": [float(i) for i in range(1001)]}, 1001)
    {'f1': [25.0, 975.0]}
    >>> _intervals({"kappa": [1.0] * 90}, 100)
    {}
    """
    import numpy as np

    return {path: [round(float(v), 3) for v in np.percentile(values, [2.5, 97.5])]
            for path, values in draws.items() if values and len(values) >= 0.95 * resamples}


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

        measure = partial(_measures, spec=spec, layer_row=label is None)
        rows.append({"layer": spec.name, "label": label, **_with_intervals(units, measure, bootstrap, seed)})
    return rows


def _units(a: list[Annotation], b: list[Annotation], blocks: Mapping[str, Block], label: str | None
           ) -> list[_Unit]:
    """One unit per block of the corpus (every block, annotated or not: tokens outside spans count for α)."""
    ids = list(blocks) or sorted({s.paragraph for s in (*a, *b)})
    by_block: dict[str, _Unit] = {block_id: _Unit([], []) for block_id in ids}
    for s in a:
        by_block.setdefault(s.paragraph, _Unit([], [])).a.append(s)
    for s in b:
        by_block.setdefault(s.paragraph, _Unit([], [])).b.append(s)
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
