"""Chapter 4 helpers: shrinking and enlarging, the batched enlargement, probes, the HSC → SDSS path."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from helpers.galaxies import resolution as D
from helpers.galaxies.probes import paired_difference, probe_accuracies, probe_evaluator, summarise_probes


@pytest.fixture
def stack():
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[:64, :64] - 31.5
    galaxy = np.exp(-np.hypot(xx, yy) / 4.0)
    return (galaxy[None] + 0.05 * rng.standard_normal((6, 64, 64))).astype(np.float32)


def test_shrink_is_an_area_average_that_conserves_flux(stack):
    for f in (2, 4, 8):  # factors that divide 64: exactly the block mean
        want = stack.reshape(6, 64 // f, f, 64 // f, f).mean(axis=(2, 4))
        np.testing.assert_allclose(D.shrink(stack, f), want, atol=1e-6)
    for f in D.FACTORS:  # the whole stamp is covered: the mean surface brightness is kept
        small = D.shrink(stack, f)
        assert small.shape == (6, round(64 / f), round(64 / f))
        np.testing.assert_allclose(small.mean(axis=(1, 2)), stack.mean(axis=(1, 2)), rtol=1e-4, atol=1e-6)
    # the fx convention keeps coarse pixels of exactly f pixels; it differs where 64/f is not whole
    assert D.shrink(stack, 6, convention="fx").shape == (6, 11, 11)
    assert not np.allclose(D.shrink(stack, 6, convention="fx"), D.shrink(stack, 6))


def test_positional_interpolation_argument_is_silently_ignored(stack):
    # why helpers always pass interpolation= by keyword: the third positional argument is dst
    img = stack[0]
    positional = cv2.resize(img, (16, 16), cv2.INTER_AREA)
    np.testing.assert_array_equal(positional, cv2.resize(img, (16, 16), interpolation=cv2.INTER_LINEAR))
    assert np.abs(positional - D.shrink(img, 4)[0]).max() > 1e-3


def test_enlargements_known_answers(stack):
    small = D.shrink(stack, 4)
    # nearest with a whole factor repeats each coarse pixel into a 4 x 4 block
    np.testing.assert_array_equal(D.enlarge(small, 64, "nearest"), np.kron(small, np.ones((1, 4, 4), np.float32)))
    # every method keeps a constant image constant
    flat = np.full((1, 8, 8), 2.5, np.float32)
    for m in D.METHODS:
        np.testing.assert_allclose(D.enlarge(flat, 64, m), 2.5, rtol=1e-6)
    # bilinear reproduces a linear ramp away from the replicated border
    ramp = np.tile(np.arange(8, dtype=np.float32), (8, 1))[None]
    big = D.enlarge(ramp, 64, "bilinear")[0]
    centres = (np.arange(64) + 0.5) / 8 - 0.5
    np.testing.assert_allclose(big[10, 8:56], centres[8:56], atol=1e-5)


@pytest.mark.parametrize("method", D.METHODS)
def test_batched_enlargement_equals_opencv(stack, method):
    for f in D.FACTORS:
        small = D.shrink(stack, f)
        np.testing.assert_allclose(D.enlarge_batch(small, 64, method), D.enlarge(small, 64, method), atol=2e-6)
    np.testing.assert_allclose(
        D.enlarge_batch(stack[:, :16, :16], 151, method), D.enlarge(stack[:, :16, :16], 151, method), atol=2e-6
    )


def test_degrade_shift_and_shapes(stack):
    np.testing.assert_array_equal(D.degrade(stack, 1, "bicubic"), stack)
    # rolling by one whole coarse pixel and back changes nothing (nearest, aligned grid, periodic roll)
    np.testing.assert_array_equal(D.degrade(stack, 2, "nearest", shift=2), D.degrade(stack, 2, "nearest"))
    # ... while half a coarse pixel does
    assert not np.allclose(D.degrade(stack, 4, "nearest", shift=2), D.degrade(stack, 4, "nearest"))
    assert D.degrade(stack[..., None], 3, "bilinear").shape == (6, 64, 64, 1)
    assert D.degrade(stack[0], 3, "bilinear").shape == (64, 64)


def test_centre_phase_known_values():
    assert D.centre_phase(64, 6) == pytest.approx(0.5)  # 32 / (64/11) = 5.5
    assert D.centre_phase(64, 7) == pytest.approx(0.5)  # 32 / (64/9) = 4.5
    assert D.centre_phase(64, 8) == pytest.approx(0.0)
    assert D.centre_phase(64, 6, convention="fx") == pytest.approx(1 / 3)
    assert D.centre_phase(64, 7, convention="fx") == pytest.approx(32 / 7 - 4)
    assert D.centre_phase(64, 8, shift=4) == pytest.approx(0.5)


def test_bad_inputs_are_named(stack):
    with pytest.raises(ValueError, match="'linear'"):
        D.enlarge(stack, 64, "linear")
    with pytest.raises(ValueError, match=r"factor must be a number >= 1.*0.5"):
        D.shrink(stack, 0.5)
    with pytest.raises(ValueError, match="must be square"):
        D.shrink(np.zeros((2, 64, 32)), 2)
    with pytest.raises(ValueError, match="convention"):
        D.shrink(stack, 2, convention="area")
    with pytest.raises(ValueError, match="p_original"):
        D.random_degradation(stack, np.random.default_rng(0), p_original=1.5)


def test_random_degradation(stack):
    same, f = D.random_degradation(stack, np.random.default_rng(0), p_original=1.0)
    np.testing.assert_array_equal(same, stack)
    assert np.all(f == 1)
    a, fa = D.random_degradation(stack, np.random.default_rng(5), p_original=0.0)
    b, fb = D.random_degradation(stack, np.random.default_rng(5), p_original=0.0)
    np.testing.assert_array_equal(a, b)
    assert set(fa.tolist()) <= set(D.FACTORS) and a.shape == stack.shape
    assert not np.allclose(a, stack)


class _Fixed:
    """A 'model' whose predictions are the image means thresholded: known accuracies."""

    def predict(self, x, batch_size=None, verbose=0):
        m = np.asarray(x).reshape(len(x), -1).mean(axis=1)
        return np.stack([m < 0.5, m >= 0.5], axis=1).astype(np.float32)


def test_probes_and_paired_summaries():
    raw = np.concatenate([np.zeros((5, 4, 4)), np.ones((5, 4, 4))]).astype(np.float32)
    y = np.array([0] * 5 + [1] * 5)
    probes = {"as is": lambda r: r, "inverted": lambda r: 1 - r, "half": lambda r: r[:, :2]}
    assert probe_accuracies(_Fixed(), raw, y, probes) == {"as is": 1.0, "inverted": 0.0, "half": 1.0}
    ev = probe_evaluator(raw, y, probes)
    assert ev(_Fixed(), np.array([0, 9]))["inverted"] == 0.0
    runs = [{"a": 0.9, "b": 0.7}, {"a": 0.8, "b": 0.7}, {"a": 0.85, "b": 0.6}]
    s = summarise_probes(runs)
    assert s["a"]["mean"] == pytest.approx(0.85) and s["b"]["n"] == 3
    d = paired_difference(runs, "a", "b")
    assert d["mean"] == pytest.approx(0.85 - 2.0 / 3) and d["std"] == pytest.approx(np.std([0.2, 0.1, 0.25], ddof=1))
    with pytest.raises(ValueError, match="same probes"):
        summarise_probes([{"a": 1.0}, {"b": 1.0}])
    with pytest.raises(ValueError, match="returned 2 images for 10"):
        probe_accuracies(_Fixed(), raw, y, {"bad": lambda r: r[:2]})


def test_prepare_puts_both_surveys_on_one_brightness_scale():
    from helpers.galaxies.samples import prepare
    from helpers.galaxies.sky import constants as C

    yy, xx = np.mgrid[:32, :32] - 15.5
    sb = 40 * C.SDSS.sigma_pixel / C.SDSS.pixel_scale**2 * np.exp(-np.hypot(xx, yy) / 5)  # per arcsec^2
    sdss = prepare((sb * C.SDSS.pixel_scale**2)[None], "sdss")
    hsc = prepare((sb * C.HSC.pixel_scale**2)[None], "hsc")
    np.testing.assert_allclose(hsc, sdss, atol=1e-6)
    wrong = prepare((sb * C.HSC.pixel_scale**2)[None], "sdss")  # forgetting the pixel area
    assert np.abs(wrong - sdss).max() > 0.05


def test_psf_matching_leaves_little_hsc_noise():
    """The claim in load_hsc_matched: after re-observing at SDSS seeing, the HSC sky noise is a
    small fraction (< 2 %) of the SDSS noise variance that is then added."""
    from helpers.galaxies.sky import constants as C
    from helpers.galaxies.sky.render import match_survey

    rng = np.random.default_rng(0)
    noise = rng.normal(0, C.HSC.sigma_pixel, (C.HSC.stamp, C.HSC.stamp))
    out = match_survey(noise, "hsc", 0.6, "sdss", 1.43)
    assert out.shape == (C.SDSS.stamp, C.SDSS.stamp)
    ratio = out[8:-8, 8:-8].var() / C.SDSS.sigma_pixel**2
    assert 0 < ratio < 0.02


def _toy(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = np.where(y[:, None, None] == 0, 0.0, 1.0) + 0.8 * rng.standard_normal((n, 8, 8))
    return x[..., None].astype(np.float32), y


def test_run_repeats_restores_the_validation_epoch_and_evaluates_it():
    import keras

    from helpers.galaxies.experiment import run_repeats

    x, y = _toy()

    def build():
        m = keras.Sequential(
            [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")]
        )
        m.compile(keras.optimizers.Adam(0.05), "categorical_crossentropy", metrics=["accuracy"])
        return m

    def evaluate(model, te):
        return {"acc": float(np.mean(np.argmax(model.predict(x[te], verbose=0), axis=1) == y[te]))}

    seen = []

    def augment(tr, t, rng):
        seen.append(tr.size)
        return np.concatenate([x[tr], -x[tr] + 1]), np.concatenate([t, t[:, ::-1]])  # a flipped copy

    tr = run_repeats(
        build,
        x,
        y,
        n_repeats=2,
        epochs=5,
        n_per_run=200,
        val_fraction=0.25,
        batch_size=32,
        seed=2,
        progress=False,
        restore_best_val=True,
        evaluate=evaluate,
        augment=augment,
    )
    # the evaluated model is the one of the best validation epoch: its test accuracy is that epoch's
    want = tr.scores(tr.validation_epochs())["accuracy"]
    np.testing.assert_allclose([e["acc"] for e in tr.evaluations], want, atol=1e-12)
    assert seen == [105, 105]  # 200 → 140 train → 105 after the validation quarter
    with pytest.raises(ValueError, match="restore_best_val needs a validation split"):
        run_repeats(build, x, y, n_repeats=2, epochs=1, n_per_run=100, restore_best_val=True)
    with pytest.raises(ValueError, match="augment must return images shaped"):
        run_repeats(
            build,
            x,
            y,
            n_repeats=2,
            epochs=1,
            n_per_run=100,
            augment=lambda tr, t, rng: (x[tr][:, :4], t),
            progress=False,
        )


def test_noise_left_after_degrading_and_its_restoration():
    # nearest with a whole factor: each pixel is a block mean of f x f noise pixels -> sigma / f
    for f in (2, 4, 8):
        assert D.residual_noise(f, "nearest") == pytest.approx(1 / f, rel=0.05)  # ~2,300 coarse pixels at 1/8
    # bilinear smooths more than nearest, and everything smooths more at 1/8 than at 1/2
    assert D.residual_noise(2, "bilinear") < D.residual_noise(2, "nearest")
    assert D.residual_noise(8, "bicubic") < D.residual_noise(2, "bicubic")
    rng = np.random.default_rng(9)
    noise = rng.normal(0, 3.0, (40, 64, 64)).astype(np.float32)
    for m in D.METHODS:
        back = D.restore_noise(D.degrade(noise, 5, m), 3.0, 5, m, rng)
        assert back[:, 8:-8, 8:-8].std() == pytest.approx(3.0, rel=0.03)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        D.restore_noise(noise, -1.0, 2, "nearest", rng)


def test_chapter4_inputs_are_checked_before_any_work():
    from helpers.galaxies.samples import SdssPool, choose_balanced, load_hsc_matched, load_sdss_pool
    from helpers.galaxies.timing import time_enlargement

    with pytest.raises(ValueError, match="n_pool must be between 1 and the sky's 15000 galaxies, got 0"):
        load_sdss_pool(0)
    y = np.array([0, 0, 0, 1, 1])
    pool = SdssPool({"id": np.arange(5)}, np.zeros((5, 64, 64)), np.zeros((5, 64, 64, 1)), y)
    np.testing.assert_array_equal(choose_balanced(pool, 2), [0, 1, 3, 4])
    with pytest.raises(ValueError, match="asked for 3 ellipticals but the pool holds 2"):
        choose_balanced(pool, 3)
    with pytest.raises(ValueError, match=r"hsc must be \(2, 151, 151\)"):
        load_hsc_matched(pool, np.array([0, 3]), np.zeros((2, 64, 64)))
    with pytest.raises(ValueError, match="need rounds >= 2"):
        time_enlargement(np.zeros((3, 8, 8)), 64, rounds=1)
    with pytest.raises(ValueError, match=r"small must be \(n, m, m\)"):
        time_enlargement(np.zeros((8, 8)), 64)
    with pytest.raises(ValueError, match="at least 2 repeats"):
        summarise_probes([{"a": 1.0}])
    with pytest.raises(ValueError, match="3 raw images but 2 labels"):
        probe_evaluator(np.zeros((3, 4, 4)), np.zeros(2), {})
