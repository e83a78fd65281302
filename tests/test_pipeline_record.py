"""Records (``--record``): a toy notebook's run round-trips into ``book/records/``, a failed run is
never recorded, and a page flags a record whose notebook or profile changed since it ran."""

import hashlib
import json
import os
import re
from datetime import UTC, datetime

import nbformat
import pytest

from helpers.pipeline import record, run
from helpers.pipeline.run import RunError
from toy_notebooks import TOY_PARAMS
from toy_notebooks import make_repo as _make_repo


@pytest.fixture
def toy_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_ROOT", str(tmp_path))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    return tmp_path


def _record_file(root):
    files = sorted((root / "book" / "records").glob("*.metrics.json"))
    assert len(files) == 1, files
    return files[0]


def test_record_round_trips_and_goes_stale_when_the_notebook_changes(toy_repo):
    nb = _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    assert run.main(["all", "--profile", "smoke", "--record"]) == 0
    path = _record_file(toy_repo)
    assert path.name == "toy.smoke-cpu.metrics.json"
    data = json.loads(path.read_text())
    # the notebook's own metrics file, unchanged, plus the record block
    ran = json.loads((toy_repo / "runs" / "smoke" / "09-toy" / "toy.metrics.json").read_text())
    assert {k: v for k, v in data.items() if k != "record"} == ran
    assert data["metrics"] == {"x": 5}
    block = data["record"]
    assert block["profile"] == "smoke" and block["parameters"] == {"X": 5}
    assert block["all_parameters"] == {"SEED": 0, "X": 5}
    assert block["notebook_path"] == "notebooks/09-toy/toy.ipynb"
    assert block["notebook_sha256"] == hashlib.sha256(nb.read_bytes()).hexdigest()
    assert block["machine"]["cores"] == len(os.sched_getaffinity(0))
    assert block["machine"]["backend"] == "tensorflow" and block["machine"]["gpu"] is None
    assert block["versions"]["python"].count(".") == 2 and "numpy" in block["versions"]
    assert block["wall_s"] > 0 and block["commit"] is None  # the toy repository is no git checkout

    # read back the way the book builder does: the r: placeholders and the label
    from helpers.pipeline.book import fill_metrics

    recorded = record.read_records()
    assert fill_metrics("{{ r:toy.smoke-cpu:x }}", {}, recorded={n: d["metrics"] for n, d in recorded.items()}) == "5"
    text, warnings = record.fill_records("ran as {{ record:toy.smoke-cpu }}.", recorded)
    today = datetime.now(UTC).date().isoformat()
    assert re.fullmatch(rf"ran as smoke scale, \d+ CPU cores \(.+\), TensorFlow, {today}, \d+ s\.", text), text
    assert warnings == [] and "stale" not in text

    # editing the notebook after recording flags the record on the page, and the builder warns
    nb.write_text(nb.read_text().replace("# toy", "# toy, edited"))
    text, warnings = record.fill_records("{{ record:toy.smoke-cpu }}", record.read_records())
    assert "**stale record**" in text and "notebooks/09-toy/toy.ipynb changed" in text
    assert len(warnings) == 1 and "toy.smoke-cpu is stale" in warnings[0]


def test_a_changed_profile_entry_makes_a_record_stale(toy_repo):
    _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    assert run.main(["all", "--profile", "smoke", "--record", "--tag", "mine"]) == 0
    (toy_repo / "notebooks" / "09-toy" / "profiles.yml").write_text("smoke:\n  toy: {X: 6}\n")
    reasons = record.stale_reasons(record.read_records()["toy.mine"])
    assert len(reasons) == 1 and "'X': 6" in reasons[0] and "'X': 5" in reasons[0]
    # and an existing run cannot be recorded against a profile that plans something else now
    with pytest.raises(RunError, match="the profile plans"):
        record.record_run("all", "smoke", tag="again")


def test_a_failed_run_is_not_recorded(toy_repo, capsys):
    nb = _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    book = nbformat.read(nb, as_version=4)
    book.cells.insert(2, nbformat.v4.new_code_cell("assert X < 5, 'X too large'"))
    nbformat.write(book, nb)
    assert run.main(["all", "--profile", "smoke", "--record"]) == 1
    assert not (toy_repo / "book" / "records").exists()
    assert "not recorded: 09-toy/toy.ipynb did not finish ok" in capsys.readouterr().err
    with pytest.raises(RunError, match="status 'failed'.*only an ok run may be recorded"):
        record.record_run("all", "smoke")


def test_label_names_backend_device_and_date():
    data = {
        "wall_time_s": 2400.0,
        "record": {
            "profile": "paper",
            "started": "2026-12-02T10:00:00+00:00",
            "wall_s": 2460.0,
            "dirty": False,
            "machine": {"backend": "tensorflow", "cpu": "Intel(R) Xeon(R) CPU @ 2.20GHz", "cores": 2, "gpu": None},
        },
    }
    assert record.label(data) == "paper scale, 2 CPU cores (Intel Xeon), TensorFlow, 2026-12-02, 41 min"
    data["record"]["machine"] = {"backend": "jax", "cpu": "AMD EPYC 9654", "cores": 16, "gpu": "NVIDIA H100"}
    data["record"]["dirty"] = True
    assert record.label(data) == "paper scale, NVIDIA H100, JAX, 2026-12-02, 41 min, uncommitted changes"


def test_unknown_record_and_bad_tag_are_named(toy_repo):
    with pytest.raises(RunError, match="names 'nope', which has no record"):
        record.fill_records("{{ record:nope }}", {})
    _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    assert run.main(["all", "--profile", "smoke"]) == 0
    with pytest.raises(RunError, match="record tag 'a/b'"):
        record.record_run("all", "smoke", tag="a/b")


def test_record_refuses_overrides_and_a_tag_without_record(toy_repo, capsys):
    _make_repo(toy_repo, TOY_PARAMS, "smoke:\n  toy: {X: 5}\n")
    assert run.main(["all", "--profile", "smoke", "--record", "-p", "X=6"]) == 2
    assert "--record keeps a run of a profile's parameters" in capsys.readouterr().err
    assert run.main(["all", "--profile", "smoke", "--tag", "mine"]) == 2
    assert "--tag names a record: give --record too" in capsys.readouterr().err
    assert not (toy_repo / "book" / "records").exists()
