"""``validate``: check a corpus and its annotations, and return every finding as data.

Nothing here prints, exits or writes: the CLI decides how to show findings
and which exit status they mean. The per-record and per-block checks
(:mod:`.records`, :mod:`.spans`) are also run by every loader, which refuses
the first error; :mod:`.run` walks the whole corpus and adds the checks
across records (:mod:`.consistency`, :mod:`.corpus_checks`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language

from .findings import Finding

__all__ = ["Finding", "validate"]


def validate(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
             nlp: Language | None = None, n_process: int = 1, engine: str = "processes", client: Any = None,
             scheduler: str | None = None) -> list[Finding]:
    """Every problem of the corpus and its annotations, sorted by file and line.

    Raises ToolkitError only when the inputs cannot be read at all (no
    corpus, no schema); problems inside files are findings. With
    ``n_process > 1`` or ``engine="dask"`` (``client``, ``scheduler``: see
    :mod:`toolkit.cluster`) the documents are checked in workers; the
    findings are the same.

    >>> [f for f in validate() if f.severity == "error"]
    []
    """
    from .run import run

    return run(corpus_dir=corpus_dir, annotations_dir=annotations_dir, nlp=nlp, n_process=n_process,
               engine=engine, client=client, scheduler=scheduler)
