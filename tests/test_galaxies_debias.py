"""GZ1's redshift debiasing (Bamford et al. 2009) and clean flags (Lintott et al. 2011)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from helpers.galaxies.sky import debias as DB
from helpers.galaxies.sky import population as P
from helpers.galaxies.sky import votes as V

M_SLICE = (-21.5, -20.5)  # the fixed-luminosity slice
# A correction relative to the lowest redshift inherits the bias already present there: a bright cell's
# baseline bin sits at z ~ 0.03-0.05, where volunteers already miss some arms. Measured on 60,000
# galaxies this leaves a rise of ~0.02-0.04 in the debiased fraction over z = 0.02-0.1 (raw: ~0.25);
# the flatness check allows it as a systematic error of 0.015 per bin, added in quadrature.
SYSTEMATIC = 0.015


def _weighted_line(x, y, err):
    """Slope of a weighted least-squares line and its standard error."""
    w = 1 / err**2
    xm = np.sum(w * x) / w.sum()
    slope = np.sum(w * (x - xm) * y) / np.sum(w * (x - xm) ** 2)
    return slope, 1 / np.sqrt(np.sum(w * (x - xm) ** 2))


def _chi2_constant(y, err):
    """chi^2 of y against its weighted mean, and the 99 % point of chi^2 with len(y) - 1 dof."""
    w = 1 / err**2
    mean = np.sum(w * y) / w.sum()
    return float(np.sum(((y - mean) / err) ** 2)), float(stats.chi2.ppf(0.99, len(y) - 1)), mean


def _z_complete(m_faint):
    """Redshift where a galaxy of M_r = m_faint reaches the sample's r < 17.77 (from the cosmology)."""
    zg = np.linspace(0.01, 0.3, 3000)
    return float(np.interp(17.77 - m_faint, P.distance_modulus(zg), zg))


@pytest.fixture(scope="module")
def sky60k():
    # tens of thousands of galaxies: the vote model and the debiasing in production form (fast: ~2 s)
    cat = P.sample_catalogue(60_000, seed=7)
    return {**cat, **V.gz1_table(cat, V.VoteModel(), 8)}


def test_debiased_early_fraction_is_flat_where_the_slice_is_complete(sky60k):
    # Below z_c every galaxy of -21.5 < M_r < -20.5 passes r < 17.77, so the true mix cannot change:
    # the debiased fraction must be flat within its binomial errors while the raw one rises.
    z_c = _z_complete(M_SLICE[1])
    assert 0.09 < z_c < 0.105  # M = -20.5 at r = 17.77: distance modulus 38.27, z ~ 0.097
    f = DB.early_fraction_by_z(sky60k, np.linspace(0.02, z_c, 5), M_SLICE)
    assert np.all(f["n"] > 200)
    chi2_true, _, _ = _chi2_constant(f["true"], f["true_err"])
    chi2_deb, limit, _ = _chi2_constant(f["debiased"], np.hypot(f["debiased_err"], SYSTEMATIC))
    assert chi2_true < limit  # the premise: the truth is flat here
    assert chi2_deb < limit, (f["debiased"], f["debiased_err"])
    slope, err = _weighted_line(f["z_mid"], f["raw"], f["raw_err"])
    assert slope > 5 * err  # the raw votes call ever more galaxies early-type with distance
    assert f["raw"][-1] - f["raw"][0] > 0.15


def test_debiased_early_fraction_follows_the_true_one_to_z_015(sky60k):
    # Beyond z_c the slice loses its faint end, so the true fraction rises; the debiased one must
    # follow it up to a constant offset. That offset is the volunteers' confusion at the baseline
    # redshift (edge-on S0s vote spiral, ellipticals get some spiral votes), which a correction
    # relative to the lowest redshift cannot remove.
    f = DB.early_fraction_by_z(sky60k, np.arange(0.025, 0.1501, 0.025), M_SLICE)
    d = f["debiased"] - f["true"]
    e = np.hypot(np.hypot(f["debiased_err"], f["true_err"]), SYSTEMATIC)
    chi2, limit, offset = _chi2_constant(d, e)
    assert chi2 < limit, (d, e)
    assert abs(offset) < 0.08
    d_raw = f["raw"] - f["true"]
    chi2_raw, _, _ = _chi2_constant(d_raw, np.hypot(f["raw_err"], f["true_err"]))
    assert chi2_raw > 10 * limit  # the raw votes do not follow the truth at all (p < 1e-30)
    # at the baseline (lowest) redshift the offset is already there before any correction
    assert abs((f["raw"][0] - f["true"][0]) - offset) < 3 * e[0] + 0.02


def _biased_sample(n=40_000, seed=0):
    """Likelihoods with a known truth: the early-type share depends on M_r and R50 only; distant
    spirals collect elliptical votes growing as (z / 0.15)^2 (nearly none at the lowest z)."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(0.01, 0.15, n)
    m = rng.uniform(-22.5, -19.5, n)
    r50 = 10 ** rng.normal(0.6, 0.2, n)
    p_early = 0.1 + 0.3 / (1 + np.exp((m + 21) / 0.4)) + 0.15 * (r50 < 3)
    early = rng.random(n) < p_early
    p_el_unbiased = np.where(early, rng.beta(17, 3, n), rng.beta(2, 18, n))
    lost = 0.7 * (z / 0.15) ** 2 * ~early  # share of a spiral's spiral votes turned elliptical
    p_el = p_el_unbiased + lost * (1 - p_el_unbiased)
    return z, m, r50, p_el, 1 - p_el, p_el_unbiased


def test_debiasing_restores_a_known_unbiased_fraction():
    # Independent of the vote model: the unbiased likelihoods are known, and the debiased fraction must
    # match them in every redshift bin. Fails if the baseline is taken at the highest redshift (the
    # low-z galaxies would be biased towards early types) or if the correction has the wrong sign.
    z, m, r50, p_el, p_cs, p_el_unbiased = _biased_sample()
    el, cs = DB.debias(p_el, p_cs, z, m, r50)
    np.testing.assert_allclose(el + cs, p_el + p_cs, atol=1e-12)  # each galaxy keeps p_el + p_cs
    edges = np.linspace(0.01, 0.15, 8)
    zb = np.digitize(z, edges) - 1
    unbiased = np.array([p_el_unbiased[zb == k].mean() for k in range(7)])
    raw = np.array([p_el[zb == k].mean() for k in range(7)])
    deb = np.array([el[zb == k].mean() for k in range(7)])
    assert raw[-1] - unbiased[-1] > 0.2  # the bias is large at high z
    np.testing.assert_allclose(deb, unbiased, atol=0.025)
    kappa = DB.debias_kappa(p_el, p_cs, z, m, r50)
    assert np.mean(kappa[z > 0.12]) > 0.3  # distant bins: elliptical votes removed (kappa > 0)
    assert abs(np.mean(kappa[z < 0.03])) < 0.05  # the baseline redshift is left (nearly) alone


def test_debias_leaves_an_unbiased_sample_alone():
    z, m, r50, _, _, p_el = _biased_sample(seed=1)
    el, cs = DB.debias(p_el, 1 - p_el, z, m, r50)
    # only the binomial noise of 20-galaxy baselines moves single galaxies (~0.05 on average) ...
    assert np.mean(np.abs(el - p_el)) < 0.07
    # ... and it averages out: the early-type fraction stays where it was in every redshift range
    for lo, hi in ((0.01, 0.05), (0.05, 0.1), (0.1, 0.15)):
        sel = (z >= lo) & (z < hi)
        assert abs(el[sel].mean() - p_el[sel].mean()) < 0.01


def test_debias_rejects_bad_input_early():
    z, m, r50, p_el, p_cs, _ = _biased_sample(n=100)
    with pytest.raises(ValueError, match="same shape"):
        DB.debias(p_el, p_cs[:10], z, m, r50)
    with pytest.raises(ValueError, match="r50_kpc must be positive"):
        DB.debias(p_el, p_cs, z, m, -r50)
    with pytest.raises(ValueError, match=r"p_el must be likelihoods in \[0, 1\]"):
        DB.debias(p_el + 1, p_cs, z, m, r50)
    with pytest.raises(ValueError, match="must not exceed 1"):
        DB.debias(p_el, p_cs + 0.5 * p_el, z, m, r50)
    with pytest.raises(ValueError, match="z_step must be a positive bin width"):
        DB.Bins(z_step=0.0)


def test_flags_follow_the_gz1_clean_rule():
    # Lintott et al. 2011: SPIRAL / ELLIPTICAL when the debiased likelihood exceeds 0.8, else UNCERTAIN
    p_el = np.array([0.81, 0.80, 0.10, 0.00, 0.45, 0.15])
    p_cs = np.array([0.10, 0.15, 0.80, 0.95, 0.45, 0.81])
    f = DB.flags(p_el, p_cs)
    np.testing.assert_array_equal(f["ELLIPTICAL"], [1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(f["SPIRAL"], [0, 0, 0, 1, 0, 1])
    np.testing.assert_array_equal(f["UNCERTAIN"], [0, 1, 1, 0, 1, 0])
    assert V.flags is DB.flags and V.debias is DB.debias  # the old import path still works
    with pytest.raises(ValueError, match="threshold must be in"):
        DB.flags(p_el, p_cs, threshold=0.4)
    with pytest.raises(ValueError, match="same shape"):
        DB.flags(p_el, p_cs[:2])


def test_gz1_table_flags_come_from_the_debiased_columns(sky60k):
    f = DB.flags(sky60k["P_EL_DEBIASED"], sky60k["P_CS_DEBIASED"])
    for k in ("SPIRAL", "ELLIPTICAL", "UNCERTAIN"):
        np.testing.assert_array_equal(sky60k[k], f[k])
    assert np.all(sky60k["SPIRAL"] + sky60k["ELLIPTICAL"] + sky60k["UNCERTAIN"] == 1)
    # the debiasing moves distant galaxies towards spiral, so SPIRAL grows at high z relative to raw flags
    raw = DB.flags(sky60k["P_EL"], sky60k["P_CS"])
    far = sky60k["z"] > 0.1
    assert sky60k["SPIRAL"][far].mean() > raw["SPIRAL"][far].mean() + 0.05


def test_early_fraction_by_z_binomial_errors_by_hand():
    cat = {
        "z": np.array([0.01, 0.02, 0.03, 0.06]),
        "m_abs": np.full(4, -21.0),
        "P_EL": np.array([1.0, 0.0, 0.0, 1.0]),
        "P_CS": np.array([0.0, 1.0, 1.0, 0.0]),
        "type": np.array([0, 2, 2, 1]),
    }
    cat["P_EL_DEBIASED"], cat["P_CS_DEBIASED"] = cat["P_EL"], cat["P_CS"]
    f = DB.early_fraction_by_z(cat, [0.0, 0.05, 0.1])
    np.testing.assert_allclose(f["raw"], [1 / 3, 1.0])
    np.testing.assert_allclose(f["raw_err"], [np.sqrt(2 / 9 / 3), 0.0])
    np.testing.assert_allclose(f["true"], [1 / 3, 1.0])
    with pytest.raises(ValueError, match="z_edges must be increasing"):
        DB.early_fraction_by_z(cat, [0.1, 0.0])
