"""Every notebook follows the book's conventions (DEVELOPERS.md, 'Every notebook')."""

import json
import re

import pytest

from conftest import ROOT
from helpers.pipeline.book import toc_files
from helpers.pipeline.run import RUNNER_PARAMETERS, plan, read_declarations, read_parameters, read_profiles

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _cells(nb_path):
    return json.loads(nb_path.read_text())["cells"]


def _src(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_conventions(nb_path):
    cells = _cells(nb_path)
    first = _src(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# "), "starts with a title"
    assert "Learning goals" in first, "states learning goals"
    assert re.search(r"Run time at book defaults: about [\d.]+ (s|minutes?)", first), "states its run time"
    params = read_parameters(nb_path)  # literal-only, SEED and METRICS_PATH declared
    assert isinstance(params["SEED"], int)
    code = "\n".join(_src(c) for c in cells if c["cell_type"] == "code")
    assert code.count("write_metrics(") == 1, "writes its metrics with one helper call"
    assert "start(" in code, "seeds and times itself with helpers.pipeline.notebook.start"
    # the summary closes the lesson; only the exercises follow it (tests/test_teaching.py)
    assert any(c["cell_type"] == "markdown" and _src(c).startswith("## Summary") for c in cells), "has a summary"
    for c in cells:
        if c["cell_type"] == "code":
            assert not c.get("outputs") and c.get("execution_count") is None, "committed without outputs"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_declares_its_domain(nb_path):
    """Each line of the parameters cell ends with '# DOMAIN[; text]' (book/running.md), the
    default lies in it, and so do the smoke and paper profiles' values."""
    declared = read_declarations(nb_path)
    lacking = [n for n, d in declared.items() if d.domain is None and n not in RUNNER_PARAMETERS]
    assert not lacking, f"parameters without a domain: {lacking}"
    assert str(declared["SEED"].domain) == "int >= 0"
    for profile in ("smoke", "book", "paper"):
        plan([str(nb_path)], profile)  # raises RunError naming any value outside its domain


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_smoke_and_paper_profiles(nb_path):
    profiles = read_profiles(nb_path.parent)
    for name in ("smoke", "paper"):
        assert nb_path.stem in profiles.get(name, {}), f"{nb_path.stem} lacks a {name} profile"


def test_every_notebook_is_in_the_toc_and_every_toc_file_exists():
    entries = toc_files(ROOT / "_toc.yml")
    in_toc = {e if e.endswith(".ipynb") else e + ".ipynb" for e in entries if e.startswith("notebooks/")}
    assert in_toc == {str(p.relative_to(ROOT)) for p in NOTEBOOKS}
    for e in entries:
        if not e.startswith("notebooks/"):
            assert (ROOT / f"{e}.md").is_file(), f"{e}.md is in _toc.yml but missing"


def test_citations_exist_in_bibliography():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    texts = [p.read_text() for p in (ROOT / "book").glob("*.md")] + [p.read_text() for p in NOTEBOOKS]
    cited = set()
    for t in texts:
        for group in re.findall(r"\{cite[tp]?\}`([^`]+)`", t):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "the book cites its sources"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_readme_names_every_notebook():
    """The README's chapter → notebooks → modules table is how a newcomer finds a notebook's code."""
    readme = (ROOT / "README.md").read_text()
    missing = [p.stem for p in NOTEBOOKS if f"`{p.stem}`" not in readme]
    assert not missing, f"notebooks absent from README.md's chapter table: {missing}"
