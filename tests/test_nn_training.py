import numpy as np
import pytest

from helpers.nn.training import repeat_fit
from helpers.pipeline.repro import set_seed


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x[:80], y[:80], x[80:], y[80:]


def _build():
    import keras

    m = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1, activation="sigmoid")]
    )
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
    with pytest.raises(KeyError, match="no per-epoch"):
        r.curve("test")


def test_repeat_fit_input_errors():
    x, y, xv, yv = _data()
    with pytest.raises(ValueError, match="differ in length"):
        repeat_fit(_build, (x, y[:-1], xv, yv), seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        repeat_fit(_build, (x, y, xv, yv), seeds=[0], epochs=0)


def test_one_loop_records_per_repeat_splits_and_restores_the_best_validation_epoch():
    """Per-repeat data (chapters 3-4): predictions recorded every epoch, accuracies computed from
    them by hand, and the restored model is the one of the best validation epoch."""
    from helpers.nn.training import Split

    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3)).astype("float32")
    lab = (x[:, 0] - x[:, 2] > 0).astype(int)
    onehot = np.eye(2, dtype="float32")[lab]

    def build2():
        import keras

        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        m.compile(optimizer=keras.optimizers.Adam(0.05), loss="categorical_crossentropy", metrics=["accuracy"])
        return m

    def data(i):
        p = np.random.default_rng(i).permutation(300)
        tr, va, te = p[:180], p[180:240], p[240:]
        return Split(x[tr], onehot[tr], x[va], lab[va], x[te], lab[te], info={"test_index": te})

    def evaluate(model, split):
        return {"acc": float(np.mean(np.argmax(model.predict(split.x_test, verbose=0), axis=1) == split.y_test))}

    r = repeat_fit(
        build2, data, seeds=[5, 6], epochs=4, batch_size=32, record=True, restore_best_val=True, evaluate=evaluate
    )
    assert r.n_classes == 2 and r.test_acc.shape == r.val_acc.shape == (2, 4)
    for i in range(2):  # recorded accuracies are the recorded predictions scored by hand
        te = r.info[i]["test_index"]
        np.testing.assert_allclose(r.test_acc[i], [np.mean(p == lab[te]) for p in r.test_pred[i]])
    want = r.scores(r.validation_epochs())["accuracy"]
    np.testing.assert_allclose(r.final["acc"], want, atol=1e-12)
    assert r.summary_at(r.validation_epochs())["accuracy"]["n"] == 2
    with pytest.raises(ValueError, match="set record=True"):
        repeat_fit(build2, data, seeds=[1], epochs=1, restore_best_val=True)
    with pytest.raises(ValueError, match="needs a test split per repeat"):
        repeat_fit(build2, _data(), seeds=[1], epochs=1, record=True)
