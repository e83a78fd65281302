import numpy as np
import pytest

from helpers.pipeline.repro import set_seed


def _train_once(seed):
    import keras

    set_seed(seed)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    return np.concatenate([w.ravel() for w in model.get_weights()])


def test_same_seed_same_numbers():
    a = set_seed(7).normal(size=5), np.random.rand(3)
    b = set_seed(7).normal(size=5), np.random.rand(3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_keras_training_is_deterministic_per_seed():
    w1, w2, w3 = _train_once(3), _train_once(3), _train_once(4)
    np.testing.assert_array_equal(w1, w2)
    assert not np.allclose(w1, w3)


@pytest.mark.parametrize("seed,exc", [(-1, ValueError), (1.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_bad_seed(seed, exc):
    with pytest.raises(exc, match="seed"):
        set_seed(seed, keras=False)


def test_bad_thread_env(monkeypatch):
    monkeypatch.setenv("PHYSML_THREADS", "many")
    with pytest.raises(ValueError, match="PHYSML_THREADS='many'"):
        set_seed(0, keras=False)
