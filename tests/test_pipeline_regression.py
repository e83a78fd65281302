"""Compare the smoke run's metrics with the recorded reference values (tests/reference/)."""

import json

import pytest

from conftest import ROOT
from helpers.pipeline.regression import (
    cited_keys,
    collect,
    compare,
    flatten,
    load_tolerances,
    record,
    reference_values,
    tolerance_for,
)

REF = ROOT / "tests" / "reference" / "smoke.json"
RULES = load_tolerances(REF.with_name("tolerances.yml"))


@pytest.mark.notebooks
def test_smoke_metrics_match_reference(smoke_runs):
    failures = compare(collect(smoke_runs / "smoke"), reference_values(json.loads(REF.read_text())), RULES)
    assert not failures, "\n".join(failures)


def test_reference_holds_exactly_what_the_book_cites_and_its_versions():
    ref = json.loads(REF.read_text())
    cited = cited_keys(ROOT / "book")
    assert {nb: set(v) for nb, v in reference_values(ref).items()} == cited, (
        "re-record the reference after changing the pages' placeholders"
    )
    assert {"python", "numpy", "keras", "tensorflow"} <= set(ref["versions"])


def test_record_keeps_cited_values_and_names_missing_ones(tmp_path):
    from helpers.pipeline.metrics import write_json

    book = tmp_path / "book"
    book.mkdir()
    (book / "p.md").write_text("acc {{ s:nb:acc:2 }}, n {{ m:nb:n:d }}")
    run = tmp_path / "run"
    write_json(
        run / "nb.metrics.json",
        {
            "notebook": "nb",
            "wall_time_s": 1.0,
            "versions": {"numpy": "2"},
            "metrics": {"acc": {"mean": 0.9, "std": 0.1, "sem": 0.05}, "n": 3, "x": 1},
        },
    )
    ref = record(run, book)
    assert ref == {"versions": {"numpy": "2"}, "values": {"nb": {"acc.mean": 0.9, "acc.std": 0.1, "n": 3}}}
    (book / "p.md").write_text("{{ m:nb:y }}")
    with pytest.raises(KeyError, match="cites nb:y"):
        record(run, book)


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
