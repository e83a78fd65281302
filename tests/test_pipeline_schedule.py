"""Notebooks several at a time (``run --jobs N``): prerequisites first, lanes overlapping, the same
numbers as one at a time, and failures that stop what they should."""

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers.pipeline import run, schedule
from helpers.pipeline.run import read_manifest

PARAMS = "SEED = 0  # int >= 0\nMETRICS_PATH = 'm.json'\nX = 1  # int >= 0\n"


def fake_job(chapter, stem):
    return SimpleNamespace(chapter=chapter, notebook=Path(f"/x/{chapter}/{stem}.ipynb"))


def test_dependencies_chain_each_chapter_and_follow_after():
    jobs = [fake_job("a", "1"), fake_job("a", "2"), fake_job("a", "3"), fake_job("b", "1"), fake_job("b", "2")]
    deps = schedule.dependencies(jobs, after={"b": "a/2", "c": "a/1"})
    assert deps == {"a/1": set(), "a/2": {"a/1"}, "a/3": {"a/2"}, "b/1": {"a/2"}, "b/2": {"b/1"}}
    # a prerequisite that is not planned is no prerequisite (running chapter b alone)
    assert schedule.dependencies(jobs[3:], after={"b": "a/2"}) == {"b/1": set(), "b/2": {"b/1"}}


def test_the_longest_chain_after_a_notebook_goes_first():
    deps = {"a/1": set(), "a/2": {"a/1"}, "b/1": {"a/1"}, "c/1": set()}
    est = {"a/1": 10, "a/2": 5, "b/1": 30, "c/1": 35}
    # hand-computed: a/1 = 10 + max(5, 30) = 40 > c/1's 35; an unknown time counts 60 s
    assert schedule.remaining_work(deps, est) == {"a/1": 40, "a/2": 5, "b/1": 30, "c/1": 35}
    assert schedule.remaining_work({"z/1": set()}, {})["z/1"] == schedule.DEFAULT_ESTIMATE_S


def test_estimates_read_a_previous_manifest():
    manifest = {"notebooks": {"a/1.ipynb": {"wall_s": 12.5}, "a/2.ipynb": {"status": "running"}}}
    assert schedule.estimates(manifest) == {"a/1": 12.5}


def write_notebook(folder, stem, body, params=PARAMS):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(params)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {stem}"), params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, folder / f"{stem}.ipynb")


STAMP = (
    "import json, time\n"
    "t0 = time.time()\n"
    "time.sleep({sleep})\n"
    "{extra}\n"
    "json.dump({{'notebook': '{stem}', 'metrics': {{'start': t0, 'end': time.time()}}, 'wall_time_s': 0.0}},"
    " open(METRICS_PATH, 'w'))\n"
)


@pytest.fixture
def two_chapters(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_ROOT", str(tmp_path))
    nbs = tmp_path / "notebooks"
    for chapter, stems in (("01-a", ("01-x", "02-y")), ("02-b", ("01-z",))):
        for stem in stems:
            write_notebook(nbs / chapter, stem, STAMP.format(sleep=3, extra="", stem=stem))
    return tmp_path


def metrics(root, key):
    return json.loads((root / "runs" / "book" / f"{key}.metrics.json").read_text())["metrics"]


def test_two_at_a_time_overlap_chapters_and_keep_each_chapters_order(two_chapters, capsys):
    assert run.main(["all", "--profile", "book", "--jobs", "2"]) == 0
    x, y, z = (metrics(two_chapters, k) for k in ("01-a/01-x", "01-a/02-y", "02-b/01-z"))
    assert y["start"] >= x["end"]  # a chapter's notebooks one after the other
    assert z["start"] < x["end"] and x["start"] < z["end"]  # the two chapters at once
    manifest = read_manifest(two_chapters / "runs" / "book")
    assert {e["status"] for e in manifest["notebooks"].values()} == {"ok"}
    # what ran at once, not the setting: 01-x and 01-z ran side by side
    assert manifest["notebooks"]["01-a/01-x.ipynb"]["run_jobs"] == 2
    assert manifest["notebooks"]["02-b/01-z.ipynb"]["run_jobs"] == 2
    last = manifest["last_run"]
    assert last["jobs"] == 2 and len(last["notebooks"]) == 3 and not last["interrupted"]
    assert last["elapsed_s"] >= max(e["wall_s"] for e in manifest["notebooks"].values())
    assert "3 notebook(s) ran in" in capsys.readouterr().out


def test_one_at_a_time_records_the_run_too(two_chapters):
    assert run.main(["02-b", "--profile", "book"]) == 0
    last = read_manifest(two_chapters / "runs" / "book")["last_run"]
    assert last["jobs"] == 1 and last["notebooks"] == ["02-b/01-z.ipynb"]
    assert read_manifest(two_chapters / "runs" / "book")["notebooks"]["02-b/01-z.ipynb"]["run_jobs"] == 1


def test_a_failure_stops_its_chapter_and_starts_nothing_new(two_chapters, capsys):
    nbs = two_chapters / "notebooks"
    write_notebook(nbs / "01-a", "01-x", "raise RuntimeError('broken on purpose')")
    write_notebook(nbs / "03-c", "01-w", STAMP.format(sleep=0, extra="", stem="01-w"))
    assert run.main(["all", "--profile", "book", "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "01-a/01-x.ipynb: failed" in err and "broken on purpose" in err
    assert "not started" in err
    entries = read_manifest(two_chapters / "runs" / "book")["notebooks"]
    assert "01-a/02-y.ipynb" not in entries  # waited for the failed one: never started


def test_keep_going_runs_the_rest_after_a_failure(two_chapters):
    write_notebook(two_chapters / "notebooks" / "01-a", "01-x", "raise RuntimeError('broken on purpose')")
    assert run.main(["all", "--profile", "book", "--jobs", "2", "--keep-going"]) == 1
    entries = read_manifest(two_chapters / "runs" / "book")["notebooks"]
    assert entries["01-a/01-x.ipynb"]["status"] == "failed"
    assert entries["01-a/02-y.ipynb"]["status"] == "ok" and entries["02-b/01-z.ipynb"]["status"] == "ok"


def test_jobs_must_be_positive_and_records_are_made_one_at_a_time(two_chapters, capsys):
    assert run.main(["all", "--profile", "book", "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err
    assert run.main(["all", "--profile", "paper", "--jobs", "2", "--record"]) == 2
    assert "record with --jobs 1" in capsys.readouterr().err


def test_an_override_goes_only_to_the_notebooks_that_declare_it(two_chapters):
    params = PARAMS + "ONLY_Z = 1  # int >= 0\n"
    body = (
        "import json\n"
        "json.dump({'notebook': 'z', 'metrics': {'only': ONLY_Z}, 'wall_time_s': 0.0}, open(METRICS_PATH, 'w'))"
    )
    write_notebook(two_chapters / "notebooks" / "02-b", "01-z", body, params=params)
    assert run.main(["all", "--profile", "book", "--jobs", "2", "-p", "ONLY_Z=3"]) == 0
    assert metrics(two_chapters, "02-b/01-z")["only"] == 3


def test_the_real_chapters_name_existing_prerequisites():
    from conftest import ROOT

    for chapter, key in schedule.AFTER.items():
        assert (ROOT / "notebooks" / chapter).is_dir(), chapter
        assert (ROOT / "notebooks" / f"{key}.ipynb").is_file(), key
        assert key.split("/")[0] != chapter


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_an_interrupt_sent_to_the_runner_alone_marks_its_notebooks_interrupted(two_chapters, signame):
    """kill -INT or -TERM <runner> (a supervisor, timeout, a CI cancel) reaches the parent only: it
    passes it on, and no child outlives it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    nbs = two_chapters / "notebooks"
    for chapter, stem in (("01-a", "01-x"), ("02-b", "01-z")):
        write_notebook(nbs / chapter, stem, STAMP.format(sleep=300, extra="", stem=stem))
    env = {**os.environ, "PHYSML_ROOT": str(two_chapters)}
    cmd = [sys.executable, "-m", "helpers.pipeline.run", "all", "--profile", "book", "--jobs", "2"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    folder = two_chapters / "runs" / "book"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # both notebooks running (their first cell started)
        running = [e for e in read_manifest(folder)["notebooks"].values() if e.get("status") == "running"]
        if len(running) == 2:
            break
        time.sleep(0.5)
    time.sleep(3)
    proc.send_signal(getattr(signal, signame))
    out = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 130, out
    manifest = read_manifest(folder)
    assert {e["status"] for e in manifest["notebooks"].values()} == {"interrupted"}, out
    assert "01-a/02-y.ipynb" not in manifest["notebooks"]
    assert manifest["last_run"]["interrupted"] is True
    assert "01-a/01-x.ipynb" in out and "marked 'interrupted'" in out
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(two_chapters) not in ps  # no child runner or kernel left behind


TRAIN = """
import os
os.environ["TF_NUM_INTRAOP_THREADS"] = "2"
from helpers.pipeline import backend
backend.configure_threads(2)
backend.make_deterministic()
import keras, numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(2000, 64, 64, 1)).astype("float32")
y = (x[:, 20:40, 20:40, 0].mean(axis=(1, 2)) > 0).astype("float32")
keras.utils.set_random_seed(1)
L = keras.layers
m = keras.Sequential([keras.Input((64, 64, 1)), L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D(4),
                      L.Flatten(), L.Dense(1, activation="sigmoid")])
m.compile("adam", "binary_crossentropy")
m.fit(x, y, epochs=2, batch_size=64, verbose=0)
w = [float(np.sum(v)) for v in m.get_weights()]
"""


def test_a_training_gives_the_same_numbers_next_to_another_notebook(tmp_path, monkeypatch):
    """A notebook's numbers do not depend on what runs beside it: the same convolutional training
    alone and while another kernel trains (both with 2 threads, sharing the cores)."""
    monkeypatch.setenv("PHYSML_ROOT", str(tmp_path))
    body = TRAIN + (
        "json = __import__('json')\n"
        "json.dump({'notebook': 't', 'metrics': {'w': w}, 'wall_time_s': 0.0}, open(METRICS_PATH, 'w'))\n"
    )
    write_notebook(tmp_path / "notebooks" / "01-t", "01-train", body)
    assert run.main(["01-t", "--profile", "book"]) == 0
    alone = metrics(tmp_path, "01-t/01-train")["w"]
    write_notebook(tmp_path / "notebooks" / "02-u", "01-train", body)
    assert run.main(["all", "--profile", "book", "--jobs", "2"]) == 0
    assert metrics(tmp_path, "01-t/01-train")["w"] == alone
    assert metrics(tmp_path, "02-u/01-train")["w"] == alone
