"""The book's figure style and the notebook copy the book serves (fast: no notebook run, no build)."""

import json

import matplotlib
import nbformat

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from helpers.nn.training import PROGRESS_METADATA
from helpers.pipeline.book import _copy_for_book
from helpers.plotting import MAX_WIDTH_IN, MIN_FONT_PT, STYLE, use_style


def test_style_caps_width_and_keeps_fonts_legible():
    use_style()
    try:
        fig, _ = plt.subplots(1, 3, figsize=(15, 4.5))
        assert tuple(fig.get_size_inches()) == (MAX_WIDTH_IN, 3.0)
        small, _ = plt.subplots(figsize=(6, 3))
        assert tuple(small.get_size_inches()) == (6, 3)
        sizes = {k: v for k, v in STYLE.items() if k.endswith(("size", "fontsize")) and k != "figure.figsize"}
        assert sizes and all(isinstance(v, (int, float)) and v >= MIN_FONT_PT for v in sizes.values()), sizes
        assert STYLE["figure.figsize"][0] <= MAX_WIDTH_IN
    finally:
        plt.close("all")
        matplotlib.rcParams["figure.hooks"] = []


def test_served_notebook_carries_nothing_of_the_build_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_CACHE", str(tmp_path / "cache"))
    runs = tmp_path / "runs" / "smoke" / "01-chapter"
    runs.mkdir(parents=True)
    metrics = runs / "01-x.metrics.json"
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {
        "input_path": "/somewhere/notebooks/01-x.ipynb",
        "output_path": str(runs / "01-x.ipynb"),
    }
    injected = nbformat.v4.new_code_cell(f'# Parameters\nN = 3\nMETRICS_PATH = "{metrics}"\n')
    injected.metadata["tags"] = ["injected-parameters"]
    only_path = nbformat.v4.new_code_cell(f'# Parameters\nMETRICS_PATH = "{metrics}"\n')
    only_path.metadata["tags"] = ["injected-parameters"]
    work = nbformat.v4.new_code_cell("train()")
    work.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=f"warning from {tmp_path}/runs/smoke/x.py\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "repeats: 100%"}, metadata=PROGRESS_METADATA),
        nbformat.v4.new_output("stream", name="stdout", text=f"cached in {tmp_path}/cache/data.h5\n"),
    ]
    nb.cells = [injected, only_path, work]
    src = runs / "01-x.ipynb"
    nbformat.write(nb, src)
    dst = tmp_path / "served.ipynb"
    _copy_for_book(src, dst)
    text = dst.read_text()
    assert str(tmp_path) not in text and "METRICS_PATH" not in text and "papermill" not in text
    served = json.loads(text)
    assert len(served["cells"]) == 2, "the injected cell that only set METRICS_PATH is gone"
    assert "N = 3" in "".join(served["cells"][0]["source"])
    outputs = served["cells"][1]["outputs"]
    assert [o["output_type"] for o in outputs] == ["stream", "stream"], "stderr dropped, progress as text"
    assert "".join(outputs[0]["text"]) == "repeats: 100%\n"
    assert "<build>" in "".join(outputs[1]["text"])
