"""Run planned notebooks several at a time (``python -m helpers.pipeline.run all --jobs 2``).

Much of a notebook leaves a core idle: the kernel's start and imports, plotting, Python loops,
small networks whose steps are too short to keep two threads busy. Two notebooks at once fill
those gaps: on 2 cores, 5.3 ``trust`` and 2.2 ``cnn-classifier`` together took 206 s where one
after the other take 273 s. Every notebook still runs in its own kernel with the thread count
it has alone (``PHYSML_THREADS``), so its numbers are those of a run one notebook at a time;
only its wall time grows, because it shares the cores.

Order: a notebook that reads what another one leaves in the cache (a drawn galaxy pool, trained
networks, generated events) waits for it. Without the wait nothing would be wrong — every cache
is keyed by its parameters and written atomically — but both would compute the same thing. Each
chapter's notebooks run in their order; :data:`AFTER` names the notebook that a chapter's first
notebook waits for in another chapter. Among the notebooks that may start, the one with the
longest chain of work after it starts first (times from the previous run's manifest), so that
the two lanes end together.

Each notebook runs in a child ``python -m helpers.pipeline.run NOTEBOOK …`` with the parent's
options; the children share ``runs/<profile>/manifest.json`` (updates are locked). Without
``--keep-going`` a failure starts nothing new; notebooks already running finish.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# chapter -> the notebook (chapter/stem) its first notebook waits for: chapter 4's probes and
# trainings use the SDSS galaxy pool that 3.2 draws first
AFTER = {"04-resolution": "03-galaxy-zoo/02-cnn-and-uncertain"}
JOBS_ENV = "PHYSML_RUN_JOBS"  # tells a child how many notebooks ran at once (kept in the manifest)
DEFAULT_ESTIMATE_S = 60.0


def job_key(job) -> str:
    return f"{job.chapter}/{job.notebook.stem}"


def dependencies(jobs: Sequence, after: Mapping[str, str] = AFTER) -> dict[str, set[str]]:
    """Each planned notebook's prerequisites among the planned ones: the previous notebook of its
    chapter (in plan order), and for a chapter's first notebook the one ``after`` names."""
    keys = [job_key(j) for j in jobs]
    planned = set(keys)
    deps: dict[str, set[str]] = {k: set() for k in keys}
    last: dict[str, str] = {}
    for job, key in zip(jobs, keys):
        if job.chapter in last:
            deps[key].add(last[job.chapter])
        elif after.get(job.chapter) in planned:
            deps[key].add(after[job.chapter])
        last[job.chapter] = key
    return deps


def remaining_work(deps: Mapping[str, set[str]], estimate: Mapping[str, float]) -> dict[str, float]:
    """For each notebook, its own time plus the longest chain of notebooks waiting on it."""
    waiting: dict[str, list[str]] = {k: [] for k in deps}
    for key, pre in deps.items():
        for p in pre:
            waiting[p].append(key)
    memo: dict[str, float] = {}

    def tail(key: str) -> float:
        if key not in memo:
            own = float(estimate.get(key, DEFAULT_ESTIMATE_S))
            memo[key] = own + max((tail(k) for k in waiting[key]), default=0.0)
        return memo[key]

    return {k: tail(k) for k in deps}


def estimates(manifest: Mapping[str, Any]) -> dict[str, float]:
    """Seconds per notebook (``chapter/stem``) from a previous run's manifest."""
    out = {}
    for key, entry in (manifest.get("notebooks") or {}).items():
        wall = entry.get("wall_s")
        if isinstance(wall, (int, float)) and wall > 0:
            out[key.removesuffix(".ipynb")] = float(wall)
    return out


def run_parallel(
    jobs: Sequence,
    child_args: Sequence[str],
    *,
    n_jobs: int,
    estimate: Mapping[str, float] | None = None,
    keep_going: bool = False,
    after: Mapping[str, str] = AFTER,
    poll_s: float = 0.2,
) -> dict[str, int]:
    """Run each job as ``python -m helpers.pipeline.run <notebook> *child_args``, at most ``n_jobs``
    at a time, prerequisites first. Returns the exit status per notebook key that started; a
    notebook never started (after a failure without ``keep_going``) is absent."""
    if n_jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {n_jobs}")
    deps = dependencies(jobs, after)
    order = remaining_work(deps, estimate or {})
    by_key = {job_key(j): j for j in jobs}
    pending = list(by_key)
    done: dict[str, int] = {}
    running: dict[str, tuple[subprocess.Popen, Any]] = {}
    env = {**os.environ, JOBS_ENV: str(n_jobs)}
    stop = False

    def launch(key: str) -> None:
        log = tempfile.TemporaryFile(mode="w+")
        cmd = [sys.executable, "-m", "helpers.pipeline.run", str(by_key[key].notebook), *child_args]
        running[key] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log)
        print(f"started {key} ({len(running)} running)", flush=True)

    def finish(key: str, code: int) -> None:
        proc, log = running.pop(key)
        log.seek(0)
        text = log.read().rstrip()
        log.close()
        done[key] = code
        print(f"finished {key} (exit {code})" + (f"\n{text}" if text else ""), flush=True)

    try:
        while pending or running:
            for key, (proc, _) in list(running.items()):
                code = proc.poll()
                if code is not None:
                    finish(key, code)
                    if code != 0 and not keep_going:
                        stop = True
            if not stop:
                ready = [k for k in pending if all(done.get(p) == 0 or (keep_going and p in done) for p in deps[k])]
                for key in sorted(ready, key=lambda k: -order[k])[: n_jobs - len(running)]:
                    pending.remove(key)
                    launch(key)
                # a notebook whose prerequisite failed (with --keep-going) still runs: it computes
                # what it needs itself; without --keep-going nothing new starts after a failure
            if stop and not running:
                break
            if not running and pending and not stop:
                blocked = ", ".join(pending)
                raise RuntimeError(f"no notebook can start: {blocked} wait for notebooks that are not planned")
            time.sleep(poll_s)
    except KeyboardInterrupt:
        # Ctrl-C reached the children too (one process group): each records its notebook as interrupted
        for key, (proc, _) in list(running.items()):
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            finish(key, code)
        raise
    return done


def child_arguments(args, profile: str) -> list[str]:
    """The options a child runner gets: the parent's, minus targets and ``--jobs``."""
    out = ["--profile", profile]
    for item in args.parameter:
        out += ["-p", item]
    if args.out:
        out += ["--out", str(Path(args.out).resolve())]
    if args.timeout is not None:
        out += ["--timeout", str(args.timeout)]
    if args.record:
        out.append("--record")
    if args.tag is not None:
        out += ["--tag", args.tag]
    return out
