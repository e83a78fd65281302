"""One interface for independent tasks: serial, local worker processes, or a Dask cluster.

    from helpers.pipeline.executor import run_tasks
    results = run_tasks(fn, tasks, workers=4)          # ordered like ``tasks``

The book's independent work — Pythia chunks (:mod:`helpers.zjets.generate`), galaxy rendering
(:func:`helpers.galaxies.sky.render.render`) and repeated trainings over seeds
(:func:`helpers.nn.training.repeat_fit`) — goes through :func:`run_tasks`. Every task carries its
own seed (chosen by the caller from the task's index, never from the worker that runs it), and
results come back in task order, so the numbers do not depend on the backend or on the number
of workers.

Backends, chosen by :func:`choose`:

- ``dask``: when a scheduler address is given (``scheduler=`` or the environment variable
  ``PHYSML_DASK_SCHEDULER``, e.g. ``tcp://10.0.0.5:8786``; the runner's ``--dask ADDRESS`` sets it
  for every kernel). The workers must have this book's environment and ``helpers`` importable.
  ``dask.distributed`` is imported only then.
- ``processes``: local worker processes (``concurrent.futures``) when ``workers > 1``; the caller
  picks the start method (``spawn`` for GalSim and Keras, ``fork`` for Pythia). Tasks and the
  function travel with ``cloudpickle``, so closures work.
- ``serial``: in this process, in order; what ``workers=1`` gives without a scheduler.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from typing import Any

SCHEDULER_ENV = "PHYSML_DASK_SCHEDULER"
BACKENDS = ("serial", "processes", "dask")
_clients: dict[str, Any] = {}


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The Dask scheduler to use: the argument, else ``$PHYSML_DASK_SCHEDULER``, else None."""
    address = scheduler if scheduler is not None else os.environ.get(SCHEDULER_ENV, "")
    address = address.strip()
    if not address:
        return None
    if "://" not in address:
        raise ValueError(
            f"Dask scheduler address {address!r} (from {'the argument' if scheduler else SCHEDULER_ENV}): "
            "expected a URL such as tcp://10.0.0.5:8786"
        )
    return address


def choose(workers: int | None, n_tasks: int, scheduler: str | None = None) -> str:
    """``dask`` when a scheduler is given, else ``processes`` for more than one worker and task,
    else ``serial``."""
    if workers is not None and int(workers) < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if scheduler_address(scheduler):
        return "dask"
    if (workers or 1) > 1 and n_tasks > 1:
        return "processes"
    return "serial"


def _call(blob: bytes, task_blob: bytes) -> Any:
    import cloudpickle

    fn, initializer = cloudpickle.loads(blob)
    if initializer is not None:
        initializer()
    return fn(cloudpickle.loads(task_blob))


def _with_init(fn: Callable, initializer: Callable | None, task: Any) -> Any:
    if initializer is not None:
        initializer()
    return fn(task)


def client(address: str):
    """A ``distributed.Client`` connected to ``address`` (one per address and process)."""
    if address not in _clients or _clients[address].status not in ("running", "connecting"):
        try:
            from distributed import Client
        except ImportError as err:
            raise ImportError(
                f"a Dask scheduler was given ({address}) but dask.distributed is not installed: {err}"
            ) from None
        _clients[address] = Client(address, set_as_default=False)
    return _clients[address]


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    workers: int | None = 1,
    start_method: str = "spawn",
    initializer: Callable[[], None] | None = None,
    scheduler: str | None = None,
    on_result: Callable[[int, Any], None] | None = None,
    backend: str | None = None,
) -> list[Any]:
    """``[fn(t) for t in tasks]``, run serially, on ``workers`` local processes, or on Dask.

    Results are returned (and passed to ``on_result(index, result)``, e.g. for a progress bar) in
    task order. ``initializer()`` sets up a worker: it runs once per local worker process and before
    each task on Dask (so it must be idempotent), never in this process (serial). ``backend`` forces one of
    ``serial``, ``processes``, ``dask`` (tests); by default :func:`choose` decides."""
    tasks = list(tasks)
    backend = backend or choose(workers, len(tasks), scheduler)
    if backend not in BACKENDS:
        raise ValueError(f"unknown executor backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    results: list[Any] = []

    def take(i: int, res: Any) -> None:
        results.append(res)
        if on_result is not None:
            on_result(i, res)

    if not tasks:
        return results
    if backend == "serial":  # no worker process: the initializer (worker set-up) does not run here
        for i, task in enumerate(tasks):
            take(i, fn(task))
    elif backend == "processes":
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        import cloudpickle

        blob = cloudpickle.dumps((fn, None))
        n = max(1, min(int(workers or 1), len(tasks)))
        with ProcessPoolExecutor(n, mp_context=mp.get_context(start_method), initializer=initializer) as pool:
            # tasks travel with cloudpickle too: they may hold closures (a notebook's model builder)
            task_blobs = [cloudpickle.dumps(t) for t in tasks]
            for i, res in enumerate(pool.map(_call, [blob] * len(tasks), task_blobs)):
                take(i, res)
    else:
        address = scheduler_address(scheduler)
        if address is None:
            raise ValueError(f"the dask backend needs a scheduler address (argument or {SCHEDULER_ENV})")
        c = client(address)
        futures = c.map(functools.partial(_with_init, fn, initializer), tasks, pure=False)
        try:
            for i, fut in enumerate(futures):
                take(i, fut.result())
        finally:
            c.cancel(futures)
    return results
