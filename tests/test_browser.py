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

Chromium is Debian's ``chromium`` (``.ci/run`` installs it when missing), driven through its
command line (``--dump-dom`` after scripts ran, ``--screenshot``): no Python package, no browser
download. Without it the test is skipped, except under CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import functools
import html as htmllib
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers.pipeline.book import build, toc_files

from conftest import ROOT

pytestmark = pytest.mark.book

DESKTOP, PHONE = 1280, 390
CHAPTER_PAGES = [  # one page per chapter for the screenshots: each chapter's first notebook
    "notebooks/01-perceptron-to-cnn/01-perceptron",
    "notebooks/02-gaps-antiparticles/02-cnn-classifier",
    "notebooks/03-galaxy-zoo/01-synthetic-sky",
    "notebooks/04-resolution/01-shrink-and-enlarge",
    "notebooks/05-omnifold/01-why-unfold",
]
# an absolute path under the usual roots of a build machine (not preceded by a URL or a word)
ABSOLUTE = re.compile(r"(?<![\w.:/<>~-])/(?:tmp|work|home|root|usr|opt|var|srv|mnt|builds?)/[\w.+-]+")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        message = "headless Chromium is needed: apt-get install chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def html(smoke_runs, tmp_path_factory) -> Path:
    t0 = time.perf_counter()
    out = build("smoke", out=tmp_path_factory.mktemp("browser-book"), runs=smoke_runs)
    print(f"book built in {time.perf_counter() - t0:.0f} s")
    return out


@pytest.fixture(scope="module")
def site(html):
    """The built book served on 127.0.0.1 (a random free port) for the module's tests."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


@pytest.fixture(scope="module")
def profile_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


def _flags(chromium: str, profile: Path, width: int, height: int) -> list[str]:
    return [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--hide-scrollbars", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--metrics-recording-only", "--mute-audio",
        f"--user-data-dir={profile}", f"--window-size={width},{height}",
        # no network: names other than 127.0.0.1 do not resolve, and whatever is not loopback
        # goes to a proxy where nothing listens
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=30000", "--run-all-compositor-stages-before-draw",
    ]


def _dump(chromium: str, profile: Path, url: str, width: int = DESKTOP) -> str:
    """The page's DOM after its scripts ran (MathJax included)."""
    cmd = _flags(chromium, profile, width, 900) + ["--dump-dom", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and "<html" in proc.stdout, f"chromium failed on {url}: {proc.stderr[-2000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def doms(chromium, site, html, profile_dir) -> dict[str, str]:
    """The rendered DOM of every page of the toc at desktop width: ``{toc entry: DOM}``."""
    t0 = time.perf_counter()
    out = {}
    for entry in toc_files(ROOT / "_toc.yml"):
        page = entry.removesuffix(".ipynb")
        assert (html / f"{page}.html").is_file(), f"{page}.html missing"
        out[page] = _dump(chromium, profile_dir, f"{site}/{page}.html")
    print(f"{len(out)} pages rendered in Chromium in {time.perf_counter() - t0:.0f} s")
    return out


def _elements(dom: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*>", dom, flags=re.I)


def _attr(element: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', element)
    return htmllib.unescape(m.group(1)) if m else None


def _has_maths(static_html: str) -> bool:
    return re.search(r'class="math\b', static_html) is not None


def test_maths_render_offline_and_only_where_needed(doms, html):
    with_maths = []
    for page, dom in doms.items():
        static = (html / f"{page}.html").read_text()
        mathjax = [s for s in _elements(static, "script") if "mathjax" in (_attr(s, "src") or "").lower()]
        if not _has_maths(static):
            assert not mathjax, f"{page}: no maths on the page, but MathJax is loaded"
            continue
        with_maths.append(page)
        assert mathjax, f"{page}: maths on the page but no MathJax script"
        for s in mathjax:
            assert not re.match(r"(https?:)?//", _attr(s, "src")), f"{page}: MathJax from the network: {s}"
        assert "<mjx-container" in dom, f"{page}: MathJax did not typeset the page (offline)"
        for m in re.finditer(r'<(span|div) class="math\b[^"]*"[^>]*>(.*?)</\1>', dom, flags=re.S):
            body = re.sub(r"<mjx-assistive-mml.*?</mjx-assistive-mml>", "", m.group(2), flags=re.S)
            assert not re.search(r"\\\[|\\\(|\$\$", body), f"{page}: raw maths left: {m.group(0)[:200]}"
    assert with_maths, "no page with maths found: the check would pass vacuously"


def test_every_asset_is_local(doms):
    for page, dom in doms.items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src")):
            for el in _elements(dom, tag):
                url = _attr(el, attr)
                if not url or (tag == "link" and not re.search(r'rel="(stylesheet|preload|icon|modulepreload)', el)):
                    continue
                remote = re.match(r"(https?:)?//", url) and not url.startswith(("http://127.0.0.1", "//127.0.0.1"))
                assert not remote, f"{page}: loads {url} from the network ({tag})"
        for url in re.findall(r"url\(['\"]?((?:https?:)?//[^'\")]+)", dom):
            assert url.startswith(("http://127.0.0.1", "//127.0.0.1")), f"{page}: style loads {url}"


def test_every_figure_has_a_caption_and_alt_text(doms):
    counted = 0
    for page, dom in doms.items():
        if not page.startswith("notebooks/"):
            continue
        article = dom[dom.find("<article"):]
        for m in re.finditer(r"<img\b[^>]*>", article):
            img = m.group(0)
            src = _attr(img, "src") or ""
            if "_images/" not in src:
                continue
            counted += 1
            alt = (_attr(img, "alt") or "").strip()
            assert alt, f"{page}: figure {src} has no alt text"
            assert not re.search(r"(\.(png|jpe?g|svg|gif)$)|/|\\", alt), f"{page}: alt text of {src} is a path: {alt!r}"
            assert len(alt.split()) >= 4, f"{page}: alt text of {src} is too short to describe it: {alt!r}"
            before, after = article[: m.start()], article[m.end():]
            opened, closed = before.rfind("<figure"), before.rfind("</figure>")
            assert opened > closed, f"{page}: figure {src} is not in a <figure> (no caption)"
            end = after.find("</figure>")
            caption = re.search(r"<figcaption\b.*?</figcaption>", after[:end], flags=re.S)
            text = re.sub(r"<[^>]+>", "", caption.group(0)).strip() if caption else ""
            assert len(text.split()) >= 4, f"{page}: figure {src} has no caption"
    assert counted, "no figure found in the notebook pages"
    print(f"{counted} figures, each with a caption and alt text")


def test_no_error_output(doms):
    for page, dom in doms.items():
        article = dom[dom.find("<article"):]
        assert "Traceback" not in article, f"{page}: a traceback is shown"
        for cls in ("output stderr", "output traceback", "output error"):
            assert f'class="{cls}' not in article, f"{page}: an error box ({cls}) is shown"


def _build_paths(html: Path, runs: Path) -> list[str]:
    return sorted({str(p) for p in (ROOT, ROOT.resolve(), html, html.parent.parent, runs, Path(sys.prefix),
                                    Path(sys.base_prefix), Path.home(), Path(os.environ.get("PHYSML_CACHE", "/nonexistent")))
                   if str(p) not in ("/", "")}, key=len, reverse=True)


def test_no_absolute_build_paths_in_pages_or_downloads(html, smoke_runs):
    paths = _build_paths(html, smoke_runs)
    files = sorted(html.rglob("*.html")) + sorted((html / "_sources").rglob("*.ipynb"))
    notebooks = [f for f in files if f.suffix == ".ipynb"]
    assert len(notebooks) == sum(e.startswith("notebooks/") for e in toc_files(ROOT / "_toc.yml")), \
        "the downloadable .ipynb of every notebook page is in _sources/"
    for f in files:
        text = f.read_text(errors="replace")
        for p in paths:
            assert p not in text, f"{f.relative_to(html)} holds the build machine's path {p}"
        m = ABSOLUTE.search(text)
        assert m is None, f"{f.relative_to(html)} holds an absolute path: {text[max(0, m.start() - 80):m.end() + 40]!r}"


def test_screenshots_and_phone_width(chromium, site, smoke_runs, profile_dir):
    shots = smoke_runs / "smoke" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for page in CHAPTER_PAGES:
        for width, height in ((DESKTOP, 1000), (PHONE, 844)):
            png = shots / f"{page.split('/')[1]}-{width}px.png"
            png.unlink(missing_ok=True)
            cmd = _flags(chromium, profile_dir, width, height) + [f"--screenshot={png}", f"{site}/{page}.html"]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
            assert proc.returncode == 0 and png.is_file() and png.stat().st_size > 10_000, \
                f"no screenshot of {page} at {width} px: {proc.stderr[-1500:]}"
    print(f"screenshots: {shots}")
    # at phone width, a table wider than the screen scrolls inside its box and says so
    dom = _dump(chromium, profile_dir, f"{site}/{CHAPTER_PAGES[1]}.html", width=PHONE)
    assert "<table" in dom, f"{CHAPTER_PAGES[1]}: no table"
    assert "physml-scrolls" in dom, f"{CHAPTER_PAGES[1]}: a table too wide for {PHONE} px has no scroll cue"
