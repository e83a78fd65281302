"""Repeated trainings on the synthetic sky with reshuffled samples and splits, as in the thesis's
30 runs.

Every repeat draws its own galaxies from the pool, splits them 7:3 (stratified), optionally carves
a validation split from the training galaxies, and trains a fresh model with the book's one
training loop (:func:`helpers.nn.training.repeat_fit`), which records after **every epoch** the
predicted class of every test galaxy. From those the two ways of choosing "the" epoch can be
compared:

* the thesis's: the epoch whose accuracy, averaged over repeats, is highest **on the test set**
  (``Trainings.thesis_epoch``) — this uses the test set to choose, so it is optimistic;
* the honest one: in each repeat, the epoch with the best **validation** accuracy
  (``Trainings.validation_epochs``), scored on the untouched test set.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.galaxies.samples import draw_sample, split
from helpers.nn.training import Split, Trainings, repeat_fit

__all__ = ["Trainings", "run_repeats"]


def run_repeats(
    build_model: Callable[[], object],
    images: np.ndarray,
    y: np.ndarray,
    *,
    n_repeats: int,
    epochs: int,
    n_per_run: int,
    balanced: bool = False,
    test_fraction: float = 0.3,
    val_fraction: float = 0.0,
    batch_size: int = 32,
    seed: int = 0,
    class_weight: str | None = None,
    targets: np.ndarray | None = None,
    extra: np.ndarray | None = None,
    progress: bool = True,
    restore_best_val: bool = False,
    evaluate: Callable[[object, np.ndarray], object] | None = None,
    augment: Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple] | None = None,
    workers: int | None = None,
    cache: bool = False,
) -> Trainings:
    """Train ``n_repeats`` fresh models on reshuffled samples of (images, y).

    Repeat ``r`` draws its galaxies and splits with the generator seeded by ``(seed, r)`` and seeds
    Keras with ``1000 seed + r``. ``targets`` (n, classes) replaces the one-hot labels as training
    targets (e.g. vote fractions); accuracy is always measured against ``y``.
    ``class_weight='balanced'`` weights each class by n / (k n_c) in the loss. ``extra`` images are
    scored by each repeat's final model (``Trainings.extra_prob``, shape (repeats, n_extra, k)).

    ``restore_best_val`` (needs ``val_fraction > 0``) puts back, after training, the weights of the
    epoch with the best validation accuracy (the first such epoch, as ``validation_epochs``), so that
    ``evaluate(model, test_positions)`` — called once per repeat, its result kept in
    ``Trainings.evaluations`` — scores the honestly chosen model. ``augment(train_positions,
    targets, rng)`` returns the (images, targets) actually fitted — e.g. degraded versions of those
    galaxies made from their raw fluxes — once per repeat. ``workers`` goes to
    :func:`~helpers.nn.training.repeat_fit` (default serial; a Dask scheduler sends repeats to a cluster).
    ``cache=True`` reads repeats trained before with the same model, galaxies, splits and settings
    from disk (e.g. section 4.4's plain trainings are section 4.1's) and trains and stores the others
    (:func:`~helpers.nn.training.repeat_fit`); ``evaluate`` still runs on every repeat.
    """
    images = np.asarray(images)
    y = np.asarray(y, dtype=np.int64)
    if images.shape[0] != y.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {y.shape[0]} labels")
    if n_repeats < 2:
        raise ValueError(f"n_repeats must be >= 2 to report a spread, got {n_repeats}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if restore_best_val and val_fraction <= 0:
        raise ValueError("restore_best_val needs a validation split: set val_fraction > 0")
    if class_weight not in (None, "balanced"):
        raise ValueError(f"class_weight must be None or 'balanced', got {class_weight!r}")
    k = int(y.max()) + 1
    if targets is not None and targets.shape != (y.size, k):
        raise ValueError(f"targets must have shape {(y.size, k)}, got {targets.shape}")
    onehot = np.eye(k, dtype=np.float32)[y] if targets is None else np.asarray(targets, np.float32)

    def data(r: int) -> Split:
        rng = np.random.default_rng([seed, r])
        sample = draw_sample(y, n_per_run, rng, balanced)
        tr, te = split(y[sample], test_fraction, rng)
        tr, te = sample[tr], sample[te]
        va = None
        if val_fraction > 0:
            a, b = split(y[tr], val_fraction, rng)
            tr, va = tr[a], tr[b]
        cw = None
        if class_weight == "balanced":
            n_c = np.bincount(y[tr], minlength=k)
            cw = {c: float(tr.size / (k * n_c[c])) for c in range(k)}
        if augment is None:
            x_fit, t_fit = images[tr], onehot[tr]
        else:
            x_fit, t_fit = augment(tr, onehot[tr], rng)
            if len(x_fit) != len(t_fit) or np.shape(x_fit)[1:] != images.shape[1:]:
                raise ValueError(
                    f"augment must return images shaped (n, {', '.join(map(str, images.shape[1:]))}) "
                    f"and n targets; got {np.shape(x_fit)} and {np.shape(t_fit)}"
                )
        return Split(
            x_fit,
            t_fit,
            None if va is None else images[va],
            None if va is None else y[va],
            images[te],
            y[te],
            cw,
            {"test_index": te, "train_counts": np.bincount(y[tr], minlength=k)},
        )

    def evaluate_repeat(model, s: Split):
        out = {}
        if extra is not None:
            out["extra_prob"] = model.predict(extra, batch_size=256, verbose=0)
        if evaluate is not None:
            out["evaluation"] = evaluate(model, s.info["test_index"])
        return out

    tr = repeat_fit(
        build_model,
        data,
        seeds=[seed * 1000 + r for r in range(n_repeats)],
        epochs=epochs,
        batch_size=batch_size,
        evaluate=evaluate_repeat,
        record=True,
        n_classes=k,
        restore_best_val=restore_best_val,
        progress=progress,
        workers=workers,
        cache=cache,
    )
    tr.extra_prob = np.stack([e["extra_prob"] for e in tr.evaluations]) if extra is not None else None
    tr.evaluations = [e["evaluation"] for e in tr.evaluations] if evaluate is not None else []
    return tr
