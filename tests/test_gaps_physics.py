"""Physics of the GAPS simulator against published numbers (sources in helpers/gaps/constants.py, SOURCES)."""

import numpy as np
import pytest

from helpers.gaps import constants as C
from helpers.gaps import physics as P
from helpers.gaps.simulate import energy_loss

LAYER_G_CM2 = C.SI_DENSITY * C.THICKNESS_CM


def test_range_table_matches_pstar_within_2_percent():
    rt = P.range_table(C.M_PROTON)
    ratio = rt.range(np.array(C.PSTAR_T_MEV)) / np.array(C.PSTAR_RANGE)
    assert np.all(np.abs(ratio - 1) < 0.02), ratio


def test_stopping_power_matches_pstar():
    beta = P.beta_from_kinetic(np.array(C.PSTAR_T_MEV), C.M_PROTON)
    ratio = P.stopping_power(beta, C.M_PROTON) / np.array(C.PSTAR_STOPPING)
    assert np.all(np.abs(ratio - 1) < 0.02), ratio  # 1.7 % at 10 MeV, < 0.3 % above 50


def test_range_inverse_roundtrip():
    rt = P.range_table(C.M_DEUTERON)
    T = np.array([1.0, 15.0, 80.0, 400.0])
    np.testing.assert_allclose(rt.kinetic(rt.range(T)), T, rtol=1e-6)


@pytest.mark.parametrize("beta", [0.25, 0.30, 0.35, 0.40, 0.45])
def test_antideuteron_range_twice_antiproton_at_equal_beta(beta):
    rp = P.range_table(C.M_PROTON).range(P.kinetic_from_beta(beta, C.M_PROTON))
    rd = P.range_table(C.M_DEUTERON).range(P.kinetic_from_beta(beta, C.M_DEUTERON))
    assert rd / rp == pytest.approx(2.00, abs=0.02)
    # and the same dE/dx: Bethe–Bloch depends on z and β only (up to the tiny T_max mass term)
    assert P.stopping_power(beta, C.M_DEUTERON) == pytest.approx(P.stopping_power(beta, C.M_PROTON), rel=1e-3)


def test_antiproton_ranges_against_pstar():
    # NIST PSTAR CSDA ranges in silicon at β = 0.30, 0.35, 0.40, 0.45: 2.38, 4.32, 7.35, 11.9 g/cm²
    beta = np.array([0.30, 0.35, 0.40, 0.45])
    R = P.range_table(C.M_PROTON).range(P.kinetic_from_beta(beta, C.M_PROTON))
    np.testing.assert_allclose(R, [2.38, 4.32, 7.35, 11.9], rtol=0.02)


def test_minimum_ionising_pion_in_one_layer():
    rng = np.random.default_rng(1)
    n = 400_000
    dE, stopped, _ = energy_loss(rng, np.full(n, 300.0), C.THICKNESS_CM, C.M_PION)
    assert not stopped.any()
    assert dE.mean() == pytest.approx(0.99, rel=0.10)
    h, edges = np.histogram(dE, bins=np.arange(0.4, 2.0, 0.01))
    mode = 0.5 * (edges[h.argmax()] + edges[h.argmax() + 1])
    assert mode == pytest.approx(0.78, rel=0.10)
    assert np.median(dE) < dE.mean()  # the Landau tail


def test_slow_antiproton_straggling_is_gaussian_bohr():
    rng = np.random.default_rng(2)
    T = P.kinetic_from_beta(0.45, C.M_PROTON)
    dE, stopped, _ = energy_loss(rng, np.full(200_000, T), C.THICKNESS_CM, C.M_PROTON)
    assert P.bohr_sigma(LAYER_G_CM2) == pytest.approx(0.22, abs=0.01)
    assert dE.std() == pytest.approx(P.bohr_sigma(LAYER_G_CM2), rel=0.05)
    skew = np.mean((dE - dE.mean()) ** 3) / dE.std() ** 3
    assert abs(skew) < 0.05


@pytest.mark.parametrize("energy,expected", [(0.030, 0.57), (0.0673, 0.15), (0.1063, 0.10)])
def test_xray_interaction_probability_in_one_layer(energy, expected):
    assert P.xray_interaction_probability(energy, C.THICKNESS_CM) == pytest.approx(expected, rel=0.10)


def test_highland_angle_of_the_notes():
    beta = 0.35
    p = C.M_PROTON * beta / np.sqrt(1 - beta**2)
    assert 1e3 * P.highland_theta0(beta, p, C.THICKNESS_CM) == pytest.approx(17, rel=0.15)


@pytest.mark.parametrize("beta", [0.0, -0.2, 1.0, np.nan])
def test_bad_beta_is_named(beta):
    with pytest.raises(ValueError, match="beta must lie in"):
        P.stopping_power(beta, C.M_PROTON)


def test_xray_energy_outside_table():
    with pytest.raises(ValueError, match="outside the XCOM table"):
        P.xray_mu(0.5)


# --- X-ray energy absorption against NIST -----------------------------------------------------
# NIST X-Ray Mass Attenuation Coefficients (Hubbell & Seltzer), silicon (Z = 14): μ/ρ and μ_en/ρ
# in cm²/g at 30, 60 and 100 keV; μ_en/μ is the fraction of an interacting photon's energy that
# stays in the medium (photoabsorption: all; Compton: the electron's share; Rayleigh: none).
NIST_SI = {0.030: (1.436, 1.164), 0.060: (0.3207, 0.1434), 0.100: (0.1835, 0.04513)}


@pytest.mark.parametrize("energy", sorted(NIST_SI))
def test_xray_energy_absorbed_per_interaction_matches_nist_mu_en(energy):
    mu, mu_en = NIST_SI[energy]
    rng = np.random.default_rng(5)
    _, deposit, E_out, _ = P.xray_interact(rng, np.full(400_000, energy))
    np.testing.assert_allclose(deposit + E_out, energy)  # the photon's energy is shared, not made
    assert deposit.mean() / energy == pytest.approx(mu_en / mu, rel=0.02)


def test_xcom_partial_cross_sections_add_up_to_nist_total():
    for energy, (mu, _) in NIST_SI.items():
        assert sum(P.xray_partial_mu_rho(energy)) == pytest.approx(mu, rel=0.003)


def test_compton_edge_of_a_100_kev_photon():
    # by hand: T_max = E · 2k / (1 + 2k), k = E / m_e c² = 100 / 511 -> 28.1 keV
    rng = np.random.default_rng(6)
    cos = P.klein_nishina_cos(rng, np.full(200_000, 0.100))
    T = 0.100 - P.compton_scattered_energy(0.100, cos)
    assert T.max() <= 0.02813 and T.max() > 0.0278
    # Klein–Nishina at k ≈ 0.2: more forward than backward, but far from Thomson's symmetry break
    assert 0.05 < cos.mean() < 0.2


def test_xray_beam_through_one_detector_absorbs_between_mu_en_and_mu():
    """A pencil beam through 2.5 mm of Si at normal incidence: the energy left behind lies
    between E(1 − exp(−μ_en ρ t)) (first interactions only) and E(1 − exp(−μ ρ t)) (everything
    that interacts)."""
    from helpers.gaps.geometry import Tracker
    from helpers.gaps.simulate import _Deposits, photon_walk

    tr = Tracker()
    rho_t = C.SI_DENSITY * C.THICKNESS_CM
    for energy, (mu, mu_en) in NIST_SI.items():
        n = 100_000
        deps = _Deposits()
        pos = np.tile([[0.5 * tr.pitch, 0.5 * tr.pitch, -1e-9]], (n, 1))
        i, j, _ = tr.detector_at(pos[:, 0], pos[:, 1])
        photon_walk(
            np.random.default_rng(7),
            tr,
            deps,
            np.arange(n),
            pos,
            np.tile([[0.0, 0.0, -1.0]], (n, 1)),
            np.full(n, energy),
            np.zeros(n),
            np.zeros(n, int),
            i,
            j,
        )
        ev, cell, e, t, kind = deps.arrays()
        own = cell == tr.cell(0, i[0], j[0])
        frac = e[own].sum() / (n * energy)
        lo, hi = 1 - np.exp(-mu_en * rho_t), 1 - np.exp(-mu * rho_t)
        assert lo * 0.97 < frac < hi, (energy, frac, lo, hi)
        assert frac == pytest.approx(lo, rel=0.15)


def test_highland_formula_by_hand():
    """PDG eq. 34.15: θ0 = 13.6 MeV / (βcp) · z · √(x/X0) · (1 + 0.038 ln(x z² / (X0 β²))),
    X0(Si) = 9.37 cm. At β = 1, p = 1 GeV and x = X0 the log vanishes: 13.6 mrad; at x = X0/100
    it is 1.36 mrad × (1 + 0.038 ln 0.01) = 1.1220 mrad; a charge-2 particle at β = 0.5,
    p = 500 MeV, x = X0: 13.6/250 · 2 · (1 + 0.038 ln 16) = 0.12026 rad."""
    assert P.highland_theta0(1.0, 1000.0, 9.37) == pytest.approx(0.0136, rel=1e-6)
    assert P.highland_theta0(1.0, 1000.0, 0.0937) == pytest.approx(1.36e-3 * (1 + 0.038 * np.log(0.01)), rel=1e-6)
    assert P.highland_theta0(0.5, 500.0, 9.37, z=2) == pytest.approx(0.12026, rel=1e-4)
