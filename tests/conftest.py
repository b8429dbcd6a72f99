"""Shared fixtures: the real shipped data, small excerpts of the essay, and a CLI runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ANNOTATIONS = ROOT / "annotations"
SOURCE = CORPUS / "pwc" / "prospects-of-worker-communism.txt"

# A small real excerpt laid out like the essay: title, byline, dateline, two
# parts with their own footnotes, a separator and web residue.
EXCERPT = """Prospects of Worker Communism

Rezgar Akrawi
2025 / 7 / 3

Worker Communism, Hikmatism – Where To? Part One

Originally published in Arabic – 29 June 2012

Introduction
The Iranian Communist Party[2] had a significant influence. Worker-Communist organizations became very active.[1]
1. He split from the Iranian Communist Party.

Footnotes
[1] Communist Current Organization: Founded in the 1980s in Iraqi Kurdistan.
[2] Iranian Communist Party: Not to be confused with the Tudeh Party.

*********************************

Prospects of Worker Communism in Iraq – Part Two
Published in Arabic on 1 July 2013

The Worker-Communist Party of Iran[2] introduced the "A Better World" program in 1994 as the party s program.
12. ......

Footnotes:
[1] The Worker-Communist current consists of a group of Marxist parties.
[2] Worker-Communist Party of Iran: Founded in 1992 by Mansoor Hekmat.

Add comment
Rate the article
\u00a0 \u00a0 \u00a0
Result : 100% Participated in the vote : 2"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run the real entry point (``python -m toolkit``) in a subprocess."""
    proc = subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=600)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def data_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the shipped corpus and annotations."""
    corpus = tmp_path / "corpus"
    annotations = tmp_path / "annotations"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(ANNOTATIONS, annotations, ignore=shutil.ignore_patterns("passes"))
    return corpus, annotations


@pytest.fixture
def excerpt_file(tmp_path: Path) -> Path:
    path = tmp_path / "excerpt.txt"
    path.write_text(EXCERPT, encoding="utf-8")
    return path
