"""Repeated trainings with reshuffled samples and splits, as in the thesis's 30 runs.

Every repeat draws its own galaxies from the pool, splits them 7:3 (stratified), trains a fresh
model, and records after **every epoch** the training accuracy, the predicted class of every test
galaxy and, when asked, the accuracy on a validation split carved from the training galaxies. From
those the two ways of choosing "the" epoch can be compared:

* the thesis's: the epoch whose accuracy, averaged over repeats, is highest **on the test set**
  (``Trainings.thesis_epoch``) — this uses the test set to choose, so it is optimistic;
* the honest one: in each repeat, the epoch with the best **validation** accuracy
  (``Trainings.validation_epochs``), scored on the untouched test set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from helpers.stats import confusion_matrix, summarize, true_positive_rates, tss
from helpers.galaxies.samples import draw_sample, split


@dataclass
class Trainings:
    n_classes: int
    train_acc: np.ndarray                 # (repeats, epochs)
    test_acc: np.ndarray                  # (repeats, epochs)
    val_acc: np.ndarray | None            # (repeats, epochs) or None
    test_pred: list[np.ndarray]           # per repeat: (epochs, n_test) predicted classes
    y_test: list[np.ndarray]              # per repeat: true labels of the test galaxies
    test_index: list[np.ndarray]          # per repeat: pool positions of the test galaxies
    extra_prob: np.ndarray | None = None  # (repeats, n_extra, classes) at the last epoch
    seconds: float = 0.0
    train_counts: list[np.ndarray] = field(default_factory=list)
    evaluations: list = field(default_factory=list)   # per repeat: what ``evaluate`` returned

    @property
    def epochs(self) -> int:
        return self.test_acc.shape[1]

    def curve(self, which: str = "test") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-epoch mean, std and standard error over repeats of ``train``/``test``/``val`` accuracy."""
        h = {"train": self.train_acc, "test": self.test_acc, "val": self.val_acc}.get(which)
        if h is None:
            raise ValueError(f"no {which!r} accuracy recorded (choose train, test{', val' if self.val_acc is not None else ''})")
        std = h.std(axis=0, ddof=1) if h.shape[0] > 1 else np.zeros(h.shape[1])
        return h.mean(axis=0), std, std / np.sqrt(h.shape[0])

    def thesis_epoch(self) -> int:
        """0-based epoch with the highest mean test accuracy (the thesis's choice; optimistic)."""
        return int(np.argmax(self.test_acc.mean(axis=0)))

    def validation_epochs(self) -> np.ndarray:
        """Per repeat, the 0-based epoch with the best validation accuracy (the honest choice)."""
        if self.val_acc is None:
            raise ValueError("these trainings kept no validation split (val_fraction=0)")
        return np.argmax(self.val_acc, axis=1)

    def scores(self, epochs: int | np.ndarray) -> dict[str, np.ndarray]:
        """Per repeat at the given epoch(s): accuracy, confusion matrix, TPR per class, TSS (2 classes)."""
        ep = np.broadcast_to(np.asarray(epochs), (len(self.y_test),))
        cms = np.stack([confusion_matrix(y, p[e], self.n_classes)
                        for y, p, e in zip(self.y_test, self.test_pred, ep)])
        out = {"accuracy": np.trace(cms, axis1=1, axis2=2) / cms.sum(axis=(1, 2)),
               "confusion": cms, "tpr": np.stack([true_positive_rates(c) for c in cms])}
        if self.n_classes == 2:
            out["tss"] = np.array([tss(c) for c in cms])
        return out

    def summary(self, epochs: int | np.ndarray) -> dict:
        """Mean, std, s.e. over repeats of accuracy, TSS, TPR per class and confusion counts."""
        s = self.scores(epochs)
        out = {"accuracy": summarize(s["accuracy"])}
        if "tss" in s:
            out["tss"] = summarize(s["tss"])
        out["tpr"] = [summarize(s["tpr"][:, k]) for k in range(self.n_classes)]
        out["confusion_mean"] = s["confusion"].mean(axis=0).tolist()
        out["confusion_std"] = s["confusion"].std(axis=0, ddof=1).tolist()
        return out


def run_repeats(build_model: Callable[[], object], images: np.ndarray, y: np.ndarray, *,
                n_repeats: int, epochs: int, n_per_run: int, balanced: bool = False,
                test_fraction: float = 0.3, val_fraction: float = 0.0, batch_size: int = 32,
                seed: int = 0, class_weight: str | None = None, targets: np.ndarray | None = None,
                extra: np.ndarray | None = None, progress: bool = True,
                restore_best_val: bool = False,
                evaluate: Callable[[object, np.ndarray], object] | None = None,
                augment: Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple] | None = None,
                ) -> Trainings:
    """Train ``n_repeats`` fresh models on reshuffled samples of (images, y).

    ``targets`` (n, classes) replaces the one-hot labels as training targets (e.g. vote fractions);
    accuracy is always measured against ``y``. ``class_weight='balanced'`` weights each class by
    n / (k n_c) in the loss. ``extra`` images are scored by each repeat's final model.

    ``restore_best_val`` (needs ``val_fraction > 0``) puts back, after training, the weights of the
    epoch with the best validation accuracy (the first such epoch, as ``validation_epochs``), so that
    ``evaluate(model, test_positions)`` — called once per repeat, its result kept in
    ``Trainings.evaluations`` — scores the honestly chosen model. ``augment(train_positions,
    targets, rng)`` returns the (images, targets) actually fitted — e.g. degraded versions of those
    galaxies made from their raw fluxes — once per repeat.
    """
    import keras

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

    class Record(keras.callbacks.Callback):
        def __init__(self, x_te, y_te, x_va, y_va):
            super().__init__()
            self.x_te, self.y_te, self.x_va, self.y_va = x_te, y_te, x_va, y_va
            self.train, self.test, self.val, self.pred = [], [], [], []
            self.best_weights = None

        def on_epoch_end(self, epoch, logs=None):
            p = np.argmax(self.model.predict(self.x_te, batch_size=256, verbose=0), axis=1)
            self.pred.append(p.astype(np.int8))
            self.test.append(float(np.mean(p == self.y_te)))
            self.train.append(float(logs.get("accuracy", np.nan)) if logs else np.nan)
            if self.x_va is not None:
                pv = np.argmax(self.model.predict(self.x_va, batch_size=256, verbose=0), axis=1)
                self.val.append(float(np.mean(pv == self.y_va)))
                if restore_best_val and self.val[-1] > max(self.val[:-1], default=-1.0):
                    self.best_weights = [w.copy() for w in self.model.get_weights()]

    t0 = time.perf_counter()
    train_acc, test_acc, val_acc, preds, ytests, tidx, extras, counts = [], [], [], [], [], [], [], []
    evaluations = []
    for r in range(n_repeats):
        rng = np.random.default_rng([seed, r])
        sample = draw_sample(y, n_per_run, rng, balanced)
        tr, te = split(y[sample], test_fraction, rng)
        tr, te = sample[tr], sample[te]
        va = None
        if val_fraction > 0:
            a, b = split(y[tr], val_fraction, rng)
            tr, va = tr[a], tr[b]
        keras.utils.set_random_seed(seed * 1000 + r)
        model = build_model()
        rec = Record(images[te], y[te], None if va is None else images[va], None if va is None else y[va])
        cw = None
        if class_weight == "balanced":
            n_c = np.bincount(y[tr], minlength=k)
            cw = {c: float(tr.size / (k * n_c[c])) for c in range(k)}
        if augment is None:
            x_fit, t_fit = images[tr], onehot[tr]
        else:
            x_fit, t_fit = augment(tr, onehot[tr], rng)
            if len(x_fit) != len(t_fit) or np.shape(x_fit)[1:] != images.shape[1:]:
                raise ValueError(f"augment must return images shaped (n, {', '.join(map(str, images.shape[1:]))}) "
                                 f"and n targets; got {np.shape(x_fit)} and {np.shape(t_fit)}")
        model.fit(x_fit, t_fit, epochs=epochs, batch_size=batch_size, verbose=0,
                  callbacks=[rec], class_weight=cw, shuffle=True)
        if restore_best_val:
            model.set_weights(rec.best_weights)
        train_acc.append(rec.train)
        test_acc.append(rec.test)
        if va is not None:
            val_acc.append(rec.val)
        preds.append(np.stack(rec.pred))
        ytests.append(y[te])
        tidx.append(te)
        counts.append(np.bincount(y[tr], minlength=k))
        if extra is not None:
            extras.append(model.predict(extra, batch_size=256, verbose=0))
        if evaluate is not None:
            evaluations.append(evaluate(model, te))
        if progress:
            print(f"  repeat {r + 1}/{n_repeats}: final test accuracy {rec.test[-1]:.3f} "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
        keras.backend.clear_session()
    return Trainings(k, np.array(train_acc), np.array(test_acc), np.array(val_acc) if val_acc else None,
                     preds, ytests, tidx, np.stack(extras) if extras else None,
                     time.perf_counter() - t0, counts, evaluations)
