"""The runner records every notebook's outcome in runs/<profile>/manifest.json, never leaves stale
outputs looking current, and the book builder publishes only current, successful runs.

Tiny throwaway notebooks in a toy repository (``PHYSML_ROOT``); a handful start a real kernel,
the others replace papermill by a stand-in."""

import json
import types
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from helpers.pipeline import book, run
from helpers.pipeline.run import RunError

PARAMS = "SEED = 0  # int >= 0\nMETRICS_PATH = 'm.json'\nX = 1  # int >= 0\n"
WRITE = "import json; json.dump({'notebook': NAME, 'metrics': {'x': X}, 'wall_time_s': 0.0}, open(METRICS_PATH, 'w'))"


def _notebook(path, name, body=(), params=PARAMS):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {name}"),
        cell,
        nbformat.v4.new_code_cell(f"NAME = {name!r}"),
        *[nbformat.v4.new_code_cell(src) for src in body],
        nbformat.v4.new_code_cell(WRITE),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A repository with one chapter of notebooks a, b (and a toc and book page for the builder)."""
    monkeypatch.setenv("PHYSML_ROOT", str(tmp_path))
    ch = tmp_path / "notebooks" / "09-toy"
    _notebook(ch / "a.ipynb", "a", ["assert X != 13, 'X is unlucky'"])
    _notebook(ch / "b.ipynb", "b")
    (ch / "profiles.yml").write_text("smoke:\n  a: {X: 2}\n  b: {X: 3}\n")
    (tmp_path / "_config.yml").write_text("title: toy\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n- file: notebooks/09-toy/a\n- file: notebooks/09-toy/b\n"
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Toy\n")
    return tmp_path


def _manifest(root, profile="smoke"):
    return json.loads((root / "runs" / profile / "manifest.json").read_text())["notebooks"]


class FakePapermill:
    """Stands in for papermill.execute_notebook: copies the notebook and writes its metrics, or
    raises what it is told to for the notebook named in ``fail``."""

    def __init__(self, fail=None, exc=None):
        self.fail, self.exc, self.calls = fail, exc, []

    def __call__(self, src, dst, parameters, **kwargs):
        self.calls.append((Path(src).stem, kwargs.get("execution_timeout")))
        nb = nbformat.read(src, as_version=4)
        nbformat.write(nb, dst)
        if Path(src).stem == self.fail:
            raise self.exc
        Path(parameters["METRICS_PATH"]).write_text(
            json.dumps({"notebook": Path(src).stem, "metrics": {"x": parameters.get("X", 1)}, "wall_time_s": 0.1})
        )


@pytest.fixture
def fake_pm(monkeypatch):
    import papermill

    def install(**kw):
        fake = FakePapermill(**kw)
        monkeypatch.setattr(papermill, "execute_notebook", fake)
        return fake

    return install


# ---------------------------------------------------------------------------------------------
# Runner: manifest, failures, --keep-going, stale outputs (real kernels)
# ---------------------------------------------------------------------------------------------


def test_failure_is_recorded_and_keep_going_runs_the_rest(toy, capsys):
    """Probe: a notebook fails -> today the runner dies with a papermill traceback, no manifest,
    and the other notebooks never run. Now: failed (cell, error) in the manifest, the partial
    notebook kept, the rest run with --keep-going, a summary and exit status 1."""
    assert run.main(["all", "--profile", "smoke"]) == 0
    first = _manifest(toy)
    assert {k: v["status"] for k, v in first.items()} == {"09-toy/a.ipynb": "ok", "09-toy/b.ipynb": "ok"}
    a = first["09-toy/a.ipynb"]
    assert a["parameters"] == {"X": 2}
    for key in ("commit", "dirty", "describe", "environment_hash", "code_hash", "started", "ended"):
        assert key in a
    assert len(a["environment_hash"]) == 64 and a["timeout_s"] == run.DEFAULT_TIMEOUTS["smoke"]

    code = run.main(["all", "--profile", "smoke", "-p", "X=13", "--keep-going"])
    err = capsys.readouterr().err
    assert code == 1
    m = _manifest(toy)
    a, b = m["09-toy/a.ipynb"], m["09-toy/b.ipynb"]
    assert a["status"] == "failed" and a["error"]["ename"] == "AssertionError"
    assert "X is unlucky" in a["error"]["evalue"] and a["error"]["cell"] is not None
    assert b["status"] == "ok" and b["parameters"]["X"] == 13, "--keep-going runs the other notebook"
    out = toy / "runs" / "smoke" / "09-toy"
    assert (out / "a.ipynb").is_file(), "the partially executed notebook is kept"
    assert not (out / "a.metrics.json").exists(), "the previous run's metrics must not look current"
    assert "1 of 2 notebook(s) did not finish" in err and "09-toy/a.ipynb: failed at cell" in err


def test_without_keep_going_the_run_stops_at_the_first_failure(toy, fake_pm):
    from papermill.exceptions import PapermillExecutionError

    fake = fake_pm(fail="a", exc=PapermillExecutionError(3, 2, "assert X", "AssertionError", "boom", []))
    assert run.main(["all", "--profile", "smoke"]) == 1
    assert [c[0] for c in fake.calls] == ["a"]
    assert _manifest(toy)["09-toy/a.ipynb"]["error"] == {
        "cell": 3,
        "execution_count": 2,
        "ename": "AssertionError",
        "evalue": "boom",
    }


def test_stale_outputs_are_removed_before_a_run(toy, monkeypatch):
    """Probe: an old executed notebook and metrics stay in place when the new run dies before
    papermill writes (e.g. the kernel cannot start); they looked current."""
    out = toy / "runs" / "smoke" / "09-toy"
    out.mkdir(parents=True)
    (out / "a.ipynb").write_text("{}")
    (out / "a.metrics.json").write_text('{"notebook": "a", "metrics": {}, "wall_time_s": 1}')
    import papermill

    def kaputt(*args, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", kaputt)
    assert run.main(["notebooks/09-toy/a.ipynb", "--profile", "smoke"]) == 1
    assert not (out / "a.metrics.json").exists() and not (out / "a.ipynb").exists()
    entry = _manifest(toy)["09-toy/a.ipynb"]
    assert entry["status"] == "failed" and "Kernel died" in entry["error"]["evalue"]


def test_ctrl_c_marks_the_notebook_interrupted(toy, fake_pm):
    """Probe: Ctrl-C left no trace of which notebook was cut short; now it is 'interrupted' and
    the runner exits non-zero."""
    fake_pm(fail="a", exc=KeyboardInterrupt())
    assert run.main(["all", "--profile", "smoke"]) == 130
    m = _manifest(toy)
    assert m["09-toy/a.ipynb"]["status"] == "interrupted"
    assert "09-toy/b.ipynb" not in m
    with pytest.raises(KeyboardInterrupt):
        run.execute(run.plan(["all"], "smoke"), profile="smoke")


def test_notebook_without_metrics_is_failed(toy, monkeypatch):
    import papermill

    monkeypatch.setattr(
        papermill, "execute_notebook", lambda src, dst, **kw: nbformat.write(nbformat.read(src, as_version=4), dst)
    )
    assert run.main(["all", "--profile", "smoke", "--keep-going"]) == 1
    entry = _manifest(toy)["09-toy/a.ipynb"]
    assert entry["status"] == "failed" and "metrics are unusable" in entry["error"]["evalue"]


def test_kernels_import_the_runners_helpers(toy, monkeypatch):
    """Probe: with another checkout's editable install on the path, kernels imported *its*
    helpers while the runner used this one. Now the runner's code root leads PYTHONPATH."""
    monkeypatch.delenv("PYTHONPATH", raising=False)
    ch = toy / "notebooks" / "09-toy"
    for p in ch.glob("*.ipynb"):
        p.unlink()
    (ch / "profiles.yml").unlink()
    _notebook(
        ch / "where.ipynb",
        "where",
        [
            "import helpers, os; X = 0; print(helpers.__file__)",
            "open(METRICS_PATH + '.where', 'w').write(helpers.__file__)",
        ],
    )
    assert run.main(["all", "--profile", "book"]) == 0
    where = Path((toy / "runs" / "book" / "09-toy" / "where.metrics.json.where").read_text())
    assert where.resolve().parent.parent == ROOT.resolve()


def test_timed_out_notebook_keeps_its_outputs(toy, capsys):
    """Probe: a hanging cell blocked the run for ever (no default timeout), and with --timeout the
    runner died without saying which notebook. Now: timed_out, outputs so far saved, exit 1."""
    ch = toy / "notebooks" / "09-toy"
    _notebook(ch / "a.ipynb", "a", ["print('before the slow cell')", "import time; time.sleep(60)"])
    assert run.main(["notebooks/09-toy/a.ipynb", "--profile", "smoke", "--timeout", "3"]) == 1
    entry = _manifest(toy)["09-toy/a.ipynb"]
    assert entry["status"] == "timed_out" and entry["timeout_s"] == 3
    assert entry["error"]["cell"] is not None
    saved = (toy / "runs" / "smoke" / "09-toy" / "a.ipynb").read_text()
    assert "before the slow cell" in saved
    assert json.loads(saved)["metadata"]["physml"]["status"] == "timed_out"
    assert "timed_out" in capsys.readouterr().err


@pytest.mark.parametrize("args,expected", [([], 600), (["--timeout", "5"], 5), (["--timeout", "0"], None)])
def test_default_timeout_per_profile(toy, fake_pm, args, expected):
    fake = fake_pm()
    assert run.main(["all", "--profile", "smoke", *args]) == 0
    assert {t for _, t in fake.calls} == {expected}
    assert run.DEFAULT_TIMEOUTS == {"smoke": 600, "book": 1200, "paper": None}


# ---------------------------------------------------------------------------------------------
# Builder: only current, successful runs are published
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_sphinx(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("jupyter-book must not start when the runs are not publishable")

    monkeypatch.setattr(book, "subprocess", types.SimpleNamespace(run=refuse))


def test_builder_accepts_a_current_ok_run(toy, fake_pm):
    fake_pm()
    assert run.main(["all", "--profile", "smoke"]) == 0
    assert book.check_runs("smoke") == ["notebooks/09-toy/a.ipynb", "notebooks/09-toy/b.ipynb"]


@pytest.mark.parametrize(
    "damage,message",
    [
        ("failed", "09-toy/a.ipynb: status 'failed' at cell 3 (AssertionError: boom)"),
        ("missing", "09-toy/b.ipynb: not in"),
        ("profile", "09-toy/a.ipynb: ran with other parameters than profile 'smoke' plans now (X ran 2, now 7)"),
        ("override", "09-toy/b.ipynb: ran with other parameters than profile 'smoke' plans now (X ran 99, now 3)"),
        ("edited", "09-toy/a.ipynb: the notebook or helpers changed since it ran"),
        ("error_output", "09-toy/b.ipynb: executed notebook holds error output in cell(s) 2"),
    ],
)
def test_builder_refuses_stale_or_failed_runs(toy, fake_pm, no_sphinx, damage, message):
    """Probe: the builder published whatever executed notebooks lay in runs/<profile>: a failed
    run's partial notebook, a run with other parameters, a run of an older notebook."""
    from papermill.exceptions import PapermillExecutionError

    fake_pm()
    assert run.main(["all", "--profile", "smoke"]) == 0
    ch = toy / "notebooks" / "09-toy"
    out = toy / "runs" / "smoke" / "09-toy"
    if damage == "failed":
        fake_pm(fail="a", exc=PapermillExecutionError(3, 2, "", "AssertionError", "boom", []))
        run.main(["notebooks/09-toy/a.ipynb", "--profile", "smoke"])
    elif damage == "missing":
        manifest = json.loads((out.parent / "manifest.json").read_text())
        del manifest["notebooks"]["09-toy/b.ipynb"]
        (out.parent / "manifest.json").write_text(json.dumps(manifest))
    elif damage == "profile":
        (ch / "profiles.yml").write_text("smoke:\n  a: {X: 7}\n  b: {X: 3}\n")
    elif damage == "override":
        run.main(["notebooks/09-toy/b.ipynb", "--profile", "smoke", "-p", "X=99"])
    elif damage == "edited":
        nb = nbformat.read(ch / "a.ipynb", as_version=4)
        nb.cells.insert(2, nbformat.v4.new_code_cell("X = X + 1"))
        nbformat.write(nb, ch / "a.ipynb")
    elif damage == "error_output":
        nb = nbformat.read(out / "b.ipynb", as_version=4)
        nb.cells[2].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=[])]
        nbformat.write(nb, out / "b.ipynb")
    with pytest.raises(RunError, match="refusing to build the book") as err:
        book.build("smoke", out=toy / "html")
    assert message in str(err.value)


def test_manifest_replaces_summary_in_the_docs():
    text = (ROOT / "book" / "running.md").read_text()
    assert "manifest.json" in text and "summary.json" not in text
