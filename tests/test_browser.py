"""The book as a reader meets it: built at smoke, opened in headless Chromium with scripts running
and no network (every host but 127.0.0.1 unresolvable, every other request sent to a dead proxy;
the pages are served from 127.0.0.1 as a web server would).

Asserts: maths is typeset by the MathJax bundled with the book (``mjx-container`` elements, no raw
``\\[``, ``\\(`` or ``$$`` left in a maths element) and MathJax is loaded only on pages with maths;
every script, stylesheet and image the pages load is the book's own; every figure of a notebook
page has a caption and alt text that is not a file path; no error output (no "Traceback", no
stderr or traceback boxes); no absolute path of the build machine in any HTML page or any
downloadable ``.ipynb``; tables that do not fit a phone's width carry the scroll cue. Screenshots
of one page per chapter at desktop (1280 px) and phone (390 px) width are saved under the run
folder, ``<runs>/smoke/screenshots/``, as CI artifacts.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it when missing), driven over the
DevTools protocol on a pipe by ``tests/browser_cdp.py`` (standard library only: no Python package, no
browser download); every request a page makes is recorded. Without Chromium the test is skipped,
except under CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import sys
import threading
import time
from pathlib import Path

import pytest

from browser_cdp import OFFLINE, Browser, Page
from conftest import ROOT
from helpers.pipeline.book import build, toc_files

pytestmark = pytest.mark.book

DESKTOP, PHONE = (1280, 1000), (390, 844)
# one page per chapter for the screenshots: the chapter's landing page and its first notebook
CHAPTERS = {
    "01": ["book/ch01-perceptron-to-cnn", "notebooks/01-perceptron-to-cnn/01-perceptron"],
    "02": ["book/ch02-gaps-antiparticles", "notebooks/02-gaps-antiparticles/01-simulating-gaps-events"],
    "03": ["book/ch03-galaxy-zoo", "notebooks/03-galaxy-zoo/01-synthetic-sky"],
    "04": ["book/ch04-resolution", "notebooks/04-resolution/01-shrink-and-enlarge"],
    "05": ["book/ch05-omnifold", "notebooks/05-omnifold/01-why-unfold"],
}
# an absolute path under the usual roots of a build machine (not part of a URL or a longer word)
ABSOLUTE = re.compile(r"(?<![\w.:/<>~-])/(?:tmp|work|home|root|usr|opt|var|srv|mnt|builds?)/[\w.+-]+")
# after load: MathJax has typeset (if the page has it), fonts and images are in
SETTLE = """(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; })));
  return true;
})()"""
PAGE_FACTS = r"""(() => {
  const article = document.querySelector("article") || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, mjx-container, .highlight").forEach(e => e.remove());
  const images = [...article.querySelectorAll("img")].filter(i => i.getAttribute("src").includes("_images/"));
  const figures = images.map(i => {
    const fig = i.closest("figure");
    const cap = fig && fig.querySelector("figcaption");
    return {src: i.getAttribute("src"), alt: i.getAttribute("alt") || "", caption: cap ? cap.textContent.trim() : ""};
  });
  return {
    mjx: document.querySelectorAll("mjx-container").length,
    raw_maths: (prose.textContent.match(/\\\[|\\\(|\$\$/g) || []).length,
    maths_elements: document.querySelectorAll(".math").length,
    figures: figures,
    traceback: article.innerText.includes("Traceback"),
    error_boxes: article.querySelectorAll(".output.stderr, .output.traceback, .output.error").length,
  };
})()"""
TABLES = r"""(() => [...document.querySelectorAll("article table")].map(t => {
  const box = t.closest(".physml-table-scroll");
  return {wide: !!box && box.scrollWidth > box.clientWidth + 1,
          boxed: !!box, cue: !!box && box.parentElement.classList.contains("physml-scrolls"),
          overflows_page: t.getBoundingClientRect().right > window.innerWidth + 1 && !box};
}))()"""

SHOW_WIDE_TABLE = """(() => {
  const box = [...document.querySelectorAll(".physml-table-scroll")].find(b => b.scrollWidth > b.clientWidth + 1);
  box.parentElement.scrollIntoView({block: "center"});
  return new Promise(r => setTimeout(() => r(true), 300));
})()"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def html(smoke_runs, tmp_path_factory) -> Path:
    return build("smoke", out=tmp_path_factory.mktemp("browser-book"), runs=smoke_runs)


@pytest.fixture(scope="module")
def site(html):
    """The built book served on 127.0.0.1 (a free port), as a web server would serve it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _chromium()
    if exe is None:
        message = "headless Chromium is needed: apt-get install chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    b = Browser(exe, tmp_path_factory.mktemp("chromium-profile"), OFFLINE)
    yield b
    b.close()


@pytest.fixture(scope="module")
def rendered(browser, site, html) -> dict[str, dict]:
    """Every page of the toc, loaded at desktop width with its scripts run: the facts above and
    the URLs it requested."""
    t0 = time.perf_counter()
    page = Page(browser, *DESKTOP)
    out = {}
    for entry in toc_files(ROOT / "_toc.yml"):
        name = entry.removesuffix(".ipynb")
        assert (html / f"{name}.html").is_file(), f"{name}.html missing"
        requests, failed = page.open(f"{site}/{name}.html", SETTLE)
        out[name] = {
            **page.eval(PAGE_FACTS),
            "requests": requests,
            "failed": failed,
            "static": (html / f"{name}.html").read_text(),
        }
    print(f"{len(out)} pages rendered in Chromium in {time.perf_counter() - t0:.0f} s")
    return out


def _scripts(static_html: str) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', static_html)


def test_maths_render_offline_and_only_where_needed(rendered):
    with_maths = 0
    for name, facts in rendered.items():
        mathjax = [s for s in _scripts(facts["static"]) if "mathjax" in s.lower()]
        if not re.search(r'class="math\b', facts["static"]):
            assert not mathjax, f"{name}: no maths on the page, but it loads MathJax ({mathjax})"
            continue
        with_maths += 1
        assert mathjax, f"{name}: maths on the page but no MathJax script"
        assert facts["mjx"] > 0, f"{name}: MathJax did not typeset the page offline (no mjx-container)"
        assert facts["raw_maths"] == 0, f"{name}: {facts['raw_maths']} raw \\[, \\( or $$ left in the text"
    assert with_maths, "no page with maths found: the check would pass vacuously"
    print(f"{with_maths} pages with maths, all typeset offline")


def test_every_request_stays_on_the_book(rendered):
    for name, facts in rendered.items():
        remote = [u for u in facts["requests"] if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))]
        assert not remote, f"{name}: requests the network: {remote}"
        failed = [f for f in facts["failed"] if not f.get("canceled")]
        assert not failed, f"{name}: failed requests: {failed}"


def test_every_figure_has_a_caption_and_alt_text(rendered):
    counted, missing = 0, []
    for name, facts in rendered.items():
        for fig in facts["figures"]:
            counted += 1
            alt, caption = fig["alt"].strip(), fig["caption"]
            if not alt or re.search(r"\.(png|jpe?g|svg|gif)$|/|\\", alt) or len(alt.split()) < 4:
                missing.append(f"{name}: {fig['src']}: alt text {alt!r}")
            if len(caption.split()) < 4:
                missing.append(f"{name}: {fig['src']}: no caption")
    assert counted, "no figure found in the pages"
    assert not missing, f"{len(missing)} of {2 * counted} captions and alt texts missing or a path:\n  " + "\n  ".join(
        missing
    )
    print(f"{counted} figures, each with a caption and alt text")


def test_no_error_output(rendered):
    for name, facts in rendered.items():
        assert not facts["traceback"], f"{name}: a traceback is shown"
        assert facts["error_boxes"] == 0, f"{name}: {facts['error_boxes']} stderr or error boxes"


def _build_paths(html: Path, runs: Path) -> list[str]:
    paths = {
        ROOT,
        ROOT.resolve(),
        html,
        html.parent.parent,
        runs,
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path.home(),
        Path(os.environ.get("PHYSML_CACHE", "/nonexistent")),
    }
    return sorted({str(p) for p in paths} - {"/", ""}, key=len, reverse=True)


def test_no_absolute_build_paths_in_pages_or_downloads(html, smoke_runs):
    paths = _build_paths(html, smoke_runs)
    pages = sorted(html.rglob("*.html"))
    notebooks = sorted((html / "_sources").rglob("*.ipynb"))
    assert len(notebooks) == sum(e.startswith("notebooks/") for e in toc_files(ROOT / "_toc.yml")), (
        "the downloadable .ipynb of every notebook page is in _sources/"
    )
    for f in pages + notebooks:
        text = f.read_text(errors="replace")
        for p in paths:
            assert p not in text, f"{f.relative_to(html)} holds the build machine's path {p}"
        m = ABSOLUTE.search(text)
        assert m is None, (
            f"{f.relative_to(html)} holds an absolute path: {text[max(0, m.start() - 80) : m.end() + 40]!r}"
        )


def test_screenshots_and_tables_at_phone_width(browser, site, smoke_runs):
    shots = smoke_runs / "smoke" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    scrolling = 0
    for (width, height), label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = Page(browser, width, height)
        for chapter, names in CHAPTERS.items():
            for name in names:
                page.open(f"{site}/{name}.html", SETTLE)
                png = shots / f"ch{chapter}-{name.split('/')[-1]}-{label}-{width}px.png"
                page.screenshot(png)
                assert png.stat().st_size > 10_000, f"{png.name}: empty screenshot"
                tables = page.eval(TABLES)
                for table in tables:
                    assert not table["overflows_page"], f"{name} at {width} px: a table runs off the page"
                    assert not table["wide"] or table["cue"], f"{name} at {width} px: a table scrolls with no cue"
                    scrolling += table["wide"] and width == PHONE[0]
                if any(table["wide"] for table in tables):  # and one of the first table that scrolls
                    page.eval(SHOW_WIDE_TABLE)
                    page.screenshot(png.with_name(png.stem + "-table.png"))
    assert scrolling, "no table scrolls at phone width: the cue is not exercised"
    print(f"screenshots in {shots}")
