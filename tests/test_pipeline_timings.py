"""The benchmark table of helpers.pipeline.timings, from a synthetic manifest with known times."""

import json

import pytest

from helpers.pipeline.timings import entry_seconds, main, table


def _manifest():
    return {
        "profile": "book",
        "notebooks": {
            # wall_s given: used as is
            "03-galaxy-zoo/02-cnn-and-uncertain.ipynb": {"status": "ok", "wall_s": 250.4},
            # no wall_s: ended - started = 1 min 40 s, worked out by hand
            "01-perceptron-to-cnn/01-perceptron.ipynb": {
                "status": "ok",
                "started": "2026-01-01T10:00:00+00:00",
                "ended": "2026-01-01T10:01:40+00:00",
            },
            # still running: listed, not counted
            "05-omnifold/01-why-unfold.ipynb": {"status": "running", "started": "2026-01-01T10:02:00+00:00"},
        },
    }


def test_entry_seconds_from_wall_or_clock():
    m = _manifest()["notebooks"]
    assert entry_seconds(m["03-galaxy-zoo/02-cnn-and-uncertain.ipynb"]) == 250.4
    assert entry_seconds(m["01-perceptron-to-cnn/01-perceptron.ipynb"]) == 100.0
    assert entry_seconds(m["05-omnifold/01-why-unfold.ipynb"]) is None


def test_table_rows_total_and_flag():
    lines = table(_manifest(), limit_s=240).splitlines()
    assert lines[0] == "| notebook | seconds | m:ss | status |"
    # sorted by notebook; 250.4 s is 4:10 and over the 4-minute rule; 100 s is 1:40
    assert lines[2] == "| 01-perceptron-to-cnn/01-perceptron.ipynb | 100 | 1:40 | ok |"
    assert lines[3] == "| 03-galaxy-zoo/02-cnn-and-uncertain.ipynb | 250 | 4:10 | ok (over 240 s) |"
    assert lines[4] == "| 05-omnifold/01-why-unfold.ipynb | – | – | running |"
    # 250.4 + 100 = 350.4 s = 5:50, over the two notebooks with a time
    assert lines[5] == "| **total (2 notebooks)** | **350** | **5:50** | |"


def test_a_run_two_at_a_time_adds_its_elapsed_time_and_flags_nothing():
    m = _manifest()
    for entry in m["notebooks"].values():
        entry["run_jobs"] = 2
    m["last_run"] = {"elapsed_s": 200.0, "jobs": 2, "notebooks": list(m["notebooks"])}
    lines = table(m, limit_s=240).splitlines()
    # 250 s beside another notebook says nothing about the notebook alone: not flagged
    assert lines[3] == "| 03-galaxy-zoo/02-cnn-and-uncertain.ipynb | 250 | 4:10 | ok |"
    assert lines[5] == "| **total (2 notebooks)** | **350** | **5:50** | |"
    assert lines[6] == "| **elapsed, up to 2 at a time (3 notebooks)** | **200** | **3:20** | |"
    assert "shared the cores" in lines[-1]
    # a later run of some notebooks only: its elapsed time is not the table's
    m["last_run"]["notebooks"] = ["05-omnifold/01-why-unfold.ipynb"]
    assert "**elapsed" not in table(m, limit_s=240)
    # the same notebooks, but one of the rows was written before that run began: not its time
    m["last_run"]["notebooks"] = list(m["notebooks"])
    m["last_run"]["started"] = "2026-01-01T10:01:00+00:00"  # after 01-perceptron's start (10:00)
    assert "**elapsed" not in table(m, limit_s=240)


def test_empty_or_bad_manifest_is_named():
    with pytest.raises(ValueError, match="lists no notebooks"):
        table({"notebooks": {}})
    with pytest.raises(ValueError, match="ISO 8601"):
        entry_seconds({"started": "yesterday", "ended": "today"})


def test_main_reads_the_profile_manifest(tmp_path, capsys):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "manifest.json").write_text(json.dumps(_manifest()))
    assert main(["--runs", str(tmp_path)]) == 0
    assert "**total (2 notebooks)**" in capsys.readouterr().out
    assert main(["--runs", str(tmp_path), "--profile", "paper"]) == 2
    assert "no manifest" in capsys.readouterr().err
