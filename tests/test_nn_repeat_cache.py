"""Trained repeats cached on disk (repeat_fit(cache=True)): a hit is the training a fresh run gives,
and anything that changes a training misses."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.galaxies.experiment import run_repeats
from helpers.galaxies.models import thesis_cnn
from helpers.nn import training
from helpers.pipeline.cache import CacheCorruptedWarning
from toy_images import bright_square_images as _data

SETTINGS = dict(epochs=2, n_per_run=30, val_fraction=0.2, batch_size=8, seed=3, restore_best_val=True)


def _build(dense=16, learning_rate=1e-3):
    return lambda: thesis_cnn(n_classes=2, learning_rate=learning_rate, dense=dense)


def _probe(x):
    # what chapter 4 does after training: score the restored model on other versions of the test images
    def evaluate(model, test_positions):
        return {
            "plain": model.predict(x[test_positions], verbose=0),
            "dimmed": model.predict(0.5 * x[test_positions], verbose=0),
        }

    return evaluate


@pytest.fixture
def count_trainings(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_CACHE", str(tmp_path))
    # in this process (the counter below sees only in-process trainings)
    monkeypatch.delenv("PHYSML_TRAIN_WORKERS", raising=False)
    monkeypatch.delenv("PHYSML_DASK_SCHEDULER", raising=False)
    calls = []
    real = training._train

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(training, "_train", counted)
    return calls


def test_a_cached_repeat_is_the_fresh_training_and_later_evaluations_run_on_it(count_trainings):
    x, y = _data()
    first = run_repeats(_build(), x, y, n_repeats=3, cache=True, progress=False, evaluate=_probe(x), **SETTINGS)
    assert len(count_trainings) == 3
    # fewer repeats of the same experiment (as 4.4 repeats 4.1's first four): all read, none trained
    again = run_repeats(_build(), x, y, n_repeats=2, cache=True, progress=False, evaluate=_probe(x), **SETTINGS)
    assert len(count_trainings) == 3
    # the reference: no cache at all (op determinism: bit-identical)
    fresh = run_repeats(_build(), x, y, n_repeats=2, progress=False, evaluate=_probe(x), **SETTINGS)
    for got in (first, again):
        for k in fresh.history:
            np.testing.assert_array_equal(got.history[k][:2], fresh.history[k])
        for a, b in zip(got.test_pred, fresh.test_pred):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(got.validation_epochs()[:2], fresh.validation_epochs())
        # the evaluation ran on the restored weights, read back: the same probabilities
        for a, b in zip(got.evaluations, fresh.evaluations):
            for k in b:
                np.testing.assert_array_equal(a[k], b[k])
    # and some repeat restored an earlier epoch than the last (else restoring is untested)
    assert (fresh.validation_epochs() < SETTINGS["epochs"] - 1).any(), fresh.validation_epochs()


def test_anything_that_changes_the_training_misses(count_trainings):
    x, y = _data()
    kw = dict(n_repeats=2, cache=True, progress=False, **SETTINGS)
    run_repeats(_build(), x, y, **kw)
    assert len(count_trainings) == 2
    x2 = x.copy()
    x2[0, 0, 0, 0] += 1e-3  # one pixel of one image (in every repeat's sample? galaxy 0 may not be drawn)
    x2[:, 1, 1, 0] += 1e-3  # one pixel of every image: in every repeat's data
    run_repeats(_build(), x2, y, **kw)
    assert len(count_trainings) == 4
    run_repeats(_build(dense=17), x, y, **kw)  # the architecture
    assert len(count_trainings) == 6
    run_repeats(_build(learning_rate=2e-3), x, y, **kw)  # the optimizer (compile settings)
    assert len(count_trainings) == 8
    run_repeats(_build(), x, y, **{**kw, "epochs": 3})
    assert len(count_trainings) == 10
    run_repeats(_build(), x, y, **{**kw, "seed": 4})  # other samples, splits and Keras seeds
    assert len(count_trainings) == 12

    # an augmentation is keyed by what it returns: the same draw hits, another misses
    def aug(scale):
        return lambda pos, t, rng: (x[pos] * scale, t)

    run_repeats(_build(), x, y, augment=aug(1.0), **kw)
    assert len(count_trainings) == 12
    run_repeats(_build(), x, y, augment=aug(0.9), **kw)
    assert len(count_trainings) == 14
    run_repeats(_build(), x, y, **kw)  # and the first experiment is still there
    assert len(count_trainings) == 14


def test_a_damaged_cache_file_is_trained_again(count_trainings, tmp_path):
    x, y = _data()
    kw = dict(n_repeats=2, cache=True, progress=False, **SETTINGS)
    run_repeats(_build(), x, y, **kw)
    files = sorted(tmp_path.glob(f"{training.REPEAT_CACHE}-*.npz"))
    assert len(files) == 2
    files[0].write_bytes(files[0].read_bytes()[:-100])
    with pytest.warns(CacheCorruptedWarning, match="damaged"):
        run_repeats(_build(), x, y, **kw)
    assert len(count_trainings) == 3


def test_custom_callbacks_cannot_be_keyed():
    x, y = _data()
    with pytest.raises(ValueError, match="cannot key custom callbacks"):
        training.repeat_fit(
            _build(),
            (x[:20], np.eye(2)[y[:20]], x[20:], np.eye(2)[y[20:]]),
            seeds=[0],
            epochs=1,
            callbacks=lambda: [],
            cache=True,
        )


def test_another_thread_drawing_python_random_numbers_does_not_change_a_repeat():
    """Keras seeds unseeded layers from Python's global `random`; in a Dask worker the event loop
    draws from it too. A draw by another thread while the model is built must not change it."""
    import random
    import threading

    import keras

    x, y = _data()
    data = (x[:30].reshape(30, -1)[:, :8], np.eye(2)[y[:30]], x[30:].reshape(10, -1)[:, :8], np.eye(2)[y[30:]])

    def build(interfere: bool):
        def make():
            first = keras.layers.Dense(4, activation="relu")
            if interfere:  # another thread draws while this one is between two layers
                t = threading.Thread(target=lambda: [random.randint(0, 9) + random.random() for _ in range(5)])
                t.start()
                t.join()
            m = keras.Sequential([keras.Input((8,)), first, keras.layers.Dense(2, activation="softmax")])
            m.compile("adam", "categorical_crossentropy")
            return m

        return make

    def weights(interfere):
        tr = training.repeat_fit(
            build(interfere), data, seeds=[7], epochs=1, evaluate=lambda m, s: [w.copy() for w in m.get_weights()]
        )
        return tr.evaluations[0]

    shared = random.randint
    quiet, disturbed = weights(False), weights(True)
    assert random.randint is shared  # put back after the build

    def broken():
        raise RuntimeError("no model")

    with pytest.raises(RuntimeError, match="no model"):
        training.repeat_fit(broken, data, seeds=[7], epochs=1)
    assert random.randint is shared  # also when the build fails
    for a, b in zip(quiet, disturbed, strict=True):
        np.testing.assert_array_equal(a, b)
    # and without the guard the same disturbance does change the second layer (the test can fail)
    keras.utils.set_random_seed(7)
    a = build(False)().get_weights()
    keras.utils.set_random_seed(7)
    b = build(True)().get_weights()
    assert not np.array_equal(a[2], b[2])
