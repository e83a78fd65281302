"""The published weight table: written, read back, checked; its histograms' uncertainties follow the
recipe (known answers on a constructed table)."""

import h5py
import numpy as np
import pytest

from helpers.unfolding.release import MEDIAN_ERROR_FACTOR, Release, fiducial_weights, write_release


def _table(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.where(rng.random(n) < 0.3, np.nan, rng.exponential(size=n))     # "second jet" sometimes absent
    w = np.full(n, 0.5)                                                     # 0.5 pb per event: σ = n / 2 pb
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
    write_release(path, obs, weights, attrs={"luminosity_pb": 2000.0})
    return path, obs, weights


def test_release_reads_back_columns_finite_and_normalised(release_file):
    path, obs, weights = release_file
    r = Release(path)
    assert set(r.table) == set(obs) | set(weights)
    assert r.observables == ["x", "y"] or sorted(r.observables) == ["x", "y"]
    assert [len(r.replicas[k]) for k in ("ensemble", "bootstrap_data", "bootstrap_mc")] == [4, 30, 3]
    assert r.systematics == ["weights_detector"]
    for k, v in r.table.items():
        if k.startswith("weights_") or k in ("weight_mc", "target_dd"):
            assert np.all(np.isfinite(v)) and np.all(v >= 0), k
    assert r.table["weights_nominal"].sum() == pytest.approx(len(r) / 2)       # σ_fid in pb
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
    # ensemble: 1.2533 σ/√N of the four seeds' histograms
    ens = np.array([np.histogram(obs["x"], edges, weights=weights[f"weights_ensemble_{i}"])[0] / width for i in range(4)])
    np.testing.assert_allclose(h.errors["ensemble"], MEDIAN_ERROR_FACTOR * ens.std(axis=0, ddof=1) / 2, rtol=1e-9)
    # total covariance = bootstrap covariances + ensemble² + shifts' outer products
    boot_data = np.array([np.histogram(obs["x"], edges, weights=weights[f"weights_bootstrap_data_{i}"])[0] / width
                          for i in range(30)])
    boot_mc = np.array([np.histogram(obs["x"], edges, weights=weights[f"weights_bootstrap_mc_{i}"])[0] / width
                        for i in range(3)])
    # 30 data replicas > 6 bins: full covariance; 3 MC replicas: only the diagonal
    boot = np.cov(boot_data, rowvar=False) + np.diag(boot_mc.std(axis=0, ddof=1) ** 2)
    expected = boot + np.diag(h.errors["ensemble"] ** 2) + np.outer(0.1 * nominal, 0.1 * nominal) \
        + np.outer(0.02 * nominal, 0.02 * nominal)
    np.testing.assert_allclose(h.covariance, expected, rtol=1e-8)
    assert np.all(h.total >= np.abs(h.shifts["detector"]))
    # bootstrap spread of a bin ≈ √(Σ w²) of its events (Poisson replicas); 30 replicas estimate a
    # std to ±13 %, so every bin lies within ±40 %
    sumw2 = np.sqrt(np.histogram(obs["x"], edges, weights=weights["weights_nominal"] ** 2)[0]) / width
    assert np.all(np.abs(h.errors["bootstrap_data"] / sumw2 - 1) < 0.4)


def test_density_histograms_and_derived_observables(release_file):
    path, obs, _ = release_file
    r = Release(path)
    edges = np.linspace(0, 5, 11)
    h = r.histogram("y", edges, density=True)
    assert np.sum(h.nominal * np.diff(edges)) == pytest.approx(1.0)          # absent values left out
    h2 = r.histogram(lambda t: t["x"] ** 2, edges)                            # a derived observable
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
    with pytest.raises(ValueError, match="non-finite"):
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
        run_release(sample(10), sample(10), sample(10), {}, Settings(), seed=0, n_seeds=0,
                    n_bootstrap_data=1, n_bootstrap_mc=1)
    gen = {"x": np.array([0.1, 0.2, 0.7, 0.9])}
    edges = {"x": np.array([0.0, 0.5, 1.0])}
    d = distances(gen, np.ones(4, bool), None, gen, np.ones(4, bool), edges)
    assert d == {"x": 0.0}                                           # a sample against itself
    with pytest.raises(ValueError, match="one per passing event"):
        distances(gen, np.ones(4, bool), np.ones(3), gen, np.ones(4, bool), edges)


def test_reads_a_release_in_the_atlas_layout(tmp_path):
    """The ATLAS file is a pandas DataFrame under the key 'df' (pd.read_hdf(..., key="df"))."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tables")
    obs, weights = _table(500, seed=3)
    df = pd.DataFrame({**obs, **weights})
    path = tmp_path / "atlas_like.h5"
    df.to_hdf(path, key="df", mode="w")
    r = Release(path)
    assert len(r) == 500 and r.systematics == ["weights_detector"]
    assert len(r.replicas["bootstrap_data"]) == 30
    edges = np.linspace(-3, 3, 7)
    h = r.histogram("x", edges)
    expected = np.histogram(obs["x"], edges, weights=weights["weights_nominal"])[0] / np.diff(edges)
    np.testing.assert_allclose(h.nominal, expected)
    other = tmp_path / "other.h5"
    pd.DataFrame({"a": [1.0]}).to_hdf(other, key="table", mode="w")
    with pytest.raises(ValueError, match="neither an 'events' group"):
        Release(other)
