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

from .errors import ToolkitError
from .models import Annotation
from .stream import iter_parts

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


def agree(a_dir: str | Path, b_dir: str | Path, *, corpus_dir: str | Path | None = None,
              layers: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One agreement record per layer that either folder has a file for.

    Both folders are annotations folders (``schema.json``, ``registry.jsonl``)
    of the same corpus (default: the shipped one); their records are checked
    as every reader checks them. A layer file missing on one side is an
    empty layer there; folders without any layer file are refused.
    """
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    a, b = _read(a_dir, corpus_dir, layers), _read(b_dir, corpus_dir, layers)
    present = [name for name in a if (a_dir / f"{name}.jsonl").exists() or (b_dir / f"{name}.jsonl").exists()]
    if not present:
        raise ToolkitError(f"no layer files ({', '.join(f'{name}.jsonl' for name in a)}) in either folder",
                           file=f"{a_dir}, {b_dir}")
    return [compare_layer(a[name], b.get(name, []), name) for name in present]


def _read(folder: Path, corpus_dir: str | Path | None, layers: Iterable[str] | None) -> dict[str, list[Annotation]]:
    found: dict[str, list[Annotation]] = {}
    for part in iter_parts(corpus_dir, folder, layers=layers):
        for item in part:
            for name, annotations in item.layers.items():
                found.setdefault(name, []).extend(annotations)
    return found
