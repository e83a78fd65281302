"""Statistics the chapters share: summaries over repeated runs (mean, std, s.e.), background
rejection at a fixed signal efficiency, confusion matrices, true-positive rates and the TSS."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np


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
    return {
        "efficiency": float(efficiency),
        "threshold": float(threshold),
        "background_efficiency": passing / bkg.size,
        "rejection": bkg.size / passing if passing else float(bkg.size),
        "lower_limit": passing == 0,
        "n_background": int(bkg.size),
    }


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of galaxies of true class i predicted as class j."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"true labels {y_true.shape} and predictions {y_pred.shape} differ in shape")
    for name, y in (("true labels", y_true), ("predictions", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} must lie in [0, {n_classes}), got range [{y.min()}, {y.max()}]")
    return np.bincount(n_classes * y_true + y_pred, minlength=n_classes**2).reshape(n_classes, n_classes)


def true_positive_rates(cm: np.ndarray) -> np.ndarray:
    """Per-class recall TP / (TP + FN) from a confusion matrix; a class absent from the truth raises."""
    cm = np.asarray(cm, dtype=float)
    support = cm.sum(axis=1)
    if np.any(support == 0):
        raise ValueError(
            f"class(es) {np.flatnonzero(support == 0).tolist()} absent from the true labels: "
            "their true-positive rate is undefined"
        )
    return np.diag(cm) / support


def tss(cm: np.ndarray) -> float:
    """True skill statistic (Hanssen–Kuipers) of a 2 x 2 confusion matrix: TPR_0 + TPR_1 - 1
    = TP/(TP+FN) - FP/(FP+TN), insensitive to the class ratio of the test set."""
    cm = np.asarray(cm)
    if cm.shape != (2, 2):
        raise ValueError(f"TSS is defined for a 2 x 2 confusion matrix, got shape {cm.shape}")
    r = true_positive_rates(cm)
    return float(r[0] + r[1] - 1)
