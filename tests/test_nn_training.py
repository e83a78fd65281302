import numpy as np
import pytest

from helpers.pipeline.repro import set_seed
from helpers.nn.training import repeat_fit


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x[:80], y[:80], x[80:], y[80:]


def _build():
    import keras

    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_repeat_fit_shapes_statistics_and_determinism():
    import keras

    set_seed(0)
    stop = lambda: [keras.callbacks.EarlyStopping(monitor="val_loss", patience=1)]
    r = repeat_fit(_build, _data(), seeds=[1, 2, 3], epochs=6, batch_size=16, callbacks=stop)
    assert r.history["loss"].shape == (3, 6)
    for i, n in enumerate(r.stopped_epoch):
        assert np.isfinite(r.history["val_loss"][i, :n]).all() and np.isnan(r.history["val_loss"][i, n:]).all()
    s = r.summary("val_accuracy")
    assert s["n"] == 3 and 0.5 < s["mean"] <= 1.0
    mean, std, sem = r.curve("loss")
    assert mean.shape == (6,) and np.all(sem[np.isfinite(sem)] <= std[np.isfinite(std)] + 1e-12)
    again = repeat_fit(_build, _data(), seeds=[1, 2, 3], epochs=6, batch_size=16, callbacks=stop)
    np.testing.assert_array_equal(r.final["val_loss"], again.final["val_loss"])
    with pytest.raises(KeyError, match="unknown metric 'auc'"):
        r.summary("auc")


def test_repeat_fit_input_errors():
    x, y, xv, yv = _data()
    with pytest.raises(ValueError, match="differ in length"):
        repeat_fit(_build, (x, y[:-1], xv, yv), seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        repeat_fit(_build, (x, y, xv, yv), seeds=[0], epochs=0)
