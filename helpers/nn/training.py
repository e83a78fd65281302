"""Repeated Keras trainings: one model per seed, per-epoch histories stacked for statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from helpers.stats import summarize


@dataclass
class Repeats:
    """Per-epoch histories of N repeated trainings.

    ``history[metric]`` has shape (n_repeats, epochs); epochs after an early stop are NaN.
    ``final[metric]`` holds each repeat's value at its restored/last epoch.
    """

    seeds: list[int]
    history: dict[str, np.ndarray]
    final: dict[str, np.ndarray]
    stopped_epoch: np.ndarray

    def summary(self, metric: str) -> dict[str, float]:
        """Mean ± std (and s.e.) over repeats of ``final[metric]``."""
        if metric not in self.final:
            raise KeyError(f"unknown metric {metric!r}; have {sorted(self.final)}")
        return summarize(self.final[metric])

    def curve(self, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-epoch mean, std and s.e. over repeats (ignoring NaN after early stops)."""
        h = self.history[metric]
        n = np.sum(np.isfinite(h), axis=0)
        mean = np.nanmean(h, axis=0)
        std = np.nanstd(h, axis=0, ddof=1) if h.shape[0] > 1 else np.zeros(h.shape[1])
        return mean, std, std / np.sqrt(np.maximum(n, 1))


def repeat_fit(
    build_model: Callable[[], "object"],
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    seeds: Sequence[int],
    epochs: int,
    batch_size: int = 32,
    val_batch_size: int | None = 256,
    callbacks: Callable[[], list] | None = None,
    evaluate: Callable[["object"], dict[str, float]] | None = None,
    verbose: int = 0,
) -> Repeats:
    """Train ``build_model()`` once per seed on ``data = (x_train, y_train, x_val, y_val)``.

    Each repeat re-seeds Keras (weights, shuffling, dropout masks) with its own seed. The model
    must be compiled by ``build_model``. Validation runs in batches of ``val_batch_size`` (large
    batches cut Keras's per-epoch overhead on CPU). ``callbacks()`` makes fresh callbacks per repeat;
    ``evaluate(model)`` adds extra final numbers (e.g. test accuracy) to ``final``.
    """
    import keras

    if len(seeds) < 1:
        raise ValueError("repeat_fit needs at least one seed")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    x_tr, y_tr, x_va, y_va = data
    if len(x_tr) != len(y_tr) or len(x_va) != len(y_va):
        raise ValueError(f"inputs and labels differ in length: train {len(x_tr)}/{len(y_tr)}, "
                         f"validation {len(x_va)}/{len(y_va)}")
    histories: dict[str, list[np.ndarray]] = {}
    finals: dict[str, list[float]] = {}
    stopped = []
    for seed in seeds:
        keras.backend.clear_session()
        keras.utils.set_random_seed(int(seed))
        model = build_model()
        cbs = callbacks() if callbacks else []
        hist = model.fit(x_tr, y_tr, validation_data=(x_va, y_va), epochs=epochs,
                         batch_size=batch_size, validation_batch_size=val_batch_size,
                         callbacks=cbs, verbose=verbose, shuffle=True)
        ran = len(next(iter(hist.history.values())))
        stopped.append(ran)
        for key, vals in hist.history.items():
            row = np.full(epochs, np.nan)
            row[:ran] = vals
            histories.setdefault(key, []).append(row)
        scores = model.evaluate(x_va, y_va, verbose=0, return_dict=True)
        for key, val in scores.items():
            finals.setdefault(f"val_{key}", []).append(float(val))
        if evaluate is not None:
            for key, val in evaluate(model).items():
                finals.setdefault(key, []).append(float(val))
    return Repeats(
        seeds=[int(s) for s in seeds],
        history={k: np.vstack(v) for k, v in histories.items()},
        final={k: np.asarray(v) for k, v in finals.items()},
        stopped_epoch=np.asarray(stopped),
    )
