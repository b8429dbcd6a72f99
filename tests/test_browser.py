"""The annotated edition in a real browser: the system Chromium, driven by Playwright.

Playwright's own browser download is not used: the tests drive the browser
the system has (Debian's ``chromium``; ``.ci/run`` installs it), found on the
PATH or named by ``TOOLKIT_CHROMIUM``. Without it, or without Playwright,
they skip and say why. The accessibility audit is axe-core, fetched once
from the npm registry (``npm pack``, checked against its published
integrity) into pytest's cache.

Screenshots at 1280 and 390 px, light and dark, and of the page as printed
are written to ``build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from toolkit.corpus import Corpus
from toolkit.footnotes import FootnoteLink

from .conftest import ROOT, run_cli

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOTS = ROOT / "build" / "screenshots"
AXE_VERSION = "4.10.3"
AXE_INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
# WCAG 2.2 AA (target size included) and axe's best practices (landmarks, heading order).
AUDIT = """within => axe.run(eval(within), {resultTypes: ['violations', 'passes'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
ENABLE = "install Chromium (Debian: apt-get install chromium) and the test extra (pip install -e '.[test]')"


def _chromium() -> str | None:
    named = os.environ.get("TOOLKIT_CHROMIUM")
    if named:
        return named
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"Playwright is not installed: {ENABLE}")
    executable = _chromium()
    if executable is None:
        pytest.skip(f"no Chromium found on the PATH (or in TOOLKIT_CHROMIUM): {ENABLE}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("edition") / "essay.html"
    result = run_cli("render", "--out", out)
    assert result.returncode == 0, result.stderr
    return out.as_uri()


@pytest.fixture(scope="module")
def axe(request: pytest.FixtureRequest) -> str:
    """axe-core's script, from the npm registry, checked against the integrity the registry publishes."""
    folder = Path(request.config.cache.mkdir(f"axe-core-{AXE_VERSION}"))
    script = folder / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the accessibility audit needs npm to fetch axe-core from the npm registry")
        fetched = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(folder)],
                                 capture_output=True, text=True, timeout=300, check=False)
        if fetched.returncode != 0:
            pytest.skip(f"could not fetch axe-core from the npm registry: {fetched.stderr[-300:]}")
        archive = folder / f"axe-core-{AXE_VERSION}.tgz"
        digest = base64.b64encode(hashlib.sha512(archive.read_bytes()).digest()).decode()
        assert f"sha512-{digest}" == AXE_INTEGRITY, "axe-core's archive does not match its published integrity"
        with tarfile.open(archive) as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


def open_page(browser: Browser, url: str, *, width: int = 1280, scheme: str = "light", touch: bool = False,
              fragment: str = "", audit: bool = False) -> tuple[Page, list[str]]:
    """A new page at ``width`` px in ``scheme``, and the list its console errors and uncaught errors go to.

    The page's Content-Security-Policy holds, unless the page is to be audited (axe is a script).
    """
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme,  # type: ignore[arg-type]
                                  has_touch=touch, is_mobile=touch, bypass_csp=audit)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + fragment)
    return page, errors


def in_view(page: Page, element_id: str) -> bool:
    """Whether the element is wholly inside the viewport (and not under the sticky bar at the top)."""
    return bool(page.evaluate("""id => {
        const box = document.getElementById(id).getBoundingClientRect();
        const bar = document.querySelector('.top').getBoundingClientRect().bottom;
        return box.top >= bar && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth;
    }""", element_id))


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")])
def test_loads_without_errors_and_writes_screenshots(browser: Browser, url: str, width: int, scheme: str) -> None:
    page, errors = open_page(browser, url, width=width, scheme=scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"edition-{width}-{scheme}.png"))
    page.goto(url + "#pwc.p1.para7")
    page.screenshot(path=str(SCREENSHOTS / f"edition-{width}-{scheme}-p1-para7.png"))
    assert errors == []
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 255, 255)" if scheme == "light" else "rgb(22, 22, 22)")  # follows prefers-color-scheme


def test_every_internal_link_resolves(browser: Browser, url: str) -> None:
    page, _ = open_page(browser, url)
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith("#") for href in hrefs)
    missing = page.evaluate("hs => hs.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))",
                            sorted(set(hrefs)))
    assert missing == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_marker_brings_its_footnote_into_view_and_back_returns(browser: Browser, url: str,
                                                                  shipped_corpus: Corpus, width: int) -> None:
    page, _ = open_page(browser, url, width=width)
    links = [link for link in shipped_corpus.footnote_links() if isinstance(link, FootnoteLink) and link.footnote]
    for link in links[:: max(1, len(links) // 6)]:  # a spread of markers in both parts
        marker = f"_ref-{link.paragraph}-{link.start}"
        page.click(f"[id='{marker}']")
        assert page.evaluate("location.hash") == f"#{link.footnote}"
        assert in_view(page, str(link.footnote)), link.footnote
        ring = page.evaluate("id => { const s = getComputedStyle(document.getElementById(id));"
                             " return [s.outlineStyle, s.outlineWidth]; }", link.footnote)
        assert ring == ["solid", "3px"]  # :target highlights the footnote
        page.click(f"[id='{link.footnote}'] a.back[href='#{marker}']")
        assert in_view(page, marker), marker


def test_a_jump_from_the_index_lands_in_view_and_highlights_the_mention(browser: Browser, url: str,
                                                                          shipped_corpus: Corpus) -> None:
    page, _ = open_page(browser, url, width=390)
    mention = shipped_corpus.mentions("wcp-iraq")[0]
    page.click(f"[id='_index'] a[href='#{mention.id}']")
    assert in_view(page, mention.id)
    outline = page.evaluate("id => { const s = getComputedStyle(document.getElementById(id));"
                            " return [s.outlineStyle, s.outlineWidth]; }", mention.id)
    assert outline == ["solid", "3px"]  # :target, over the focus ring
    page.click(".top a[href='#_index']")
    assert page.evaluate("location.hash") == "#_index"


@pytest.mark.parametrize("width", [320, 390])
def test_phones_get_no_horizontal_scroll_and_readable_text(browser: Browser, url: str, width: int) -> None:
    page, _ = open_page(browser, url, width=width, touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sizes = page.evaluate("[...document.querySelectorAll('p.block, li.block')].map(e => "
                          "parseFloat(getComputedStyle(e).fontSize))")
    assert len(sizes) > 50 and min(sizes) >= 16  # paragraphs, list items, footnotes


def test_the_measure_is_about_seventy_characters(browser: Browser, url: str) -> None:
    page, _ = open_page(browser, url, width=1920)
    per_line = page.evaluate("""() => {
        const p = document.getElementById('pwc.p1.para7');
        const lines = Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
        return p.textContent.length / lines; }""")
    assert 62 <= per_line <= 78, per_line  # about 70
    box = page.evaluate("(() => { const r = document.querySelector('main').getBoundingClientRect();"
                        " return [r.left, innerWidth - r.right]; })()")
    assert abs(box[0] - box[1]) <= 2  # centred


def test_footnote_markers_are_24px_tap_targets_on_touch_screens(browser: Browser, url: str) -> None:
    page, _ = open_page(browser, url, width=390, touch=True)
    sizes = page.evaluate("[...document.querySelectorAll('a.fnref, a.back')].map(a => {"
                          " const r = a.getBoundingClientRect(); return [r.width, r.height]; })")
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_accessibility_audit_finds_nothing_serious(browser: Browser, url: str, axe: str, scheme: str,
                                                   width: int) -> None:
    page, _ = open_page(browser, url, width=width, scheme=scheme, touch=width < 500, audit=True)
    page.add_script_tag(content=axe)
    result: dict[str, Any] = page.evaluate(AUDIT, "document")
    serious = [(v["id"], v["impact"], v["nodes"][0]["target"], v["nodes"][0]["failureSummary"])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert {"color-contrast", "target-size", "landmark-one-main"} <= {p["id"] for p in result["passes"]}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_focus_sheet_never_hides_the_span_in_focus(browser: Browser, url: str, width: int) -> None:
    page, _ = open_page(browser, url, width=width)
    page.focus("[id='pwc.p1.para6'] .ann")
    spans = 0
    for _ in range(60):  # through the spans of two long paragraphs, as a keyboard user goes
        page.keyboard.press("Tab")
        box, sheet = page.evaluate("""() => { const e = document.activeElement;
            const after = getComputedStyle(e, '::after');
            return [e.getClientRects()[0].toJSON(), [after.content, parseFloat(after.height)]]; }""")
        if sheet[0] == "none":  # a link or a list of notes: no sheet
            continue
        spans += 1
        sheet_top = 800 - 16 - sheet[1]  # fixed 1rem above the bottom of an 800 px viewport
        assert box["bottom"] <= sheet_top and box["top"] >= 0, (box, sheet_top)
    assert spans >= 30


def test_details_are_reachable_by_keyboard(browser: Browser, url: str, shipped_corpus: Corpus) -> None:
    page, _ = open_page(browser, url)
    page.focus("[id='pwc.p1.para7'] .ann")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("Tab")
    second = page.evaluate("document.activeElement.id")
    rank = {name: i for i, name in enumerate(shipped_corpus.layout.schema.layers)}
    ids = [a.id for a in sorted(shipped_corpus.annotations(paragraph="pwc.p1.para7"),
                                key=lambda a: (a.start, -a.end, rank[a.layer]))]
    assert [first, second] == ids[:2]  # in reading order, the outer of two nested spans first
    sheet = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    record = shipped_corpus.annotation(second)
    assert record.label in sheet and sheet != "none"  # the focus sheet shows what the span is
    description = page.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby'))"
                                ".textContent")
    assert record.label in description and record.text in description


def test_print_keeps_every_layer_distinguishable(browser: Browser, url: str, shipped_corpus: Corpus) -> None:
    page, _ = open_page(browser, url, width=900)
    page.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url + "#pwc.p2.para6")
    page.screenshot(path=str(SCREENSHOTS / "edition-print.png"))
    looks = {}
    for layer in shipped_corpus.layout.schema.layers:
        example = shipped_corpus.annotations(layer)[0]
        looks[layer] = page.evaluate("""id => { const s = getComputedStyle(document.getElementById(id));
            return [s.borderTopStyle, s.borderBottomStyle, s.textDecorationLine, s.textDecorationStyle,
                    s.printColorAdjust]; }""", example.id)
    signatures = {layer: tuple(look[:4]) for layer, look in looks.items()}
    assert len(set(signatures.values())) == len(signatures), signatures  # in black and white: by line style
    assert all("solid" in sig[:2] or sig[2] != "none" for sig in signatures.values())  # each draws a line
    assert {look[4] for look in looks.values()} == {"exact"}  # in colour: backgrounds and lines kept
    hidden = page.evaluate("['.top', '.toc', '.notes', 'a.back'].map(s => "
                           "getComputedStyle(document.querySelector(s)).display)")
    assert hidden == ["none"] * 4
    assert page.evaluate("getComputedStyle(document.querySelector('a.fnref')).display") != "none"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_show_follows_the_notebook_theme(browser: Browser, shipped_corpus: Corpus, axe: str, theme: str,
                                         tmp_path: Path) -> None:
    """``show()`` in JupyterLab's light and dark themes (its body attribute), whatever the system prefers."""
    view = shipped_corpus.show("pwc.p1.para7")._repr_html_()
    background = {"light": "#ffffff", "dark": "#111111"}[theme]
    cell = tmp_path / "cell.html"
    cell.write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>cell</title></head>'
                    f'<body data-jp-theme-light="{str(theme == "light").lower()}" style="background:{background}">'
                    f"<main>{view}</main></body></html>", encoding="utf-8")
    other = {"light": "dark", "dark": "light"}[theme]
    page, errors = open_page(browser, cell.as_uri(), width=900, scheme=other, audit=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"show-{theme}.png"), full_page=True)
    colour = page.evaluate("getComputedStyle(document.querySelector('.tk')).color")
    assert colour == ("rgb(27, 27, 27)" if theme == "light" else "rgb(236, 236, 236)")
    page.add_script_tag(content=axe)
    result: dict[str, Any] = page.evaluate(AUDIT, "document.querySelector('.tk')")
    assert [(v["id"], v["nodes"][0]["failureSummary"]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")] == []
    assert errors == []
