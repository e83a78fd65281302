"""Z → μμ + jets events: N-subjettiness by hand, track jets, the dimuon selection, the detector
model's efficiencies and resolutions, and Pythia's Z peak and cross-section."""

import numpy as np
import pytest

from helpers.zjets import constants as C
from helpers.zjets import observables as O
from helpers.zjets.detector import Detector

M_PI = C.PION_MASS_GEV


def _p4(pt, eta, phi, m=M_PI):
    px, py, pz, e = O.four_vectors(pt, eta, phi, m)
    return np.array([px, py, pz, e], float).T


def _y_phi(p):
    p = np.atleast_2d(p)
    return O.rapidity(p[:, 2], p[:, 3]), np.arctan2(p[:, 1], p[:, 0])


def _dr(a, b):
    ya, pa = _y_phi(a)
    yb, pb = _y_phi(b)
    dphi = (pa - pb + np.pi) % (2 * np.pi) - np.pi
    return np.hypot(ya - yb, dphi)


def test_nsubjettiness_matches_a_hand_calculation():
    import awkward as ak

    pts, etas, phis = [50.0, 30.0, 5.0], [0.0, 0.2, -0.1], [0.0, 0.1, 0.3]
    p = _p4(pts, etas, phis)
    jet = ak.Array([[dict(px=a, py=b, pz=c, E=d) for a, b, c, d in p]])
    tau = O.nsubjettiness(jet)[0]
    pt = np.hypot(p[:, 0], p[:, 1])
    # τ1: one axis = the jet (all tracks summed, E-scheme)
    tau1 = sum(pt[k] * _dr(p[k], p.sum(axis=0))[0] for k in range(3))
    # τ2: exclusive kT to two subjets merges the pair with the smallest min(pT²)·ΔR²/R²
    pairs = {(i, j): min(pt[i], pt[j]) ** 2 * _dr(p[i], p[j])[0] ** 2 for i in range(3) for j in range(i + 1, 3)}
    i, j = min(pairs, key=pairs.get)
    assert (i, j) == (0, 2)  # the soft track joins the hardest one
    axes = [p[i] + p[j], p[3 - i - j]]
    tau2 = sum(pt[k] * min(_dr(p[k], a)[0] for a in axes) for k in range(3))
    assert tau[0] == pytest.approx(tau1, rel=1e-9)
    assert tau[1] == pytest.approx(tau2, rel=1e-9)
    assert tau[2] == pytest.approx(0.0, abs=1e-12)  # three tracks, three axes
    assert tau[0] > tau[1] > tau[2]


def test_track_jets_find_two_groups_and_respect_the_cuts():
    # event 0: a 3-track jet at (η, φ) ≈ (0, 0), a 2-track jet at (1, 2.5), a soft track and a
    # track beyond |η| = 2.5; event 1: nothing; event 2: one jet too far forward (|η| > 2.1)
    ev0 = [
        (40, 0.0, 0.0),
        (20, 0.05, 0.05),
        (5, -0.05, 0.02),
        (9, 1.0, 2.5),
        (6, 1.1, 2.45),
        (0.3, -1.0, -2.0),
        (50, 2.7, 0.0),
    ]
    ev2 = [(30, 2.3, 1.0), (15, 2.35, 1.05)]
    counts = [len(ev0), 0, len(ev2)]
    pt, eta, phi = np.array(ev0 + ev2, float).T
    jets = O.track_jets(counts, pt, eta, phi)
    assert jets["Ntracks_trackj1"][0] == 3 and jets["Ntracks_trackj2"][0] == 2
    assert jets["pT_trackj1"][0] == pytest.approx(64.9, abs=0.2)  # nearly collinear: Σ pT
    assert jets["pT_trackj2"][0] == pytest.approx(15.0, abs=0.1)
    assert jets["y_trackj2"][0] == pytest.approx(1.04, abs=0.05)
    assert jets["m_trackj1"][0] > 0
    for col in ("pT_trackj1", "m_trackj1", "tau1_trackj1", "Ntracks_trackj2"):
        assert np.isnan(jets[col][1]) and np.isnan(jets[col][2])
    with pytest.raises(ValueError, match="counts"):
        O.track_jets([3], pt, eta, phi)


def test_dilepton_mass_ordering_and_selection():
    # two muons of 60 GeV at φ = ±θ and η = 0: m² = 2 p1 p2 (1 − cos Δφ) (muon mass negligible)
    def event(pt1, pt2, dphi, q2=-1):
        return [[pt1, 0.0, dphi / 2, 1], [pt2, 0.0, -dphi / 2, q2]]

    mu = np.array([event(120, 150, 0.7), event(120, 150, 0.7, q2=1), event(20, 300, 0.4)], float)
    t = O.dilepton(mu)
    m_expected = np.sqrt(2 * 120 * 150 * (1 - np.cos(0.7)))
    assert t["m_ll"][0] == pytest.approx(m_expected, rel=1e-4)
    assert t["pT_l1"][0] == 150 and t["pT_l2"][0] == 120  # ordered by pT
    assert t["pT_ll"][0] == pytest.approx(np.sqrt(150**2 + 120**2 + 2 * 150 * 120 * np.cos(0.7)), rel=1e-9)
    assert m_expected > 81 and m_expected < 101 and t["pT_ll"][0] > 200
    assert list(t["pass"]) == [True, False, False]  # same-sign; a 20 GeV muon
    with pytest.raises(ValueError, match="shape"):
        O.dilepton(np.zeros((3, 2, 3)))


def test_derived_observables():
    table = {
        "tau1_trackj1": np.array([4.0, 0.0]),
        "tau2_trackj1": np.array([2.0, 0.0]),
        "tau3_trackj1": np.array([1.0, 0.0]),
        "pT_trackj1": np.array([50.0, 50.0]),
        "y_trackj1": np.array([0.5, 0.0]),
        "phi_trackj1": np.array([0.0, 0.0]),
        "m_trackj1": np.array([0.0, 5.0]),
        "pT_trackj2": np.array([50.0, np.nan]),
        "y_trackj2": np.array([-0.5, np.nan]),
        "phi_trackj2": np.array([np.pi, np.nan]),
        "m_trackj2": np.array([0.0, np.nan]),
    }
    d = O.derived(table)
    assert d["tau21_trackj1"][0] == 0.5 and np.isnan(d["tau21_trackj1"][1])
    assert d["tau32_trackj1"][0] == 0.5
    # two massless jets back to back in φ with Δy = 1: m² = 2 pT² (cosh Δy + 1)
    assert d["m_jj"][0] == pytest.approx(np.sqrt(2 * 50**2 * (np.cosh(1.0) + 1)), rel=1e-9)
    assert d["dy_jj"][0] == pytest.approx(1.0) and np.isnan(d["m_jj"][1]) and np.isnan(d["dy_jj"][1])


def _flat_sample(n_events=20_000, tracks_per_event=20, seed=0):
    rng = np.random.default_rng(seed)
    counts = np.full(n_events, tracks_per_event, np.int32)
    n = counts.sum()
    mu = np.stack(
        [
            rng.uniform(30, 500, (n_events, 2)),
            rng.uniform(-2.4, 2.4, (n_events, 2)),
            rng.uniform(-np.pi, np.pi, (n_events, 2)),
            np.tile([1.0, -1.0], (n_events, 1)),
        ],
        axis=-1,
    )
    return {
        "muons": mu,
        "track_counts": counts,
        "track_pt": rng.uniform(1, 50, n).astype(np.float32),
        "track_eta": rng.uniform(-2.5, 2.5, n).astype(np.float32),
        "track_phi": rng.uniform(-np.pi, np.pi, n).astype(np.float32),
    }


def test_detector_efficiencies_and_resolutions_are_what_it_claims():
    s = _flat_sample()
    det = Detector(fake_tracks_per_event=0.0)
    r = det.simulate(s, seed=1)
    # track efficiency in two η ranges, within 4 binomial standard errors
    eta = s["track_eta"]
    n_central = np.sum(np.abs(eta) < 1.0)
    kept_central = np.sum(np.abs(r["track_eta"]) < 1.0)
    eff = kept_central / n_central
    assert eff == pytest.approx(C.TRACK_EFF_CENTRAL, abs=4 * np.sqrt(eff * (1 - eff) / n_central))
    forward = np.abs(eta) > 2.2
    e_fwd = np.sum(np.abs(r["track_eta"]) > 2.2) / forward.sum()
    assert e_fwd == pytest.approx(det.track_efficiency(2.35), abs=0.015)
    assert e_fwd < eff - 0.05
    # muons: pulls have unit width; efficiency 0.97 outside the gap, 0.70 inside
    pt0, eta0 = s["muons"][..., 0].ravel(), s["muons"][..., 1].ravel()
    pt1 = r["muons"][..., 0].ravel()
    ok = ~np.isnan(pt1)
    pull = (pt1[ok] - pt0[ok]) / (pt0[ok] * det.muon_resolution(pt0[ok], eta0[ok]))
    assert pull.mean() == pytest.approx(0.0, abs=0.03) and pull.std() == pytest.approx(1.0, abs=0.03)
    gap = np.abs(eta0) < C.MUON_GAP_ETA
    assert ok[~gap].mean() == pytest.approx(C.MUON_EFFICIENCY, abs=0.005)
    assert ok[gap].mean() == pytest.approx(C.MUON_GAP_EFFICIENCY, abs=0.06)
    # fake tracks alone (events without charged particles): Poisson mean per event, pT above 0.5 GeV
    # with mean 0.5 + 1 GeV, uniform in |η| < 2.5
    empty = {
        **s,
        "track_counts": np.zeros_like(s["track_counts"]),
        "track_pt": np.zeros(0, np.float32),
        "track_eta": np.zeros(0, np.float32),
        "track_phi": np.zeros(0, np.float32),
    }
    r2 = Detector(fake_tracks_per_event=2.0).simulate(empty, seed=2)
    n_ev = len(s["muons"])
    assert r2["track_counts"].mean() == pytest.approx(2.0, abs=4 * np.sqrt(2.0 / n_ev))
    assert r2["track_counts"].var() == pytest.approx(2.0, rel=0.05)  # Poisson: var = mean
    assert r2["track_pt"].min() >= C.TRACK_PT_MIN_GEV
    assert r2["track_pt"].mean() == pytest.approx(C.TRACK_PT_MIN_GEV + C.FAKE_TRACK_PT_MEAN_GEV, rel=0.02)
    assert np.abs(r2["track_eta"]).max() < C.TRACK_ETA_MAX


def test_detector_variations_move_what_they_name():
    s = _flat_sample(5000)
    nominal, eff = Detector(), Detector().varied("track_efficiency")
    n0 = nominal.simulate(s, seed=3)["track_counts"].sum()
    n1 = eff.simulate(s, seed=3)["track_counts"].sum()
    assert (n1 - n0) / s["track_counts"].sum() == pytest.approx(-0.02, abs=0.005)
    mom = Detector().varied("muon_momentum")
    assert mom.muon_resolution(100, 0.5) == pytest.approx(1.3 * nominal.muon_resolution(100, 0.5))
    with pytest.raises(ValueError, match="unknown detector variation"):
        Detector().varied("jet_energy_scale")
    with pytest.raises(ValueError, match="muon_efficiency"):
        Detector(muon_efficiency=1.2)
    with pytest.raises(KeyError, match="track_pt"):
        Detector().simulate({"muons": s["muons"], "track_counts": s["track_counts"]}, seed=0)


@pytest.fixture(scope="module")
def pythia_chunk():
    pytest.importorskip("pythia8mc")
    from helpers.zjets.generate import generate_chunk

    return generate_chunk("mc", 300, 4242)


def test_pythia_z_peak_cross_section_and_muon_charges(pythia_chunk):
    d = pythia_chunk
    t = O.dilepton(d["muons"])
    m = t["m_ll"][~np.isnan(t["m_ll"])]
    # the dimuon mass peaks at the Z mass (91.19 GeV, PDG), with final-state radiation pulling a tail low
    assert np.median(m) == pytest.approx(91.19, abs=1.5)
    assert np.mean(d["muons"][:, 0, 3] * d["muons"][:, 1, 3] < 0) > 0.97
    # σ(pp → Z/γ* (→ μμ) + jet, p̂T > 180 GeV, 71 < m < 111 GeV) at 13 TeV: 2.7 pb measured with 8.317
    # on 2,000 events here; the band checks the process set-up, not the last digit
    assert 2.0 < d["sigma_pb"][0] < 3.5
    # charged multiplicity per event (pT > 0.4 GeV, |η| < 2.5) ≈ 70 with MPI on
    assert 40 < d["track_counts"].mean() < 110


def test_generation_is_reproducible_and_independent_of_processes():
    pytest.importorskip("pythia8mc")
    from helpers.zjets.generate import generate

    a = generate("mc", 60, 9, processes=1, progress=False)
    b = generate("mc", 60, 9, processes=1, progress=False)
    np.testing.assert_array_equal(a["track_pt"], b["track_pt"])
    with pytest.raises(ValueError, match="unknown world"):
        generate("herwig", 10, 1)
    with pytest.raises(ValueError, match="seed"):
        generate("mc", 10, -1)
    with pytest.raises(ValueError, match="n_events"):
        generate("mc", 0, 1)


def test_generate_chunk_rejects_bad_arguments_before_starting_pythia():
    from helpers.zjets.generate import generate_chunk

    with pytest.raises(ValueError, match="n_events"):
        generate_chunk("mc", 0, 5)
    with pytest.raises(ValueError, match="seeds must lie"):
        generate_chunk("mc", 10, 0)


def test_features_flag_absent_jets_and_split_partitions_the_sample():
    from helpers.zjets.data import Sample, features

    s = _flat_sample(300, tracks_per_event=6, seed=5)
    s["track_counts"][:100] = 0  # a third of the events: no tracks at all
    keep = np.repeat(s["track_counts"] > 0, 6)
    for k in ("track_pt", "track_eta", "track_phi"):
        s[k] = s[k][keep]
    table = O.event_table(s)
    x = features(table)
    assert x.shape == (300, 26)
    np.testing.assert_array_equal(x[:, 24], np.isfinite(table["pT_trackj1"]))
    assert not x[:100, 24].any() and np.isnan(x[:100, O.COLUMNS.index("m_trackj1")]).all()
    with pytest.raises(KeyError, match="lacks columns"):
        features({"pT_l1": np.zeros(3)})
    sample = Sample("mc", table, table, table["pass"], table["pass"], 1000, 2.0, Detector())
    a, b = sample.split(0.3, seed=1)
    assert len(a) + len(b) == 300 and abs(len(a) - 90) < 30
    assert a.n_generated + b.n_generated == 1000
    assert a.pass_gen.sum() + b.pass_gen.sum() == sample.pass_gen.sum()
    assert a.fiducial_sigma_pb == pytest.approx(2.0 * a.pass_gen.sum() / a.n_generated)
    with pytest.raises(ValueError, match="fraction"):
        sample.split(1.0, seed=0)
    with pytest.raises(ValueError, match="level must be"):
        sample.features("truth")


def test_edges_per_kind_of_observable():
    rng = np.random.default_rng(0)
    e = O.edges("phi_l1", rng.uniform(-np.pi, np.pi, 1000), 8)
    np.testing.assert_allclose(e, np.linspace(-np.pi, np.pi, 9))
    e = O.edges("Ntracks_trackj1", rng.poisson(12, 5000).astype(float), 10)
    assert np.all(e % 1 == 0.5) and np.all(np.diff(e) >= 1)
    v = rng.exponential(10, 5000)
    e = O.edges("m_trackj1", v, 10)
    counts = np.histogram(v, e)[0]
    assert counts.min() > 0.8 * counts.mean()  # equal-population bins
    with pytest.raises(ValueError, match="too few"):
        O.edges("m_trackj1", v[:50], 10)
    with pytest.raises(ValueError, match="n_bins"):
        O.edges("m_trackj1", v, 1)
