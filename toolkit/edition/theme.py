"""How each layer looks: one visual channel per layer, one colour per label, light, dark and print.

A layer that links to the registry gets the *fill* channel: a background
tint with a border of the same hue, so nested spans show as boxes inside
boxes. Every other layer gets a *line* channel of its own, by position
(dotted underline, a solid rule further below, an overline, ...), so a date
inside a claim stays visible, on screen and on paper in black and white.
Within a channel, every label gets a colour of its own.

The fills are Paul Tol's "light" scheme, designed for colour-blind readers
and for black text; their dark-theme counterparts keep the hues apart under
simulated protanopia, deuteranopia and tritanopia. Colours live in custom
properties, so a theme is a block of variables: the page follows
``prefers-color-scheme``, a notebook also follows JupyterLab's and VS Code's
theme, and print always uses the light one. ``tests/test_edition.py``
computes the contrast of every pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..models import Annotation
from ..schema import Schema

FILLS = {
    "light": ("#77aadd", "#99ddff", "#44bb99", "#bbcc33", "#aaaa00", "#eedd88", "#ee8866", "#ffaabb", "#dddddd"),
    "dark": ("#3a4856", "#13658e", "#04513b", "#5e6a00", "#494905", "#332a00", "#964f37", "#77172b", "#745f5f"),
}
EDGES = {  # the border of a fill: its hue, darker (light theme) or lighter (dark theme)
    "light": ("#1c456e", "#005c8a", "#256553", "#656e1c", "#8a8a00", "#786711", "#7c290e", "#8a001c", "#454545"),
    "dark": ("#aab8c5", "#81caee", "#77f8d3", "#efff70", "#f6f679", "#ffe670", "#d9a797", "#e8879b", "#bfb0b0"),
}
LINES = {  # the colour of a line-channel label: 3:1 or more against the page, apart for colour-blind readers too
    "light": ("#780019", "#959400", "#00a194", "#510462", "#5e00e6"),
    "dark": ("#e13838", "#ffe41a", "#61ffcd", "#ad1aff", "#6981b0"),
}
BASE = {
    "light": {"bg": "#ffffff", "fg": "#1b1b1b", "muted": "#5c5c5c", "link": "#0b57a4", "rule": "#8f8f8f",
              "focus": "#b3261e", "sheet": "#222222", "sheet-fg": "#ffffff"},
    "dark": {"bg": "#161616", "fg": "#ececec", "muted": "#b0b0b0", "link": "#8cc4ff", "rule": "#7a7a7a",
             "focus": "#ff8a80", "sheet": "#f2f2f2", "sheet-fg": "#161616"},
}
# The line channels, by a layer's position among the layers without a registry link.
LINE_CHANNELS = (
    "text-decoration: underline dotted var(--line) 2px; text-underline-offset: .28em;",
    "border-bottom: 2px solid var(--line); padding-bottom: .3em;",
    "text-decoration: overline double var(--line) 2px;",
    "border-top: 2px dashed var(--line); padding-top: .1em;",
    "outline: 1px dashed var(--line); outline-offset: 1px;",
)
# The same line channel nested in itself (a claim inside a claim): a shorter, dashed rule.
NESTED_LINE_CHANNELS = {1: "border-bottom-style: dashed; padding-bottom: .08em;",
                        3: "border-top-style: dotted;"}


def theme_variables(theme: str) -> dict[str, str]:
    """Every custom property of a theme, by name (without the leading ``--``)."""
    names = dict(BASE[theme])
    names.update({f"f{i}": colour for i, colour in enumerate(FILLS[theme])})
    names.update({f"e{i}": colour for i, colour in enumerate(EDGES[theme])})
    names.update({f"l{i}": colour for i, colour in enumerate(LINES[theme])})
    return names


def _block(selector: str, declarations: str) -> str:
    return f"{selector} {{ {declarations} }}\n"


def _variables(theme: str) -> str:
    return " ".join(f"--{name}: {value};" for name, value in theme_variables(theme).items())


RULES = """
.tk { color: var(--fg); background: var(--bg); font-family: Georgia, "Times New Roman", serif;
      font-size: 1.0625rem; line-height: 1.75; overflow-wrap: anywhere; }
.tk a { color: var(--link); }
.tk :target { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.tk .ann { cursor: help; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.tk .ann:focus { outline: 2px solid var(--focus); outline-offset: 1px; }
.tk .ann:target { outline-width: 3px; outline-offset: 2px; }
.tk .ann:focus::after { content: attr(data-tip) / ""; position: fixed; z-index: 10; left: 50%; bottom: 1rem;
      transform: translateX(-50%); width: min(36rem, calc(100vw - 2rem)); box-sizing: border-box;
      padding: .6rem .9rem; border-radius: 6px; background: var(--sheet); color: var(--sheet-fg);
      font: .95rem/1.45 system-ui, sans-serif; white-space: pre-line; text-align: left; }
.tk .fill { color: var(--fg); background: var(--fill); border: 1px solid var(--edge); border-radius: 3px;
      padding: 0 .1em; }
.tk .fill .fill { margin: 0 .06em; }
.tk .fill.goes-on { border-right: none; border-top-right-radius: 0; border-bottom-right-radius: 0; margin-right: 0; }
.tk .fill.goes-on-from { border-left: none; border-top-left-radius: 0; border-bottom-left-radius: 0; margin-left: 0; }
.tk .fnref { font-size: .78em; vertical-align: super; line-height: 1; text-decoration: none; }
.tk .chip { display: inline-block; font: .85rem/1.5 system-ui, sans-serif; padding: 0 .35em; margin: .1em 0; }
.tk .legend { margin: 1rem 0; font: .9rem/1.5 system-ui, sans-serif; }
.tk .legend figcaption { font-weight: 600; }
.tk .legend dl { margin: .25rem 0 0; }
.tk .legend dl > div { display: flex; flex-wrap: wrap; gap: .3rem .5rem; align-items: baseline; margin: .2rem 0; }
.tk .legend dt { min-width: 5.5rem; color: var(--muted); }
.tk .legend dd { margin: 0; display: flex; flex-wrap: wrap; gap: .3rem .5rem; }
.tk .block[data-kind="byline"], .tk .block[data-kind="dateline"], .tk .block[data-kind="subtitle"] {
      color: var(--muted); font-style: italic; margin: .2rem 0; }
.tk .block[data-kind="separator"] { text-align: center; color: var(--muted); letter-spacing: .1em; }
.tk .notes { font: .85rem/1.5 system-ui, sans-serif; color: var(--muted); margin: .1rem 0 .8rem; }
.tk .notes summary { cursor: pointer; width: max-content; max-width: 100%; min-height: 24px; }
.tk .notes ul { margin: .3rem 0; padding-left: 1.2rem; }
.tk .notes li { margin: .2rem 0; color: var(--fg); }
.tk .footnotes { font-size: .95em; }
.tk ol.footnotes, .tk ol.items { list-style: none; padding-left: 0; }
.tk ol.items > li { padding-left: 1.6em; text-indent: -1.6em; }
.tk ol.items > li .notes { text-indent: 0; }
.tk .back { padding: 0 .3em; }
.tk .block-id { font: .8rem/1.4 ui-monospace, monospace; color: var(--muted); margin-top: .8rem; }
.tk .shown .block { margin: .2rem 0 .5rem; }
"""
PAGE_RULES = """
html { color-scheme: light dark; scroll-padding: 4rem 0 9rem; }  /* clear of the bar and the focus sheet */
body.tk { margin: 0; }
.tk .top { position: sticky; top: 0; z-index: 5; background: var(--bg); border-bottom: 1px solid var(--rule);
      font: .95rem/1.5 system-ui, sans-serif; }
.tk .top ul { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; list-style: none; margin: 0 auto; padding: .5rem 1rem;
      max-width: 34rem; }
.tk .top a { display: inline-block; padding: .2rem 0; }
.tk main { max-width: 34rem; margin: 0 auto; padding: 1rem 1rem 4rem; }
.tk h1, .tk h2, .tk h3 { font-family: system-ui, sans-serif; line-height: 1.3; }
.tk h1 { font-size: 1.9rem; margin: 1.5rem 0 .5rem; }
.tk h2 { font-size: 1.45rem; margin: 2.5rem 0 .6rem; }
.tk h3 { font-size: 1.15rem; margin: 1.8rem 0 .4rem; }
.tk .toc ol { padding-left: 1.2rem; margin: .2rem 0; }
.tk .toc, .tk .index { font: 1rem/1.6 system-ui, sans-serif; }
.tk .toc li, .tk .index li { margin: .25rem 0; }
.tk p.block { position: relative; margin: .8rem 0; }
.tk .block[data-n]::before { content: attr(data-n) / ""; color: var(--muted); font: .75rem/2.3 system-ui, sans-serif;
      margin-right: .4em; }
@media (min-width: 50em) {
  .tk .block[data-n]::before { position: absolute; right: 100%; margin-right: 1rem; white-space: nowrap; }
}
.tk .index ul { padding-left: 0; list-style: none; }
.tk .index li { margin: .6rem 0; }
.tk .index .where { display: flex; flex-wrap: wrap; gap: 0 .8rem; }
.tk .index .where a { display: inline-block; padding: .1rem 0; }
.tk .muted { color: var(--muted); }
@media (pointer: coarse) {
  .tk .fnref { display: inline-block; min-width: 24px; min-height: 24px; line-height: 24px; text-align: center;
        vertical-align: text-top; }
  .tk .back { display: inline-block; min-width: 24px; min-height: 24px; text-align: center; }
}
"""
PRINT_RULES = """
@media print {
  .tk { font-size: 11pt; line-height: 1.6; }
  .tk .top, .tk .toc, .tk .notes, .tk .back, .tk .ann:focus::after { display: none; }
  .tk main { max-width: none; padding: 0; }
  .tk .ann, .tk .chip { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .tk a { color: inherit; text-decoration: none; }
  .tk :target { outline: none; }
  .tk h2, .tk h3 { break-after: avoid; }
}
"""


def stylesheet(*, page: bool = False) -> str:
    """The CSS of the notebook view, or (``page``) of the whole page, every rule scoped to ``.tk``."""
    light, dark = _variables("light"), _variables("dark")
    themes = (_block(".tk", light)
              + "@media (prefers-color-scheme: dark) {\n" + _block(".tk", dark) + "}\n"
              # a notebook follows its own theme, whatever the system's
              + _block('[data-jp-theme-light="false"] .tk, .vscode-dark .tk', dark)
              + _block('[data-jp-theme-light="true"] .tk, .vscode-light .tk', light))
    colours = "".join(_block(f".tk .c{i}", f"--fill: var(--f{i}); --edge: var(--e{i});")
                      for i in range(len(FILLS["light"])))
    colours += "".join(_block(f".tk .k{i}", f"--line: var(--l{i});") for i in range(len(LINES["light"])))
    channels = "".join(_block(f".tk .line{i}", style) for i, style in enumerate(LINE_CHANNELS))
    channels += "".join(_block(f".tk .line{i} .line{i}", style) for i, style in NESTED_LINE_CHANNELS.items())
    printed = PRINT_RULES.replace("@media print {\n", "@media print {\n" + _block("  .tk", light), 1)
    return themes + RULES + colours + channels + (PAGE_RULES if page else "") + printed


class Styles:
    """The classes of every span and label, from the schema by position (never from data).

    ``used`` (layer, label) pairs make :meth:`legend_entries` list only what the data holds.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._label: dict[tuple[str, str], str] = {}
        self._layer: dict[str, str] = {}
        self.repeats: list[str] = []  # what had to reuse a colour or a channel: more labels or layers than looks
        fills = lines = channels = 0
        for name, layer in schema.layers.items():
            if layer.link is not None:
                self._layer[name] = "fill"
                for label in layer.labels:
                    self._label[(name, label)] = f"c{fills % len(FILLS['light'])}"
                    if fills >= len(FILLS["light"]):
                        self.repeats.append(f"label {label} of layer {name} shares its colour with an earlier label")
                    fills += 1
            else:
                self._layer[name] = f"line{channels % len(LINE_CHANNELS)}"
                if channels >= len(LINE_CHANNELS):
                    self.repeats.append(f"layer {name} shares its line with an earlier layer")
                channels += 1
                for label in layer.labels:
                    self._label[(name, label)] = f"k{lines % len(LINES['light'])}"
                    if lines >= len(LINES["light"]):
                        self.repeats.append(f"label {label} of layer {name} shares its colour with an earlier label")
                    lines += 1

    def of(self, layer: str, label: str, *, kind: str = "ann") -> str:
        """The classes of a span of ``label`` in ``layer`` (a label the schema does not declare: the layer's own).

        ``kind="chip"``: a legend chip's, the look of the span without being one.
        """
        return " ".join(filter(None, (kind, self._layer.get(layer), self._label.get((layer, label)))))

    def chip(self, layer: str, label: str) -> str:
        return self.of(layer, label, kind="chip")

    def legend_entries(self, annotations: Iterable[Annotation]) -> Mapping[str, list[str]]:
        """The labels that occur, per layer, in the schema's order."""
        used = {(a.layer, a.label) for a in annotations}
        return {name: [label for label in layer.labels if (name, label) in used]
                for name, layer in self.schema.layers.items()
                if any((name, label) in used for label in layer.labels)}
