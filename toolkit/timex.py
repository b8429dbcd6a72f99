"""TIMEX3 (ISO-TimeML) values: well-formedness, and agreement with the text.

>>> timex_problem("DATE", "2012-06-29"), timex_problem("DATE", "199"), timex_problem("DURATION", "P10Y")
(None, None, None)
>>> timex_problem("DATE", "2012-13-01")
'month 13 does not exist'
>>> text_contradiction("29 June 2012", "2012-07-29")
'the text says month 06, the value says 07'
"""

from __future__ import annotations

import re

MODS = {"START", "MID", "END", "APPROX", "MORE_THAN", "LESS_THAN", "EQUAL_OR_MORE",
        "EQUAL_OR_LESS", "BEFORE", "AFTER", "ON_OR_BEFORE", "ON_OR_AFTER"}
TYPES = ("DATE", "TIME", "DURATION", "SET")
_REF = r"(?:PRESENT|PAST|FUTURE)_REF"
_YEAR = r"(?:\d{4}|XXXX)"
_DATE = re.compile(
    rf"^(?:{_REF}|\d{{2}}|\d{{3}}|{_YEAR}"
    rf"(?:-(?:\d{{2}}|XX)(?:-(?:\d{{2}}|XX))?|-W\d{{2}}(?:-WE)?|-Q[1-4]|-H[12]|-(?:SP|SU|FA|WI))?)$")
_TIME = re.compile(
    rf"^{_YEAR}-(?:\d{{2}}|XX)-(?:\d{{2}}|XX)T(?:\d{{2}}(?::\d{{2}}(?::\d{{2}})?)?|MO|AF|EV|NI)$"
    r"|^T(?:\d{2}(?::\d{2})?|MO|AF|EV|NI)$")
_NUM = r"(?:\d+(?:\.\d+)?|X)"
_DURATION = re.compile(rf"^P(?:(?:{_NUM}(?:Y|M|W|D|DE|CE|Q))+(?:T(?:{_NUM}[HMS])+)?|T(?:{_NUM}[HMS])+)$")
_OLD_DECADE = re.compile(r"^\d{3}X$|^\d{2}XX$")
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], 1)}
NUMBER_WORDS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])}
UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D", "decade": "DE", "century": "CE"}


def is_old_style(value: str) -> bool:
    """``199X``/``19XX``: decades and centuries as older tools write them."""
    return bool(_OLD_DECADE.match(value))


def timex_problem(type_: str, value: str) -> str | None:
    """Why ``value`` is not a well-formed TIMEX3 value of ``type_`` (None if it is)."""
    if type_ == "DATE":
        ok = bool(_DATE.match(value))
    elif type_ == "TIME":
        ok = bool(_TIME.match(value))
    elif type_ == "DURATION":
        ok = bool(_DURATION.match(value))
    elif type_ == "SET":
        ok = bool(_DURATION.match(value) or _DATE.match(value) or _TIME.match(value))
    else:
        return f"unknown TIMEX3 type {type_!r}"
    if not ok:
        return f"{value!r} is not an ISO-TimeML {type_} value"
    m = re.match(r"^\d{4}-(\d{2})(?:-(\d{2}))?", value) or re.match(r"^XXXX-(\d{2})(?:-(\d{2}))?", value)
    if m:
        if not 1 <= int(m.group(1)) <= 12:
            return f"month {m.group(1)} does not exist"
        if m.group(2) and not 1 <= int(m.group(2)) <= 31:
            return f"day {m.group(2)} does not exist"
    return None


def text_contradiction(text: str, value: str) -> str | None:
    """How ``value`` contradicts a year, decade, century, month, day or amount written in ``text``."""
    lower = text.lower()
    years = re.findall(r"\b(\d{4})\b(?!s)", text)
    if years and re.match(r"^\d{4}", value) and value[:4] not in years:
        return f"the text says {', '.join(years)}, the value says {value[:4]}"
    decades = re.findall(r"\b(\d{3})0s\b", text)
    if decades and re.match(r"^\d{3}", value) and value[:3] not in decades:
        return f"the text says the {decades[0]}0s, the value says {value}"
    century = re.search(r"\b(\d{1,2})(?:st|nd|rd|th) century\b", lower)
    if century and re.match(r"^\d{2}", value) and int(value[:2]) != int(century.group(1)) - 1:
        return f"the text says century {century.group(1)}, the value should start with {int(century.group(1)) - 1:02d}"
    month = next((MONTHS[w] for w in re.findall(r"[a-z]+", lower) if w in MONTHS), None)
    vm = re.match(r"^(?:\d{4}|XXXX)-(\d{2})", value)
    if month and vm and int(vm.group(1)) != month:
        return f"the text says month {month:02d}, the value says {vm.group(1)}"
    day = re.search(r"\b(\d{1,2})\s+[A-Za-z]+\b|\b[A-Za-z]+\s+(\d{1,2})\b(?!,?\s*\d{3})", text)
    vd = re.match(r"^(?:\d{4}|XXXX)-\d{2}-(\d{2})", value)
    if day and vd and month:
        written = int(day.group(1) or day.group(2))
        if written != int(vd.group(1)):
            return f"the text says day {written}, the value says {vd.group(1)}"
    amount = re.search(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(year|month|week|day|decade|centur)", lower)
    if amount and value.startswith("P"):
        n = amount.group(1)
        number = int(n) if n.isdigit() else NUMBER_WORDS[n]
        unit = UNITS["century" if amount.group(2) == "centur" else amount.group(2)]
        if not re.match(rf"^P{number}{unit}$", value):
            return f"the text says {number} {amount.group(2)}(s), the value says {value}"
    return None
