import json
import math

import numpy as np
import pytest

from helpers.pipeline.metrics import collect_run_metrics, read_metrics, to_jsonable, write_json
from helpers.stats import format_summary, summarize


def test_summarize_known_values():
    s = summarize([1.0, 2.0, 3.0, 4.0])
    assert s["mean"] == pytest.approx(2.5)
    assert s["std"] == pytest.approx(math.sqrt(5 / 3))  # sample std, ddof = 1
    assert s["sem"] == pytest.approx(math.sqrt(5 / 3) / 2)
    assert (s["n"], s["min"], s["max"]) == (4, 1.0, 4.0)
    assert format_summary(s, 2) == "2.50 ± 1.29 (s.e. 0.65, n=4)"


@pytest.mark.parametrize("values", [[], [1.0], [1.0, float("nan")]])
def test_summarize_refuses_no_spread_or_nan(values):
    with pytest.raises(ValueError):
        summarize(values)


def test_jsonable_converts_numpy_and_names_bad_keys():
    out = to_jsonable({"a": np.float32(0.5), "b": np.arange(3), "c": {"d": np.bool_(True)}})
    assert out == {"a": 0.5, "b": [0, 1, 2], "c": {"d": True}}
    with pytest.raises(TypeError, match=r"metrics\.x\.y"):
        to_jsonable({"x": {"y": object()}})


def test_write_json_rejects_nan(tmp_path):
    with pytest.raises(ValueError):
        write_json(tmp_path / "m.json", {"a": float("nan")})
    assert not (tmp_path / "m.json").exists()


def test_read_metrics_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no metrics file"):
        read_metrics(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_metrics(bad)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"notebook": "x"}))
    with pytest.raises(ValueError, match="lacks the key 'metrics'"):
        read_metrics(partial)


def test_collect_run_metrics_refuses_two_files_for_one_notebook(tmp_path):
    def put(rel, value):
        write_json(tmp_path / rel, {"notebook": "nb", "metrics": {"acc": value}, "wall_time_s": 1.0})

    put("ch/nb.metrics.json", 0.7)
    assert collect_run_metrics(tmp_path)["nb"]["metrics"] == {"acc": 0.7}
    put("_book_src/book/records/nb.gpu.metrics.json", 0.9)  # e.g. a record staged with the pages
    with pytest.raises(ValueError, match="two metrics files for notebook 'nb'"):
        collect_run_metrics(tmp_path)
