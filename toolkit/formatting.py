"""``toolkit fmt``: rewrite the layer files and the registry in canonical form and reading order.

Like a code formatter: hand-edited and imported files go through it, and
``--check`` (CI) lists the files that are not in canonical form. It reads
every record of a layer at once (a layer out of order cannot be streamed),
checks it as every reader does, and writes nothing if any record is
refused. What canonical form is: :mod:`toolkit.writers`.
"""

from __future__ import annotations

from pathlib import Path

from .checks import load_checks
from .layout import Layout
from .models import ANNOTATION_FIELDS, Annotation
from .readers import checked_records, iter_blocks
from .writers import layer_lines, registry_lines, write_files


def fmt(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None,
        check: bool = False) -> list[Path]:
    """The files not in canonical form; rewritten unless ``check``.

    >>> fmt(check=True)  # the shipped annotations are in canonical form
    []
    """
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    checks = load_checks(layout)
    blocks = {block.id: block for block in iter_blocks(layout)}
    layers = {name: _read(path, name) for name, path in layout.layer_files().items()}
    contents = {layout.layer_file(name): lines for name, lines in layer_lines(layout, checks, blocks, layers).items()}
    contents[layout.registry_file] = registry_lines(layout, checks.registry.values())
    changed = {path: lines for path, lines in contents.items() if _text(lines) != path.read_bytes()}
    if changed and not check:
        write_files(layout, changed)
    return list(changed)


def _read(path: Path, layer: str) -> list[Annotation]:
    return [Annotation.from_dict(record, layer=layer) for _, record in checked_records(path, ANNOTATION_FIELDS)]


def _text(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")
