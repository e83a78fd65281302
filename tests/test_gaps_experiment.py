"""train_and_test's early stopping: it stops, and the model it scores is the best validation epoch's."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.gaps.experiment import train_and_test


def _build():
    import keras

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_early_stopping_scores_the_best_validation_epoch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8)).astype(np.float32)
    y = (x[:, 0] + rng.normal(0, 2.0, 300) > 0).astype(np.float32)  # weak signal: overfits fast
    splits = (np.arange(0, 150), np.arange(150, 225), np.arange(225, 300))
    r = train_and_test(_build, x, y, splits, seeds=[1, 2], epochs=40, batch_size=16, patience=2)
    rep = r["repeats"]
    assert np.all(rep.stopped_epoch < 40)  # both stopped early
    # the validation loss Keras recorded per epoch has its minimum where the restored model sits:
    # evaluating the scored model on the validation split gives that minimum again
    best = np.nanmin(rep.history["val_loss"], axis=1)
    np.testing.assert_allclose(rep.final["val_loss"], best, rtol=1e-5)
    with pytest.raises(ValueError, match="patience must be >= 1"):
        train_and_test(_build, x, y, splits, seeds=[1], epochs=2, patience=0)
