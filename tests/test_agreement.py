"""``toolkit agree``: each figure against a hand count or the reference implementation, intervals, the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from toolkit.agreement import agree, cohen_kappa, compare_layer, masi
from toolkit.layout import Layout
from toolkit.models import Annotation, Block

from .conftest import ANNOTATIONS, run_cli

PASSES = ANNOTATIONS / "passes"
SCHEMA = Layout.open().schema


def test_cohen_kappa_matches_a_hand_count() -> None:
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: observed 0.7, expected 0.5 * 0.6 + 0.5 * 0.4 = 0.5, so 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("y", "y")] * 3) is None  # one value throughout: chance agreement is total
    assert cohen_kappa([]) is None


@pytest.mark.parametrize(("x", "y", "expected"), [
    ({"a"}, {"a"}, 1.0), ({"a", "b"}, {"a"}, 0.5 * 2 / 3), ({"a", "b"}, {"b", "c"}, 1 / 3 * 1 / 3),
    ({"a"}, {"b"}, 0.0), (set(), set(), 1.0)])
def test_masi(x: set[str], y: set[str], expected: float) -> None:
    assert masi(frozenset(x), frozenset(y)) == pytest.approx(expected)


def test_alpha_is_krippendorffs_on_the_token_values() -> None:
    """The token-level α equals the reference implementation's on the same tokens, coded by hand."""
    krippendorff = pytest.importorskip("krippendorff")
    text = "Iraq and Iran met in Baghdad ."
    block = Block("d.p1.para1", "d", "paragraph", 1, None, text, 0, len(text))
    spec = SCHEMA.layers["entities"]

    def gpe(start: int, end: int, i: str) -> Annotation:
        return Annotation("entities", i, block.id, start, end, text[start:end], "GPE",
                          {"entity": "x", "mention": "NAM"})

    a = [gpe(0, 4, "a1"), gpe(9, 13, "a2"), gpe(21, 28, "a3")]
    b = [gpe(0, 4, "b1"), gpe(21, 28, "b3")]
    row = compare_layer(a, b, spec, {block.id: block})[0]
    codes = {"GPE": 1, "O": 0}
    coded_a = [codes[v] for v in ("GPE", "O", "GPE", "O", "O", "GPE", "O")]
    coded_b = [codes[v] for v in ("GPE", "O", "O", "O", "O", "GPE", "O")]
    expected = krippendorff.alpha(reliability_data=[coded_a, coded_b], level_of_measurement="nominal")
    assert row["alpha"] == round(expected, 3)
    assert row["exact"]["recall"] == round(2 / 3, 3) and row["exact"]["precision"] == 1.0


def _span(i: str, start: int, end: int, label: str = "ORG", entity: str = "wcp-iraq", mention: str = "NAM"
          ) -> Annotation:
    attrs = {"entity": entity, "mention": mention}
    return Annotation("entities", i, "p", start, end, "x" * (end - start), label, attrs)


def test_overlap_is_one_to_one() -> None:
    """One A span split into two B halves: one pair, not two (precision 0.5, recall 1)."""
    row = compare_layer([_span("a", 0, 10)], [_span("b1", 0, 5), _span("b2", 5, 10)], SCHEMA.layers["entities"])[0]
    assert row["overlap"] == {"precision": 0.5, "recall": 1.0, "f1": round(2 / 3, 3)}


def test_overlap_pairs_partners_of_the_same_label_best_first() -> None:
    spec = SCHEMA.layers["entities"]
    # A GPE inside a PERSON span in A; B has only the GPE, a little wider: it pairs with the GPE.
    a = [_span("p", 0, 20, "PERSON", "x", "NOM"), _span("g", 14, 18, "GPE", "iraq")]
    row = compare_layer(a, [_span("g2", 13, 19, "GPE", "iraq")], spec)[0]
    assert row["overlap"]["precision"] == 1.0 and row["linking"]["overlap"] == 1.0
    # Two ORG spans nested in A; B has the inner one exactly: the exact partner wins over the outer one.
    a = [_span("outer", 0, 20, entity="faction", mention="NOM"), _span("inner", 5, 10)]
    row = compare_layer(a, [_span("b", 5, 10)], spec)[0]
    assert row["linking"] == {"exact": 1.0, "overlap": 1.0}


def test_nothing_to_score_is_not_perfect() -> None:
    row = compare_layer([_span("a", 0, 10)], [], SCHEMA.layers["entities"])[0]
    assert row["exact"] == {"precision": None, "recall": 0.0, "f1": None}
    assert row["attributes"] == {"entity": None, "mention": None} and row["linking"]["exact"] is None


def test_kappa_of_the_shipped_claim_types_recomputed_independently() -> None:
    """Cohen's κ of claim types on exactly matched claims, counted here without the module's helpers."""
    from toolkit import read_layer

    a = {(x.paragraph, x.start, x.end): x.attrs["type"] for x in read_layer("claims", annotations_dir=PASSES / "a")}
    b = {(x.paragraph, x.start, x.end): x.attrs["type"] for x in read_layer("claims", annotations_dir=PASSES / "b")}
    both = sorted(a.keys() & b.keys())
    n = len(both)
    observed = sum(a[k] == b[k] for k in both) / n
    types = {a[k] for k in both} | {b[k] for k in both}
    expected = sum(sum(a[k] == t for k in both) * sum(b[k] == t for k in both) for t in types) / n / n
    row = next(r for r in agree(PASSES / "a", PASSES / "b", bootstrap=0) if r["layer"] == "claims")
    assert row["kappa"]["type"] == round((observed - expected) / (1 - expected), 3)
    assert row["matched"] == n


def test_linking_counts_overlapping_pairs_too() -> None:
    spec = SCHEMA.layers["entities"]
    a = [Annotation("entities", "a", "p", 0, 10, "x" * 10, "ORG", {"entity": "wcp-iraq", "mention": "NAM"})]
    b = [Annotation("entities", "b", "p", 0, 8, "x" * 8, "ORG", {"entity": "wcp-iran", "mention": "NAM"})]
    row = compare_layer(a, b, spec)[0]
    assert row["matched"] == 0 and row["linking"] == {"exact": None, "overlap": 0.0}


def test_the_passes_per_layer_and_label_with_intervals() -> None:
    rows = agree(PASSES / "a", PASSES / "b", bootstrap=200, seed=1)
    layers = [r for r in rows if r["label"] is None]
    assert [r["layer"] for r in layers] == list(SCHEMA.layers)
    for row in rows:
        for path, (lo, hi) in row["ci"].items():
            node = row
            for key in path.split("."):
                node = node[key]
            assert lo <= node <= hi, (row["layer"], row["label"], path)  # the estimate lies in its interval
    by_label = [r for r in rows if r["layer"] == "entities" and r["label"]]
    assert sum(r["a"] for r in by_label) == layers[0]["a"]
    claims = next(r for r in layers if r["layer"] == "claims")
    assert set(claims["kappa"]) == {"label", "type", "holder"} and set(claims["sets"]) == {"about"}
    assert 0 < claims["sets"]["about"]["masi"] <= claims["sets"]["about"]["jaccard"] <= 1
    assert agree(PASSES / "a", PASSES / "b", bootstrap=200, seed=1) == rows  # seeded: reproducible
    assert "ci" in rows[0] and agree(PASSES / "a", PASSES / "b", bootstrap=0)[0]["ci"] == {}


def test_a_pass_against_itself_agrees_fully(tmp_path: Path) -> None:
    rows = agree(PASSES / "a", PASSES / "a", bootstrap=0)
    for row in rows:
        assert row["exact"]["f1"] == row["overlap"]["f1"] == 1.0
        assert row["alpha"] in (1.0, None) and all(k in (1.0, None) for k in row["kappa"].values())


def test_cli_table_and_json(tmp_path: Path) -> None:
    table = run_cli("agree", PASSES / "a", PASSES / "b", "--bootstrap", "20")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("| layer | label | A | B | exact F1 |") and "| claims | all |" in table.stdout
    as_json = run_cli("agree", PASSES / "a", PASSES / "b", "--format", "json", "--bootstrap", "0")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert rows == agree(PASSES / "a", PASSES / "b", bootstrap=0)
    wrong = run_cli("agree", PASSES / "a", PASSES / "b", "--format", "xml")
    assert wrong.returncode == 2 and "table or json" in wrong.stderr


def test_without_krippendorff_the_rest_is_reported_and_the_command_names_the_extra(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util
    import sys

    from toolkit.cli import main

    monkeypatch.setitem(sys.modules, "krippendorff", None)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name == "krippendorff" else real(name, *rest))
    rows = agree(PASSES / "a", PASSES / "b", bootstrap=0)
    assert {row["alpha"] for row in rows} == {None} and rows[0]["exact"]["f1"] > 0.9
    assert main(["agree", str(PASSES / "a"), str(PASSES / "b"), "--bootstrap", "0"]) == 0
    assert "pip install 'standoff-toolkit[agreement]'" in capsys.readouterr().err


def test_the_closed_form_alpha_of_the_resamples_is_krippendorffs() -> None:
    """The bootstrap's α (closed form, for speed) equals the package's on random codings."""
    krippendorff = pytest.importorskip("krippendorff")
    import random

    from toolkit.agreement import pooled_alpha

    rng = random.Random(3)
    for _ in range(30):
        values = ["O", "ORG", "GPE", "ORG+GPE"][:rng.randint(2, 4)]
        a = [rng.choice(values) for _ in range(rng.randint(5, 60))]
        b = [x if rng.random() < 0.8 else rng.choice(values) for x in a]
        codes = {v: i for i, v in enumerate(values)}
        patterns = Counter(zip(a, b, strict=True))
        if len(set(a) | set(b)) < 2:
            continue
        expected = krippendorff.alpha(reliability_data=[[codes[x] for x in a], [codes[y] for y in b]],
                                      level_of_measurement="nominal")
        assert pooled_alpha(patterns) == pytest.approx(expected)


def test_a_holder_string_and_a_holder_list_compare_the_same_either_way_round() -> None:
    """Passes made before holders were lists (a string) and after (a list) agree on 'author' in both orders."""
    rows = {}
    for first, second in (("a", "c"), ("c", "a")):
        rows[first] = next(r for r in agree(PASSES / first, PASSES / second, layers=["claims"], bootstrap=0)
                           if r["label"] is None)
    assert rows["a"]["attributes"]["holder"] == rows["c"]["attributes"]["holder"] > 0.9
    assert rows["a"]["kappa"]["holder"] == rows["c"]["kappa"]["holder"]
    assert rows["a"]["sets"]["holder"] == rows["c"]["sets"]["holder"]


def test_an_undeclared_object_attribute_is_compared_not_a_crash() -> None:
    spec = Layout.open().schema.layers["entities"]
    block = Block("b.p1", "b", "paragraph", 1, None, "Iraq and Iran", 0, 13)
    a = [Annotation("entities", "e-1", "b.p1", 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": {"x": 1}})]
    b = [Annotation("entities", "e-2", "b.p1", 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": {"x": 1}})]
    [row, *_] = compare_layer(a, b, spec, {block.id: block}, bootstrap=0)
    assert row["attributes"]["mention"] == 1.0 and row["linking"]["exact"] == 1.0
