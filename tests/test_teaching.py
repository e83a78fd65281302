"""Every notebook teaches (book/running.md, 'Exercises, checks and hidden plumbing'):

* it ends with its summary and then 3-5 exercises, each an ``{exercise}`` labelled
  ``ex-<notebook>-<n>`` with a solution; at least one solution is code with an ``assert`` (the
  runner executes solutions with the notebook, so the tests run them at the smoke profile);
* 1-3 visible checks in the lesson: code cells that start with ``# Check:`` and assert what the
  lesson claims;
* the plumbing runs but is hidden: the install cell and the metrics cell are tagged ``remove-cell``.
"""

import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n:label: (ex-[\w-]+)")
SOLUTION = re.compile(r"```\{solution(?:-start)?\} (ex-[\w-]+)")


def _src(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_summary_then_exercises_with_solutions(nb_path):
    cells = json.loads(nb_path.read_text())["cells"]
    heads = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    summary = [i for i in heads if _src(cells[i]).startswith("## Summary")]
    exercises = [i for i in heads if _src(cells[i]).startswith("## Exercises")]
    assert len(summary) == 1 and len(exercises) == 1, "one '## Summary' and one '## Exercises' section"
    assert summary[0] < exercises[0], "the exercises come after the summary, at the end"
    tail = cells[exercises[0] :]
    md = "\n".join(_src(c) for c in tail if c["cell_type"] == "markdown")
    labels = EXERCISE.findall(md)
    assert 3 <= len(labels) <= 5, f"3-5 exercises, found {len(labels)}"
    assert len(set(labels)) == len(labels)
    for k, label in enumerate(labels, 1):
        assert label == f"ex-{nb_path.stem}-{k}", f"exercise labels are ex-{nb_path.stem}-1, -2, …"
    assert set(SOLUTION.findall(md)) == set(labels), "every exercise has a solution, and only those"
    # code solutions: the code cells between {solution-start} and {solution-end}
    inside, code_solutions = False, []
    for c in tail:
        s = _src(c)
        if c["cell_type"] == "markdown":
            if "{solution-start}" in s:
                inside = True
            if "{solution-end}" in s:
                inside = False
        elif inside:
            code_solutions.append(s)
        else:
            pytest.fail(f"a code cell among the exercises lies outside a solution: {s[:60]!r}")
    assert any("assert " in s for s in code_solutions), "at least one solution checks its answer in code"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_checks_in_the_lesson_and_hidden_plumbing(nb_path):
    cells = json.loads(nb_path.read_text())["cells"]
    end = next(i for i, c in enumerate(cells) if _src(c).startswith("## Summary"))
    checks = [c for c in cells[:end] if c["cell_type"] == "code" and _src(c).lstrip().startswith("# Check:")]
    assert 1 <= len(checks) <= 3, f"1-3 '# Check:' cells in the lesson, found {len(checks)}"
    assert all("assert " in _src(c) for c in checks), "a check asserts something"
    install = [c for c in cells if c["cell_type"] == "code" and "%pip install" in _src(c)]
    assert install and all("remove-cell" in _tags(c) for c in install), "the install cell is tagged remove-cell"
    metrics = [c for c in cells if c["cell_type"] == "code" and "write_metrics(" in _src(c)]
    assert len(metrics) == 1 and "remove-cell" in _tags(metrics[0]), "the metrics cell is tagged remove-cell"
    assert "show(" not in _src(metrics[0]) and "plt." not in _src(metrics[0]), "the hidden cell only writes metrics"


# Every headline number of the three studies (their summaries in the book's introduction and the
# studies themselves: GAPS slides, the thesis, the ATLAS paper) appears in the reproduction report.
STUDY_NUMBERS = [
    # GAPS {cite}`gapscnn`
    "0.9995",
    "0.00285",
    "0.9367",
    "0.1852",
    "37.2",
    "29.6",
    "363.2",
    "249.1",
    "87.6",
    "0.99425",
    "0.812",
    "K = 2",
    "K = 90",
    "40,000",
    # thesis {cite}`homma2022`
    "4,058",
    "1,561",
    "15,000",
    "0.931 ± 0.034",
    "0.922 ± 0.036",
    "0.791 ± 0.250",
    "0.828 ± 0.184",
    "0.948 / 0.842",
    "0.919 / 0.909",
    "64 × 64",
    "7:3",
    "300 galaxies per class",
    "900 epochs",
    "30 repeats",
    "1/4",
    "1/8",
    "≈ 0.5",
    "1/7",
    "1/6",
    "500 / 800 / 1,000",
    "247 µs",
    "378 µs",
    "1.48 ms",
    "0.168″",
    "150 px",
    "0.396″",
    "0 < z < 0.2",
    # ATLAS {cite}`atlas2024omnifold`
    "24",
    "139 fb⁻¹",
    "13 TeV",
]


def test_reproduction_report_quotes_every_study_number():
    page = (ROOT / "book" / "reproduction.md").read_text()
    missing = [n for n in STUDY_NUMBERS if n not in page]
    assert not missing, f"study numbers absent from book/reproduction.md: {missing}"
    # the study tables (header "| quantity | … | status | …"); the records table has no statuses
    body, in_study_table = [], False
    for line in page.splitlines():
        if not line.startswith("|"):
            in_study_table = False
        elif line.startswith("| quantity"):
            in_study_table = "status" in line
        elif in_study_table and not set(line) <= set("| -"):
            body.append(line)
    assert len(body) > 20, "the report's study tables were not found"
    for r in body:
        assert any(s in r for s in ("reproduced", "differs", "see ")), f"row without a status: {r[:80]}"
