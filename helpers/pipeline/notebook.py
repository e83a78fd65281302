"""The first and last helper call of every notebook.

``nb = start("01-perceptron", seed=SEED, metrics_path=METRICS_PATH)`` seeds everything, fixes
thread counts, applies the plotting style and starts a timer; ``nb.write_metrics(...)`` writes
the notebook's headline numbers, its wall time and the software versions to one JSON file that
the tests and the regression check read.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers.pipeline import repro
from helpers.pipeline.metrics import write_json


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("numpy", "keras", "tensorflow", "jax", "scikit-learn", "opencv-python-headless"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


@dataclass
class Session:
    """What :func:`start` returns: the seed, a NumPy generator and the timer."""

    name: str
    seed: int
    metrics_path: Path
    rng: np.random.Generator
    t0: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def write_metrics(self, **metrics: Any) -> None:
        """Write ``metrics`` (numbers, lists, nested dicts) plus wall time and versions.

        The file is ``metrics_path`` given to :func:`start`; it prints the file name and time.
        """
        if not metrics:
            raise ValueError("write_metrics needs at least one metric")
        payload = {
            "notebook": self.name,
            "seed": self.seed,
            "wall_time_s": round(self.elapsed(), 3),
            "keras_backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
            "threads": repro.threads_from_env(),
            "versions": _versions(),
            "metrics": metrics,
        }
        write_json(self.metrics_path, payload)
        print(f"metrics written to {self.metrics_path.name} after {payload['wall_time_s']:.1f} s")


def start(name: str, *, seed: int, metrics_path: str | os.PathLike, keras: bool = True) -> Session:
    """Seed Python/NumPy/Keras, fix threads, set the plot style, start the clock.

    ``keras=False`` skips importing Keras for notebooks that never use it (saves ~5 s).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"notebook name must be a non-empty string, got {name!r}")
    if not isinstance(metrics_path, (str, os.PathLike)) or str(metrics_path) == "":
        raise ValueError(f"metrics_path must be a file path, got {metrics_path!r}")
    t0 = time.perf_counter()
    rng = repro.set_seed(seed, keras=keras)
    from helpers.plotting import use_style

    use_style()
    return Session(name=name, seed=int(seed), metrics_path=Path(metrics_path), rng=rng, t0=t0)


def glue(name: str, value) -> None:
    """Store a run's value under ``name`` for the prose ({glue:text}`name:.3f` in a markdown cell),
    so that numbers in the text come from the run. Without myst-nb (a notebook opened alone, e.g.
    in Colab) it does nothing: the prose then shows the placeholder, the printed values stay."""
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return
    _glue(name, value, display=False)


def show_source(*objects) -> None:
    """Display the source code of helper functions in the notebook, so that the idea being taught
    stays visible while its one copy lives in ``helpers``."""
    import inspect

    from IPython.display import Markdown, display

    for obj in objects:
        display(Markdown(f"```python\n{inspect.getsource(obj).rstrip()}\n```"))
