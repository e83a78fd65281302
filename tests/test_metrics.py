import json
import math

import numpy as np
import pytest

from helpers.metrics import format_summary, read_metrics, summarize, to_jsonable, write_json


def test_summarize_known_values():
    s = summarize([1.0, 2.0, 3.0, 4.0])
    assert s["mean"] == pytest.approx(2.5)
    assert s["std"] == pytest.approx(math.sqrt(5 / 3))          # sample std, ddof = 1
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
