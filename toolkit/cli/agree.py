"""``toolkit agree A B``: agreement between two annotation folders, per layer and per label."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ._app import CorpusOpt, app


@app.command("agree")
def agree_command(
    first: Annotated[Path, typer.Argument(help="Annotations folder of the first pass (the reference).")],
    second: Annotated[Path, typer.Argument(help="Annotations folder of the second pass.")],
    corpus: CorpusOpt = None,
    output: Annotated[str, typer.Option("--format", help="table (Markdown) or json (one record per line).")
                      ] = "table",
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Resamples of the blocks for the 95% "
                                           "confidence intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the resampling.")] = 0,
    layers: Annotated[list[str] | None, typer.Option(
        "--layer", help="Compare only this layer (repeatable; default: every layer either folder has).")] = None,
) -> None:
    """F1 (exact, overlap), Cohen's κ, Krippendorff's α, set agreement and linking accuracy of SECOND against
    FIRST, per layer and per label, with 95% bootstrap intervals (blocks resampled)."""
    import importlib.util
    import sys

    from ..agreement import MISSING, agree
    from ..display import printable
    from ..errors import ToolkitError
    from ..jsonl import dumps

    if output not in ("table", "json"):
        raise ToolkitError(f"--format is table or json, not {output!r}")
    if importlib.util.find_spec("krippendorff") is None:
        typer.echo(f"toolkit: warning: {MISSING}; α is left out", err=True)
    if bootstrap and sys.stderr.isatty():  # a person waiting, not a script reading stderr
        typer.echo(f"resampling the blocks {bootstrap} times for the 95% intervals (--bootstrap 0: none)", err=True)
    rows = agree(first, second, corpus_dir=corpus, layers=layers or None, bootstrap=bootstrap, seed=seed)
    if output == "json":
        for row in rows:
            typer.echo(dumps(row))
        return
    typer.echo(printable(table(rows)))


def _cell(row: dict[str, Any], path: str) -> str:
    value: Any = row
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return "-"
    interval = row.get("ci", {}).get(path)
    return f"{value:.3f} ({interval[0]:.3f}-{interval[1]:.3f})" if interval else f"{value:.3f}"


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table: one line per layer and label, intervals in brackets."""
    lines = ["| layer | label | A | B | exact F1 | overlap F1 | α (tokens) | κ | sets | linking (exact / overlap) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        kappa = "; ".join(f"{name} {_cell(row, 'kappa.' + name)}" for name in row["kappa"]) or "-"
        sets = "; ".join(f"{name} Jaccard {_cell(row, f'sets.{name}.jaccard')}, MASI {_cell(row, f'sets.{name}.masi')}"
                         for name in row.get("sets", {})) or "-"
        linking = (f"{_cell(row, 'linking.exact')} / {_cell(row, 'linking.overlap')}" if "linking" in row else "-")
        lines.append(f"| {row['layer']} | {row['label'] or 'all'} | {row['a']} | {row['b']} | "
                     f"{_cell(row, 'exact.f1')} | {_cell(row, 'overlap.f1')} | {_cell(row, 'alpha')} | {kappa} | "
                     f"{sets} | {linking} |")
    return "\n".join(lines)
