"""Cached repeated trainings (helpers.galaxies.trained): a cache hit is the training a fresh run gives."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from helpers.galaxies import trained
from helpers.galaxies.experiment import run_repeats
from helpers.galaxies.models import thesis_cnn
from toy_images import bright_square_images as _data

SETTINGS = dict(n_repeats=2, epochs=2, n_per_run=30, val_fraction=0.2, batch_size=8, seed=3)
MODEL = dict(n_classes=2, optimizer="adam", learning_rate=1e-3, dense=16)


def test_cache_hit_equals_a_fresh_training(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_CACHE", str(tmp_path))
    x, y = _data()
    first = trained.cached_repeats(MODEL, x, y, progress=False, **SETTINGS)

    # the same settings spelled with a default written out hit the cache: nothing may train
    @functools.wraps(run_repeats)
    def no_training(*a, **k):
        pytest.fail("trained again")

    monkeypatch.setattr("helpers.galaxies.experiment.run_repeats", no_training)
    again = trained.cached_repeats(MODEL, x, y, progress=False, balanced=False, class_weight=None, **SETTINGS)
    monkeypatch.undo()
    # the reference: run_repeats itself, not through the cache (op determinism: bit-identical)
    fresh = run_repeats(lambda: thesis_cnn(**MODEL), x, y, progress=False, **SETTINGS)
    for got in (first, again):
        assert got.seeds == fresh.seeds and got.n_classes == fresh.n_classes
        for k in fresh.history:
            np.testing.assert_array_equal(got.history[k], fresh.history[k])
        for a, b in zip(got.test_pred, fresh.test_pred, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(got.validation_epochs(), fresh.validation_epochs())
        assert got.summary_at(got.validation_epochs()) == fresh.summary_at(fresh.validation_epochs())
        for a, b in zip(got.test_index, fresh.test_index, strict=True):
            np.testing.assert_array_equal(a, b)


def test_other_data_or_settings_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("PHYSML_CACHE", str(tmp_path))
    x, y = _data()
    trained.cached_repeats(MODEL, x, y, progress=False, **SETTINGS)
    calls = []

    @functools.wraps(run_repeats)
    def fake(*a, **k):
        calls.append(k)
        return run_repeats(lambda: thesis_cnn(**MODEL), x, y, progress=False, **SETTINGS)

    monkeypatch.setattr("helpers.galaxies.experiment.run_repeats", fake)
    x2 = x.copy()
    x2[0, 0, 0, 0] += 1e-3  # one pixel of one image
    trained.cached_repeats(MODEL, x2, y, progress=False, **SETTINGS)
    trained.cached_repeats({**MODEL, "learning_rate": 2e-3}, x, y, progress=False, **SETTINGS)
    trained.cached_repeats(MODEL, x, y, progress=False, **{**SETTINGS, "seed": 4})
    assert len(calls) == 3


def test_unkeyable_arguments_are_refused():
    x, y = _data()
    with pytest.raises(ValueError, match="evaluate is a function"):
        trained.cached_repeats(MODEL, x, y, evaluate=lambda m, te: {}, **SETTINGS)
    with pytest.raises(TypeError, match="no argument epochz"):
        trained.cached_repeats(MODEL, x, y, epochz=3, n_repeats=2, n_per_run=30)
