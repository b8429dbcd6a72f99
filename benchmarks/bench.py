"""Benchmark the toolkit on synthetic corpora against spaCy's DocBin and a raw floor.

    python benchmarks/bench.py [--sizes 1000 10000 100000] [--reps 3] [--workdir DIR]

For every size it generates (once, cached in WORKDIR) a deterministic
synthetic corpus (see synthetic.py) and measures, in the same run:

- load:    blocks and all layers into spaCy Docs (toolkit.map_docs, one
           process, then two)
- docbin:  DocBin round trip of those Docs with their span groups
           (add + to_bytes, then from_bytes + get_docs)
- floor:   nlp.pipe of the same texts with the same pipeline, plus a raw
           srsly.read_jsonl pass over the same files
- validate, extract: the CLI end to end (`toolkit validate`,
           `toolkit extract --layer all`), with peak RSS
- extract floor: the floor plus writing the same records with srsly
- workers: load and extract with two worker processes
- cold start: `toolkit extract` on the shipped essay against
           `python -c "import spacy; spacy.blank('en')"`

With ``--revise`` it measures only `toolkit revise` with 1% of the blocks
edited against `toolkit validate` on the same corpus (WORKDIR/revise.json).

With ``--hostile`` it measures only hostile input instead: time and peak
RSS of `toolkit validate` on the shipped corpus, then on the same corpus
plus one annotation line whose text is 50 MB (``--hostile-mb``), written
to WORKDIR/hostile.json.

Each time is the median of REPS runs; results are ratios from the same run,
printed as a Markdown table (with the absolute seconds and MiB beside them)
and written to WORKDIR/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc, DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

from toolkit import make_nlp, map_docs, stream_docs


def token_count(doc: Doc) -> int:
    """What the load measurement does with each Doc (it runs where the Doc is built)."""
    return len(doc)


def median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(cmd: list[str], reps: int, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Median wall time and peak RSS (MiB) of a command and its worker processes (exit status in ``ok``).

    The peak is read from /proc (VmHWM) while the command runs: a forked
    child's ru_maxrss starts at its parent's, which would count this
    script's own memory.
    """
    times, peaks = [], []
    for _ in range(reps):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_hwm(proc.pid))
            time.sleep(0.02)
        times.append(time.perf_counter() - start)
        peaks.append(peak)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return statistics.median(times), max(peaks)


def _tree_hwm(pid: int) -> float:
    """Sum of the peak resident sizes (MiB) of a process and all its descendants, as far as /proc shows them.

    Descendants, not only children: a Dask worker is the child of a nanny process.
    """
    total = 0.0
    pids, seen = [pid], set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def time_docbin(corpus: Path, annotations: Path, nlp: Language, reps: int) -> float:
    """Median time of the DocBin round trip of the corpus's Docs (built once, untimed)."""
    docs = list(stream_docs(corpus_dir=corpus, annotations_dir=annotations, nlp=nlp))
    return median_time(lambda: docbin_round_trip(docs, nlp), reps)


def docbin_round_trip(docs: list[Doc], nlp: Language) -> None:
    """What a spaCy user would do instead: DocBin (with user data and span groups) to bytes and back."""
    db = DocBin(store_user_data=True)
    for doc in docs:
        db.add(doc)
    data = db.to_bytes()
    list(DocBin().from_bytes(data).get_docs(nlp.vocab))


def synthetic_corpus(workdir: Path, size: int) -> Path:
    """WORKDIR/synSIZE, generated unless it is there already, made by the current generator and schema.

    A stamp (the digest of synthetic.py and of the shipped schema) tells a
    cached corpus from one an older generator or format left behind.
    """
    import hashlib

    here = Path(__file__).resolve().parent
    stamp = hashlib.sha256((here / "synthetic.py").read_bytes()
                           + (here.parent / "annotations" / "schema.json").read_bytes()).hexdigest()
    data = workdir / f"syn{size}"
    if (data / ".generator").exists() and (data / ".generator").read_text() == stamp:
        return data
    if data.exists():
        shutil.rmtree(data)
    generate(data, blocks=size)
    (data / ".generator").write_text(stamp)
    return data


def files_of(corpus: Path, annotations: Path) -> list[Path]:
    return [*sorted(corpus.glob("*/blocks.jsonl")),
            *(annotations / f"{n}.jsonl" for n in ("entities", "dates", "claims", "registry"))]


def bench_size(size: int, workdir: Path, reps: int, docbin_reps: int) -> dict[str, float]:
    data = synthetic_corpus(workdir, size)
    corpus, annotations = data / "corpus", data / "annotations"
    toolkit = [sys.executable, "-m", "toolkit"]
    where = ["--corpus", str(corpus), "--annotations", str(annotations)]
    r: dict[str, float] = {"blocks": sum(1 for p in corpus.glob("*/blocks.jsonl") for _ in p.open())}

    nlp = make_nlp()
    r["load"] = median_time(lambda: sum(map_docs(token_count, corpus_dir=corpus, annotations_dir=annotations,
                                                 nlp=nlp)), reps)
    r["load_2"] = median_time(lambda: sum(map_docs(token_count, corpus_dir=corpus, annotations_dir=annotations,
                                                   nlp=nlp, n_process=2)), reps)

    r["docbin"] = time_docbin(corpus, annotations, nlp, docbin_reps)
    texts = [json.loads(line)["text"] for p in sorted(corpus.glob("*/blocks.jsonl")) for line in p.open()]
    r["tokenize"] = median_time(lambda: sum(1 for _ in nlp.pipe(texts, batch_size=256)), reps)
    r["read_jsonl"] = median_time(lambda: sum(1 for p in files_of(corpus, annotations) for _ in srsly.read_jsonl(p)),
                                  reps)
    r["floor"] = r["tokenize"] + r["read_jsonl"]

    validate = [*toolkit, "validate", "--format", "json", *where]
    r["validate"], r["validate_rss"] = run(validate, reps)
    r["validate_2"], r["validate_2_rss"] = run([*validate, "--workers", "2"], reps)
    r["validate_dask"], r["validate_dask_rss"] = run([*validate, "--engine", "dask", "--workers", "2"], reps)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.jsonl"
        r["extract"], r["extract_rss"] = run([*toolkit, "extract", "--layer", "all", "-q", "--out", str(out), *where],
                                             reps)
        r["extract_2"], r["extract_2_rss"] = run(
            [*toolkit, "extract", "--layer", "all", "-q", "--workers", "2", "--out", str(out), *where], reps)
        r["extract_dask"], r["extract_dask_rss"] = run(
            [*toolkit, "extract", "--layer", "all", "-q", "--engine", "dask", "--workers", "2", "--out", str(out),
             *where], reps)
        records = list(srsly.read_jsonl(out))
        r["write_jsonl"] = median_time(lambda: srsly.write_jsonl(Path(tmp) / "copy.jsonl", records), reps)
    r["extract_floor"] = r["floor"] + r["write_jsonl"]
    return r


COMMANDS = (("validate", "validate"), ("validate_2", "validate --workers 2"),
            ("validate_dask", "validate --engine dask --workers 2"), ("extract", "extract --layer all"),
            ("extract_2", "extract --layer all --workers 2"),
            ("extract_dask", "extract --layer all --engine dask --workers 2"))


def scaling_table(results: dict[str, dict[str, float]]) -> str:
    """Time and peak RSS of each command at each size, and the slope of time against blocks (1 = linear)."""
    import math

    sizes = list(results)
    head = "| command | " + " | ".join(f"{int(results[s]['blocks']):,} blocks" for s in sizes) + " | slope |"
    lines = [head, "| --- | " + " | ".join("---" for _ in sizes) + " | --- |"]
    for key, name in COMMANDS:
        if not all(key in results[s] for s in sizes):
            continue
        cells = " | ".join(f"{results[s][key]:.2f} s, {results[s][key + '_rss']:.0f} MiB" for s in sizes)
        slope = "-"
        if len(sizes) >= 2:
            a, b = results[sizes[-2]], results[sizes[-1]]
            slope = f"{math.log(b[key] / a[key]) / math.log(b['blocks'] / a['blocks']):.2f}"
        lines.append(f"| `toolkit {name}` | {cells} | {slope} |")
    return "\n".join(lines)


def million(workdir: Path, blocks: int) -> dict[str, float]:
    """`validate` and `extract` once on a simulated archive of ``blocks`` blocks, generated here, never kept."""
    data = synthetic_corpus(workdir, blocks)
    toolkit = [sys.executable, "-m", "toolkit"]
    where = ["--corpus", str(data / "corpus"), "--annotations", str(data / "annotations")]
    r: dict[str, float] = {"blocks": sum(1 for p in (data / "corpus").glob("*/blocks.jsonl") for _ in p.open())}
    r["validate"], r["validate_rss"] = run([*toolkit, "validate", "--format", "json", *where], 1)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        r["extract"], r["extract_rss"] = run(
            [*toolkit, "extract", "--layer", "all", "-q", "--out", str(Path(tmp) / "all.jsonl"), *where], 1)
    shutil.rmtree(data)
    return r


def cold_start(reps: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        toolkit, _ = run([sys.executable, "-m", "toolkit", "extract", "-q", "--out", f"{tmp}/x.jsonl"], reps)
    spacy_start, _ = run([sys.executable, "-c", "import spacy; spacy.blank('en')"], reps)
    return {"toolkit_extract": toolkit, "spacy_blank": spacy_start}


def table(results: dict[str, dict[str, float]], cold: dict[str, float]) -> str:
    sizes = list(results)
    rows = [  # measure, target, numerator, denominator: each row is the ratio of two figures of the run
        ("Docs: DocBin round trip / toolkit load", ">= 4", "docbin", "load"),
        ("Docs: toolkit load / floor (tokenize + read JSONL)", "<= 1.3", "load", "floor"),
        ("validate / load", "<= 1.5", "validate", "load"),
        ("extract --layer all / extract floor", "<= 1.3", "extract", "extract_floor"),
        ("load: 1 process / 2 processes", ">= 1.7", "load", "load_2"),
        ("extract: 1 process / 2 processes", ">= 1.7", "extract", "extract_2"),
        ("validate: 1 process / 2 processes", "-", "validate", "validate_2"),
        ("extract: 1 process / Dask LocalCluster, 2 workers", "-", "extract", "extract_dask"),
        ("validate: 1 process / Dask LocalCluster, 2 workers", "-", "validate", "validate_dask")]
    head = "| measure | target | " + " | ".join(f"{int(results[s]['blocks']):,} blocks" for s in sizes) + " |"
    lines = [head, "| --- | --- | " + " | ".join("---" for _ in sizes) + " |"]
    for name, target, top, bottom in rows:
        cells = " | ".join(f"**{results[s][top] / results[s][bottom]:.2f}** ({results[s][top]:.2f} s / "
                           f"{results[s][bottom]:.2f} s)" for s in sizes)
        lines.append(f"| {name} | {target} | {cells} |")
    for key in ("validate", "extract"):
        cells = " | ".join(f"{results[s][key + '_rss']:.0f} MiB" for s in sizes)
        lines.append(f"| {key} peak RSS | - | {cells} |")
    if len(sizes) >= 2:
        big, small = sizes[-1], sizes[-2]
        for key in ("validate", "extract"):
            growth = results[big][key + "_rss"] / results[small][key + "_rss"]
            lines.append(f"| {key} peak RSS, largest / next size | <= 1.25 | **{growth:.2f}** |"
                         + " |" * (len(sizes) - 1))
    cold_ratio = cold["toolkit_extract"] / cold["spacy_blank"]
    lines.append(f"| cold start: toolkit extract (essay) / spaCy blank start | <= 1.5 | **{cold_ratio:.2f}** "
                 f"({cold['toolkit_extract']:.2f} s / {cold['spacy_blank']:.2f} s) |" + " |" * (len(sizes) - 1))
    return "\n".join(lines)


ROOT = Path(__file__).resolve().parents[1]


def hostile(workdir: Path, reps: int, megabytes: float) -> dict[str, float]:
    """`toolkit validate` on the shipped corpus, then on it plus one annotation line with a huge text.

    The line is the last entity mention again, as a name (NAM) whose text is
    ``megabytes`` MB: validate reports its offsets (E104) and must not treat
    it as a name to search for, nor echo it in a message.
    """
    data = workdir / "hostile"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", data / "corpus")
    shutil.copytree(ROOT / "annotations", data / "annotations", ignore=shutil.ignore_patterns("passes"))
    validate = [sys.executable, "-m", "toolkit", "validate", "--format", "json",
                "--corpus", str(data / "corpus"), "--annotations", str(data / "annotations")]
    r: dict[str, float] = {"line_mb": megabytes}
    r["essay"], r["essay_rss"] = run(validate, reps)
    path = data / "annotations" / "entities.jsonl"
    *_, last_line = path.open(encoding="utf-8")
    last = json.loads(last_line)
    text = "Iraq " * int(megabytes * 1_000_000 / 5)
    line = json.dumps({**last, "id": "e-hostile", "mention": "NAM", "end": last["start"] + len(text), "text": text})
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    r["line_bytes"] = len(line)
    r["hostile"], r["hostile_rss"] = run(validate, reps, ok=(1,))  # exit 1: the E104 it reports
    check = subprocess.run(validate, capture_output=True, text=True)  # and not a traceback (exit 1 too)
    if '"E104"' not in check.stdout or "Traceback" in check.stderr:
        raise SystemExit(f"validate did not report the hostile line: {check.stderr[-2000:]}")
    shutil.rmtree(data)
    return r


def revision(size: int, workdir: Path, reps: int, share: float = 0.01) -> dict[str, float]:
    """`toolkit revise` with ``share`` of the blocks edited, against `toolkit validate` on the same corpus.

    The edited blocks are paragraphs drawn at random (seeded) across the
    documents; each gets a word inserted after its first word. Every
    document with an edit is revised, all in one run; each repetition starts
    from a fresh copy of the data (the copy is not timed).
    """
    data = synthetic_corpus(workdir, size)
    blocks = [json.loads(line) for p in sorted((data / "corpus").glob("*/blocks.jsonl")) for line in p.open()]
    paragraphs = [b for b in blocks if b["kind"] == "paragraph"]
    chosen = random.Random(5).sample(paragraphs, max(1, round(share * len(blocks))))
    edits: dict[str, list[int]] = {}
    for b in chosen:
        edits.setdefault(b["doc"], []).append(b["source_start"] + b["text"].index(" ") + 1)
    sources = workdir / f"revised{size}"
    shutil.rmtree(sources, ignore_errors=True)
    sources.mkdir()
    for doc, points in edits.items():
        text = (data / "corpus" / doc / f"{doc}.txt").read_text(encoding="utf-8")
        for at in sorted(points, reverse=True):
            text = text[:at] + "newly " + text[at:]
        (sources / f"{doc}.txt").write_text(text, encoding="utf-8")
    where = ["--corpus", str(data / "corpus"), "--annotations", str(data / "annotations")]
    r: dict[str, float] = {"blocks": len(blocks), "edited": len(chosen), "documents": len(edits)}
    r["validate"], r["validate_rss"] = run([sys.executable, "-m", "toolkit", "validate", "--format", "json", *where],
                                           reps)
    times, peaks = [], []
    for _ in range(reps):
        copy = workdir / f"copy{size}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(data, copy)
        t, peak = run([sys.executable, "-m", "toolkit", "revise", *map(str, sorted(sources.glob("*.txt"))),
                       "--corpus", str(copy / "corpus"), "--annotations", str(copy / "annotations"),
                       "--report", os.devnull], 1)
        times.append(t)
        peaks.append(peak)
    shutil.rmtree(workdir / f"copy{size}")
    r["revise"], r["revise_rss"] = statistics.median(times), max(peaks)
    return r


def revision_table(results: dict[str, dict[str, float]]) -> str:
    lines = ["| measure | target | " + " | ".join(f"{int(r['blocks']):,} blocks" for r in results.values()) + " |",
             "| --- | --- | " + " | ".join("---" for _ in results) + " |",
             "| revise (1% of blocks edited) / validate | <= 3 | " + " | ".join(
                 f"**{r['revise'] / r['validate']:.2f}** ({r['revise']:.2f} s / {r['validate']:.2f} s; "
                 f"{int(r['edited'])} blocks in {int(r['documents'])} documents)" for r in results.values()) + " |",
             "| revise peak RSS | - | " + " | ".join(f"{r['revise_rss']:.0f} MiB" for r in results.values()) + " |"]
    return "\n".join(lines)


def hostile_table(r: dict[str, float]) -> str:
    return "\n".join([
        f"| toolkit validate | shipped essay | essay + one {r['line_mb']:g} MB annotation line |",
        "| --- | --- | --- |",
        f"| time | {r['essay']:.2f} s | {r['hostile']:.2f} s |",
        f"| peak RSS | {r['essay_rss']:.0f} MiB | {r['hostile_rss']:.0f} MiB |"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--docbin-reps", type=int, help="repetitions of the (slow) DocBin round trip "
                        "(default: --reps)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "toolkit-bench")
    parser.add_argument("--hostile", action="store_true", help="measure only validate on hostile input")
    parser.add_argument("--hostile-mb", type=float, default=50, help="size of the hostile line (default: 50 MB)")
    parser.add_argument("--revise", action="store_true", help="measure only toolkit revise against validate")
    parser.add_argument("--million", type=int, nargs="?", const=1_000_000, metavar="BLOCKS",
                        help="measure only validate and extract once on a simulated archive (default 1,000,000 "
                        "blocks), generated in WORKDIR and removed afterwards")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.million:
        r = million(args.workdir, args.million)
        (args.workdir / "million.json").write_text(json.dumps(r, indent=2))
        print(json.dumps(r, indent=2))
        return
    if args.revise:
        revised = {str(size): revision(size, args.workdir, args.reps) for size in args.sizes}
        (args.workdir / "revise.json").write_text(json.dumps(revised, indent=2))
        print(f"Median of {args.reps} runs.\n")
        print(revision_table(revised))
        return
    if args.hostile:
        r = hostile(args.workdir, args.reps, args.hostile_mb)
        (args.workdir / "hostile.json").write_text(json.dumps(r, indent=2))
        print(f"Median of {args.reps} runs.\n")
        print(hostile_table(r))
        return
    results = {}
    for size in args.sizes:
        results[str(size)] = bench_size(size, args.workdir, args.reps, args.docbin_reps or args.reps)
        print(f"size {size}: {json.dumps({k: round(v, 3) for k, v in results[str(size)].items()})}", file=sys.stderr)
    cold = cold_start(max(args.reps, 5))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    (args.workdir / "results.json").write_text(json.dumps({"machine": machine, "sizes": results, "cold": cold},
                                                          indent=2))
    print(f"Machine: {machine}; median of {args.reps} runs (DocBin: {args.docbin_reps or args.reps}).\n")
    print(table(results, cold))
    print()
    print(scaling_table(results))


if __name__ == "__main__":
    main()
