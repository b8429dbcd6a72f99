"""Inter-annotator agreement between two annotation folders, span by span.

Precision, recall and F1 of pass B against pass A per layer, on exact spans
(same block, offsets and label) and on overlapping spans (same block and
label, offsets overlapping); plus, for exactly matched spans, how often
each attribute the schema declares for the layer agrees (a list attribute
agrees when it names the same ids, in any order).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .checks import load_checks
from .errors import ToolkitError
from .join import iter_parts
from .layout import Layout
from .models import Annotation


def _prf(tp_p: int, n_b: int, tp_r: int, n_a: int) -> dict[str, float]:
    p = tp_p / n_b if n_b else 1.0
    r = tp_r / n_a if n_a else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def compare_layer(a: Iterable[Annotation], b: Iterable[Annotation], layer: str,
                  attributes: Iterable[str] = ()) -> dict[str, Any]:
    """Agreement of ``b`` with ``a`` on one layer, and on each of ``attributes`` of exactly matched spans.

    >>> x = Annotation("dates", "d1", "p", 0, 4, "1992", "DATE", {"value": "1992"})
    >>> y = Annotation("dates", "d9", "p", 0, 4, "1992", "DATE", {"value": "1993"})
    >>> r = compare_layer([x], [y], "dates", ["value"])
    >>> r["exact"]["f1"], r["attributes"]["value"]
    (1.0, 0.0)
    """
    a, b = list(a), list(b)
    def key(s: Annotation) -> tuple[str, int, int, str]:
        return (s.paragraph, s.start, s.end, s.label)

    a_keys = {key(s): s for s in a}
    b_keys = {key(s): s for s in b}
    both = a_keys.keys() & b_keys.keys()

    def overlaps(s: Annotation, others: list[Annotation]) -> bool:
        return any(o.paragraph == s.paragraph and o.label == s.label and o.start < s.end and s.start < o.end
                   for o in others)

    agreeing = {}
    for name in attributes:
        same = sum(_value(a_keys[k].attrs.get(name)) == _value(b_keys[k].attrs.get(name)) for k in both)
        agreeing[name] = round(same / len(both), 3) if both else 1.0
    return {
        "layer": layer, "a": len(a), "b": len(b), "matched": len(both),
        "exact": _prf(len(both), len(b), len(both), len(a)),
        "overlap": _prf(sum(overlaps(s, a) for s in b), len(b), sum(overlaps(s, b) for s in a), len(a)),
        "attributes": agreeing,
    }


def _value(value: Any) -> Any:
    """A list attribute compared as a set of what it lists."""
    return frozenset(map(str, value)) if isinstance(value, list) else value


def agree(a_dir: str | Path, b_dir: str | Path, *, corpus_dir: str | Path | None = None,
          layers: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One agreement record per layer that either folder has a file for.

    Both folders are annotations folders (``schema.json``, ``registry.jsonl``)
    of the same corpus (default: the shipped one); their records are checked
    as every reader checks them. The layers and their attributes are those
    of A's schema. A layer file missing on one side is an empty layer there;
    folders without any layer file are refused.
    """
    first = Layout.open(corpus_dir=corpus_dir, annotations_dir=a_dir)
    second = first.with_annotations(b_dir)
    chosen = [spec.name for spec in first.schema.chosen(layers)]
    a, b = _read(first, chosen), _read(second, chosen)
    present = [name for name in chosen if first.layer_file(name).exists() or second.layer_file(name).exists()]
    if not present:
        files = ", ".join(first.schema.layers[n].file for n in chosen)
        raise ToolkitError(f"no layer files ({files}) in either folder",
                           file=f"{first.annotations_dir}, {second.annotations_dir}")
    return [compare_layer(a[name], b.get(name, []), name, first.schema.layers[name].attributes) for name in present]


def _read(layout: Layout, layers: list[str]) -> dict[str, list[Annotation]]:
    found: dict[str, list[Annotation]] = {name: [] for name in layers}
    known = [name for name in layers if name in layout.schema.layers]
    for part in iter_parts(layout, load_checks(layout), layers=known):
        for item in part:
            for name, in_layer in item.layers.items():
                found[name].extend(in_layer)
    return found
