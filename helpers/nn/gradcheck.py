"""Numerical gradients by central differences, to check hand-written backpropagation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂x by central differences, perturbing ``x`` **in place** one element at a time.

    ``f`` takes no arguments and reads ``x`` (e.g. a closure over a weight array), so the same
    function checks any parameter of a network. Truncation error is O(h²); with float64 and
    h = 1e-5 the relative error of a smooth function is ~1e-9–1e-10.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"x must be a float64 NumPy array (float32 is too coarse for a gradient "
            f"check), got {getattr(x, 'dtype', type(x).__name__)}"
        )
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        orig = x[i]
        x[i] = orig + h
        fp = f()
        x[i] = orig - h
        fm = f()
        x[i] = orig
        grad[i] = (fp - fm) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, floor) with Euclidean norms: 0 when equal, ~1 when unrelated.

    Norms rather than elementwise ratios, so that gradient components that happen to be ~0 do
    not dominate the check.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))
