"""What enlarging costs: per-image ``cv2.resize`` calls against one batched matrix product."""

from __future__ import annotations

import time

import numpy as np

from helpers.galaxies.resolution import METHODS, enlarge, enlarge_batch


def time_enlargement(
    small: np.ndarray, size: int, *, rounds: int = 7, calls: int = 20, methods=METHODS
) -> dict[str, dict[str, float]]:
    """Microseconds per enlarged image, per method: ``loop`` = one ``cv2.resize`` per image (the thesis's
    way; ``calls`` passes over the stack per round), ``batch`` = :func:`enlarge_batch` on the whole
    stack. Each is timed ``rounds`` times, the methods taking turns within a round; returns the mean
    and std over rounds."""
    small = np.asarray(small, np.float32)
    if small.ndim != 3:
        raise ValueError(f"small must be (n, m, m), got shape {small.shape}")
    if rounds < 2 or calls < 1:
        raise ValueError(f"need rounds >= 2 and calls >= 1, got rounds={rounds}, calls={calls}")
    for m in methods:
        enlarge(small[:2], size, m)  # warm-up: OpenCV's first call allocates
        enlarge_batch(small[:2], size, m)
    loop = {m: [] for m in methods}
    batch = {m: [] for m in methods}
    # the methods take turns within every round, so that a slower stretch of the machine (another
    # program, a notebook running beside this one) falls on all of them alike
    for _ in range(rounds):
        for m in methods:
            t0 = time.perf_counter()
            for _ in range(calls):
                enlarge(small, size, m)
            loop[m].append((time.perf_counter() - t0) / (calls * len(small)) * 1e6)
            t0 = time.perf_counter()
            for _ in range(calls):
                enlarge_batch(small, size, m)
            batch[m].append((time.perf_counter() - t0) / (calls * len(small)) * 1e6)
    out = {}
    for m in methods:
        out[m] = {
            "loop_us": float(np.mean(loop[m])),
            "loop_us_std": float(np.std(loop[m], ddof=1)),
            "batch_us": float(np.mean(batch[m])),
            "batch_us_std": float(np.std(batch[m], ddof=1)),
        }
    return out
