"""Compare the smoke run's metrics with the recorded reference values (tests/reference/)."""

import json

import pytest

from helpers.pipeline.regression import collect, compare, flatten, load_tolerances, tolerance_for

from conftest import ROOT

REF = ROOT / "tests" / "reference" / "smoke.json"
RULES = load_tolerances(REF.with_name("tolerances.yml"))


@pytest.mark.notebooks
def test_smoke_metrics_match_reference(smoke_runs):
    failures = compare(collect(smoke_runs / "smoke"), json.loads(REF.read_text()), RULES)
    assert not failures, "\n".join(failures)


def test_reference_covers_every_notebook():
    ref = json.loads(REF.read_text())
    notebooks = {p.stem for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert set(ref) == notebooks


def test_compare_detects_changes():
    ref = {"nb": flatten({"acc": 0.9, "ok": True, "conv_max_abs_diff": 1e-7, "n": 5})}
    assert compare(ref, ref, RULES) == []
    worse = {"nb": dict(ref["nb"], acc=0.85)}
    assert any("acc" in f for f in compare(worse, ref, RULES))
    flipped = {"nb": dict(ref["nb"], ok=False)}
    assert any("ok" in f for f in compare(flipped, ref, RULES))
    too_big = {"nb": dict(ref["nb"], conv_max_abs_diff=1e-3)}
    assert any("exceeds the bound" in f for f in compare(too_big, ref, RULES))
    assert any("missing" in f for f in compare({"nb": {}}, ref, RULES))
    assert tolerance_for("x:whatever", RULES)["pattern"] == "*"
