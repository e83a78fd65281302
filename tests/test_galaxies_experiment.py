"""Chapter 3 helpers: classification scores, samples and splits, the CNN, repeated trainings."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.galaxies import samples as D
from helpers.galaxies.experiment import run_repeats
from helpers.stats import confusion_matrix, true_positive_rates, tss


def test_confusion_tpr_and_tss_known_answers():
    # thesis-style 2x2: 100 spirals (95 right), 40 ellipticals (30 right)
    y = np.array([0] * 100 + [1] * 40)
    p = np.array([0] * 95 + [1] * 5 + [1] * 30 + [0] * 10)
    cm = confusion_matrix(y, p, 2)
    np.testing.assert_array_equal(cm, [[95, 5], [10, 30]])
    np.testing.assert_allclose(true_positive_rates(cm), [0.95, 0.75])
    assert tss(cm) == pytest.approx(0.95 - 10 / 40)
    # predicting the majority class: accuracy = its share, TSS = 0
    assert tss(confusion_matrix(y, np.zeros_like(y), 2)) == 0.0
    # TSS = 2 x balanced accuracy - 1 (sklearn's adjusted balanced accuracy)
    from sklearn.metrics import balanced_accuracy_score

    assert tss(cm) == pytest.approx(balanced_accuracy_score(y, p, adjusted=True))


def test_scores_name_bad_inputs():
    with pytest.raises(ValueError, match=r"class\(es\) \[1\] absent"):
        true_positive_rates(confusion_matrix([0, 0], [0, 1], 2))
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\)"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="2 x 2"):
        tss(np.eye(3))


def test_balanced_sample_and_stratified_split():
    rng = np.random.default_rng(0)
    y = np.array([0] * 700 + [1] * 300)
    s = D.draw_sample(y, 400, rng, balanced=True)
    assert np.bincount(y[s]).tolist() == [200, 200] and len(set(s)) == 400
    tr, te = D.split(y[s], 0.3, rng)
    assert len(set(tr) & set(te)) == 0 and len(tr) + len(te) == 400
    assert np.bincount(y[s][te]).tolist() == [60, 60]  # 7:3 within each class
    with pytest.raises(ValueError, match="only 300 exist"):
        D.draw_sample(y, 800, rng, balanced=True)
    with pytest.raises(ValueError, match="too few to appear in both"):
        D.split(np.array([0, 0, 0, 1]), 0.3, rng)


def test_preprocess_range_and_shape():
    img = np.zeros((2, 64, 64), np.float32)
    img[:, 32, 32] = [10.0, 1000.0]
    x = D.preprocess(img)
    assert x.shape == (2, 64, 64, 1) and x.max() == pytest.approx(1.0) and x.min() >= 0
    with pytest.raises(ValueError, match=r"\(n, height, width\)"):
        D.preprocess(img[0])


def test_thesis_cnn_parameter_count():
    from helpers.galaxies.models import thesis_cnn

    m = thesis_cnn(n_classes=2)
    # by hand: conv 3x3x1x32 + 32, conv 3x3x32x64 + 64, conv 2x2x64x64 + 64,
    # flatten 6*6*64 = 2304 -> 1024 -> 1024 -> 2
    want = (
        (9 * 32 + 32)
        + (9 * 32 * 64 + 64)
        + (4 * 64 * 64 + 64)
        + (2304 * 1024 + 1024)
        + (1024 * 1024 + 1024)
        + (1024 * 2 + 2)
    )
    assert m.count_params() == want
    with pytest.raises(ValueError, match="'adam' or 'sgd'"):
        thesis_cnn(optimizer="rmsprop")


def _toy(n=240, seed=0):
    """Images whose class is a bright disk (0) or a bright bar (1): learnable in a few epochs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    yy, xx = np.mgrid[:16, :16] - 7.5
    disk = (np.hypot(xx, yy) < 5).astype(np.float32)
    bar = (np.abs(yy) < 1.5).astype(np.float32)
    x = np.where(y[:, None, None] == 0, disk, bar) + 0.3 * rng.standard_normal((n, 16, 16))
    return x[..., None].astype(np.float32), y


def test_repeated_trainings_learn_and_record_every_epoch():
    import keras

    from helpers.pipeline.repro import set_seed

    set_seed(0)
    x, y = _toy()

    def build():
        m = keras.Sequential(
            [keras.Input((16, 16, 1)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")]
        )
        m.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
        return m

    tr = run_repeats(
        build, x, y, n_repeats=2, epochs=4, n_per_run=200, val_fraction=0.2, batch_size=32, seed=1, progress=False
    )
    assert tr.test_acc.shape == (2, 4) and tr.val_acc.shape == (2, 4)
    assert all(p.shape == (4, 60) for p in tr.test_pred)  # 30 % of 200, every epoch
    assert tr.test_acc[:, -1].min() > 0.9  # the toy is easy
    s = tr.scores(tr.validation_epochs())
    np.testing.assert_allclose(s["accuracy"], [tr.test_acc[r, e] for r, e in enumerate(tr.validation_epochs())])
    assert tr.summary_at(tr.thesis_epoch())["accuracy"]["n"] == 2
    # each run's best test epoch bounds the honest (validation) choice from above
    assert tr.test_acc.max(axis=1).mean() >= s["accuracy"].mean() - 1e-12
    assert tr.thesis_epoch() == int(np.argmax(tr.test_acc.mean(axis=0)))
    with pytest.raises(ValueError, match="n_repeats must be >= 2"):
        run_repeats(build, x, y, n_repeats=1, epochs=1, n_per_run=100)
    with pytest.raises(ValueError, match="class_weight must be None or 'balanced'"):
        run_repeats(build, x, y, n_repeats=2, epochs=1, n_per_run=100, class_weight="auto")
