"""MultiFold: closure on its own simulation, recovery of a toy truth, weights validated."""

import numpy as np
import pytest

from helpers.unfolding.metrics import (chi2, poisson_bootstrap, replica_covariance, triangular_discriminator,
                                  wasserstein)
from helpers.unfolding.omnifold import multifold
from helpers.unfolding.toys import correlated_toy, gaussian_toy


def _wmean_std(x, w):
    m = np.average(x, weights=w)
    return m, np.sqrt(np.average((x - m) ** 2, weights=w))


@pytest.fixture(scope="module")
def gaussian_result():
    mc = gaussian_toy(40_000, seed=1)
    data = gaussian_toy(40_000, mu=0.2, sigma=0.8, seed=2)
    res = multifold(mc["gen"], mc["reco"], data["reco"][data["pass_reco"]], n_iterations=4, epochs=6,
                    batch_size=1024, seed=3)
    return mc, data, res


def test_recovers_the_toy_truth(gaussian_result):
    mc, data, res = gaussian_result
    g = mc["gen"][mc["pass_gen"]]
    m0, s0 = _wmean_std(g, np.ones_like(g))
    m, s = _wmean_std(g, res.particle_weights())
    assert abs(m0) < 0.02 and abs(s0 - 1) < 0.02            # the prior is N(0, 1)
    assert m == pytest.approx(0.2, abs=0.05)
    assert s == pytest.approx(0.8, abs=0.06)


def test_weights_finite_positive_and_normalised(gaussian_result):
    mc, _, res = gaussian_result
    for k in range(len(res.push)):
        w = res.push[k]
        assert np.all(np.isfinite(w)) and np.all(w >= 0)
        assert w[res.pass_gen].sum() == pytest.approx(res.pass_gen.sum(), rel=0.1)
    assert res.push.shape == (4, len(mc["gen"]))
    assert np.all(res.push[:, ~res.pass_gen] == 1.0)          # fakes are never reweighted


def test_closure_on_its_own_simulation():
    mc = gaussian_toy(30_000, seed=4)
    pseudo = gaussian_toy(30_000, seed=5)                  # same physics, independent events
    res = multifold(mc["gen"], mc["reco"], pseudo["reco"][pseudo["pass_reco"]], n_iterations=2, epochs=4,
                    batch_size=1024, seed=6)
    w = res.particle_weights()
    assert np.mean(np.abs(w - 1)) < 0.15
    m, s = _wmean_std(mc["gen"][mc["pass_gen"]], w)
    assert abs(m) < 0.04 and abs(s - 1) < 0.04


def test_multifold_keeps_correlations():
    mc = correlated_toy(30_000, rho=0.0, seed=7)
    data = correlated_toy(30_000, rho=0.6, seed=8)
    res = multifold(mc["gen"], mc["reco"], data["reco"][data["pass_reco"]], n_iterations=3, epochs=6,
                    batch_size=1024, seed=9)
    w = res.particle_weights()
    g = mc["gen"][mc["pass_gen"]]
    cov = np.cov(g.T, aweights=w)
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert rho == pytest.approx(0.6, abs=0.12)             # learnt from 2-D data, unbinned


@pytest.mark.parametrize("kwargs,match", [
    (dict(mc_weights=-np.ones(100)), "mc_weights must be finite and non-negative"),
    (dict(mc_weights=np.full(100, np.nan)), "mc_weights must be finite"),
    (dict(mc_weights=np.ones(99)), r"mc_weights have shape \(99,\)"),
    (dict(data_weights=np.ones(3)), "data_weights have shape"),
    (dict(clip=0.7), "clip must lie"),
    (dict(n_iterations=0), "must be >= 1"),
    (dict(validation=1.0), "validation must lie"),
])
def test_bad_inputs_are_named(kwargs, match):
    mc = gaussian_toy(100, fake_fraction=0.0, inefficiency=0.0, seed=0)
    with pytest.raises(ValueError, match=match):
        multifold(mc["gen"], mc["reco"], mc["reco"][:50], **kwargs)


def test_mismatched_event_counts():
    with pytest.raises(ValueError, match="same simulated events"):
        multifold(np.zeros(10), np.zeros(9), np.zeros(5))


def test_metrics_known_values():
    p = np.array([1.0, 2.0, 3.0])
    assert triangular_discriminator(p, p) == 0
    assert triangular_discriminator([1, 0], [0, 1]) == pytest.approx(1000.0)
    assert chi2([1.0, 2.0], [0.0, 0.0], np.eye(2)) == (5.0, 2)
    assert chi2([1.0, 2.0], [0.0, 0.0], np.diag([1.0, 4.0]))[0] == pytest.approx(2.0)
    assert wasserstein([0.0, 1.0], [0.0, 1.0]) == 0
    assert wasserstein([0.0], [2.0]) == pytest.approx(2.0)
    assert wasserstein([0.0, 10.0], [0.0], u_weights=[1.0, 0.0]) == 0
    b = poisson_bootstrap(10_000, 3, seed=1)
    assert b.shape == (3, 10_000) and abs(b.mean() - 1) < 0.02 and abs(b.var() - 1) < 0.05
    x = np.random.default_rng(0).normal(size=5000)
    cov = replica_covariance(x, poisson_bootstrap(5000, 200, seed=2), np.linspace(-3, 3, 7))
    counts, _ = np.histogram(x, np.linspace(-3, 3, 7))
    np.testing.assert_allclose(np.diag(cov), counts, rtol=0.3)   # Poisson: variance ≈ count
    with pytest.raises(ValueError, match="differ in shape"):
        triangular_discriminator([1, 2], [1, 2, 3])


def test_mc_weights_are_carried_through():
    """A weighted simulation that already describes the data must come back unchanged."""
    mc = gaussian_toy(30_000, seed=10)
    g = np.nan_to_num(mc["gen"])
    # weights turning N(0, 1) into N(0.2, 0.8) at particle level (fakes keep weight 1)
    ratio = np.exp(-0.5 * ((g - 0.2) / 0.8) ** 2 + 0.5 * g ** 2) / 0.8
    w_mc = np.where(mc["pass_gen"], ratio, 1.0)
    w_mc *= len(w_mc) / w_mc.sum()
    data = gaussian_toy(30_000, mu=0.2, sigma=0.8, seed=11)
    res = multifold(mc["gen"], mc["reco"], data["reco"][data["pass_reco"]], mc_weights=w_mc, n_iterations=2,
                    epochs=4, batch_size=1024, seed=12)
    w = res.particle_weights()
    rel = w / w_mc[mc["pass_gen"]]
    assert np.median(np.abs(rel - np.median(rel))) < 0.1       # the learnt correction is ≈ flat
    m, s = _wmean_std(mc["gen"][mc["pass_gen"]], w)
    assert m == pytest.approx(0.2, abs=0.05) and s == pytest.approx(0.8, abs=0.06)


def test_normalised_steps_keep_the_totals_and_masked_features_are_allowed():
    # a toy with a second feature that is absent (NaN) for a third of the events, flagged by a third
    rng = np.random.default_rng(4)

    def sample(n, mu):
        x = rng.normal(mu, 1.0, n)
        y = np.where(rng.random(n) < 1 / 3, np.nan, rng.normal(0, 1, n))
        gen = np.stack([x, y, np.isfinite(y).astype(float)], axis=1)
        reco = gen + np.stack([rng.normal(0, 0.5, n), rng.normal(0, 0.5, n), np.zeros(n)], axis=1)
        return gen, reco

    gen, reco = sample(6000, 0.0)
    _, data = sample(6000, 0.3)
    pass_gen = np.ones(len(gen), bool)
    pass_reco = rng.random(len(gen)) < 0.9                   # 10 % inefficiency
    res = multifold(gen, reco, data, pass_gen=pass_gen, pass_reco=pass_reco, n_iterations=2, epochs=20,
                    batch_size=512, seed=1, validation=0.2, patience=2)
    for k in range(2):
        # step 2 is normalised to the pulled total, step 1 to the simulation's reconstructed total
        assert res.push[k][pass_gen].sum() == pytest.approx(res.pull[k][pass_gen].sum(), rel=1e-6)
    assert res.pull[0][pass_reco].sum() == pytest.approx(pass_reco.sum(), rel=1e-6)
    m = np.average(gen[:, 0], weights=res.particle_weights())
    assert m == pytest.approx(0.3, abs=0.08)                 # the shift is recovered
    with pytest.raises(ValueError, match="NaN may only mark"):
        multifold(gen, reco, np.full((5, 3), np.nan), pass_gen=pass_gen, pass_reco=pass_reco)
