"""``toolkit agree A B``: span-level agreement between two annotation folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app


@app.command("agree")
def agree_command(
    first: Annotated[Path, typer.Argument(help="Folder of the first pass (the reference).")],
    second: Annotated[Path, typer.Argument(help="Folder of the second pass.")],
) -> None:
    """Precision, recall and F1 of SECOND against FIRST per layer, as JSONL."""
    from ..agreement import agreement
    from ..errors import ToolkitError
    from ..jsonl import dumps

    for folder in (first, second):
        if not folder.is_dir():
            raise ToolkitError("not a folder", file=folder)
    for record in agreement(first, second):
        typer.echo(dumps(record))
