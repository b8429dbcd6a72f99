from __future__ import annotations

import pytest

from toolkit.timex import is_old_style, text_contradiction, timex_problem


@pytest.mark.parametrize(
    ("type_", "value"),
    [("DATE", "2012-06-29"), ("DATE", "1992"), ("DATE", "199"), ("DATE", "19"), ("DATE", "XXXX-03-08"),
     ("DATE", "PRESENT_REF"), ("DATE", "2004-SU"), ("DURATION", "P10Y"), ("DURATION", "PXY"),
     ("DURATION", "P0.8Y"), ("DURATION", "PT2H"), ("SET", "P1D"), ("TIME", "2012-06-29T10:30")],
)
def test_well_formed(type_: str, value: str) -> None:
    assert timex_problem(type_, value) is None


@pytest.mark.parametrize(
    ("type_", "value"),
    [("DATE", "2012-6-29"), ("DATE", "June 2012"), ("DATE", "2012-13"), ("DATE", "2012-02-32"),
     ("DURATION", "10Y"), ("DURATION", "P"), ("DATE", "P10Y"), ("TIME", "2012"), ("WHEN", "2012")],
)
def test_malformed(type_: str, value: str) -> None:
    assert timex_problem(type_, value) is not None


@pytest.mark.parametrize(
    ("text", "value", "contradicts"),
    [("29 June 2012", "2012-06-29", False), ("29 June 2012", "2012-06-28", True), ("1 July 2013", "2013-06-01", True),
     ("1993", "1994", True), ("early 1990s", "199", False), ("1980s", "199", True), ("late 20th century", "19", False),
     ("late 20th century", "20", True), ("over ten years", "P10Y", False), ("over ten years", "P1Y", True),
     ("March 8", "XXXX-03-08", False), ("March 8", "XXXX-08-03", True), ("at the time", "PAST_REF", False)],
)
def test_value_against_text(text: str, value: str, contradicts: bool) -> None:
    assert (text_contradiction(text, value) is not None) is contradicts


def test_old_style_decades() -> None:
    assert is_old_style("199X") and is_old_style("19XX") and not is_old_style("1990")
