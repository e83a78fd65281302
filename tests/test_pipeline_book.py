"""The book builds (warnings as errors) from the smoke run and has every page with its figures."""

import re

import pytest

from conftest import ROOT
from helpers.pipeline.book import build, toc_files

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def html(smoke_runs, tmp_path_factory):
    return build("smoke", out=tmp_path_factory.mktemp("book"), runs=smoke_runs)


def test_every_toc_page_is_built(html):
    for entry in toc_files(ROOT / "_toc.yml"):
        page = html / (entry.removesuffix(".ipynb") + ".html")
        assert page.is_file(), f"{page} missing"


def test_notebook_pages_show_outputs_and_figures(html):
    for entry in toc_files(ROOT / "_toc.yml"):
        if not entry.startswith("notebooks/"):
            continue
        text = (html / (entry + ".html")).read_text()
        figures = re.findall(r'<img[^>]+src="((?:\.\./)+_images/[^"]+\.png)"', text)
        assert figures, f"{entry}: no figure in the page"
        for src in figures:
            assert (html / entry).parent.joinpath(src).resolve().is_file(), f"{entry}: broken image {src}"
        assert 'class="cell_output' in text, f"{entry}: executed outputs missing"
        assert "metrics written to" not in text, f"{entry}: the metrics cell is plumbing (tag remove-cell)"
        assert "Traceback" not in text


def test_citations_resolve_and_launch_buttons(html):
    intro = (html / "book" / "intro.html").read_text()
    assert "references.html#id" in intro or "references.html#" in intro, "citations link to the bibliography"
    bib = (html / "book" / "references.html").read_text()
    assert "Rosenblatt" in bib and "OmniFold" in bib
    page = (html / "notebooks" / "01-perceptron-to-cnn" / "01-perceptron.html").read_text()
    assert "colab.research.google.com" in page and "mybinder.org" in page
    assert "01-perceptron.ipynb" in page  # download button for the notebook


def test_landing_page_numbers_come_from_the_run(html, smoke_metrics):
    page = (html / "book" / "ch02-gaps-antiparticles.html").read_text()
    s = smoke_metrics["02-cnn-classifier"]["metrics"]["results"]["fixed_3d"]["test_accuracy"]
    assert f"{s['mean']:.3f} ± {s['std']:.3f}" in page
    assert "{{" not in page


def test_fill_metrics_errors():
    from helpers.pipeline.book import fill_metrics
    from helpers.pipeline.run import RunError

    m = {"nb": {"a": {"mean": 0.5, "std": 0.1}, "x": 2.0}}
    assert fill_metrics("{{ s:nb:a }} {{ m:nb:x:.1f }}", m) == "0.500 ± 0.100 2.0"
    assert fill_metrics("{{ s:nb:a:%1 }} {{ s:nb:a:%0 }}", m) == "50.0 ± 10.0 % 50 ± 10 %"
    with pytest.raises(RunError, match="no metrics in this run"):
        fill_metrics("{{ m:other:x }}", m)
    with pytest.raises(RunError, match="no metric 'y'"):
        fill_metrics("{{ m:nb:y }}", m)


def test_an_escaped_placeholder_is_shown_literally():
    """The running page documents the placeholders: ``\\{{`` keeps one from being filled."""
    from helpers.pipeline.book import fill_metrics, fill_sources, unescape
    from helpers.pipeline.record import fill_records

    text = r"write `\{{ m:nb:x:.1f }}`, `\{{ record:NAME }}` or `\{{ sources:mod }}`; got {{ m:nb:x:.1f }}"
    filled, stale = fill_records(text, {})
    filled = fill_sources(fill_metrics(filled, {"nb": {"x": 2.0}}))
    assert stale == []
    assert unescape(filled) == "write `{{ m:nb:x:.1f }}`, `{{ record:NAME }}` or `{{ sources:mod }}`; got 2.0"
