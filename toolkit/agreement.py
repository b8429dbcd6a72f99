"""Inter-annotator agreement between two annotation folders, span by span.

Precision, recall and F1 of pass B against pass A per layer, on exact spans
(same block, offsets and label) and on overlapping spans (same block and
label, offsets overlapping); plus, for exactly matched spans, how often the
layer's key attribute agrees (entity id, date value, claim type and holder).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .models import Annotation
from .stream import read_layer

KEY_ATTRIBUTES = {"entities": ("entity", "mention"), "dates": ("value", "mod"), "claims": ("type", "holder")}


def _prf(tp_p: int, n_b: int, tp_r: int, n_a: int) -> dict[str, float]:
    p = tp_p / n_b if n_b else 1.0
    r = tp_r / n_a if n_a else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def compare_layer(a: Iterable[Annotation], b: Iterable[Annotation], layer: str) -> dict[str, Any]:
    """Agreement of ``b`` with ``a`` on one layer.

    >>> x = Annotation("dates", "d1", "p", 0, 4, "1992", "DATE", {"value": "1992"})
    >>> y = Annotation("dates", "d9", "p", 0, 4, "1992", "DATE", {"value": "1993"})
    >>> r = compare_layer([x], [y], "dates")
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

    attributes = {}
    for name in KEY_ATTRIBUTES.get(layer, ()):
        same = sum(a_keys[k].attrs.get(name) == b_keys[k].attrs.get(name) for k in both)
        attributes[name] = round(same / len(both), 3) if both else 1.0
    return {
        "layer": layer, "a": len(a), "b": len(b), "matched": len(both),
        "exact": _prf(len(both), len(b), len(both), len(a)),
        "overlap": _prf(sum(overlaps(s, a) for s in b), len(b), sum(overlaps(s, b) for s in a), len(a)),
        "attributes": attributes,
    }


def agreement(a_dir: str | Path, b_dir: str | Path, *, layers: Iterable[str] = Annotation.LAYERS) -> list[dict[str, Any]]:
    """One agreement record per layer present in both folders."""
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    return [compare_layer(read_layer(a_dir, layer), read_layer(b_dir, layer), layer) for layer in layers
            if (a_dir / f"{layer}.jsonl").exists() and (b_dir / f"{layer}.jsonl").exists()]
