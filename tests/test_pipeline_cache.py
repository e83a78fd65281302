import os
import time
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


def test_unwritable_cache_folder_fails_before_building(tmp_path):
    """Probe: with a cache folder that cannot be written, the generator ran to the end (hours at
    paper scale) and only then failed with a bare OSError. Now: a clear error naming the folder,
    before build() is called."""
    from helpers.pipeline.cache import CacheNotWritableError

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    calls = []
    with pytest.raises(CacheNotWritableError, match=f"cache folder {blocker / 'sub'} is not writable.*PHYSML_CACHE"):
        cached_arrays("toy", {"n": 50}, _builder(calls), folder=blocker / "sub")
    assert calls == [], "nothing may be generated into a folder that cannot hold it"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder_fails_before_building(tmp_path):
    from helpers.pipeline.cache import CacheNotWritableError

    tmp_path.chmod(0o500)
    calls = []
    try:
        with pytest.raises(CacheNotWritableError, match=str(tmp_path)):
            cached_arrays("toy", {"n": 50}, _builder(calls), folder=tmp_path)
    finally:
        tmp_path.chmod(0o700)
    assert calls == []


def test_stale_temporaries_of_killed_writers_are_removed(tmp_path):
    """Probe: a writer killed between mkstemp and os.replace left '.name.xyz.tmp' files (often
    gigabytes) for ever. Now the next write removes those older than STALE_TMP_S; younger ones may
    belong to a writer still at work and stay."""
    from helpers.pipeline.cache import STALE_TMP_S

    old = tmp_path / ".toy-abc.npz.k2j3.tmp"
    young = tmp_path / ".toy-abc.npz.q9w8.tmp"
    other = tmp_path / "keep.tmp"
    for p in (old, young, other):
        p.write_bytes(b"x" * 10)
    past = time.time() - STALE_TMP_S - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    cached_arrays("toy", {"n": 50}, _builder([]), folder=tmp_path)
    assert not old.exists()
    assert young.exists() and other.exists()


def test_nan_in_metrics_names_the_key(tmp_path):
    """Probe: write_json with a NaN deep inside failed with 'Out of range float values are not JSON
    compliant', naming neither the key nor the file."""
    from helpers.pipeline.metrics import to_jsonable, write_json

    payload = {"metrics": {"results": {"fixed": {"loss": [0.1, np.float32("nan")]}}, "ok": 1.0}}
    with pytest.raises(ValueError, match=r"f\.json: metrics\.results\.fixed\.loss\[1\] is nan"):
        write_json(tmp_path / "f.json", payload)
    with pytest.raises(ValueError, match=r"metrics\.x\.y is inf"):
        to_jsonable({"x": {"y": np.inf}})
    assert not (tmp_path / "f.json").exists()
