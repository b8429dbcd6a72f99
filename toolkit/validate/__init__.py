"""``validate``: check a corpus and its annotations, and return every finding as data.

Nothing here prints, exits or writes: the CLI decides how to show findings
and which exit status they mean.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from spacy.language import Language

from ..nlp import make_nlp
from ..paths import resolve_annotations_dir, resolve_corpus_dir
from ..models import RegistryEntity
from .consistency import check_unannotated, check_variation, read_exceptions
from .corpus_checks import BlockIndex, check_corpus
from .findings import Finding, finding
from .records import Located, Seen, check_layer, check_registry
from .schema import read_schema
from .spans import check_alignment, check_overlaps

__all__ = ["Finding", "validate"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def validate(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
             nlp: Language | None = None) -> list[Finding]:
    """Every problem of the corpus and its annotations, sorted by file and line.

    Raises ToolkitError only when the inputs cannot be read at all (no
    corpus, no schema); problems inside files are findings.

    >>> [f for f in validate() if f.severity == "error"]
    []
    """
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    schema = read_schema(adir)
    findings: list[Finding] = []
    index = BlockIndex()
    findings.extend(check_corpus(cdir, index))
    seen = Seen()
    registry: dict[str, RegistryEntity] = {}
    registry_path = adir / "registry.jsonl"
    if registry_path.exists():
        findings.extend(check_registry(registry_path, schema, index.blocks, seen, registry))
    located: list[Located] = []
    for name, layer in schema.layers.items():
        path = adir / f"{name}.jsonl"
        if not path.exists():
            continue
        in_layer: list[Located] = []
        findings.extend(check_layer(path, layer, index.blocks, seen, registry, in_layer))
        findings.extend(check_overlaps(layer, in_layer))
        located.extend(in_layer)
    findings.extend(check_alignment(make_nlp(nlp), index.blocks, located))
    mentioned = Counter(i.annotation.attrs.get("entity") for i in located if i.annotation.layer == "entities")
    for entity in registry.values():
        if not mentioned[entity.id]:
            file, line = seen.ids[entity.id]
            findings.append(finding("W504", f"{entity.id!r} ({entity.name}) has no mention",
                                    file=file, line=line, id=entity.id))
    findings.extend(check_variation(located, schema.ambiguous))
    exceptions, problems = read_exceptions(adir / "exceptions.jsonl")
    findings.extend(problems)
    findings.extend(check_unannotated(index.blocks, index.where, registry, located, exceptions))
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, SEVERITY_ORDER[f.severity], f.code))
