"""Shared fixtures: one smoke run of every notebook per test session, reused by all tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PHYSML_THREADS", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def fresh_cache(tmp_path_factory):
    """Generated data go to a per-session cache, so tests never read files from older code."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["PHYSML_CACHE"] = str(path)
    yield path


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory) -> Path:
    """Run every notebook at its smoke profile through the runner; return the runs folder.

    ``PHYSML_SMOKE_RUNS=<folder>`` reuses an earlier ``run all --profile smoke --out <folder>``
    instead (a developer's shortcut for the book tests; the book builder still refuses a run whose
    notebooks or helpers changed since, naming them, so a stale run fails rather than passes).
    ``PHYSML_SMOKE_KEEP=<folder>`` runs afresh but keeps the run there (``<folder>/smoke/…``), e.g.
    to re-record the regression reference from the very run the tests checked.
    ``PHYSML_SMOKE_JOBS`` (default 2) is how many notebooks run at once."""
    from helpers.pipeline import run

    reuse = os.environ.get("PHYSML_SMOKE_RUNS")
    if reuse:
        assert (Path(reuse) / "smoke" / "manifest.json").is_file(), f"PHYSML_SMOKE_RUNS={reuse}: no smoke run there"
        return Path(reuse)
    keep = os.environ.get("PHYSML_SMOKE_KEEP")
    out = Path(keep).resolve() if keep else tmp_path_factory.mktemp("runs")
    # two at a time, as ./tasks book runs them (the regression reference, recorded from a run one
    # at a time, then also checks the numbers of this way of running, within its tolerances)
    jobs = os.environ.get("PHYSML_SMOKE_JOBS", "2")
    assert run.main(["all", "--profile", "smoke", "--out", str(out), "--jobs", jobs]) == 0
    return out


@pytest.fixture(scope="session")
def smoke_metrics(smoke_runs) -> dict[str, dict]:
    """``{notebook name: metrics JSON}`` of the smoke run."""
    from helpers.pipeline.metrics import collect_run_metrics

    return collect_run_metrics(smoke_runs / "smoke")
