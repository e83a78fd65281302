"""MultiFold: closure on its own simulation, recovery of a toy truth, weights validated."""

import warnings

import numpy as np
import pytest

from helpers.unfolding.metrics import chi2, poisson_bootstrap, replica_covariance, triangular_discriminator, wasserstein
from helpers.unfolding.omnifold import ConvergenceWarning, LearnedNothingWarning, NegativeWeightWarning, multifold
from helpers.unfolding.toys import correlated_toy, gaussian_toy


def _wmean_std(x, w):
    m = np.average(x, weights=w)
    return m, np.sqrt(np.average((x - m) ** 2, weights=w))


@pytest.fixture(scope="module")
def gaussian_result():
    mc = gaussian_toy(40_000, seed=1)
    data = gaussian_toy(40_000, mu=0.2, sigma=0.8, seed=2)
    res = multifold(
        mc["gen"], mc["reco"], data["reco"][data["pass_reco"]], n_iterations=4, epochs=6, batch_size=1024, seed=3
    )
    return mc, data, res


def test_recovers_the_toy_truth(gaussian_result):
    mc, data, res = gaussian_result
    g = mc["gen"][mc["pass_gen"]]
    m0, s0 = _wmean_std(g, np.ones_like(g))
    m, s = _wmean_std(g, res.particle_weights())
    assert abs(m0) < 0.02 and abs(s0 - 1) < 0.02  # the prior is N(0, 1)
    assert m == pytest.approx(0.2, abs=0.05)
    assert s == pytest.approx(0.8, abs=0.06)


def test_closure_on_its_own_simulation():
    mc = gaussian_toy(30_000, seed=4)
    pseudo = gaussian_toy(30_000, seed=5)  # same physics, independent events
    res = multifold(
        mc["gen"], mc["reco"], pseudo["reco"][pseudo["pass_reco"]], n_iterations=2, epochs=4, batch_size=1024, seed=6
    )
    w = res.particle_weights()
    assert np.mean(np.abs(w - 1)) < 0.15
    m, s = _wmean_std(mc["gen"][mc["pass_gen"]], w)
    assert abs(m) < 0.04 and abs(s - 1) < 0.04


def test_multifold_keeps_correlations():
    mc = correlated_toy(30_000, rho=0.0, seed=7)
    data = correlated_toy(30_000, rho=0.6, seed=8)
    res = multifold(
        mc["gen"], mc["reco"], data["reco"][data["pass_reco"]], n_iterations=3, epochs=6, batch_size=1024, seed=9
    )
    w = res.particle_weights()
    g = mc["gen"][mc["pass_gen"]]
    cov = np.cov(g.T, aweights=w)
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert rho == pytest.approx(0.6, abs=0.12)  # learnt from 2-D data, unbinned


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(mc_weights=-np.ones(100)), "mc_weights: the net weight of the reconstructed events is -"),
        (dict(mc_weights=np.full(100, np.nan)), "mc_weights must be finite"),
        (dict(mc_weights=np.ones(99)), r"mc_weights have shape \(99,\)"),
        (dict(data_weights=np.ones(3)), "data_weights have shape"),
        (dict(clip=0.7), "clip must lie"),
        (dict(n_iterations=0), "must be >= 1"),
        (dict(validation=1.0), "validation must lie"),
    ],
)
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
    np.testing.assert_allclose(np.diag(cov), counts, rtol=0.3)  # Poisson: variance ≈ count
    with pytest.raises(ValueError, match="differ in shape"):
        triangular_discriminator([1, 2], [1, 2, 3])


def test_mc_weights_are_carried_through():
    """A weighted simulation that already describes the data must come back unchanged."""
    mc = gaussian_toy(30_000, seed=10)
    g = np.nan_to_num(mc["gen"])
    # weights turning N(0, 1) into N(0.2, 0.8) at particle level (fakes keep weight 1)
    ratio = np.exp(-0.5 * ((g - 0.2) / 0.8) ** 2 + 0.5 * g**2) / 0.8
    w_mc = np.where(mc["pass_gen"], ratio, 1.0)
    w_mc *= len(w_mc) / w_mc.sum()
    data = gaussian_toy(30_000, mu=0.2, sigma=0.8, seed=11)
    res = multifold(
        mc["gen"],
        mc["reco"],
        data["reco"][data["pass_reco"]],
        mc_weights=w_mc,
        n_iterations=2,
        epochs=4,
        batch_size=1024,
        seed=12,
    )
    w = res.particle_weights()
    rel = w / w_mc[mc["pass_gen"]]
    assert np.median(np.abs(rel - np.median(rel))) < 0.1  # the learnt correction is ≈ flat
    m, s = _wmean_std(mc["gen"][mc["pass_gen"]], w)
    assert m == pytest.approx(0.2, abs=0.05) and s == pytest.approx(0.8, abs=0.06)


TINY = dict(n_iterations=1, epochs=3, batch_size=512)


def _never_train(n_features):
    raise AssertionError("a classifier was built: the error must come before any training")


def test_unfolded_total_follows_an_x_dependent_efficiency():
    """Replaces the checks that restated the normalisation lines. The efficiency rises with x
    (ε = 0.5 + 0.4 tanh x), and the data sit at larger x than the prior (N(0.5, 1) vs N(0, 1)):
    the data's particle-level total is only right if the missing events are unfolded too (step 1b).
    Known answer: the data have exactly 6000 particle-level events; the prior's efficiency would
    instead give N_reco / ⟨ε⟩_prior ≈ 0.64 · 6000 / 0.5 ≈ 7700 (28 % high). Statistics: the binomial
    error of N_reco is ≈ 1 %, so ±5 % leaves room for a three-epoch training and still fails the prior."""
    rng = np.random.default_rng(21)

    def sample(n, mu):
        g = rng.normal(mu, 1.0, n)
        ok = rng.random(n) < 0.5 + 0.4 * np.tanh(g)
        r = np.where(ok, g + rng.normal(0, 0.5, n), np.nan)
        return g, r, ok

    g, r, ok = sample(6000, 0.0)
    _, rd, okd = sample(6000, 0.5)
    res = multifold(g, r, rd[okd], n_iterations=2, epochs=3, batch_size=512, seed=4)
    estimate = res.push[-1][res.pass_gen].sum() * okd.sum() / res.pull[-1][res.pass_reco].sum()
    prior_estimate = okd.sum() / ok.mean()
    assert prior_estimate > 1.2 * 6000  # the test can tell
    assert estimate == pytest.approx(6000, rel=0.05)


@pytest.mark.parametrize("where", ["reco", "gen", "data"])
def test_an_infinite_value_in_a_passing_event_is_named(where):
    """Today: one +inf among the reconstructed values gives the prior back without a word."""
    mc = gaussian_toy(2000, seed=1)
    gen, reco, data = mc["gen"].copy(), mc["reco"].copy(), mc["reco"][mc["pass_reco"]].copy()
    i = 7 + int(np.argmax(mc["pass_reco"][7:] & mc["pass_gen"][7:]))  # first event >= 7 passing both
    {"reco": reco, "gen": gen}.get(where, data)[i if where != "data" else 7] = np.inf
    msg = {
        "reco": rf"reco has 1 event\(s\) with non-finite \(±inf\) values among events passing "
        rf"reconstruction \(first at event {i}\)",
        "gen": rf"gen has 1 event\(s\) with non-finite \(±inf\) values among events passing "
        rf"generation \(first at event {i}\)",
        "data": r"data must be finite: 1 event\(s\) have ±inf or only NaN \(first at event 7\)",
    }[where]
    with pytest.raises(ValueError, match=msg):
        multifold(gen, reco, data, pass_gen=mc["pass_gen"], pass_reco=mc["pass_reco"], build=_never_train)


def test_one_finite_outlier_does_not_return_the_prior():
    """Today: one value of 1e6 among the reconstructed events sets the standard deviation, squashes every other
    event to ≈ 0 after standardisation, and the result equals the prior (mean 0). Known answer: the data's
    truth is N(0.2, 0.8); 4000 events give a statistical error of ≈ 0.02 on the mean."""
    mc = gaussian_toy(4000, seed=1)
    data = gaussian_toy(4000, mu=0.2, sigma=0.8, seed=2)
    reco = mc["reco"].copy()
    reco[np.flatnonzero(mc["pass_reco"])[5]] = 1e6
    with warnings.catch_warnings():
        warnings.simplefilter("error", LearnedNothingWarning)  # and it did learn
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = multifold(
            mc["gen"], reco, data["reco"][data["pass_reco"]], n_iterations=1, epochs=3, batch_size=256, seed=3
        )
    m, _ = _wmean_std(mc["gen"][mc["pass_gen"]], res.particle_weights())
    assert m == pytest.approx(0.2, abs=0.07)


@pytest.mark.parametrize(
    "case,match",
    [
        ("no data", "data has no events"),
        ("zero data weights", "data_weights sum to 0: no data event carries weight"),
        ("zero mc weights", "mc_weights: the net weight of the reconstructed events is 0"),
        ("no event at both levels", "no simulated event passes both reconstruction and generation"),
    ],
)
def test_degenerate_samples_are_named_before_training(case, match):
    """Today: weights of 0-3.7, 'pull weights are not finite', or KeyError: 'loss'."""
    mc = gaussian_toy(500, seed=0)
    gen, reco, data = mc["gen"], mc["reco"], mc["reco"][mc["pass_reco"]][:200]
    kw = dict(pass_gen=mc["pass_gen"], pass_reco=mc["pass_reco"], build=_never_train)
    if case == "no data":
        data = data[:0]
    elif case == "zero data weights":
        kw["data_weights"] = np.zeros(len(data))
    elif case == "zero mc weights":
        kw["mc_weights"] = np.zeros(len(gen))
    else:
        kw["pass_reco"] = mc["pass_reco"] & ~mc["pass_gen"]  # only fakes are reconstructed
    with pytest.raises(ValueError, match=match):
        multifold(gen, reco, data, **kw)


def test_a_classifier_that_learned_nothing_warns():
    """Data = the simulation's own detector level, event for event: nothing can be learnt, and the
    result is the prior. The warning says so; a real shift (test above) does not warn."""
    mc = gaussian_toy(3000, seed=1)
    with pytest.warns(LearnedNothingWarning, match=r"iteration 1, step 1 .* learned nothing \(final loss 0\.69"):
        multifold(mc["gen"], mc["reco"], mc["reco"][mc["pass_reco"]], seed=3, **TINY)


def _negative_weight_toy(n, seed, fraction=0.1):
    """A particle-level density f = N(0, 1) made of positive events from a mixture and negative events
    (weight −1) from a narrow core h = N(0, 0.5): with g₊ = (f + a h)/(1 + a), (1 + a)·g₊ − a·h = f, and
    the negative share is a / (1 + 2a) = ``fraction`` for a = fraction / (1 − 2 fraction)."""
    rng = np.random.default_rng(seed)
    a = fraction / (1 - 2 * fraction)
    n_neg = int(round(fraction * n))
    n_pos = n - n_neg
    from_core = rng.random(n_pos) < a / (1 + a)
    pos = np.where(from_core, rng.normal(0, 0.5, n_pos), rng.normal(0, 1, n_pos))
    gen = np.concatenate([pos, rng.normal(0, 0.5, n_neg)])
    w = np.concatenate([np.ones(n_pos), -np.ones(n_neg)])
    reco = gen + rng.normal(0, 0.5, n)
    reco[rng.random(n) < 0.1] = np.nan
    return gen, reco, w


def test_negative_mc_weights_are_accepted_and_the_result_closes():
    """10 % of the simulated events carry weight −1 (NLO-like). The net prior is N(0, 1) (checked), the
    data's truth N(0.2, 0.8). Statistics: data 6000 events and an MC of effective size (Σw)²/Σw² ≈ 0.64 · 12000
    give ≈ 0.015 on the mean and ≈ 0.012 on the width; ±0.06 is four standard errors and still rejects the
    prior (0, 1). Today: 'mc_weights must be finite and non-negative'."""
    gen, reco, w = _negative_weight_toy(12_000, seed=5)
    assert np.mean(w < 0) == pytest.approx(0.1)
    m0, s0 = _wmean_std(gen, w)
    assert abs(m0) < 0.03 and s0 == pytest.approx(1.0, abs=0.03)  # the toy is what it claims
    data = gaussian_toy(6000, mu=0.2, sigma=0.8, fake_fraction=0.0, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", NegativeWeightWarning)  # every region has a positive net weight
        res = multifold(
            gen, reco, data["reco"][data["pass_reco"]], mc_weights=w, n_iterations=3, epochs=4, batch_size=512, seed=7
        )
    m, s = _wmean_std(gen, res.particle_weights())
    assert m == pytest.approx(0.2, abs=0.06)
    assert s == pytest.approx(0.8, abs=0.06)


def test_a_region_with_negative_net_weight_warns():
    gen, reco, w = _negative_weight_toy(3000, seed=5)
    w = np.where(gen > 1.5, -1.0, w)  # the upper tail is net negative
    with pytest.warns(
        NegativeWeightWarning,
        match=r"mc_weights: net weight <= 0 in \d+ of 10 quantile bins of (reco|gen) feature 0 \(first: \[",
    ):
        with pytest.raises(AssertionError, match="a classifier was built"):
            multifold(gen, reco, reco[np.isfinite(reco)][:1000], mc_weights=w, build=_never_train)


def test_a_derived_observable_that_has_not_converged_warns():
    """x1 − x2 of a strongly correlated toy (ρ = 0.9): its width √(2·0.1) = 0.45 is below its resolution
    √2 · 0.5 = 0.71. Unfolding the prior's ρ = 0 (width √2) towards it takes many iterations: after one, the
    change of x1 − x2 is still many statistical errors. The change per iteration is kept for every
    monitored observable."""
    mc = correlated_toy(4000, rho=0.0, seed=7)
    data = correlated_toy(4000, rho=0.9, seed=8)
    with pytest.warns(
        ConvergenceWarning, match=r"not converged after 1 iteration\(s\): the last iteration still moved \{.*'x1-x2'"
    ):
        res = multifold(
            mc["gen"],
            mc["reco"],
            data["reco"][data["pass_reco"]],
            seed=9,
            monitor={"x1-x2": lambda g: g[:, 0] - g[:, 1]},
            **TINY,
        )
    assert set(res.convergence) == {"gen[0]", "gen[1]", "x1-x2"}
    assert res.convergence["x1-x2"].shape == (1,) and res.convergence["x1-x2"][0] > 3
    assert res.converged is False
    with pytest.raises(ValueError, match=r"monitor 'bad' returned shape \(3,\)"):
        multifold(
            mc["gen"],
            mc["reco"],
            data["reco"][data["pass_reco"]],
            monitor={"bad": lambda g: g[:3, 0]},
            build=_never_train,
        )


def test_stop_on_convergence_ends_the_iterations():
    """Closure on identical events: nothing moves, so the criterion holds after the first iteration."""
    mc = gaussian_toy(3000, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearnedNothingWarning)
        res = multifold(
            mc["gen"],
            mc["reco"],
            mc["reco"][mc["pass_reco"]],
            n_iterations=4,
            epochs=2,
            batch_size=512,
            seed=3,
            stop_on_convergence=True,
            tolerance=1.0,
        )
    assert res.converged is True and len(res.push) < 4
