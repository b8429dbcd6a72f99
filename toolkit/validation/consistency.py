"""Corpus-wide consistency: strings annotated differently, names left unannotated.

Inspired by variation n-grams (nessie): the same string should get the same
analysis everywhere, unless the schema declares it ambiguous, and every
occurrence of an annotated name should be annotated, unless
``annotations/exceptions.jsonl`` lists it with a reason. A first pass over
the layer files gathers what these checks need, in memory that grows with
the number of distinct names, not with the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..jsonl import BadLine, iter_lines
from ..models import Block, RegistryEntity
from .findings import Finding, finding
from .records import Ids, Located

EXCEPTION_FIELDS = ("paragraph", "start", "end", "text", "reason")
PLACES_SHOWN = 20


@dataclass
class Survey:
    """What the first pass over the layer files learnt."""

    names: set[str] = field(default_factory=set)
    mentions: Counter[str] = field(default_factory=Counter)
    # (layer, casefolded text) -> analysis -> places "block:start"; plus the first record seen.
    analyses: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    first: dict[tuple[str, str], tuple[Path, int, str, str]] = field(default_factory=dict)


def survey(paths: dict[str, Path], ids: Ids) -> Survey:
    """Read every layer file once: ids, annotated names, entity mention counts, analyses per string."""
    result = Survey()
    for layer, path in paths.items():
        for line, record in iter_lines(path):
            if isinstance(record, BadLine):
                continue
            rid, text, label = record.get("id"), record.get("text"), record.get("label")
            if isinstance(rid, str):
                ids.mark(rid)
            if not isinstance(text, str) or not isinstance(label, str) or layer not in ("entities", "dates"):
                continue
            detail = record.get("entity") if layer == "entities" else record.get("value")
            if layer == "entities":
                result.mentions[str(detail)] += 1
                if record.get("mention") == "NAM" and text.strip():
                    result.names.add(text)
            key = (layer, text.casefold())  # a sentence-initial "The Iranian party" is the same string
            places = result.analyses.setdefault(key, {}).setdefault(f"{label}/{detail}", [])
            if len(places) < PLACES_SHOWN:
                places.append(f"{record.get('paragraph')}:{record.get('start')}")
            result.first.setdefault(key, (path, line, str(rid), text))
    return result


def check_variation(found: Survey, ambiguous: frozenset[str]) -> Iterator[Finding]:
    """The same surface string with different labels, entity ids or date values."""
    ambiguous = frozenset(a.casefold() for a in ambiguous)
    for key, analyses in found.analyses.items():
        if len(analyses) < 2:
            continue
        layer, text = key
        path, line, rid, shown = found.first[key]
        places = "; ".join(f"{place} {analysis}" for analysis, where in analyses.items() for place in where)
        yield finding("I701" if text in ambiguous else "W701",
                      f"{layer} {shown!r} is annotated {len(analyses)} ways: {places}", file=path, line=line, id=rid)


def read_exceptions(path: Path) -> tuple[dict[tuple[str, int, int], str], list[Finding]]:
    """Deliberately unannotated occurrences: (block, start, end) -> reason."""
    exceptions: dict[tuple[str, int, int], str] = {}
    problems: list[Finding] = []
    if not path.exists():
        return exceptions, problems
    for line, record in iter_lines(path):
        if isinstance(record, BadLine):
            problems.append(finding("E100", record.message, file=path, line=line))
        elif any(k not in record for k in EXCEPTION_FIELDS):
            missing = [k for k in EXCEPTION_FIELDS if k not in record]
            problems.append(finding("E101", f"missing fields {missing}", file=path, line=line))
        else:
            exceptions[(record["paragraph"], record["start"], record["end"])] = record["reason"]
    return exceptions, problems


def name_pattern(registry: Iterable[RegistryEntity], found: Survey) -> re.Pattern[str] | None:
    """One regex for every registry alias and annotated name, longest first."""
    names = {alias for entity in registry for alias in entity.aliases if alias.strip()} | found.names
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def check_unannotated(block: Block, path: Path, line: int, pattern: re.Pattern[str] | None,
                      located: list[Located], exceptions: dict[tuple[str, int, int], str]) -> Iterator[Finding]:
    """Occurrences of registry aliases and annotated names in a block that no entity or date span covers."""
    if pattern is None:
        return
    spans = [(i.annotation.start, i.annotation.end) for i in located if i.annotation.layer in ("entities", "dates")]
    for m in pattern.finditer(block.text):
        if any(s <= m.start() and m.end() <= e for s, e in spans):
            continue
        reason = exceptions.get((block.id, m.start(), m.end()))
        if reason is not None:
            yield finding("I702", f"{m.group()!r} at {m.start()}:{m.end()} left unannotated: {reason}",
                          file=path, line=line, id=block.id)
        else:
            yield finding("W702", f"{m.group()!r} at {m.start()}:{m.end()} is not annotated",
                          file=path, line=line, id=block.id)
