"""Physics of the GAPS simulator against published numbers (shared/notes/gaps-physics.md)."""

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


def test_antiproton_ranges_of_the_notes():
    # shared notes: β = 0.30, 0.35, 0.40, 0.45 -> CSDA range 2.38, 4.32, 7.35, 11.9 g/cm²
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
