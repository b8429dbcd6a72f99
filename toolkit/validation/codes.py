"""The catalog of validation findings: stable codes, severities and hints.

Codes never change meaning. The first letter is the default severity (E
error, W warning, I info); the hundreds group the checks: 1 structure,
2 alignment, 3 overlap, 4 labels and attributes, 5 cross-references,
6 dates, 7 corpus-wide consistency.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    severity: str
    title: str
    hint: str


CATALOG: dict[str, Code] = {
    "E100": Code("error", "unreadable line", "Fix the line: one JSON object per line, UTF-8."),
    "E101": Code("error", "missing or mistyped field", "Add the field with the type the record format requires."),
    "E102": Code("error", "duplicate id", "Give every record a unique id; ids are never reused."),
    "E103": Code("error", "unknown block id", "Use the id of a block in corpus/*/blocks.jsonl."),
    "E104": Code("error", "offsets out of bounds", "Offsets are code points into the block text: 0 <= start < end <= len(text)."),
    "E105": Code("error", "empty or reversed span", "Make start smaller than end."),
    "E106": Code("error", "quote differs from the block text", "Set text to block.text[start:end], or fix the offsets."),
    "E107": Code("error", "block text differs from the verbatim source", "Re-run 'toolkit ingest --force' on the source, or restore the block."),
    "E108": Code("error", "source file does not match the document record", "Restore the verbatim source or re-ingest it."),
    "E109": Code("error", "block outside the essay range", "Blocks must lie in the source, in order, and outside the excluded ranges."),
    "E110": Code("error", "record out of reading order", "Keep layer files sorted by block (reading order), then start offset: extract streams them alongside the blocks."),
    "E111": Code("error", "malformed id", "Ids are up to 200 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."),
    "E112": Code("error", "unknown block kind", "Use one of the block kinds: title, byline, dateline, subtitle, heading, paragraph, list_item, footnote, separator."),
    "W113": Code("warning", "record flagged for review", "A revision changed the text of this span: check its label and attributes, then remove 'review'."),
    "E201": Code("error", "span boundary inside a token", "Move the boundary to a token boundary; such a span cannot become a spaCy Span."),
    "E202": Code("error", "span starts or ends with whitespace", "Trim the whitespace from the span."),
    "W203": Code("warning", "span starts or ends with punctuation", "Leave quotes and trailing punctuation outside the span."),
    "E204": Code("error", "footnote marker inside a span", "End the span before the marker [N]."),
    "W205": Code("warning", "quotation opened inside a span and closed after it", "Keep quotation marks in pairs: end the span after the closing mark, or start it after the opening one."),
    "E301": Code("error", "crossing spans", "Spans of this layer may nest (where allowed) but not cross; fix one boundary."),
    "E302": Code("error", "duplicate span", "Remove one of the two records with the same offsets and label."),
    "E303": Code("error", "nesting not allowed", "This layer's overlap policy (annotations/schema.json) forbids this nesting."),
    "E401": Code("error", "unknown label", "Use a label of the layer's label set (annotations/schema.json)."),
    "E402": Code("error", "attribute value not allowed", "Use one of the values the layer's schema lists."),
    "E403": Code("error", "required attribute missing", "Add the attribute the layer requires."),
    "E501": Code("error", "entity id not in the registry", "Add the entity to registry.jsonl or fix the id."),
    "E502": Code("error", "mention label differs from the registry entity's label", "Make the mention's label equal the registry label, or link another entity."),
    "E503": Code("error", "claim holder or about id not in the registry", "Use a registry id, 'author' or 'unspecified'."),
    "W504": Code("warning", "registry entity without mentions", "Annotate its mentions or remove the entity."),
    "E505": Code("error", "footnote marker resolves to nothing", "Add the footnote body [N] in the same part, or fix the marker."),
    "W506": Code("warning", "footnote body that no marker references", "Check whether a marker is missing in the text."),
    "E507": Code("error", "duplicate footnote number in a part", "Footnote numbers must be unique within a part."),
    "E508": Code("error", "registry footnote is not a footnote block", "List ids of footnote blocks (kind 'footnote')."),
    "I509": Code("info", "span holds a linked mention its list does not name", "Add the mention's registry id to the list (claims: 'about' names every entity annotated inside the span), or leave it if the span is not about it."),
    "E601": Code("error", "malformed TIMEX3 value", "Write an ISO-TimeML value for the type: 2012-06-29, 1992, 199, 19, XXXX-03-08, P10Y, PRESENT_REF."),
    "E602": Code("error", "date value contradicts the text", "Make the value agree with the year, month, day or amount written in the span."),
    "E603": Code("error", "invalid TIMEX3 mod", "Use START, MID, END, APPROX, MORE_THAN, LESS_THAN, EQUAL_OR_MORE, EQUAL_OR_LESS, BEFORE, AFTER, ON_OR_BEFORE, ON_OR_AFTER."),
    "W604": Code("warning", "non-canonical TIMEX3 value", "Write decades and centuries without X: 199X -> 199, 19XX -> 19."),
    "W701": Code("warning", "same string annotated differently", "Check that the differing labels or entities are intended; list deliberate cases in schema.json 'ambiguous'."),
    "I701": Code("info", "same string annotated differently (declared ambiguous)", "Declared in schema.json 'ambiguous'; nothing to do."),
    "W702": Code("warning", "occurrence of an annotated name left unannotated", "Annotate it, or list it in annotations/exceptions.jsonl with the reason."),
    "I702": Code("info", "unannotated occurrence listed as an exception", "Listed in annotations/exceptions.jsonl; nothing to do."),
}
