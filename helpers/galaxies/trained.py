"""Repeated trainings of the thesis CNN, cached on disk by their settings, so that a notebook that
repeats another's experiment (chapter 3's imbalanced baseline appears in 3.3 and again in 3.4)
reads the earlier notebook's results instead of training the same networks again.

The key holds everything the result depends on: the model's arguments (the model is built here
from them, so the key cannot describe a different network than the one trained), SHA-256 digests
of the images, labels, targets and extra images, every setting of
:func:`helpers.galaxies.experiment.run_repeats` (but the worker count, which does not change results),
the Keras, backend and NumPy versions, a digest of the training code (model, sampling, training loop)
and the thread count and deterministic-ops setting. A
repeat's result depends on its seed alone (``repeat_fit`` re-seeds Keras per repeat and TensorFlow
runs with op determinism), so a cached result is the result a new training would give.

Trainings with ``evaluate`` or ``augment`` callables cannot be keyed and are refused; call
``run_repeats`` for those.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.nn.training import Trainings
from helpers.pipeline.fingerprint import array_digest, source_digest, training_environment

__all__ = ["cached_repeats", "from_arrays", "to_arrays"]

FORMAT_VERSION = 1  # bump when Trainings' stored layout or the training loop's results change


def _code_digest() -> str:
    """SHA-256 of the source of the modules a cached training's result depends on."""
    import helpers.galaxies.experiment as experiment
    import helpers.galaxies.models as models
    import helpers.galaxies.samples as samples
    import helpers.nn.training as training

    return source_digest(models, experiment, samples, training)


def to_arrays(tr: Trainings) -> dict[str, np.ndarray]:
    """A Trainings as named NumPy arrays (no pickling); :func:`from_arrays` inverts it."""
    if tr.evaluations:
        raise ValueError("trainings with per-repeat evaluations cannot be cached")
    out = {
        "seeds": np.asarray(tr.seeds, np.int64),
        "stopped_epoch": np.asarray(tr.stopped_epoch, np.int64),
        "n_classes": np.asarray(tr.n_classes, np.int64),
        "seconds": np.asarray(tr.seconds, np.float64),
    }
    out.update({f"history/{k}": np.asarray(v) for k, v in tr.history.items()})
    out.update({f"final/{k}": np.asarray(v) for k, v in tr.final.items()})
    for r, (p, y, info) in enumerate(zip(tr.test_pred, tr.y_test, tr.info, strict=True)):
        out[f"test_pred/{r}"] = np.asarray(p)
        out[f"y_test/{r}"] = np.asarray(y)
        for k, v in info.items():
            out[f"info/{r}/{k}"] = np.asarray(v)
    if tr.extra_prob is not None:
        out["extra_prob"] = np.asarray(tr.extra_prob)
    return out


def from_arrays(a: Mapping[str, np.ndarray]) -> Trainings:
    """The Trainings that :func:`to_arrays` stored."""
    seeds = [int(s) for s in a["seeds"]]
    n = len(seeds)

    def group(prefix: str) -> dict[str, np.ndarray]:
        return {k[len(prefix) :]: np.asarray(v) for k, v in a.items() if k.startswith(prefix)}

    infos = []
    for r in range(n):
        infos.append(group(f"info/{r}/"))
    return Trainings(
        seeds=seeds,
        history=group("history/"),
        final=group("final/"),
        stopped_epoch=np.asarray(a["stopped_epoch"]),
        test_pred=[np.asarray(a[f"test_pred/{r}"]) for r in range(n) if f"test_pred/{r}" in a],
        y_test=[np.asarray(a[f"y_test/{r}"]) for r in range(n) if f"y_test/{r}" in a],
        info=infos,
        n_classes=int(a["n_classes"]),
        seconds=float(a["seconds"]),
        extra_prob=np.asarray(a["extra_prob"]) if "extra_prob" in a else None,
    )


def cached_repeats(
    model: Mapping[str, Any], images: np.ndarray, y: np.ndarray, *, progress: bool = True, **settings: Any
) -> Trainings:
    """``run_repeats(lambda: thesis_cnn(**model), images, y, **settings)``, from the cache when
    the same trainings ran before (in this notebook or another), else trained and stored.

    ``model`` holds :func:`helpers.galaxies.models.thesis_cnn`'s arguments (JSON literals);
    ``settings`` are ``run_repeats``'s keyword arguments except ``evaluate`` and ``augment``."""
    from helpers.galaxies.experiment import run_repeats
    from helpers.galaxies.models import thesis_cnn
    from helpers.pipeline.cache import cached_arrays

    for bad in ("evaluate", "augment"):
        if settings.get(bad) is not None:
            raise ValueError(f"{bad} is a function and cannot be part of a cache key; call run_repeats instead")
    model = dict(model)
    thesis_cnn(**model)  # bad model arguments fail here, before anything is trained or keyed
    images, y = np.asarray(images), np.asarray(y)
    sig = inspect.signature(run_repeats)
    unknown = sorted(set(settings) - set(sig.parameters))
    if unknown:
        raise TypeError(f"run_repeats has no argument {', '.join(unknown)}")
    # defaults filled in, so that a setting spelled out and one left at its default give one key
    full = {
        k: settings.get(k, p.default)
        for k, p in sig.parameters.items()
        if p.kind is p.KEYWORD_ONLY and k not in ("progress", "evaluate", "augment", "workers", "cache")
    }
    targets, extra = full.pop("targets"), full.pop("extra")
    params = {
        "model": model,
        "images": array_digest(images),
        "y": array_digest(y),
        "targets": array_digest(None if targets is None else np.asarray(targets, np.float32)),
        "extra": array_digest(None if extra is None else np.asarray(extra)),
        "settings": full,
        # the code that trains (model, sampling, training loop) and how it runs (versions, threads,
        # deterministic ops): a change to any of them gives a new key instead of an old result
        "code": _code_digest(),
        "environment": training_environment(),
    }

    def build() -> dict[str, np.ndarray]:
        tr = run_repeats(lambda: thesis_cnn(**model), images, y, progress=progress, **settings)
        return to_arrays(tr)

    hit = {"fresh": False}

    def build_marked():
        hit["fresh"] = True
        return build()

    arrays = cached_arrays("galaxy-trainings", params, build_marked, version=FORMAT_VERSION)
    tr = from_arrays(arrays)
    if not hit["fresh"] and progress:
        print(
            f"{len(tr.seeds)} trainings read from the cache: the same settings and data were trained "
            f"earlier ({tr.seconds:.0f} s), e.g. by another notebook of the chapter"
        )
    return tr
