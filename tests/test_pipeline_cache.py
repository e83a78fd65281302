import warnings

import numpy as np
import pytest

from helpers.pipeline.cache import CacheCorruptedWarning, atomic_write_bytes, cached_arrays, parameter_key


def _builder(counter, value=1.0):
    def build():
        counter.append(1)
        return {"x": np.full((50, 3), value), "y": np.arange(50)}
    return build


def test_cache_hit_miss_and_key(tmp_path):
    calls = []
    a = cached_arrays("toy", {"n": 50, "seed": 1}, _builder(calls), folder=tmp_path)
    b = cached_arrays("toy", {"n": 50, "seed": 1}, _builder(calls), folder=tmp_path)
    assert len(calls) == 1
    np.testing.assert_array_equal(a["x"], b["x"])
    cached_arrays("toy", {"n": 50, "seed": 2}, _builder(calls), folder=tmp_path)
    assert len(calls) == 2, "different parameters must give a different key"
    cached_arrays("toy", {"n": 50, "seed": 1}, _builder(calls), folder=tmp_path, version=2)
    assert len(calls) == 3, "a new generator version must not reuse old files"
    assert parameter_key("toy", 1, {"a": 1, "b": 2}) == parameter_key("toy", 1, {"b": 2, "a": 1})


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete_meta"])
def test_damaged_cache_is_detected_and_rebuilt(tmp_path, damage):
    calls = []
    cached_arrays("toy", {"n": 50}, _builder(calls, 1.0), folder=tmp_path)
    npz = next(tmp_path.glob("toy-*.npz"))
    data = npz.read_bytes()
    if damage == "truncate":
        npz.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        npz.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
    else:
        npz.with_suffix(".json").unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = cached_arrays("toy", {"n": 50}, _builder(calls, 1.0), folder=tmp_path)
    assert len(calls) == 2, "a damaged file must be regenerated, never used"
    if damage != "delete_meta":
        assert any(issubclass(w.category, CacheCorruptedWarning) for w in caught)
    np.testing.assert_array_equal(out["x"], np.ones((50, 3)))


def test_atomic_write_leaves_no_temporaries(tmp_path):
    atomic_write_bytes(tmp_path / "f.bin", b"abc")
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]
    assert (tmp_path / "f.bin").read_bytes() == b"abc"


def test_cache_rejects_bad_builds(tmp_path):
    with pytest.raises(TypeError, match="NumPy arrays"):
        cached_arrays("bad", {}, lambda: {"x": [1, 2]}, folder=tmp_path)
    with pytest.raises(TypeError, match="dtype object"):
        cached_arrays("bad", {}, lambda: {"x": np.array([{}, 1], dtype=object)}, folder=tmp_path)
    with pytest.raises(TypeError, match="JSON-serialisable"):
        cached_arrays("bad", {"f": object()}, lambda: {}, folder=tmp_path)
