"""helpers.pipeline.plain runs a notebook's cells without Jupyter, with parameters overridden."""

import json

import nbformat
import pytest

from helpers.pipeline import plain


def _nb(path):
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("SEED = 0  # int >= 0\nX = 2  # int >= 0\nMETRICS_PATH = 'unused.json'")
    p.metadata["tags"] = ["parameters"]
    nb.cells = [
        p,
        nbformat.v4.new_code_cell("%pip install nothing"),
        nbformat.v4.new_code_cell("import json\njson.dump({'y': X ** 2}, open(METRICS_PATH, 'w'))"),
    ]
    nbformat.write(nb, path)


def test_parameters_are_overridden_and_pip_cell_skipped(tmp_path):
    _nb(tmp_path / "t.ipynb")
    out = tmp_path / "m.json"
    plain.run(str(tmp_path / "t.ipynb"), str(out), {"X": 7})
    assert json.loads(out.read_text()) == {"y": 49}
    with pytest.raises(ValueError, match=r"parameters \['Z'\] are not settable"):
        plain.run(str(tmp_path / "t.ipynb"), str(out), {"Z": 1})
    # the runner's checks, before any cell runs: domains and types
    with pytest.raises(ValueError, match=r"X = -1 is outside its domain 'int >= 0'"):
        plain.run(str(tmp_path / "t.ipynb"), str(out), {"X": -1})
    with pytest.raises(ValueError, match=r"X = 'a' \(str\) does not match"):
        plain.run(str(tmp_path / "t.ipynb"), str(out), {"X": "a"})
