"""Run planned notebooks several at a time (``python -m helpers.pipeline.run all --jobs 2``).

Much of a notebook leaves a core idle: the kernel's start and imports, plotting, Python loops,
small networks whose steps are too short to keep two threads busy. Two notebooks at once fill
those gaps: on 2 cores, 5.3 ``trust`` and 2.2 ``cnn-classifier`` together took 206 s where one
after the other took 277 s (161 + 116 s in the book's run one at a time). Every notebook still
runs in its own kernel with the thread count it has alone (``PHYSML_THREADS``), so its numbers
are those of a run one notebook at a time; only its wall time grows, because it shares the cores.

Order: a notebook that reads what another one leaves in the cache (a drawn galaxy pool, trained
networks, generated events) waits for it. Without the wait nothing would be wrong — every cache
is keyed by its parameters and written atomically — but both would compute the same thing. Each
chapter's notebooks run in their order; :data:`AFTER` names the notebook that a chapter's first
notebook waits for in another chapter. Among the notebooks that may start, the one with the
longest chain of work after it starts first (times from the previous run's manifest), so that
the two lanes end together.

Each notebook runs in a child ``python -m helpers.pipeline.run NOTEBOOK …`` with the parent's
options (``-p`` only where the notebook declares the parameter); the children share
``runs/<profile>/manifest.json`` (updates are locked), and the parent writes into each entry how
many notebooks actually ran at once beside it (``run_jobs``). Without ``--keep-going`` a failure
starts nothing new; notebooks already running finish. Records (``--record``) keep a notebook's
time alone, so they are made one at a time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.pipeline.run import RUN_JOBS_ENV

# chapter -> the notebook (chapter/stem) its first notebook waits for: chapter 4's probes and
# trainings use the SDSS galaxy pool that 3.2 draws first
AFTER = {"04-resolution": "03-galaxy-zoo/02-cnn-and-uncertain"}
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


@dataclass
class Outcome:
    """What :func:`run_parallel` saw: exit status per started notebook, the most notebooks running at
    once while each ran, and which were running when an interrupt came."""

    codes: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    interrupted: list[str] = field(default_factory=list)
    stopped: bool = False  # an interrupt (Ctrl-C, SIGINT or SIGTERM to the runner) ended the run


def run_parallel(
    jobs: Sequence,
    args_for: Callable[[Any], Sequence[str]],
    *,
    n_jobs: int,
    estimate: Mapping[str, float] | None = None,
    keep_going: bool = False,
    after: Mapping[str, str] = AFTER,
    poll_s: float = 0.2,
    grace_s: float = 60.0,
) -> Outcome:
    """Run each job as ``python -m helpers.pipeline.run <notebook> *args_for(job)``, at most ``n_jobs``
    at a time, prerequisites first. A notebook never started (after a failure without
    ``keep_going``) is absent from the outcome's ``codes``.

    On ``KeyboardInterrupt`` or SIGTERM (Ctrl-C reaches the children too; a signal sent to this
    process alone does not) every child still running after a few seconds gets SIGINT, so that it
    records its notebook as interrupted; one still running after ``grace_s`` in all (or at a second
    Ctrl-C) is killed. The outcome is then marked ``stopped``, lists the notebooks that were running
    in ``interrupted``, and this returns instead of raising. Any other error stops the children
    the same way, then propagates."""
    if n_jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {n_jobs}")
    deps = dependencies(jobs, after)
    order = remaining_work(deps, estimate or {})
    by_key = {job_key(j): j for j in jobs}
    pending = list(by_key)
    out = Outcome()
    running: dict[str, subprocess.Popen] = {}
    env = {**os.environ, RUN_JOBS_ENV: str(n_jobs)}
    stop = False

    def launch(key: str) -> None:
        cmd = [sys.executable, "-m", "helpers.pipeline.run", str(by_key[key].notebook), *args_for(by_key[key])]
        # the child's lines go straight to this output as it prints them
        running[key] = subprocess.Popen(cmd, env=env)
        print(f"started {key} ({len(running)} running)", flush=True)

    def note_peak() -> None:
        for key in running:
            out.peak[key] = max(out.peak.get(key, 0), len(running))

    def finish(key: str, code: int) -> None:
        running.pop(key)
        out.codes[key] = code
        print(f"finished {key} (exit {code})", flush=True)

    def wind_down(grace: float) -> None:
        """Let the running children stop: SIGINT to those still running after a few seconds (an
        interrupt sent to this process alone, or SIGTERM, never reached them), kill after ``grace``;
        a second Ctrl-C kills at once."""
        t_int = time.monotonic()
        signalled = False
        try:
            while running:
                for key, proc in list(running.items()):
                    code = proc.poll()
                    if code is not None:
                        finish(key, code)
                if not running:
                    break
                if not signalled and time.monotonic() > t_int + min(5.0, grace / 2):
                    for proc in running.values():
                        proc.send_signal(signal.SIGINT)
                    signalled = True
                if time.monotonic() > t_int + grace:
                    break
                time.sleep(poll_s)
        except KeyboardInterrupt:
            pass
        for key, proc in list(running.items()):
            proc.kill()
            finish(key, proc.wait())

    def on_term(signum, frame):  # SIGTERM (timeout, a CI cancel): stop like Ctrl-C
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if in_main else None
    try:
        while pending or running:
            for key, proc in list(running.items()):
                code = proc.poll()
                if code is not None:
                    finish(key, code)
                    if code != 0 and not keep_going:
                        stop = True
            if not stop:
                # with --keep-going a notebook whose prerequisite failed still runs (it computes what
                # it needs itself); without it nothing new starts after a failure
                ready = [
                    k for k in pending if all(out.codes.get(p) == 0 or (keep_going and p in out.codes) for p in deps[k])
                ]
                for key in sorted(ready, key=lambda k: -order[k])[: n_jobs - len(running)]:
                    pending.remove(key)
                    launch(key)
            note_peak()
            if stop and not running:
                break
            time.sleep(poll_s)
    except KeyboardInterrupt:
        out.stopped = True
        out.interrupted = list(running)
        wind_down(grace_s)
    except BaseException:
        wind_down(min(grace_s, 10.0))  # an error here: no child may outlive this runner
        raise
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return out


def child_arguments(args, profile: str, declared: Collection[str]) -> list[str]:
    """The options a child runner gets: the parent's, minus targets and ``--jobs``, and only the
    ``-p`` overrides that its notebook declares (as a run one at a time applies them)."""
    out = ["--profile", profile]
    for item in args.parameter:
        if item.split("=", 1)[0].strip() in declared:
            out += ["-p", item]
    if args.out:
        out += ["--out", str(Path(args.out).resolve())]
    if args.timeout is not None:
        out += ["--timeout", str(args.timeout)]
    return out
