"""``toolkit schema NAME``: print a JSON Schema shipped with the package."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import app


@app.command("schema")
def schema_command(
    name: Annotated[str, typer.Argument(help="entities, dates, claims, footnotes, findings or blocks.")],
) -> None:
    """Print the JSON Schema of the records a command writes."""
    from ..schemas import read_schema_text

    typer.echo(read_schema_text(name), nl=False)
