"""Corpus-wide consistency: strings annotated differently, names left unannotated.

Inspired by variation n-grams (nessie): the same string should get the same
analysis everywhere, unless the schema declares it ambiguous, and every
occurrence of an annotated name should be annotated, unless
``annotations/exceptions.jsonl`` lists it with a reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..jsonl import BadLine, iter_lines
from ..models import Block, RegistryEntity
from .findings import Finding, finding
from .records import Located

EXCEPTION_FIELDS = ("paragraph", "start", "end", "text", "reason")


def check_variation(located: Iterable[Located], ambiguous: frozenset[str]) -> Iterator[Finding]:
    """The same surface string with different labels, entity ids or date values."""
    groups: dict[tuple[str, str], list[Located]] = defaultdict(list)
    for item in located:
        if item.annotation.layer in ("entities", "dates"):
            # Case-folded: a sentence-initial "The Iranian party" is the same string.
            groups[(item.annotation.layer, item.annotation.text.casefold())].append(item)
    ambiguous = frozenset(a.casefold() for a in ambiguous)
    for (layer, text), items in groups.items():
        analyses = {_analysis(i) for i in items}
        if len(analyses) < 2:
            continue
        first = items[0]
        places = "; ".join(f"{i.annotation.paragraph}:{i.annotation.start} {_analysis(i)}" for i in items)
        code = "I701" if text in ambiguous else "W701"
        yield finding(code, f"{layer} {first.annotation.text!r} is annotated {len(analyses)} ways: {places}",
                      file=first.file, line=first.line, id=first.annotation.id)


def _analysis(item: Located) -> str:
    a = item.annotation
    detail = a.attrs.get("entity") if a.layer == "entities" else a.attrs.get("value")
    return f"{a.label}/{detail}"


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


def check_unannotated(blocks: dict[str, Block], where: dict[str, tuple[Path, int]],
                      registry: dict[str, RegistryEntity], located: list[Located],
                      exceptions: dict[tuple[str, int, int], str]) -> Iterator[Finding]:
    """Occurrences of registry aliases and annotated names that no entity or date span covers."""
    names = {alias for entity in registry.values() for alias in entity.aliases}
    names |= {i.annotation.text for i in located
              if i.annotation.layer == "entities" and i.annotation.attrs.get("mention") == "NAM"}
    names = {n for n in names if n.strip()}
    if not names:
        return
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")(?!\w)")
    covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item in located:
        if item.annotation.layer in ("entities", "dates"):
            covered[item.annotation.paragraph].append((item.annotation.start, item.annotation.end))
    for block in blocks.values():
        spans = covered.get(block.id, [])
        for m in pattern.finditer(block.text):
            if any(s <= m.start() and m.end() <= e for s, e in spans):
                continue
            path, line = where[block.id]
            reason = exceptions.get((block.id, m.start(), m.end()))
            if reason is not None:
                yield finding("I702", f"{m.group()!r} at {m.start()}:{m.end()} left unannotated: {reason}",
                              file=path, line=line, id=block.id)
            else:
                yield finding("W702", f"{m.group()!r} at {m.start()}:{m.end()} is not annotated",
                              file=path, line=line, id=block.id)
