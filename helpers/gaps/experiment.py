"""Repeated trainings of the chapter's classifiers with test-set figures of merit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.nn.training import repeat_fit
from helpers.stats import rejection_at_efficiency, summarize


def train_and_test(
    build: Callable,
    x: np.ndarray,
    y: np.ndarray,
    splits,
    *,
    seeds,
    epochs: int,
    batch_size: int = 64,
    efficiency: float = 0.9,
    patience: int | None = None,
) -> dict:
    """Train ``build()`` once per seed on the train split (validation split for the curves), then
    score the untouched test split.

    Returns ``repeats`` (per-epoch histories), ``summary`` (mean ± std, s.e. over seeds of test
    accuracy, loss, ROC AUC and antiproton rejection at ``efficiency`` antideuteron efficiency),
    ``scores`` (test logits of each seed) and ``models`` (the last seed's model).
    """
    from sklearn.metrics import roc_auc_score

    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1 epoch (or None for no early stopping), got {patience}")
    tr, va, te = splits
    scores, models = [], []

    def evaluate(model, _split):
        s = model.predict(x[te], verbose=0, batch_size=512)[:, 0]
        scores.append(s)
        models[:] = [model]
        res = model.evaluate(x[te], y[te], verbose=0, return_dict=True, batch_size=512)
        rej = rejection_at_efficiency(y[te], s, efficiency)
        return {
            "test_accuracy": res["accuracy"],
            "test_loss": res["loss"],
            "test_auc": roc_auc_score(y[te], s),
            "rejection": rej["rejection"],
            "rejection_lower_limit": float(rej["lower_limit"]),
        }

    def stop():
        import keras

        return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)]

    rep = repeat_fit(
        build,
        (x[tr], y[tr], x[va], y[va]),
        seeds=seeds,
        epochs=epochs,
        batch_size=batch_size,
        evaluate=evaluate,
        callbacks=stop if patience is not None else None,
    )
    summary = {k: summarize(rep.final[k]) for k in ("test_accuracy", "test_loss", "test_auc", "rejection")}
    summary["rejection_any_lower_limit"] = bool(rep.final["rejection_lower_limit"].any())
    return {"repeats": rep, "summary": summary, "scores": np.array(scores), "y_test": y[te], "model": models[0]}
