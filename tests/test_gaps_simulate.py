"""The GAPS event simulator: conservation laws, geometry, species differences, determinism."""

import numpy as np
import pytest

from helpers.gaps import constants as C
from helpers.gaps.data import load_dataset, load_events
from helpers.gaps.geometry import Tracker
from helpers.gaps.physics import kinetic_from_beta
from helpers.gaps.simulate import KINDS, SPECIES, _primaries, simulate, to_grid


@pytest.fixture(scope="module")
def events():
    out = {}
    for sp in SPECIES:
        for inc in ("fixed", "random"):
            out[sp, inc] = simulate(sp, 3000, incidence=inc, seed=11)
    return out


def test_energy_conservation_grid_equals_deposits():
    ev = simulate("antideuteron", 500, incidence="random", seed=5, noise=0.0, threshold=0.0)
    grid = to_grid(ev)
    per_event = np.bincount(ev["dep_event"], weights=ev["dep_edep"], minlength=500)
    np.testing.assert_allclose(grid.sum(axis=(1, 2, 3)), per_event, rtol=1e-5)
    assert (ev["dep_edep"] >= 0).all() and (grid >= 0).all()


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
        assert (tot_d / hits_d).mean() > (tot_p / hits_p).mean()
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
    beta, theta, phi, pos, d = _primaries(rng, 200_000, C.M_PROTON, 0.2, 0.5, "random", Tracker())
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
    assert d["x"].shape == (300, 10, 12, 12) and d["t"].shape == (300, 10, 12, 12)
    assert set(np.unique(d["y"])) == {0, 1} and d["y"].sum() == 150
    assert ((d["x"] > 0) == (d["t"] > 0)).all()
    again = load_dataset(150, incidence="random", seed=4, folder=tmp_path, progress=False)
    np.testing.assert_array_equal(d["x"], again["x"])
    assert len(list(tmp_path.glob("gaps-events-*.npz"))) == 2
    with pytest.raises(ValueError, match="what must be"):
        to_grid(load_events("antiproton", 150, incidence="random", seed=1, folder=tmp_path), "charge")
