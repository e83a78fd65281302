"""The GAPS event simulator: conservation laws, geometry, species differences, determinism."""

import numpy as np
import pytest

from helpers.gaps import constants as C
from helpers.gaps.data import load_dataset, load_events
from helpers.gaps.geometry import Tracker
from helpers.gaps.physics import kinetic_from_beta
from helpers.gaps.simulate import KINDS, SPECIES, FinalState, Spectrum, _primaries, annihilate, simulate, to_grid


@pytest.fixture(scope="module")
def events():
    out = {}
    for sp in SPECIES:
        for inc in ("fixed", "random"):
            out[sp, inc] = simulate(sp, 3000, incidence=inc, seed=11)
    return out


# Energy released by one antinucleon annihilating on a nucleon bound in ²⁸Si, by hand:
# 2 × 938.272 MeV (PDG) − 8.45 MeV (binding per nucleon of ²⁸Si, AME2020).
RELEASED = {"antiproton": 2 * 938.272 - 8.45, "antideuteron": 2 * (2 * 938.272 - 8.45)}
M_PI_CHARGED, M_PI_NEUTRAL = 139.570, 134.977  # PDG 2024


@pytest.mark.parametrize("species", list(SPECIES))
def test_annihilation_products_share_the_energy_released(species):
    fs = annihilate(np.random.default_rng(1), 20_000, FinalState.default(species))
    n = 20_000
    assert fs["E_released"] == pytest.approx(RELEASED[species])
    assert (fs["T"] >= 0).all() and (fs["E_local"] >= 0).all() and (fs["E_unseen"] >= 0).all()
    pion = fs["kind"] == KINDS["pion"]
    charged = np.bincount(fs["owner"][pion], weights=fs["T"][pion] + M_PI_CHARGED, minlength=n)
    protons = np.bincount(fs["owner"][~pion], weights=fs["T"][~pion], minlength=n)
    total = charged + fs["E_neutral"] + protons + fs["E_local"] + fs["E_unseen"]
    np.testing.assert_allclose(total, RELEASED[species], rtol=1e-9)
    # no event makes more than the annihilation releases, nor fewer than two pions
    assert (charged + fs["E_neutral"] <= RELEASED[species] + 1e-6).all()
    assert (fs["n_charged"] + fs["n_neutral"] >= 2).all()
    assert (fs["E_neutral"] >= fs["n_neutral"] * M_PI_NEUTRAL - 1e-9).all()


def test_annihilation_multiplicities_and_energies_at_their_sources():
    fs = annihilate(np.random.default_rng(2), 50_000, FinalState.default("antiproton"))
    pion = fs["kind"] == KINDS["pion"]
    # Amsler 1998: ≈ 3 charged pions per p̄N annihilation at rest; Ekspong et al. 1961 (emulsion):
    # 4.68 ± 0.12 pions in all, mean total energy 391 ± 10 MeV, i.e. 251 MeV kinetic
    assert fs["n_charged"].mean() == pytest.approx(3.0, abs=0.1)
    assert (fs["n_charged"] + fs["n_neutral"]).mean() == pytest.approx(4.68, abs=0.15)
    assert fs["T"][pion].mean() == pytest.approx(391 - 139.6, rel=0.06)
    assert pion.sum() == fs["n_charged"].sum()
    # the nucleus gets what the pions leave: ≈ 1877 − 4.68 × 391 ≈ 50 MeV on average in emulsion
    assert 20 < fs["E_nucleus"].mean() < 80
    d = annihilate(np.random.default_rng(3), 20_000, FinalState.default("antideuteron"))
    assert d["n_charged"].mean() == pytest.approx(6.0, abs=0.15)  # two antinucleons


@pytest.mark.parametrize("species", list(SPECIES))
def test_deposits_stay_within_the_energy_budget(species):
    """By hand: what the silicon receives cannot exceed the primary's kinetic energy plus the
    annihilation energy less the pion masses, plus the exotic atom's X-rays (< 0.21 MeV)."""
    ev = simulate(species, 600, incidence="random", seed=5, noise=0.0, threshold=0.0)
    mass = {"antiproton": 938.272, "antideuteron": 1875.613}[species]
    T0 = mass * (1 / np.sqrt(1 - ev["beta"] ** 2) - 1)
    budget = T0 + RELEASED[species] - ev["n_pions"] * M_PI_CHARGED - ev["n_neutral_pions"] * M_PI_NEUTRAL + 0.21
    dep = np.bincount(ev["dep_event"], weights=ev["dep_edep"], minlength=600)
    assert (dep <= budget).all()
    assert (ev["dep_edep"] >= 0).all()
    grid = to_grid(ev)
    assert (grid >= 0).all()


@pytest.mark.parametrize("species", list(SPECIES))
def test_annihilation_products_reach_the_detectors(species):
    """Charged pions start inside the annihilation detector, so an event lacks pion deposits only
    when it has no charged pion: Poisson, probability exp(−3 × antinucleons) (Amsler's ≈ 3)."""
    ev = simulate(species, 2000, incidence="fixed", seed=8)
    with_pion = np.zeros(2000, bool)
    with_pion[ev["dep_event"][ev["dep_kind"] == KINDS["pion"]]] = True
    expected = 1 - np.exp(-3.0 * {"antiproton": 1, "antideuteron": 2}[species])
    assert with_pion.mean() == pytest.approx(expected, abs=0.025)
    # hits outside the primary's column at 0°: the annihilation star
    column = ev["stop_i"] * C.N_XY + ev["stop_j"]
    outside = (ev["hit_cell"] % C.N_XY**2) != column[ev["hit_event"]]
    assert np.bincount(ev["hit_event"][outside], minlength=2000).mean() > 1.5


# Exotic-atom X-rays by hand: Bohr levels with the reduced mass, E = Ry (μ/m_e) Z² (1/n_f² − 1/n_i²),
# Ry = 13.6057 eV, Z = 14, M(²⁸Si) = 27.9769 u × 931.494 MeV; the lines of Aramaki et al.'s generator.
def _bohr_kev(m, n_i, n_f):
    M = 27.9769 * 931.494
    mu = m * M / (m + M)
    return 13.6057e-3 * mu / 0.51099895 * 14**2 * (1 / n_f**2 - 1 / n_i**2)


BOHR_LINES_KEV = {
    "antiproton": [_bohr_kev(938.272, 7, 6), _bohr_kev(938.272, 6, 5), _bohr_kev(938.272, 5, 4)],
    "antideuteron": [_bohr_kev(1875.613, 9, 8), _bohr_kev(1875.613, 8, 7), _bohr_kev(1875.613, 7, 6)],
}
XRAY_YIELDS = {"antiproton": 0.73 + 0.84 + 0.70, "antideuteron": 0.80 + 0.93 + 0.94}


@pytest.mark.parametrize("species", list(SPECIES))
def test_xray_lines_and_yields_of_each_species(species, events):
    ev = events[species, "fixed"]
    xr = ev["dep_kind"] == KINDS["xray"]
    values, counts = np.unique(np.round(1e3 * ev["dep_edep"][xr], 2), return_counts=True)
    peaks = np.sort(values[np.argsort(counts)[-3:]])  # photoabsorbed lines are exact values
    np.testing.assert_allclose(peaks, BOHR_LINES_KEV[species], rtol=0.01)
    assert int(ev["n_xrays_emitted"]) / 3000 == pytest.approx(XRAY_YIELDS[species], rel=0.04)
    # many events show an X-ray-sized hit (10–150 keV) away from the tracks
    small = (ev["hit_edep"] > 0.010) & (ev["hit_edep"] < 0.150)
    assert len(np.unique(ev["hit_event"][small])) / 3000 > 0.15


def test_detector_noise_is_the_measured_resolution(events):
    """Rogers et al. 2019: ≤ 4 keV FWHM for X-rays, i.e. σ ≈ 4 / 2.355 = 1.7 keV."""
    ev = events["antiproton", "fixed"]
    key = ev["dep_event"].astype(np.int64) * 1440 + ev["dep_cell"]
    uniq, inv = np.unique(key, return_inverse=True)
    true = np.bincount(inv, weights=ev["dep_edep"])
    hit_key = ev["hit_event"].astype(np.int64) * 1440 + ev["hit_cell"]
    resid = ev["hit_edep"].astype(float) - true[np.searchsorted(uniq, hit_key)]
    assert 1e3 * resid.std() == pytest.approx(4 / 2.355, rel=0.1)


def test_small_deposits_are_seen():
    """The threshold sits below the X-ray lines and the pions' ≈ 0.8 MeV per layer: hits of tens of
    keV and of about one MeV make up a good part of all hits."""
    ev = simulate("antiproton", 1000, incidence="random", seed=12)
    assert np.mean(ev["hit_edep"] < 0.2) > 0.05
    assert np.mean(ev["hit_edep"] < 2.0) > 0.3


def test_hit_time_is_the_first_deposit():
    """At 0° the primary enters its stopping detector before it stops there: that detector's hit
    time precedes the annihilation (whose products all come later)."""
    ev = simulate("antideuteron", 800, incidence="fixed", seed=13)
    cell = (ev["stop_layer"] * C.N_XY + ev["stop_i"]) * C.N_XY + ev["stop_j"]
    hit = ev["hit_cell"] == cell[ev["hit_event"]]
    t_hit = np.full(800, np.nan)
    t_hit[ev["hit_event"][hit]] = ev["hit_time"][hit]
    ok = np.isfinite(t_hit)
    assert ok.mean() > 0.99
    assert (t_hit[ok] < ev["stop_time"][ok]).all()
    # and the primary's detector in the top layer is hit at entry: t ≈ 0 (2.5 mm at β ≥ 0.2 takes
    # < 0.05 ns), although pions and X-rays may cross it later
    top = ev["hit_cell"] == (ev["stop_i"] * C.N_XY + ev["stop_j"])[ev["hit_event"]]
    assert top.sum() > 700 and ev["hit_time"][top].max() < 0.05


@pytest.mark.parametrize("species,layer", [("antiproton", 4), ("antideuteron", 9)])
def test_mono_energetic_primaries_stop_at_one_depth(species, layer):
    """50 MeV per nucleon: PSTAR's CSDA range 2.852 g/cm² for p̄, twice that for d̄ (equal β).
    Each layer holds 0.2325 × 2.33 = 0.5825 g/cm²: p̄ ends in layer 4 (2.33–2.91), d̄ in layer 9
    (5.24–5.83)."""
    ev = simulate(species, 1000, incidence="fixed", seed=14, spectrum=Spectrum.mono(50.0))
    assert np.bincount(ev["stop_layer"]).argmax() == layer
    assert np.mean(ev["stop_layer"] == layer) > 0.8
    np.testing.assert_allclose(ev["beta"], 0.3140, atol=1e-3)  # β at 50 MeV/n, by hand


def test_spectra_draw_what_they_say():
    rng = np.random.default_rng(0)
    b = Spectrum.uniform_kinetic(20.0, 100.0).beta(rng, 100_000, "antideuteron")
    T_per_n = 1875.613 * (1 / np.sqrt(1 - b**2) - 1) / 2
    assert T_per_n.min() >= 20 - 1e-9 and T_per_n.max() <= 100 + 1e-9
    assert T_per_n.mean() == pytest.approx(60, rel=0.01)
    b = Spectrum.mono(100.0, per_nucleon=False).beta(rng, 10, "antideuteron")
    np.testing.assert_allclose(1875.613 * (1 / np.sqrt(1 - b**2) - 1), 100.0)
    with pytest.raises(ValueError, match="unknown spectrum kind"):
        Spectrum("flat")
    with pytest.raises(ValueError, match="lo == hi"):
        Spectrum("mono", 10.0, 20.0)


def test_measured_grid_is_thresholded_and_non_negative(events):
    for ev in events.values():
        g = to_grid(ev)
        assert g.min() >= 0
        assert g[g > 0].min() >= C.THRESHOLD_MEV


@pytest.mark.parametrize("species", list(SPECIES))
def test_primary_deposits_all_its_kinetic_energy_at_0_degrees(species):
    """Vertical tracks cross only silicon (no dead material in the model): the primary's
    deposits add up to its kinetic energy at entry."""
    ev = simulate(species, 400, incidence="fixed", seed=3, noise=0.0, threshold=0.0)
    prim = ev["dep_kind"] == KINDS["primary"]
    dep = np.bincount(ev["dep_event"][prim], weights=ev["dep_edep"][prim], minlength=400)
    T0 = kinetic_from_beta(ev["beta"], SPECIES[species][0])
    np.testing.assert_allclose(dep, T0, rtol=1e-9)
    cells = ev["dep_cell"][prim] % (C.N_XY**2)
    first = np.full(400, -1)
    for e, c in zip(ev["dep_event"][prim], cells):
        assert first[e] in (-1, c), "a vertical track stays in one (x, y) column"
        first[e] = c


def test_antideuterons_deposit_more_and_reach_deeper(events):
    for inc in ("fixed", "random"):
        gp, gd = to_grid(events["antiproton", inc]), to_grid(events["antideuteron", inc])
        tot_p, tot_d = gp.sum(axis=(1, 2, 3)), gd.sum(axis=(1, 2, 3))
        hits_p, hits_d = (gp > 0).sum(axis=(1, 2, 3)), (gd > 0).sum(axis=(1, 2, 3))
        assert tot_d.mean() > tot_p.mean() + 5 * np.hypot(tot_d.std(), tot_p.std()) / np.sqrt(3000)
        assert hits_d.mean() > hits_p.mean()  # two annihilating antinucleons
    depth_p = events["antiproton", "fixed"]["stop_layer"]
    depth_d = events["antideuteron", "fixed"]["stop_layer"]
    assert depth_d.mean() > depth_p.mean() + 0.3


def test_annihilation_point_lies_in_silicon(events):
    tr = Tracker()
    for ev in events.values():
        top = tr.layer_top(ev["stop_layer"])
        assert np.all(ev["stop_z"] <= top + 1e-9) and np.all(ev["stop_z"] >= top - tr.thickness - 1e-9)
        i, j, inside = tr.detector_at(ev["stop_x"], ev["stop_y"])
        assert inside.all() and (i == ev["stop_i"]).all() and (j == ev["stop_j"]).all()


def test_isotropic_flux_through_a_plane():
    rng = np.random.default_rng(0)
    beta, theta, phi, pos, d = _primaries(
        rng, 200_000, "antiproton", Spectrum.uniform_beta(0.2, 0.5), "random", Tracker()
    )
    # cos θ = √U  <=>  p(cos θ) = 2 cos θ: mean 2/3, and cos²θ uniform
    assert np.cos(theta).mean() == pytest.approx(2 / 3, abs=0.003)
    assert np.var(np.cos(theta) ** 2) == pytest.approx(1 / 12, abs=0.002)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0)
    assert (d[:, 2] < 0).all()


def test_times_are_causal(events):
    ev = events["antideuteron", "random"]
    assert np.all(np.isfinite(ev["hit_time"])) and ev["hit_time"].min() >= 0
    # the primary only slows down: it cannot reach its stopping layer sooner than at its entry
    # speed along the straight line from the entry point (mid-plane to mid-plane, hence the margin)
    entry = np.stack([ev["entry_x"], ev["entry_y"], np.zeros_like(ev["beta"])], axis=1)
    stop = np.stack([ev["stop_x"], ev["stop_y"], ev["stop_z"]], axis=1)
    fastest = (np.linalg.norm(stop - entry, axis=1) - Tracker().thickness * 10) / (ev["beta"] * C.C_CM_PER_NS)
    assert np.all(ev["stop_time"] >= fastest)


def test_acceptance_is_reported_and_plausible(events):
    for (sp, inc), ev in events.items():
        frac = 3000 / ev["n_generated"]
        assert 0.02 < frac < Tracker().fill_factor + 0.05, (sp, inc, frac)


def test_determinism_per_seed():
    a = simulate("antiproton", 300, incidence="random", seed=9)
    b = simulate("antiproton", 300, incidence="random", seed=9)
    c = simulate("antiproton", 300, incidence="random", seed=10)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["beta"], c["beta"])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(species="antihelium"), "unknown species 'antihelium'"),
        (dict(n_events=0), "n_events must be a positive integer"),
        (dict(incidence="oblique"), "unknown incidence 'oblique'"),
        (dict(beta_range=(-0.1, 0.5)), r"0 < lo < hi < 1"),
        (dict(beta_range=(0.5, 0.2)), r"0 < lo < hi < 1"),
        (dict(beta_range=0.3), "two numbers"),
        (dict(noise=-1.0), "noise must be"),
        (dict(spectrum=(0.2, 0.5)), "spectrum must be a Spectrum"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    args = dict(species="antiproton", n_events=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(args.pop("species"), args.pop("n_events"), **args)


@pytest.mark.parametrize(
    "kwargs,match", [(dict(n_layers=0), "n_layers"), (dict(radius=7.0), "overlap"), (dict(thickness=-1.0), "thickness")]
)
def test_bad_tracker(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Tracker(**kwargs)


def test_to_grid_and_dataset(tmp_path):
    d = load_dataset(150, incidence="random", seed=4, folder=tmp_path, progress=False)
    other = load_dataset(
        150, incidence="random", seed=4, folder=tmp_path, progress=False, spectrum=Spectrum.uniform_beta(0.2, 0.5)
    )
    assert not np.array_equal(d["x"], other["x"])  # the spectrum is part of the cache key
    assert d["x"].shape == (300, 10, 12, 12) and d["t"].shape == (300, 10, 12, 12)
    assert set(np.unique(d["y"])) == {0, 1} and d["y"].sum() == 150
    assert ((d["x"] > 0) == (d["t"] > 0)).all()
    again = load_dataset(150, incidence="random", seed=4, folder=tmp_path, progress=False)
    np.testing.assert_array_equal(d["x"], again["x"])
    assert len(list(tmp_path.glob("gaps-events-*.npz"))) == 4
    with pytest.raises(ValueError, match="what must be"):
        to_grid(load_events("antiproton", 150, incidence="random", seed=1, folder=tmp_path), "charge")


# --- tests added after mutation testing (mutmut survivors in transport, isotropic, to_grid, Spectrum)


def _start_in_detector(T, direction, layer=4, n=2000):
    """``n`` protons of kinetic energy T (MeV) starting at the centre of detector (layer, 5, 5),
    as annihilation products do; returns (transport result, deposits)."""
    from helpers.gaps.simulate import _Deposits, transport

    tr = Tracker()
    c = tr.centres()
    pos = np.tile([c[5], c[5], float(tr.layer_mid(layer))], (n, 1))
    d = np.tile(np.asarray(direction, float) / np.linalg.norm(direction), (n, 1))
    deps = _Deposits()
    out = transport(
        np.random.default_rng(3),
        tr,
        deps,
        np.arange(n),
        pos,
        d,
        np.full(n, T),
        C.M_PROTON,
        "proton",
        np.full(n, 5.0),
        np.full(n, layer),
        (np.full(n, 5), np.full(n, 5)),
    )
    return tr, pos, out, deps.arrays()


def _pstar(T_mev, table):
    return float(np.exp(np.interp(np.log(T_mev), np.log(C.PSTAR_T_MEV), np.log(table))))


def test_a_slow_product_stops_in_its_own_detector():
    """A 10 MeV proton has PSTAR's CSDA range 0.1665 g/cm², 0.71 mm of silicon: started in the
    middle of a 2.5 mm detector on a shallow path it stops there, depositing all 10 MeV in that
    one cell, at the start time, one range from where it started."""
    tr, pos, out, (ev, cell, e, t, kind) = _start_in_detector(10.0, [1.0, 0.3, -0.2])
    assert out["stopped"].all() and (out["layer"] == 4).all()
    assert (out["i"] == 5).all() and (out["j"] == 5).all()
    np.testing.assert_allclose(out["time"], 5.0)
    travelled = np.linalg.norm(out["pos"] - pos, axis=1)
    np.testing.assert_allclose(travelled, 0.1665 / C.SI_DENSITY, rtol=0.02)
    assert set(cell) == {int(tr.cell(4, 5, 5))}
    np.testing.assert_allclose(np.bincount(ev, weights=e), 10.0)
    assert (kind == KINDS["proton"]).all()


def test_a_product_leaving_its_detector_carries_on_with_what_is_left():
    """A 30 MeV proton (PSTAR range ≈ 1.15 g/cm², 4.9 mm of Si, log-log between 20 and 50 MeV)
    started mid-detector straight down crosses 1.25 mm of its own detector and 2.5 mm of the next,
    and stops in the one after: it deposits in three cells its whole 30 MeV, never more; in the
    first 1.25 mm at least PSTAR's S(30 MeV) ≈ 14.7 MeV cm²/g × 0.29 g/cm² ≈ 4.3 MeV."""
    tr, pos, out, (ev, cell, e, t, kind) = _start_in_detector(30.0, [0.0, 0.0, -1.0])
    assert out["stopped"].all() and (out["layer"] == 6).all()
    layer = cell // (tr.n_xy**2)
    assert set(layer.tolist()) == {4, 5, 6}
    np.testing.assert_allclose(np.bincount(ev, weights=e), 30.0, rtol=1e-9)
    first = np.bincount(ev[layer == 4], weights=e[layer == 4], minlength=len(pos)).mean()
    by_hand = _pstar(30.0, C.PSTAR_STOPPING) * C.SI_DENSITY * tr.thickness / 2
    assert by_hand < first < 1.15 * by_hand, (first, by_hand)
    # later deposits come later (a 20 cm gap takes ≈ 2.7 ns at β ≈ 0.25)
    assert t[layer == 6].min() > t[layer == 5].max() > t[layer == 4].max() == 5.0


def test_isotropic_directions_are_unit_vectors_uniform_in_azimuth():
    from helpers.gaps.simulate import isotropic

    d = isotropic(np.random.default_rng(0), 200_000)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0)
    # uniform on the sphere: each component has mean 0 and mean square 1/3
    np.testing.assert_allclose(d.mean(axis=0), 0.0, atol=0.005)
    np.testing.assert_allclose((d**2).mean(axis=0), 1 / 3, atol=0.005)


def test_to_grid_puts_each_hit_in_its_cell():
    tr = Tracker()
    ev = {
        "beta": np.array([0.3, 0.3]),
        "hit_event": np.array([0, 1, 1]),
        "hit_cell": np.array([int(tr.cell(0, 0, 7)), int(tr.cell(9, 11, 2)), int(tr.cell(3, 4, 5))]),
        "hit_edep": np.array([1.5, 2.5, 3.5]),
        "hit_time": np.array([0.1, 0.2, 0.3]),
    }
    g = to_grid(ev)
    assert g.shape == (2, 10, 12, 12) and g.dtype == np.float32
    assert g[0, 0, 0, 7] == 1.5 and g[1, 9, 11, 2] == 2.5 and g[1, 3, 4, 5] == 3.5
    assert g.sum() == pytest.approx(7.5)
    assert to_grid(ev, "time")[1, 3, 4, 5] == pytest.approx(0.3)


def test_spectrum_constructors_keep_their_arguments():
    assert Spectrum.uniform_beta() == Spectrum() == Spectrum("uniform_beta", 0.2, 0.5, True)
    assert Spectrum.uniform_kinetic(20, 100, per_nucleon=False).per_nucleon is False
    assert Spectrum.mono(70, per_nucleon=False) == Spectrum("mono", 70.0, 70.0, False)


def test_a_track_crossing_a_gap_is_followed_to_the_next_disk():
    """Disks of 5 cm radius on a 13 cm pitch: a pion leaving the centre of detector (0, 5, 5)
    6.5 cm sideways per 20 cm layer spacing is mid-gap in every odd layer and at the centre of
    disks i = 6, 7, 8, 9 in layers 2, 4, 6, 8 — a layer without any hit must not end the track."""
    from helpers.gaps.simulate import _Deposits, transport

    tr = Tracker()
    c = tr.centres()
    n = 50
    d = np.tile(np.array([6.5, 0.0, -20.0]) / np.hypot(6.5, 20.0), (n, 1))
    pos = np.tile([c[5], c[5], float(tr.layer_mid(0))], (n, 1))
    deps = _Deposits()
    out = transport(
        np.random.default_rng(0), tr, deps, np.arange(n), pos, d, np.full(n, 300.0), C.M_PION, "pion",
        np.zeros(n), np.zeros(n, int), (np.full(n, 5), np.full(n, 5)),
    )  # fmt: skip
    ev, cell, e, t, kind = deps.arrays()
    assert not out["stopped"].any()
    hit = {(int(k) // 144, int(k) // 12 % 12, int(k) % 12) for k in cell}
    assert hit == {(0, 5, 5), (2, 6, 5), (4, 7, 5), (6, 8, 5), (8, 9, 5)}
    # every pion deposits in all five disks, and reaches disk 9 after 8 layers × 20.9 cm at
    # β = 0.948 (300 MeV pion: γ = 1 + 300 / 139.57)
    assert np.bincount(ev, minlength=n).min() == 5
    layer8 = cell // 144 == 8
    np.testing.assert_allclose(t[layer8], 8 * np.hypot(6.5, 20.0) / (0.9483 * C.C_CM_PER_NS), rtol=0.01)


def test_primary_hit_times_follow_its_speed():
    """40 MeV antiprotons at 0° (β = 0.2800, by hand) enter at t = 0 and reach layer 1, 20 cm
    below, after 20 / (β c) = 2.38 ns — a little more, as they lose ~7 MeV in layer 0 (PSTAR
    S(40 MeV) ≈ 12 MeV cm²/g × 0.58 g/cm²; β ≈ 0.26: 2.58 ns); layer 2 comes later again by at
    least as much."""
    ev = simulate("antiproton", 500, incidence="fixed", seed=2, spectrum=Spectrum.mono(40.0))
    t = to_grid(ev, "time")
    k = np.arange(500)
    t1, t2 = t[k, 1, ev["stop_i"], ev["stop_j"]], t[k, 2, ev["stop_i"], ev["stop_j"]]
    assert (2.38 < t1).all() and (t1 < 2.7).all()
    assert (t2 - t1 > t1).all() and (t2 < 2 * 2.9).all()


def test_beta_range_is_the_speed_range_drawn():
    ev = simulate("antiproton", 300, incidence="fixed", seed=5, beta_range=(0.22, 0.26))
    assert ev["beta"].min() >= 0.22 and ev["beta"].max() <= 0.26
    assert ev["beta"].mean() == pytest.approx(0.24, abs=0.005)
