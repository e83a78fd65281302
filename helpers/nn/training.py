"""The book's one loop of repeated Keras trainings: one fresh model per seed, per-epoch histories
stacked for statistics.

Every chapter that trains a network more than once goes through :func:`repeat_fit`:

* chapter 1 and 2 train on one fixed split (``data = (x_train, y_train, x_val, y_val)``) and let
  Keras score the validation split after each epoch;
* chapters 3 and 4 draw a new sample and split per repeat (``data`` is a function of the repeat's
  number returning a :class:`Split`) and record, after every epoch, the predicted class of every
  test (and validation) galaxy, so that epochs can be chosen afterwards, honestly or not
  (:meth:`Trainings.validation_epochs`, :meth:`Trainings.thesis_epoch`).

Each repeat clears the Keras session and re-seeds Keras (weights, shuffling, dropout masks) with
its own seed, so a repeat's result depends on its seed alone.
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.stats import confusion_matrix, summarize, true_positive_rates, tss

# short names of the recorded accuracies, as used by the figures of chapters 3-4
_ALIASES = {"train": "accuracy", "test": "test_accuracy", "val": "val_accuracy"}


@dataclass
class Split:
    """One repeat's data.

    ``y_train`` are the fitted targets (one-hot, vote fractions, or labels). ``y_val``/``y_test``
    are integer class labels when ``record`` is on (predictions are scored against them); with
    Keras validation they are whatever ``model.evaluate`` takes. ``info`` carries anything the
    caller wants back per repeat (e.g. which pool galaxies were in the test set).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    class_weight: dict[int, float] | None = None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trainings:
    """Per-epoch histories of N repeated trainings, and what was scored after each.

    ``history[key]`` has shape (repeats, epochs); epochs after an early stop are NaN. Keys are
    Keras's logs (``loss``, ``accuracy``, ``val_loss`` …) and, with ``record``, the accuracies
    from recorded predictions (``test_accuracy``, ``val_accuracy``). ``final[key]`` holds one
    number per repeat (Keras's validation scores at the end, and the numbers ``evaluate``
    returned); ``evaluations`` keeps whatever ``evaluate`` returned, per repeat.
    """

    seeds: list[int]
    history: dict[str, np.ndarray]
    final: dict[str, np.ndarray]
    stopped_epoch: np.ndarray
    evaluations: list = field(default_factory=list)
    test_pred: list[np.ndarray] = field(default_factory=list)  # per repeat: (epochs, n_test) classes
    y_test: list[np.ndarray] = field(default_factory=list)  # per repeat: true labels
    info: list[dict] = field(default_factory=list)  # per repeat: Split.info
    n_classes: int = 0
    seconds: float = 0.0
    extra_prob: np.ndarray | None = None  # set by callers that score extra images

    @property
    def epochs(self) -> int:
        return next(iter(self.history.values())).shape[1]

    def _hist(self, key: str) -> np.ndarray:
        key = _ALIASES.get(key, key)
        if key not in self.history:
            raise KeyError(f"no per-epoch {key!r} recorded; have {sorted(self.history)}")
        return self.history[key]

    # accuracies recorded per epoch, under the names chapters 3-4 use
    @property
    def train_acc(self) -> np.ndarray:
        return self._hist("train")

    @property
    def test_acc(self) -> np.ndarray:
        return self._hist("test")

    @property
    def val_acc(self) -> np.ndarray | None:
        return self.history.get("val_accuracy")

    @property
    def test_index(self) -> list[np.ndarray]:
        return [i["test_index"] for i in self.info]

    @property
    def train_counts(self) -> list[np.ndarray]:
        return [i["train_counts"] for i in self.info]

    def summary(self, metric: str) -> dict[str, float]:
        """Mean ± std (and s.e.) over repeats of ``final[metric]``."""
        if metric not in self.final:
            raise KeyError(f"unknown metric {metric!r}; have {sorted(self.final)}")
        return summarize(self.final[metric])

    def curve(self, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-epoch mean, std and s.e. over repeats (ignoring NaN after early stops).
        ``metric`` is a history key, or ``train``/``test``/``val`` for the accuracies."""
        h = self._hist(metric)
        n = np.sum(np.isfinite(h), axis=0)
        mean = np.nanmean(h, axis=0)
        std = np.nanstd(h, axis=0, ddof=1) if h.shape[0] > 1 else np.zeros(h.shape[1])
        return mean, std, std / np.sqrt(np.maximum(n, 1))

    def thesis_epoch(self) -> int:
        """0-based epoch with the highest mean test accuracy (the thesis's choice: the test set
        chooses, so it is optimistic)."""
        return int(np.argmax(self.test_acc.mean(axis=0)))

    def validation_epochs(self) -> np.ndarray:
        """Per repeat, the 0-based epoch with the best validation accuracy (the honest choice)."""
        if self.val_acc is None:
            raise ValueError("these trainings kept no validation split (val_fraction=0)")
        return np.argmax(self.val_acc, axis=1)

    def scores(self, epochs: int | np.ndarray) -> dict[str, np.ndarray]:
        """Per repeat at the given epoch(s): accuracy, confusion matrix, TPR per class, TSS (2 classes)."""
        if not self.test_pred:
            raise ValueError("no per-epoch test predictions were recorded (record=False)")
        ep = np.broadcast_to(np.asarray(epochs), (len(self.y_test),))
        cms = np.stack([confusion_matrix(y, p[e], self.n_classes) for y, p, e in zip(self.y_test, self.test_pred, ep)])
        out = {
            "accuracy": np.trace(cms, axis1=1, axis2=2) / cms.sum(axis=(1, 2)),
            "confusion": cms,
            "tpr": np.stack([true_positive_rates(c) for c in cms]),
        }
        if self.n_classes == 2:
            out["tss"] = np.array([tss(c) for c in cms])
        return out

    def summary_at(self, epochs: int | np.ndarray) -> dict:
        """Mean, std, s.e. over repeats of accuracy, TSS, TPR per class and confusion counts at the
        given epoch(s) (one for all repeats, or one per repeat)."""
        s = self.scores(epochs)
        out = {"accuracy": summarize(s["accuracy"])}
        if "tss" in s:
            out["tss"] = summarize(s["tss"])
        out["tpr"] = [summarize(s["tpr"][:, k]) for k in range(self.n_classes)]
        out["confusion_mean"] = s["confusion"].mean(axis=0).tolist()
        out["confusion_std"] = s["confusion"].std(axis=0, ddof=1).tolist()
        return out


def _recorder(split: Split, keep_best: bool):
    """A Keras callback that predicts the test (and validation) images after every epoch."""
    import keras

    class Record(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.train, self.test, self.val, self.pred = [], [], [], []
            self.best_weights = None

        def on_epoch_end(self, epoch, logs=None):
            p = np.argmax(self.model.predict(split.x_test, batch_size=256, verbose=0), axis=1)
            self.pred.append(p.astype(np.int8))
            self.test.append(float(np.mean(p == split.y_test)))
            if split.x_val is not None:
                pv = np.argmax(self.model.predict(split.x_val, batch_size=256, verbose=0), axis=1)
                self.val.append(float(np.mean(pv == split.y_val)))
                if keep_best and self.val[-1] > max(self.val[:-1], default=-1.0):
                    self.best_weights = [w.copy() for w in self.model.get_weights()]

    return Record()


# output metadata of a progress line in an executed notebook (see Progress)
PROGRESS_METADATA = {"physml_progress": True}


class Progress:
    """A one-line progress bar (tqdm's layout) for ``repeat_fit(progress=True)``.

    In a Jupyter kernel it is one text output updated in place through a display handle, so the
    executed notebook keeps exactly one line, the final one (e.g. ``repeats: 100%|███| 8/8
    [01:23<00:00, 10.4s/it, last test accuracy 0.912]``); no widget is involved, so nothing
    depends on widget state that a static page cannot restore. The output is marked
    (``PROGRESS_METADATA``) so that the book's copy turns it into a line of the cell's printed
    text (:func:`helpers.pipeline.book._copy_for_book`), one box with the cell's other prints.
    Elsewhere (a terminal, a script) it is a plain ``tqdm`` bar on stderr."""

    def __init__(self, total: int, desc: str):
        from tqdm import tqdm

        self.total, self.desc, self.n, self.postfix = total, desc, 0, ""
        self.t0 = time.perf_counter()
        self._format = tqdm.format_meter
        self._handle = self._bar = None
        if _in_kernel():
            from IPython.display import display

            self._handle = display(_Line(self._text()), display_id=True, metadata=PROGRESS_METADATA)
        else:
            self._bar = tqdm(total=total, desc=desc, leave=True)

    def _text(self) -> str:
        return self._format(
            self.n, self.total, time.perf_counter() - self.t0, prefix=self.desc, postfix=self.postfix or None, ncols=80
        )

    def update(self, postfix: str = "") -> None:
        self.n += 1
        self.postfix = postfix
        if self._handle is not None:
            self._handle.update(_Line(self._text()), metadata=PROGRESS_METADATA)
        else:
            self._bar.set_postfix_str(postfix, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Line:
    """A text/plain-only display object (IPython would otherwise quote a str)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")


@dataclass
class _RepeatSpec:
    """What every repeat of :func:`repeat_fit` shares (travels to worker processes with cloudpickle)."""

    build_model: Callable[[], object]
    data: Any
    epochs: int
    batch_size: int
    val_batch_size: int | None
    callbacks: Callable[[], list] | None
    evaluate: Callable[[object, Split], Any] | None
    record: bool
    restore_best_val: bool
    verbose: int
    cache: bool = False


def _n_classes(split: Split, n_classes: int) -> int:
    """``n_classes`` if given, else inferred from the fitted targets (one-hot columns or labels)."""
    if n_classes:
        return n_classes
    y_fit = np.asarray(split.y_train)
    return y_fit.shape[-1] if y_fit.ndim == 2 else int(y_fit.max()) + 1


def _train(spec: _RepeatSpec, model, split: Split, n_classes: int) -> dict[str, Any]:
    """Fit ``model`` on ``split`` and say what the training gave: histories, recorded predictions,
    the epochs run and, with Keras validation, the final validation scores."""
    cbs = spec.callbacks() if spec.callbacks else []
    fit_kw = {}
    rec = None
    if spec.record:
        n_classes = _n_classes(split, n_classes)
        rec = _recorder(split, spec.restore_best_val)
        cbs = cbs + [rec]
    elif split.x_val is not None:
        fit_kw = {"validation_data": (split.x_val, split.y_val), "validation_batch_size": spec.val_batch_size}
    hist = model.fit(
        split.x_train,
        split.y_train,
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        callbacks=cbs,
        verbose=spec.verbose,
        shuffle=True,
        class_weight=split.class_weight,
        **fit_kw,
    )
    logs = dict(hist.history)
    out: dict[str, Any] = {"pred": None, "y_test": None, "n_classes": n_classes, "finals": {}}
    if rec is not None:
        logs["test_accuracy"] = rec.test
        if rec.val:
            logs["val_accuracy"] = rec.val
        if spec.restore_best_val:
            model.set_weights(rec.best_weights)
        out["pred"] = np.stack(rec.pred)
        out["y_test"] = np.asarray(split.y_test)
    out["ran"] = len(next(iter(hist.history.values())))
    out["logs"] = logs
    if fit_kw:
        scores = model.evaluate(split.x_val, split.y_val, verbose=0, return_dict=True)
        for key, val in scores.items():
            out["finals"][f"val_{key}"] = float(val)
    return out


# the cache of trained repeats (repeat_fit(cache=True)): bump when what _train returns, or how it
# is stored, changes
REPEAT_CACHE = "trained-repeats"
REPEAT_CACHE_VERSION = 1


def _repeat_key(spec: _RepeatSpec, model, split: Split, seed: int, n_classes: int) -> dict[str, Any]:
    """Everything a trained repeat depends on: the built model (architecture, compile settings and
    its initial weights), the repeat's arrays, the seed and fit settings, this module's code and the
    software and threads it runs with. Two repeats with equal keys train to equal weights."""
    import json
    import sys

    from helpers.pipeline.fingerprint import array_digest, source_digest, training_environment

    def jsonable(obj):
        return json.loads(json.dumps(obj, sort_keys=True, default=repr))

    return {
        "model": jsonable(json.loads(model.to_json())),
        "compile": jsonable(model.get_compile_config()),
        # every variable as built: the initial weights and the state of the seed generators of
        # dropout and augmentation layers
        "initial_variables": [array_digest(v.numpy()) for v in model.variables],
        "data": {
            name: array_digest(getattr(split, name))
            for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
        },
        "class_weight": None
        if split.class_weight is None
        else {str(k): float(v) for k, v in split.class_weight.items()},
        "seed": seed,
        "epochs": spec.epochs,
        "batch_size": spec.batch_size,
        "val_batch_size": spec.val_batch_size,
        "record": spec.record,
        "restore_best_val": spec.restore_best_val,
        "n_classes": _n_classes(split, n_classes) if spec.record else n_classes,
        "code": source_digest(sys.modules[__name__]),
        "environment": training_environment(),
    }


def _to_arrays(trained: dict[str, Any], weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    out = {"ran": np.asarray(trained["ran"]), "n_classes": np.asarray(trained["n_classes"])}
    out.update({f"logs/{k}": np.asarray(v, dtype=np.float64) for k, v in trained["logs"].items()})
    out.update({f"finals/{k}": np.asarray(v, dtype=np.float64) for k, v in trained["finals"].items()})
    for name in ("pred", "y_test"):
        if trained[name] is not None:
            out[name] = np.asarray(trained[name])
    out.update({f"weights/{i}": np.asarray(w) for i, w in enumerate(weights)})
    return out


def _from_arrays(a: dict[str, np.ndarray]) -> tuple[dict[str, Any], list[np.ndarray]]:
    def group(prefix: str) -> dict[str, np.ndarray]:
        return {k[len(prefix) :]: v for k, v in a.items() if k.startswith(prefix)}

    trained = {
        "ran": int(a["ran"]),
        "n_classes": int(a["n_classes"]),
        "logs": {k: [float(x) for x in v] for k, v in group("logs/").items()},
        "finals": {k: float(v) for k, v in group("finals/").items()},
        "pred": a.get("pred"),
        "y_test": a.get("y_test"),
    }
    weights = [w for _, w in sorted(group("weights/").items(), key=lambda kv: int(kv[0]))]
    return trained, weights


_BUILD_LOCK = threading.Lock()


@contextmanager
def _own_python_random(seed: int):
    """While a repeat builds its model, give this thread its own Python random numbers.

    Keras draws the seed of every unseeded initializer and layer from Python's global ``random``
    (``random.randint``), which other threads of the process draw from too: in a Dask worker the
    event loop runs beside the task (``dask.sizeof`` samples with ``random.sample``, reconnections
    back off with ``random.uniform``), and one such draw between seeding and building changes the
    model's initial weights. Inside this block this thread's ``random.randint`` comes from a
    generator seeded like ``random.seed(seed)`` — the same numbers in the same order as in a
    process with no other threads — and every other thread keeps the global one. On leaving, the
    global generator is left where this thread's draws took it (as without other threads), so a
    later unseeded draw does not repeat one of the model's seeds. One build at a time (a lock)."""
    with _BUILD_LOCK:
        own = random.Random(seed)
        me = threading.get_ident()
        shared = random.randint

        def randint(a: int, b: int) -> int:
            return own.randint(a, b) if threading.get_ident() == me else shared(a, b)

        random.randint = randint
        try:
            yield
        finally:
            random.randint = shared
            random.setstate(own.getstate())


def _fit_one(spec: _RepeatSpec, i: int, seed: int, n_classes: int) -> dict[str, Any]:
    """Repeat ``i``: clear the session, seed Keras with ``seed``, build, fit (or, with
    ``spec.cache``, read the same training's weights from the cache), score."""
    import keras

    fixed = not callable(spec.data)
    split = Split(*spec.data) if fixed else spec.data(i)
    if spec.record and (split.x_test is None or split.y_test is None):
        raise ValueError(f"repeat {i}: record=True needs x_test and y_test in the Split")
    if spec.restore_best_val and split.x_val is None:
        raise ValueError("restore_best_val needs a validation split: set val_fraction > 0")
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    with _own_python_random(seed):
        model = spec.build_model()
    if spec.cache:
        from helpers.pipeline.cache import cached_arrays

        def train() -> dict[str, np.ndarray]:
            trained = _train(spec, model, split, n_classes)
            return _to_arrays(trained, model.get_weights())

        key = _repeat_key(spec, model, split, seed, n_classes)
        out, weights = _from_arrays(cached_arrays(REPEAT_CACHE, key, train, version=REPEAT_CACHE_VERSION))
        model.set_weights(weights)  # the trained (or restored) weights, read back or just stored
    else:
        out = _train(spec, model, split, n_classes)
    if spec.evaluate is not None:
        result = spec.evaluate(model, split)
        out["evaluation"] = result
        if isinstance(result, dict) and all(isinstance(v, (int, float, np.number)) for v in result.values()):
            for key, val in result.items():
                out["finals"][key] = float(val)
    out["info"] = split.info
    return out


def _single_threaded_worker() -> None:
    """Refuse to train in a Dask worker that runs several tasks at once as threads: Keras's seed and
    session belong to the process, so concurrent repeats would overwrite each other's."""
    try:
        from distributed import get_worker

        nthreads = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return  # not in a Dask worker (a local process runs one task at a time)
    if nthreads > 1:
        raise RuntimeError(
            f"this Dask worker runs {nthreads} tasks at once in threads; repeated trainings need one thread "
            "per worker process (start workers with `dask worker --nthreads 1`, or processes = cores in "
            "dask-jobqueue), since Keras seeds and sessions are per process"
        )


def _fit_task(task: tuple) -> dict[str, Any]:
    _single_threaded_worker()
    return _fit_one(*task)


def _worker_setup(threads: int, deterministic: bool) -> None:
    """A worker process for repeated trainings: the parent's thread count and determinism."""
    from helpers.pipeline import backend

    backend.configure_threads(threads)
    backend.quiet()
    if deterministic:
        backend.make_deterministic()


def repeat_fit(
    build_model: Callable[[], object],
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | Callable[[int], Split],
    *,
    seeds: Sequence[int],
    epochs: int,
    batch_size: int = 32,
    val_batch_size: int | None = 256,
    callbacks: Callable[[], list] | None = None,
    evaluate: Callable[[object, Split], Any] | None = None,
    record: bool = False,
    n_classes: int | None = None,
    restore_best_val: bool = False,
    progress: bool = False,
    verbose: int = 0,
    workers: int | None = None,
    cache: bool = False,
) -> Trainings:
    """Train ``build_model()`` once per seed and return the stacked histories.

    ``data`` is either ``(x_train, y_train, x_val, y_val)``, the same for every repeat (Keras scores
    the validation split after each epoch: ``val_loss``, ``val_accuracy`` …, in batches of
    ``val_batch_size``), or a function ``data(i) -> Split`` giving repeat ``i`` its own sample.

    ``record=True`` (needs ``Split.x_test`` and integer ``y_test``) stores after every epoch the
    predicted class of every test image and the test and validation accuracies from those
    predictions (``n_classes`` classes, by default inferred from the targets); the validation split
    is then not handed to Keras. ``restore_best_val`` (with
    ``record``) puts back the weights of the epoch with the best validation accuracy before
    ``evaluate``. ``callbacks()`` makes fresh callbacks per repeat. ``evaluate(model, split)`` is
    called once per repeat on the final (or restored) model; what it returns is kept in
    ``evaluations``, and if it is a mapping of numbers, also in ``final``.

    ``workers`` (default ``$PHYSML_TRAIN_WORKERS`` or 1) above 1 trains the repeats in that many
    local worker processes, and a Dask scheduler (``$PHYSML_DASK_SCHEDULER``) sends them to a
    cluster (:mod:`helpers.pipeline.executor`); every repeat still seeds itself, so the numbers are
    those of the serial, in-process default.

    ``cache=True`` stores each repeat's trained weights and histories on disk (the ``trained-repeats``
    cache, :mod:`helpers.pipeline.cache`), keyed by the built model (architecture, compile settings,
    initial weights), the repeat's arrays, seed and fit settings, this module's code, the software
    versions, thread count and determinism. A later repeat with the same key — in this notebook or
    another — reads the weights instead of training, then runs ``evaluate`` on them as usual: the
    result is the one a fresh training gives. Custom ``callbacks`` cannot be keyed and are refused.
    A thesis-CNN repeat takes 14 MB on disk. On a hit ``fit`` never ran, so ``evaluate`` must not
    depend on the optimizer's, the seed generators' or the global random state (it scores the
    weights: predictions, gradients), and the key describes one machine's software: share a cache
    folder only between identical environments.
    """
    import keras

    seeds = [int(s) for s in seeds]
    if len(seeds) < 1:
        raise ValueError("repeat_fit needs at least one seed")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if restore_best_val and not record:
        raise ValueError("restore_best_val chooses the epoch from recorded validation accuracies: set record=True")
    if cache and callbacks is not None:
        raise ValueError("cache=True cannot key custom callbacks (their effect on training is unknown): drop one")
    fixed = not callable(data)
    if fixed:
        x_tr, y_tr, x_va, y_va = data
        if len(x_tr) != len(y_tr) or len(x_va) != len(y_va):
            raise ValueError(
                f"inputs and labels differ in length: train {len(x_tr)}/{len(y_tr)}, validation {len(x_va)}/{len(y_va)}"
            )
        if record:
            raise ValueError("record=True needs a test split per repeat: give data as a function returning Split")
    spec = _RepeatSpec(
        build_model,
        data,
        epochs,
        batch_size,
        val_batch_size,
        callbacks,
        evaluate,
        record,
        restore_best_val,
        verbose,
        cache,
    )
    histories: dict[str, list[np.ndarray]] = {}
    finals: dict[str, list[float]] = {}
    stopped, evaluations, preds, ytests, infos = [], [], [], [], []
    n_classes = int(n_classes or 0)
    t0 = time.perf_counter()
    bar = Progress(len(seeds), "repeats") if progress else None

    def take(one: dict[str, Any]) -> None:
        nonlocal n_classes
        n_classes = n_classes or one["n_classes"]
        stopped.append(one["ran"])
        for key, vals in one["logs"].items():
            row = np.full(epochs, np.nan)
            row[: len(vals)] = vals
            histories.setdefault(key, []).append(row)
        for key, val in one["finals"].items():
            finals.setdefault(key, []).append(val)
        if "evaluation" in one:
            evaluations.append(one["evaluation"])
        if one["pred"] is not None:
            preds.append(one["pred"])
            ytests.append(one["y_test"])
        infos.append(one["info"])
        if bar is not None:
            bar.update(f"last test accuracy {one['logs']['test_accuracy'][-1]:.3f}" if record else "")

    from helpers.pipeline.executor import choose, run_tasks

    workers = int(workers if workers is not None else os.environ.get("PHYSML_TRAIN_WORKERS", "1"))
    how = choose(workers, len(seeds))
    if how == "serial":
        # the book's path: every repeat in this process, one after the other
        for i, seed in enumerate(seeds):
            one = _fit_one(spec, i, seed, n_classes)
            take(one)
        keras.backend.clear_session()
    else:
        # each task builds its model and seeds Keras itself, in a worker set up like this process
        # (threads, deterministic ops), so the numbers equal the serial path's
        from helpers.pipeline import backend
        from helpers.pipeline.fingerprint import threads_now

        setup = functools.partial(_worker_setup, threads_now(), backend.is_deterministic())
        tasks = [(spec, i, seed, n_classes) for i, seed in enumerate(seeds)]
        run_tasks(_fit_task, tasks, workers=workers, initializer=setup, on_result=lambda _, one: take(one))
    if bar is not None:
        bar.close()
    return Trainings(
        seeds=seeds,
        history={k: np.vstack(v) for k, v in histories.items()},
        final={k: np.asarray(v) for k, v in finals.items() if len(v) == len(seeds)},
        stopped_epoch=np.asarray(stopped),
        evaluations=evaluations,
        test_pred=preds,
        y_test=ytests,
        info=infos,
        n_classes=n_classes,
        seconds=time.perf_counter() - t0,
    )
