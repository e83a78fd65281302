"""Seeds and threads in one place: two runs with the same seed give the same numbers."""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_THREADS = 2  # the book's reference machine has 2 cores


def threads_from_env() -> int:
    raw = os.environ.get("PHYSML_THREADS", str(DEFAULT_THREADS))
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"PHYSML_THREADS={raw!r} is not an integer number of threads") from None
    if n < 1:
        raise ValueError(f"PHYSML_THREADS={n} must be at least 1")
    return n


def set_seed(seed: int, *, threads: int | None = None, keras: bool = True) -> np.random.Generator:
    """Seed Python, NumPy and (if ``keras``) Keras, fix thread counts; return a NumPy Generator.

    ``threads`` defaults to ``$PHYSML_THREADS`` or 2.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    seed = int(seed)
    threads = threads_from_env() if threads is None else int(threads)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    if keras:
        from helpers.pipeline import backend

        backend.configure_threads(threads)
        backend.quiet()
        import keras as _keras

        _keras.utils.set_random_seed(seed)
        backend.make_deterministic()
    return np.random.default_rng(seed)
