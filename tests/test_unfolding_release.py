"""The published weight table: written, read back, checked; its histograms' uncertainties follow the
recipe (known answers, computed by hand, on constructed tables)."""

import io
import warnings

import h5py
import numpy as np
import pytest

from helpers.unfolding.release import (
    ATLAS_ZJETS_SYSTEMATICS,
    Release,
    UnverifiedReleaseWarning,
    fiducial_weights,
    write_release,
)


def _table(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.where(rng.random(n) < 0.3, np.nan, rng.exponential(size=n))  # "second jet" sometimes absent
    w = np.full(n, 0.5)  # 0.5 pb per event: σ = n / 2 pb
    weights = {"weight_mc": np.ones(n), "weights_nominal": w}
    for i in range(4):
        weights[f"weights_ensemble_{i}"] = w * (1 + 0.01 * (i - 1.5))
    for i in range(30):
        weights[f"weights_bootstrap_data_{i}"] = w * rng.poisson(1.0, n)
    for i in range(3):
        weights[f"weights_bootstrap_mc_{i}"] = w * rng.poisson(1.0, n)
    weights["weights_detector"] = w * 1.1
    weights["weights_dd"] = w * 1.02
    weights["target_dd"] = w.copy()
    return {"x": x, "y": y}, weights


@pytest.fixture()
def release_file(tmp_path):
    obs, weights = _table()
    path = tmp_path / "release.h5"
    write_release(path, obs, weights, attrs={"luminosity_pb": 2000.0}, systematics={"detector": "weights_detector"})
    return path, obs, weights


def test_release_reads_back_columns_finite_and_normalised(release_file):
    path, obs, weights = release_file
    r = Release(path)
    assert set(r.table) == set(obs) | set(weights)
    assert r.observables == ["x", "y"] or sorted(r.observables) == ["x", "y"]
    assert [len(r.replicas[k]) for k in ("ensemble", "bootstrap_data", "bootstrap_mc")] == [4, 30, 3]
    assert r.systematics == {"detector": "weights_detector"}
    for k, v in r.table.items():
        if k.startswith("weights_") or k in ("weight_mc", "target_dd"):
            assert np.all(np.isfinite(v)) and np.all(v >= 0), k
    assert r.table["weights_nominal"].sum() == pytest.approx(len(r) / 2)  # σ_fid in pb
    assert r.attrs["luminosity_pb"] == 2000.0


def test_histogram_uncertainties_follow_the_recipe(release_file):
    path, obs, weights = release_file
    r = Release(path)
    edges = np.linspace(-3, 3, 7)
    h = r.histogram("x", edges)
    width = np.diff(edges)
    nominal = np.histogram(obs["x"], edges, weights=weights["weights_nominal"])[0] / width
    np.testing.assert_allclose(h.nominal, nominal)
    # a systematic that scales every weight by 1.1 shifts every bin by 10 %, fully correlated
    np.testing.assert_allclose(h.shifts["detector"], 0.1 * nominal, rtol=1e-9)
    np.testing.assert_allclose(h.shifts["nonclosure"], 0.02 * nominal, rtol=1e-9)
    # ensemble, nominal = per-event median (write_release's default): the seeds scale every weight by
    # 1 + (−0.015, −0.005, 0.005, 0.015), whose std is √(0.0005/3) = 0.012910; the error of a median of 4 is
    # √(π/2) · 0.012910 / √4 = 0.0080900 of the nominal
    np.testing.assert_allclose(h.errors["ensemble"], 0.0080900 * nominal, rtol=1e-4)
    # total covariance = bootstrap covariances + ensemble² + shifts' outer products
    boot_data = np.array(
        [np.histogram(obs["x"], edges, weights=weights[f"weights_bootstrap_data_{i}"])[0] / width for i in range(30)]
    )
    boot_mc = np.array(
        [np.histogram(obs["x"], edges, weights=weights[f"weights_bootstrap_mc_{i}"])[0] / width for i in range(3)]
    )
    # 30 data replicas > 6 bins: full covariance; 3 MC replicas: only the diagonal
    boot = np.cov(boot_data, rowvar=False) + np.diag(boot_mc.std(axis=0, ddof=1) ** 2)
    expected = (
        boot
        + np.diag(h.errors["ensemble"] ** 2)
        + np.outer(0.1 * nominal, 0.1 * nominal)
        + np.outer(0.02 * nominal, 0.02 * nominal)
    )
    np.testing.assert_allclose(h.covariance, expected, rtol=1e-8)
    assert np.all(h.total >= np.abs(h.shifts["detector"]))
    np.testing.assert_allclose(h.variances(), np.diag(expected), rtol=1e-8)  # the hist.Hist carries the total
    np.testing.assert_allclose(h.values(), nominal)
    # bootstrap spread of a bin ≈ √(Σ w²) of its events (Poisson replicas); 30 replicas estimate a
    # std to ±13 %, so every bin lies within ±40 %
    sumw2 = np.sqrt(np.histogram(obs["x"], edges, weights=weights["weights_nominal"] ** 2)[0]) / width
    assert np.all(np.abs(h.errors["bootstrap_data"] / sumw2 - 1) < 0.4)


def test_density_histograms_and_derived_observables(release_file):
    path, obs, _ = release_file
    r = Release(path)
    edges = np.linspace(0, 5, 11)
    h = r.histogram("y", edges, density=True)
    assert np.sum(h.nominal * np.diff(edges)) == pytest.approx(1.0)  # absent values left out
    h2 = r.histogram(lambda t: t["x"] ** 2, edges)  # a derived observable
    expected = np.histogram(obs["x"] ** 2, edges, weights=np.full(len(r), 0.5))[0] / np.diff(edges)
    np.testing.assert_allclose(h2.nominal, expected)
    with pytest.raises(KeyError, match="no column 'z'"):
        r.histogram("z", edges)
    with pytest.raises(ValueError, match="one value per event"):
        r.histogram(np.zeros(3), edges)
    with pytest.raises(ValueError, match="increasing"):
        r.histogram("x", [1.0, 0.0])


def test_bad_files_and_tables_are_named(tmp_path, release_file):
    with pytest.raises(FileNotFoundError, match="no release file"):
        Release(tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(ValueError, match="not a readable HDF5"):
        Release(bad)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.zeros(3)
    with pytest.raises(ValueError, match="neither an 'events' group"):
        Release(other)
    with pytest.raises(ValueError, match=r"weight column 'weights_nominal' has 1 NaN row\(s\) of 3"):
        write_release(tmp_path / "r.h5", {"x": np.zeros(3)}, {"weights_nominal": np.array([1.0, np.nan, 1.0])})
    with pytest.raises(ValueError, match="one entry per event"):
        write_release(tmp_path / "r.h5", {"x": np.zeros(4)}, {"weights_nominal": np.ones(3)})
    with pytest.raises(ValueError, match="weights_nominal"):
        write_release(tmp_path / "r.h5", {"x": np.zeros(3)}, {"weights_a": np.ones(3)})


def test_fiducial_weights_turn_multifold_weights_into_a_cross_section():
    # 10 simulated events, 8 reconstructed (2 of them fakes), 9 at particle level; the data has
    # 16 events: k = 16 / Σ pull(reco) = 2, so Σ weights = 2 Σ push(gen) / L
    pass_reco = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], bool)
    pass_gen = np.array([1, 1, 1, 1, 1, 1, 0, 1, 1, 1], bool)
    pull = np.ones(10)
    push = np.linspace(0.5, 1.5, 10)
    w = fiducial_weights(push, pull, pass_gen, pass_reco, data_weight_sum=16.0, luminosity_pb=4.0)
    assert w.shape == (9,)
    assert w.sum() == pytest.approx(2 * push[pass_gen].sum() / 4.0)
    with pytest.raises(ValueError, match="luminosity"):
        fiducial_weights(push, pull, pass_gen, pass_reco, 16.0, 0.0)
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        fiducial_weights(push[:9], pull, pass_gen, pass_reco, 16.0, 4.0)


def test_analysis_checks_its_inputs_before_training():
    from helpers.unfolding.analysis import Settings, distances, run_release, unfold
    from helpers.zjets.data import Sample
    from helpers.zjets.detector import Detector

    def sample(n):
        t = {"pT_l1": np.arange(n, dtype=float)}
        ok = np.ones(n, bool)
        return Sample("mc", t, t, ok, ok, n, 1.0, Detector())

    with pytest.raises(ValueError, match="same events"):
        unfold(sample(10), sample(10), Settings(), seed=0, reco=sample(9))
    with pytest.raises(ValueError, match="n_seeds >= 1"):
        run_release(
            sample(10), sample(10), sample(10), {}, Settings(), seed=0, n_seeds=0, n_bootstrap_data=1, n_bootstrap_mc=1
        )
    gen = {"x": np.array([0.1, 0.2, 0.7, 0.9])}
    edges = {"x": np.array([0.0, 0.5, 1.0])}
    d = distances(gen, np.ones(4, bool), None, gen, np.ones(4, bool), edges)
    assert d == {"x": 0.0}  # a sample against itself
    with pytest.raises(ValueError, match="one per passing event"):
        distances(gen, np.ones(4, bool), np.ones(3), gen, np.ones(4, bool), edges)


# --- the ATLAS layout, with the published file's column names (arXiv:2405.20041), written here --------------

ATLAS_OBSERVABLES = [
    "pT_ll",
    "pT_l1",
    "pT_l2",
    "eta_l1",
    "eta_l2",
    "phi_l1",
    "phi_l2",
    "y_ll",
    "pT_trackj1",
    "y_trackj1",
    "phi_trackj1",
    "m_trackj1",
    "tau1_trackj1",
    "tau2_trackj1",
    "tau3_trackj1",
    "pT_trackj2",
    "y_trackj2",
    "phi_trackj2",
    "m_trackj2",
    "tau1_trackj2",
    "tau2_trackj2",
    "tau3_trackj2",
]
ATLAS_SYSTEMATICS = [
    "weights_pileup",
    "weights_muEffReco",
    "weights_muEffIso",
    "weights_muEffTrack",
    "weights_muEffTrig",
    "weights_muCalID",
    "weights_muCalMS",
    "weights_muCalResBias",
    "weights_muCalScale",
    "weights_trackEffMain",
    "weights_trackEffJet",
    "weights_trackFake",
    "weights_trackPtScale",
    "weights_theoryPSjet",
    "weights_theoryPSsoft",
    "weights_theoryMPI",
    "weights_theoryPSscale",
    "weights_theoryAlphaS",
    "weights_theoryQCD",
    "weights_theoryPDF",
    "weights_topBackground",
    "weights_lumi",
]


def _atlas_frame(n=500, seed=3):
    """Every weight is 0.5 events × a known factor: systematic k (k = 1…22) scales by 1 + 0.001 k, the four
    seeds by 1 ± 0.01, data bootstraps by 0.96 / 1 / 1.04, MC bootstraps by 0.98 / 1 / 1.02, weights_dd by
    1.03 × target_dd."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tables")
    rng = np.random.default_rng(seed)
    cols = {c: rng.normal(size=n).astype(np.float32) for c in ATLAS_OBSERVABLES}
    cols["pT_ll"] = rng.uniform(200, 1000, n).astype(np.float32)
    cols["Ntracks_trackj1"] = rng.integers(1, 30, n).astype(np.int32)
    cols["Ntracks_trackj2"] = rng.integers(1, 30, n).astype(np.int32)
    w = np.full(n, 0.5)
    cols["weight_mc"] = np.ones(n, np.float32)
    cols["weights_nominal"] = w.astype(np.float32)
    for i, f in enumerate([1.01, 0.99, 1.01, 0.99]):
        cols[f"weights_ensemble_{i}"] = (w * f).astype(np.float32)
    for i, f in enumerate([0.96, 1.0, 1.04]):
        cols[f"weights_bootstrap_data_{i}"] = w * f
    for i, f in enumerate([0.98, 1.0, 1.02]):
        cols[f"weights_bootstrap_mc_{i}"] = w * f
    cols["weights_dd"] = (w * 1.03).astype(np.float32)
    cols["target_dd"] = w.astype(np.float32)
    for k, c in enumerate(ATLAS_SYSTEMATICS, start=1):
        cols[c] = (w * (1 + 0.001 * k)).astype(np.float32)
    return pd.DataFrame(cols)


def _write_df(df, path):
    df.to_hdf(path, key="df", mode="w")
    return path


ATLAS_READ = dict(systematics=ATLAS_ZJETS_SYSTEMATICS, units="events", weight_mc="included", luminosity_pb=2000.0)


def test_reads_the_atlas_layout_with_its_column_names(tmp_path):
    """Hand numbers: systematics √Σ(0.001 k)² = 0.001 √3795 = 0.061604; non-closure 0.03; seeds (nominal = their
    mean, as ATLAS built it) 0.011547 / √4 = 0.0057735; bootstraps 0.04 and 0.02 → total 0.082026 of the nominal."""
    assert set(ATLAS_ZJETS_SYSTEMATICS.values()) == set(ATLAS_SYSTEMATICS)  # the preset names every column
    path = _write_df(_atlas_frame(), tmp_path / "multifold.h5")
    with pytest.warns(UnverifiedReleaseWarning, match="carries no checksum"):
        r = Release(path, **ATLAS_READ)
    assert len(r) == 500 and sorted(r.observables) == sorted(ATLAS_OBSERVABLES + ["Ntracks_trackj1", "Ntracks_trackj2"])
    assert [len(r.replicas[k]) for k in ("ensemble", "bootstrap_data", "bootstrap_mc")] == [4, 3, 3]
    h = r.histogram("pT_ll", [200.0, 600.0, 1000.0], per_width=False)
    n_bin = np.histogram(r["pT_ll"], [200.0, 600.0, 1000.0])[0]
    np.testing.assert_allclose(h.values(), 0.5 * n_bin, rtol=1e-6)  # events
    np.testing.assert_allclose(h.relative["theoryPDF"], 0.020, rtol=1e-4)  # k = 20
    np.testing.assert_allclose(h.relative["lumi"], 0.022, rtol=1e-4)
    np.testing.assert_allclose(h.relative["nonclosure"], 0.03, rtol=1e-4)
    np.testing.assert_allclose(h.relative["ensemble"], 0.0057735, rtol=1e-4)
    np.testing.assert_allclose(h.relative["bootstrap_data"], 0.04, rtol=1e-6)
    np.testing.assert_allclose(h.relative["bootstrap_mc"], 0.02, rtol=1e-6)
    np.testing.assert_allclose(h.relative["total"], 0.082026, rtol=1e-4)
    # units: 0.5 events each over 2000 pb⁻¹ → 0.5 / 2000 pb per event; in fb × 1000
    hp = r.histogram("pT_ll", [200.0, 1000.0], per_width=False, unit="pb")
    assert hp.values()[0] == pytest.approx(500 * 0.5 / 2000, rel=1e-6) and hp.unit == "pb"
    assert r.histogram("pT_ll", [200.0, 1000.0], per_width=False, unit="fb").values()[0] == pytest.approx(
        125.0, rel=1e-6
    )


def test_atlas_file_needs_its_statements_and_declared_columns(tmp_path):
    df = _atlas_frame(50)
    path = _write_df(df, tmp_path / "multifold.h5")
    warnings.simplefilter("ignore", UnverifiedReleaseWarning)
    with pytest.raises(ValueError, match="does not state the units of its weights"):
        Release(path, systematics=ATLAS_ZJETS_SYSTEMATICS, weight_mc="included")
    with pytest.raises(ValueError, match="does not state whether its weights include weight_mc"):
        Release(path, systematics=ATLAS_ZJETS_SYSTEMATICS, units="events")
    # without the mapping, the 22 systematic columns are not guessed: they are named
    with pytest.raises(ValueError, match=r"undeclared weight column\(s\) \['weights_lumi', 'weights_muCalID'"):
        Release(path, units="events", weight_mc="included")
    with pytest.raises(ValueError, match="converting events to pb needs the luminosity"):
        Release(path, systematics=ATLAS_ZJETS_SYSTEMATICS, units="events", weight_mc="included").histogram(
            "pT_ll", 2, unit="pb"
        )


def test_a_misnamed_column_is_an_error_naming_it(tmp_path):
    """Today 'weights_ensemble0' becomes a new, fully correlated systematic."""
    df = _atlas_frame(50).rename(columns={"weights_ensemble_3": "weights_ensemble0"})
    path = _write_df(df, tmp_path / "multifold.h5")
    with (
        pytest.warns(UnverifiedReleaseWarning),
        pytest.raises(ValueError, match=r"undeclared weight column\(s\) \['weights_ensemble0'\]"),
    ):
        Release(path, **ATLAS_READ)
    with pytest.warns(UnverifiedReleaseWarning), pytest.raises(ValueError, match=r"absent from .*\['weights_nope'\]"):
        Release(path, **{**ATLAS_READ, "systematics": {**ATLAS_ZJETS_SYSTEMATICS, "nope": "weights_nope"}})


def test_nan_weights_are_an_error_naming_column_and_rows(tmp_path):
    df = _atlas_frame(50)
    df.loc[[3, 9], "weights_ensemble_2"] = np.nan
    path = _write_df(df, tmp_path / "multifold.h5")
    with (
        pytest.warns(UnverifiedReleaseWarning),
        pytest.raises(ValueError, match=r"weight column 'weights_ensemble_2' has 2 NaN row\(s\) of 50"),
    ):
        Release(path, **ATLAS_READ)


def test_up_down_pairs_are_symmetrised_not_added(tmp_path):
    """A ±2 % pair is a 2 % uncertainty (today it counts as √2 · 2 % = 2.83 %)."""
    n = 400
    w = np.full(n, 0.25)
    path = tmp_path / "r.h5"
    write_release(
        path,
        {"x": np.linspace(0, 1, n)},
        {"weights_nominal": w, "weights_scale_up": 1.02 * w, "weights_scale_down": 0.98 * w},
        systematics={"scale": ("weights_scale_up", "weights_scale_down")},
    )
    h = Release(path).histogram("x", 4, range=(0, 1))
    np.testing.assert_allclose(h.relative["scale"], 0.02, rtol=1e-9)
    np.testing.assert_allclose(h.relative["total"], 0.02, rtol=1e-9)
    with pytest.raises(ValueError, match=r"systematic 'scale': give one column name .* or an \(up, down\) pair"):
        write_release(path, {"x": np.zeros(3)}, {"weights_nominal": np.ones(3)}, systematics={"scale": ("a", "b", "c")})


def test_nominal_option_and_ensemble_error_factor(tmp_path):
    """Seeds 1, 1, 1.3 (per event): the mean is 1.1 and the median 1; σ of the seeds = 0.17321, /√3 = 0.1."""
    n = 100
    path = tmp_path / "r.h5"
    one = np.ones(n)
    write_release(
        path,
        {"x": np.full(n, 0.5)},
        {"weights_nominal": one, "weights_ensemble_0": one, "weights_ensemble_1": one, "weights_ensemble_2": 1.3 * one},
    )
    edges = [0.0, 1.0]
    h_mean = Release(path, nominal="mean").histogram("x", edges, per_width=False)
    h_median = Release(path, nominal="median").histogram("x", edges, per_width=False)
    h_factor = Release(path, nominal="median", ensemble_error_factor=2.0).histogram("x", edges, per_width=False)
    assert h_mean.values()[0] == pytest.approx(110.0) and h_median.values()[0] == pytest.approx(100.0)
    assert h_mean.errors["ensemble"][0] == pytest.approx(0.1 * 100, rel=1e-6)
    assert h_median.errors["ensemble"][0] == pytest.approx(np.sqrt(np.pi / 2) * 0.1 * 100, rel=1e-4)
    assert h_factor.errors["ensemble"][0] == pytest.approx(2.0 * 0.1 * 100, rel=1e-6)


def test_weight_mc_multiply_and_conveniences(tmp_path):
    pd = pytest.importorskip("pandas")
    import hist

    n = 200
    x = np.linspace(0.0, 1.0, n)
    df = pd.DataFrame({"x": x, "weight_mc": np.where(x < 0.5, 2.0, 1.0), "weights_nominal": np.ones(n)})
    path = _write_df(df, tmp_path / "t.h5")
    with pytest.warns(UnverifiedReleaseWarning):
        r = Release(path, units="pb", weight_mc="multiply")
    h = r.histogram("x", 2, per_width=False)  # a count: two equal bins over [0, 1]
    assert isinstance(h, hist.Hist)
    np.testing.assert_allclose(h.axes[0].edges[:2], [0.0, 0.5])
    np.testing.assert_allclose(h.values(), [200.0, 100.0])  # 100 events × 2, 100 events × 1
    np.testing.assert_allclose(r["x"], x)
    assert list(r.to_pandas().columns)[:3] == ["x", "weight_mc", "weights_nominal"]
    sel = r.histogram("x", [0.0, 0.5, 1.0], weights=lambda t: (t["x"] > 0.25).astype(float), per_width=False)
    np.testing.assert_allclose(sel.values(), [100.0, 100.0])  # 50 events × 2 kept in the first bin


def test_checksum_written_and_verified(tmp_path, release_file):
    path, _, _ = release_file
    Release(path)  # verifies silently
    with h5py.File(path, "r+") as f:
        x = f["events/x"][()]
        x[0] += 1.0
        f["events/x"][...] = x
    with pytest.raises(ValueError, match="checksum mismatch .* changed or damaged"):
        Release(path)
    with h5py.File(path, "r+") as f:
        del f.attrs["sha256"]
    with pytest.warns(UnverifiedReleaseWarning, match="carries no checksum"):
        Release(path)


def test_summary_prints_the_breakdown_per_source(tmp_path):
    path = _write_df(_atlas_frame(), tmp_path / "multifold.h5")
    with pytest.warns(UnverifiedReleaseWarning):
        r = Release(path, **ATLAS_READ)
    out = io.StringIO()
    table = r.summary(file=out)
    text = out.getvalue()
    assert "σ = 250 events (500 events)" in text and "theoryPDF" in text
    assert table.loc["total", "relative [%]"] == pytest.approx(8.2026, rel=1e-4)
    assert table.loc["lumi", "relative [%]"] == pytest.approx(2.2, rel=1e-4)
    per_bin = r.summary("pT_ll", [200.0, 600.0, 1000.0], file=io.StringIO())
    assert per_bin.shape == (len(ATLAS_SYSTEMATICS) + 5, 2)


def test_a_release_reports_its_unconverged_runs_once():
    """A release makes dozens of MultiFold runs; their convergence warnings become one line that
    counts them, and other warnings pass through."""
    import warnings

    from helpers.unfolding.analysis import _convergence_summary
    from helpers.unfolding.omnifold import ConvergenceWarning

    lines = []
    with pytest.warns(ConvergenceWarning) as record:
        with _convergence_summary("a test", lines.append) as runs:
            for i in range(5):
                runs["runs"] += 1
                if i % 2:
                    warnings.warn(f"run {i} moved a bin by 3 sigma", ConvergenceWarning, stacklevel=2)
            warnings.warn("something else", UserWarning, stacklevel=2)
    conv = [w for w in record if w.category is ConvergenceWarning]
    assert len(conv) == 1 and "2 of 5 MultiFold runs of a test" in str(conv[0].message)
    assert "run 1 moved" in str(conv[0].message) and lines == [str(conv[0].message)]
    assert any(w.category is UserWarning and "something else" in str(w.message) for w in record)


def test_histogram_covariance_by_hand_with_an_absent_value_and_two_replicas(tmp_path):
    """Six events, two bins, σ per bin; one event has no value (NaN, e.g. no second jet) and must
    count nowhere, whatever its weights. By hand:
    nominal (3, 2); seeds give bin sums (3, 2) and (3.6, 2): σ/√2 = (0.3, 0);
    data bootstraps (3, 2) and (3, 3): σ = (0, 0.7071); the detector shifts bin 0 by 0.3;
    total covariance = diag(0.09, 0) + diag(0, 0.5) + (0.3, 0)(0.3, 0)ᵀ = diag(0.18, 0.5)."""
    x = np.array([0.25, 0.25, 0.25, 0.75, 0.75, np.nan])
    one = np.ones(6)
    path = tmp_path / "r.h5"
    write_release(
        path,
        {"x": x},
        {
            "weights_nominal": one,
            "weights_ensemble_0": one,
            "weights_ensemble_1": np.array([1.2, 1.2, 1.2, 1.0, 1.0, 5.0]),
            "weights_bootstrap_data_0": one,
            "weights_bootstrap_data_1": np.array([1.0, 1.0, 1.0, 1.5, 1.5, 9.0]),
            "weights_detector": np.array([1.1, 1.1, 1.1, 1.0, 1.0, 7.0]),
        },
        systematics={"detector": "weights_detector"},
    )
    h = Release(path, ensemble_error_factor=1.0).histogram("x", [0.0, 0.5, 1.0], per_width=False)
    np.testing.assert_allclose(h.values(), [3.0, 2.0])
    np.testing.assert_allclose(h.errors["ensemble"], [0.3, 0.0], atol=1e-12)
    np.testing.assert_allclose(h.errors["bootstrap_data"], [0.0, np.sqrt(0.5)], atol=1e-12)
    np.testing.assert_allclose(h.shifts["detector"], [0.3, 0.0], atol=1e-12)
    np.testing.assert_allclose(h.covariance, [[0.18, 0.0], [0.0, 0.5]], atol=1e-12)
    np.testing.assert_allclose(h.variances(), [0.18, 0.5], atol=1e-12)
    # a count of bins spans the values present (NaN ignored); the largest value falls inside
    h2 = Release(path, ensemble_error_factor=1.0).histogram("x", 2, per_width=False)
    np.testing.assert_allclose(h2.values(), [3.0, 2.0])
    np.testing.assert_allclose(h2.axes[0].edges[[0, 1]], [0.25, 0.5])
