"""Metrics JSON files (what tests read) and summary statistics over repeated runs."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from .cache import atomic_write_bytes


def to_jsonable(value: Any, *, where: str = "metrics") -> Any:
    """Convert NumPy scalars/arrays and nested containers to plain JSON types.

    Raises ``TypeError`` naming the key for anything that is not a number, string,
    bool, None, sequence or mapping.
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, where=f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist(), where=where)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: cannot store {type(value).__name__} {value!r} in a metrics JSON")


def write_json(path: str | os.PathLike, payload: Mapping[str, Any]) -> Path:
    """Write ``payload`` as JSON atomically (NaN/inf are rejected: they hide bugs)."""
    path = Path(path)
    text = json.dumps(to_jsonable(payload), indent=2, sort_keys=True, allow_nan=False)
    atomic_write_bytes(path, (text + "\n").encode())
    return path


def read_metrics(path: str | os.PathLike) -> dict:
    """Read a metrics JSON written by :func:`helpers.notebook.Session.write_metrics`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no metrics file at {path}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"metrics file {path} is not valid JSON: {err}") from None
    for key in ("notebook", "metrics", "wall_time_s"):
        if key not in data:
            raise ValueError(f"metrics file {path} lacks the key {key!r}")
    return data


def summarize(values: Iterable[float]) -> dict[str, float]:
    """Mean, sample standard deviation (ddof=1), standard error of the mean, n, min, max.

    One value has no spread, and reporting 0 would be a lie: fewer than two values raise
    ``ValueError``.
    """
    arr = np.asarray(list(values), dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"summarize needs at least 2 repeated values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"summarize got non-finite values: {arr.tolist()}")
    std = float(arr.std(ddof=1))
    return {
        "mean": float(arr.mean()),
        "std": std,
        "sem": std / math.sqrt(arr.size),
        "n": int(arr.size),
        "min": float(arr.min()),
        "max": float(arr.max()),
    }


def format_summary(s: Mapping[str, float], digits: int = 3) -> str:
    """``mean ± std (sem, n)`` as text for tables and prints."""
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f} (s.e. {s['sem']:.{digits}f}, n={s['n']})"


def rejection_at_efficiency(y_true, score, efficiency: float) -> dict[str, float]:
    """Background rejection (1 / background efficiency) at a fixed signal efficiency.

    Signal is ``y_true == 1``; an event is selected when ``score`` exceeds the threshold that keeps
    the fraction ``efficiency`` of the signal. If no background event passes, the rejection is only
    known to exceed the number of background events: it is reported as that number with
    ``lower_limit = True``.
    """
    y_true = np.asarray(y_true).astype(bool)
    score = np.asarray(score, float)
    if y_true.shape != score.shape:
        raise ValueError(f"labels {y_true.shape} and scores {score.shape} differ in shape")
    if not 0 < efficiency < 1:
        raise ValueError(f"efficiency must lie in (0, 1), got {efficiency}")
    if y_true.all() or not y_true.any():
        raise ValueError("rejection needs both signal (1) and background (0) events")
    threshold = np.quantile(score[y_true], 1 - efficiency)
    bkg = score[~y_true]
    passing = int(np.sum(bkg >= threshold))
    return {"efficiency": float(efficiency), "threshold": float(threshold),
            "background_efficiency": passing / bkg.size,
            "rejection": bkg.size / passing if passing else float(bkg.size),
            "lower_limit": passing == 0, "n_background": int(bkg.size)}
