"""``toolkit schema NAME``: print the JSON Schema of the records a command writes."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import AnnotationsOpt, app


@app.command("schema")
def schema_command(
    name: Annotated[str, typer.Argument(help="A layer of schema.json (extract's records), footnotes, findings or "
                                             "blocks.")],
    annotations: AnnotationsOpt = None,
) -> None:
    """Print the JSON Schema of the records a command writes (a layer's: generated from schema.json)."""
    from ..json_schemas import json_schema
    from ..jsonl import dumps
    from ..layout import Layout

    typer.echo(dumps(json_schema(name, Layout.open(annotations_dir=annotations).schema), indent=2))
