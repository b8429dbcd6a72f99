"""The gold annotations: quotes, offsets, labels, registry links, completeness, documented figures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

import toolkit
from toolkit.corpus import Corpus
from toolkit.footnotes import MARKER

from .conftest import ANNOTATIONS, ROOT, Finished, starts_early


@pytest.fixture(scope="module")
def corpus(shipped_corpus: Corpus) -> Corpus:
    return shipped_corpus


def test_every_record_quotes_its_block(corpus: Corpus) -> None:
    ids = set()
    for a in corpus.annotations():
        assert corpus[a.paragraph].text[a.start:a.end] == a.text, a.id
        assert a.text == a.text.strip(), a.id
        # Markers stay outside entity and date spans; a claim holds one only when it goes on past it (S4).
        markers = [m.end() for m in MARKER.finditer(a.text)]
        assert not markers if a.layer != "claims" else all(end < len(a.text) for end in markers), a.id
        assert a.id not in ids
        ids.add(a.id)
        assert a.id[0] == {"entities": "e", "dates": "d", "claims": "c"}[a.layer]


def test_entity_links_and_labels(corpus: Corpus) -> None:
    for a in corpus.annotations("entities"):
        entity = corpus.entity(a.attrs["entity"])
        assert entity.label == a.label, a.id
        assert a.attrs["mention"] in ("NAM", "NOM")
    for entity in corpus.registry.values():
        assert corpus.mentions(entity.id), entity.id
        for fn in entity.footnotes:
            assert corpus[fn].kind == "footnote"


def test_every_name_used_is_an_alias_of_its_entity(corpus: Corpus) -> None:
    for a in corpus.annotations("entities"):
        if a.attrs["mention"] == "NAM":
            assert a.text in corpus.entity(a.attrs["entity"]).aliases, (a.id, a.text)


def test_registry_keeps_apart_what_the_essay_keeps_apart(corpus: Corpus) -> None:
    kro = {a.paragraph: a.attrs["entity"] for a in corpus.annotations("entities")
           if a.text == "Kurdistan Region Organization"}
    assert kro == {"pwc.p1.para7": "kro-wcp-iran", "pwc.p1.para8": "kro-wcp-iraq"}
    assert corpus.mentions("hekmatist-wcp-iran-modarresi")
    assert {a.attrs["entity"] for a in corpus.annotations("entities") if a.text == "Communist Party of Iran"} == {
        "iranian-communist-party"}


def test_dates_inside_names_are_not_dates(corpus: Corpus) -> None:
    org = [a for a in corpus.annotations("entities") if a.text.startswith("March 31")]
    assert {a.paragraph for a in org} == {"pwc.p1.para11"}
    assert not [d for d in corpus.annotations("dates", paragraph="pwc.p1.para11") if "March" in d.text]
    holiday = [d for d in corpus.annotations("dates", paragraph="pwc.p2.li17") if d.text == "March 31"]
    assert [d.attrs["value"] for d in holiday] == ["XXXX-03-31"]


def test_datelines_are_dated(corpus: Corpus) -> None:
    values = {d.paragraph: d.attrs["value"] for d in corpus.annotations("dates") if "date" in d.paragraph}
    assert values == {"pwc.front.date1": "2025-07-03", "pwc.p1.date1": "2012-06-29", "pwc.p2.date1": "2013-07-01"}


def test_claim_attributes(corpus: Corpus) -> None:
    for c in corpus.annotations("claims"):
        assert c.attrs["type"] in ("evaluation", "diagnosis", "prediction", "proposal", "fact")
        assert c.attrs["holder"] and all(h in ("author", "unspecified") or h in corpus.registry
                                         for h in c.attrs["holder"])
        assert all(x in corpus.registry for x in c.attrs["about"])
        assert len(c.text) < len(corpus[c.paragraph].text) or len(corpus[c.paragraph].text) < 200, c.id


def test_readme_counts_match_the_data(corpus: Corpus) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (entities|dates) \| ([A-Z_]+) \| (\d+) \|$", readme, re.M)
    assert rows
    for layer, label, count in rows:
        assert len(corpus.annotations(layer, label=label)) == int(count), (layer, label)
    claims = Counter(c.attrs["type"] for c in corpus.annotations("claims"))
    types = ", ".join(f"{n} {t}" for t, n in claims.most_common())
    assert f"| claims | CLAIM ({types}) | {sum(claims.values())} |" in readme
    mentions = Counter(a.attrs["mention"] for a in corpus.annotations("entities"))
    assert (f"| entities | all ({mentions['NAM']} NAM, {mentions['NOM']} NOM) | "
            f"{len(corpus.annotations('entities'))} |") in readme
    assert f"| dates | all | {len(corpus.annotations('dates'))} |" in readme
    registry = re.search(r"^\| registry \| entities \(([^)]*)\) \| (\d+) \|$", readme, re.M)
    assert registry, "no registry row"
    shown = {label: int(n) for n, label in (item.split() for item in registry.group(1).split(", "))}
    assert shown == Counter(e.label for e in corpus.registry.values())
    assert int(registry.group(2)) == len(corpus.registry)


@starts_early(lambda workdir: [sys.executable, "-m", "toolkit", "agree", str(ANNOTATIONS / "passes" / "a"),
                               str(ANNOTATIONS / "passes" / "b")])
def test_guidelines_agreement_figures_are_reproducible(early: Finished) -> None:
    """The table in the guidelines is the command's output, line for line (1,000 resamples, seed 0)."""
    guidelines = (ANNOTATIONS / "GUIDELINES.md").read_text(encoding="utf-8").splitlines()
    assert early.returncode == 0, early.stderr
    lines = early.stdout.splitlines()
    assert len(lines) > 10 and all(line in guidelines for line in lines)
    passes = ANNOTATIONS / "passes"
    for first in (passes / "sweep", ANNOTATIONS):  # pass C against the gold before and after adjudication
        done = subprocess.run([sys.executable, "-m", "toolkit", "agree", str(first), str(passes / "c"),
                               "--layer", "claims"], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        rows = done.stdout.splitlines()
        assert len(rows) == 4 and all(row in guidelines for row in rows), rows


def test_exceptions_point_at_real_text(corpus: Corpus) -> None:
    for line in (ANNOTATIONS / "exceptions.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert corpus[record["paragraph"]].text[record["start"]:record["end"]] == record["text"]
        assert record["reason"]


def test_pass_folders_are_annotation_folders_of_the_gold_ids() -> None:
    """Each pass keeps the schema and registry it was made against; every id it uses is a gold registry id."""
    gold = {e.id for e in toolkit.read_registry(annotations_dir=ANNOTATIONS).values()}
    for annotator in ("a", "b", "c"):
        folder = ANNOTATIONS / "passes" / annotator
        corpus = toolkit.load_corpus(annotations_dir=folder)  # every record passes the readers' checks
        assert set(corpus.registry) == gold, annotator
        assert corpus.annotations("claims"), annotator
    assert (ANNOTATIONS / "passes" / "c" / "schema.json").read_bytes() == (ANNOTATIONS / "schema.json").read_bytes()
