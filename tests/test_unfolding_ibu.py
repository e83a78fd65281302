"""Binned unfolding: IBU equals PyUnfold, closes on its own simulation, and recovers a toy truth."""

import numpy as np
import pytest

from helpers.unfolding.ibu import bin_by_bin, build_response, ibu
from helpers.unfolding.toys import gaussian_toy

EDGES = np.linspace(-4, 4, 21)


@pytest.fixture(scope="module")
def toy():
    mc = gaussian_toy(200_000, mu=0.0, sigma=1.0, seed=1)
    data = gaussian_toy(100_000, mu=0.2, sigma=0.8, seed=2)
    resp = build_response(mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], EDGES, EDGES)
    d, _ = np.histogram(data["reco"][data["pass_reco"]], EDGES)
    return mc, data, resp, d


def test_response_columns_are_efficiencies(toy):
    _, _, resp, _ = toy
    np.testing.assert_allclose(resp.matrix.sum(axis=0), resp.efficiency)
    inner = slice(5, 15)  # away from the edges, where smearing leaks out
    assert np.all(np.abs(resp.efficiency[inner] - 0.9) < 0.02)  # the toy's 10 % inefficiency
    assert np.all(np.abs(resp.fake_fraction[inner] - 0.1) < 0.05)  # and ≈ 10 % fakes


def test_ibu_equals_pyunfold(toy):
    pyunfold = pytest.importorskip("pyunfold")
    _, _, resp, d = toy
    signal = np.maximum(d - resp.expected_background(d), 0.0)
    prior = resp.truth / resp.truth.sum()
    ours = ibu(d, resp, 4)[-1]
    ref = pyunfold.iterative_unfold(
        data=signal,
        data_err=np.sqrt(signal),
        response=resp.matrix,
        response_err=np.full_like(resp.matrix, 1e-3),
        efficiencies=resp.efficiency,
        efficiencies_err=np.full_like(resp.efficiency, 1e-3),
        prior=prior,
        ts_stopping=0.0,
        max_iter=4,
    )
    assert ref["num_iterations"] == 4
    np.testing.assert_allclose(ours, ref["unfolded"], rtol=1e-10)


def test_ibu_closes_on_its_own_simulation(toy):
    mc, _, resp, _ = toy
    unfolded = ibu(resp.reco, resp, 5)
    for row in unfolded:  # the MC truth is a fixed point
        np.testing.assert_allclose(row, resp.truth, rtol=1e-9)


def test_ibu_recovers_the_toy_truth(toy):
    _, data, resp, d = toy
    centres = 0.5 * (EDGES[1:] + EDGES[:-1])
    t = ibu(d, resp, 10)[-1]
    mean = np.sum(t * centres) / t.sum()
    std = np.sqrt(np.sum(t * (centres - mean) ** 2) / t.sum())
    assert mean == pytest.approx(0.2, abs=0.02)
    assert std == pytest.approx(np.sqrt(0.8**2 + (8 / 20) ** 2 / 12), abs=0.03)  # binned width
    true_counts, _ = np.histogram(data["gen"][data["pass_gen"]], EDGES)
    assert t.sum() == pytest.approx(true_counts.sum(), rel=0.02)  # efficiency corrected


def test_bin_by_bin_is_biased_towards_the_prior(toy):
    _, data, resp, d = toy
    centres = 0.5 * (EDGES[1:] + EDGES[:-1])
    b = bin_by_bin(d, resp)
    std_bbb = np.sqrt(np.sum(b * centres**2) / b.sum() - (np.sum(b * centres) / b.sum()) ** 2)
    assert std_bbb > 0.85  # stays wider than the truth's 0.8: the detector width is not removed


def test_errors():
    mc = gaussian_toy(1000, seed=0)
    with pytest.raises(ValueError, match="empty truth bins"):
        build_response(mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], np.linspace(10, 20, 5), EDGES)
    small = np.linspace(-2, 2, 9)
    resp = build_response(mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], small, small)
    with pytest.raises(ValueError, match="expects"):
        ibu(np.ones(5), resp, 2)
    with pytest.raises(ValueError, match="weights must be finite"):
        build_response(
            mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], small, small, weights=-np.ones(len(mc["gen"]))
        )
    with pytest.raises(ValueError, match="inefficiency"):
        gaussian_toy(10, inefficiency=1.5)


def test_nan_in_the_data_histogram_is_named():
    # today: an all-NaN result without a word
    mc = gaussian_toy(2000, seed=3)
    small = np.linspace(-2, 2, 9)
    resp = build_response(mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], small, small)
    d = np.full(8, 10.0)
    d[3] = np.nan
    with pytest.raises(ValueError, match=r"data histogram has 1 non-finite or negative bin\(s\) \(first: bin 3"):
        ibu(d, resp, 2)


def test_all_simulated_events_failing_reconstruction_is_named():
    # today: an all-zero (or all-NaN) result without a word
    mc = gaussian_toy(2000, seed=3)
    small = np.linspace(-2, 2, 9)
    none = np.zeros(len(mc["gen"]), bool)
    with pytest.raises(ValueError, match="no simulated event passes reconstruction inside the reco edges"):
        build_response(mc["gen"], mc["reco"], mc["pass_gen"], none, small, small)


@pytest.mark.parametrize("which", ["gen_edges", "reco_edges"])
def test_decreasing_edges_are_named(which):
    # today: a NumPy error five frames deep ("bins must increase monotonically")
    mc = gaussian_toy(2000, seed=3)
    good, bad = np.linspace(-2, 2, 9), np.array([-2.0, -1.0, 0.5, 0.0, 1.0, 2.0])
    edges = {"gen_edges": good, "reco_edges": good, which: bad}
    with pytest.raises(
        ValueError, match=rf"{which} must be strictly increasing; {which}\[2\] = 0.5 >= {which}\[3\] = 0"
    ):
        build_response(mc["gen"], mc["reco"], mc["pass_gen"], mc["pass_reco"], edges["gen_edges"], edges["reco_edges"])


def test_weighted_response_and_bin_by_bin_by_hand():
    """Six weighted events, counted by hand (mutation testing found these paths unchecked)."""
    from helpers.unfolding.ibu import bin_by_bin, build_response

    #            gen   reco  pass_gen pass_reco weight
    events = [
        (0.2, 0.3, True, True, 2.0),  # gen bin 0 -> reco bin 0
        (0.3, 1.4, True, True, 1.0),  # gen bin 0 -> reco bin 1 (migration)
        (0.4, 0.0, True, False, 0.5),  # gen bin 0, lost (inefficiency)
        (1.5, 1.6, True, True, 3.0),  # gen bin 1 -> reco bin 1
        (9.0, 0.6, False, True, 4.0),  # a fake in reco bin 0
        (1.2, 1.1, True, True, 0.25),
    ]  # gen bin 1 -> reco bin 1
    gen, reco, pg, pr, w = (np.array(c) for c in zip(*events))
    r = build_response(gen, reco, pg, pr, [0.0, 1.0, 2.0], [0.0, 1.0, 2.0], weights=w)
    np.testing.assert_allclose(r.truth, [3.5, 3.25])
    np.testing.assert_allclose(r.reco, [6.0, 4.25])
    # P(reco bin i | gen bin j): column 0 = (2, 1) / 3.5, column 1 = (0, 3.25) / 3.25
    np.testing.assert_allclose(r.matrix, [[2 / 3.5, 0.0], [1 / 3.5, 1.0]])
    np.testing.assert_allclose(r.efficiency, [3 / 3.5, 1.0])
    np.testing.assert_allclose(r.background, [4.0, 0.0])  # the fake; nothing else is background
    # bin-by-bin: data × truth / reco per bin; an empty reco bin gives 0
    np.testing.assert_allclose(bin_by_bin([12.0, 8.5], r), [12 * 3.5 / 6, 8.5 * 3.25 / 4.25])
    r.reco[1] = 0.0
    np.testing.assert_allclose(bin_by_bin([12.0, 8.5], r), [12 * 3.5 / 6, 0.0])
    # a truth bin with less than one event's weight is not empty
    small = build_response(gen, reco, pg, pr, [0.0, 1.0, 2.0], [0.0, 1.0, 2.0], weights=w * 0.1)
    np.testing.assert_allclose(small.truth, [0.35, 0.325])


def test_edges_and_weights_accept_the_edge_cases_and_refuse_the_rest():
    from helpers.unfolding.ibu import build_response

    gen = np.array([0.2, 0.7, 0.4])
    ok = np.ones(3, bool)
    one_bin = build_response(gen, gen, ok, ok, [0.0, 1.0], [0.0, 1.0])  # a single bin is a histogram
    assert one_bin.matrix.shape == (1, 1) and one_bin.truth.tolist() == [3.0]
    # zero and fractional weights are weights; only negative or non-finite ones are refused
    r = build_response(gen, gen, ok, ok, [0.0, 0.5, 1.0], [0.0, 0.5, 1.0], weights=[0.5, 0.25, 0.0])
    np.testing.assert_allclose(r.reco, [0.5, 0.25])  # event 3 (0.4, weight 0) counts nothing
    for bad in ([0.5, -0.1, 1.0], [0.5, np.nan, 1.0]):
        with pytest.raises(ValueError):
            build_response(gen, gen, ok, ok, [0.0, 0.5, 1.0], [0.0, 0.5, 1.0], weights=bad)
    for edges in ([0.0, 0.5, 0.5, 1.0], [0.0, np.nan, 1.0], [[0.0, 1.0]], [0.5]):
        with pytest.raises(ValueError, match="edges"):
            build_response(gen, gen, ok, ok, edges, [0.0, 1.0])


def test_fiducial_weights_by_hand_and_their_unit_conversion():
    from helpers.unfolding.release import fiducial_weights

    push = np.array([1.0, 2.0, 3.0, 4.0])
    pull = np.array([1.0, 1.0, 2.0, 0.0])
    pass_gen = np.array([True, True, False, True])
    pass_reco = np.array([True, False, True, True])
    # k = Σ data weights / Σ pull over reconstructed = 6 / 3 = 2; σ_i = push_i k / L, L = 0.5 pb⁻¹
    np.testing.assert_allclose(fiducial_weights(push, pull, pass_gen, pass_reco, 6.0, 0.5), [4.0, 8.0, 16.0])
    np.testing.assert_allclose(fiducial_weights(push, pull, pass_gen, pass_reco, 0.6, 2.0), [0.1, 0.2, 0.4])
    for lumi, total in ((0.0, 6.0), (-1.0, 6.0), (0.5, 0.0)):
        with pytest.raises(ValueError, match="must be positive"):
            fiducial_weights(push, pull, pass_gen, pass_reco, total, lumi)


def _response_2x2():
    from helpers.unfolding.ibu import Response

    R = np.array([[0.8, 0.1], [0.1, 0.6]])  # P(reco i | gen j); efficiencies 0.9 and 0.7
    edges = np.array([0.0, 1.0, 2.0])
    return Response(edges, edges, R, R.sum(axis=0), np.zeros(2), np.array([100.0, 100.0]), np.array([90.0, 70.0]))


def test_ibu_iterations_by_hand():
    """D'Agostini's update on a 2 x 2 response, computed by hand:
    prior (100, 100) folds to (90, 70), scaled to the data's 150 events: t0 = (93.75, 93.75);
    t1_j = t0_j Σ_i R_ij d_i / (R t0)_i / ε_j = (98.4127, 87.7551); t2 = (100.4698, 85.1103)."""
    from helpers.unfolding.ibu import ibu

    out = ibu([90.0, 60.0], _response_2x2(), 2)
    np.testing.assert_allclose(out, [[93.75, 93.75], [98.41269841, 87.75510204], [100.46980193, 85.11025466]])
    only_prior = ibu([90.0, 60.0], _response_2x2(), 0)
    assert only_prior.shape == (1, 2)
    # a data histogram with an empty bin is valid data
    assert np.all(np.isfinite(ibu([90.0, 0.0], _response_2x2(), 3)))


def test_ibu_leaves_a_bin_without_efficiency_empty():
    from helpers.unfolding.ibu import Response, ibu

    R = np.array([[0.8, 0.0], [0.1, 0.0]])  # gen bin 1 is never reconstructed
    edges = np.array([0.0, 1.0, 2.0])
    r = Response(edges, edges, R, R.sum(axis=0), np.zeros(2), np.array([100.0, 50.0]), np.array([80.0, 10.0]))
    out = ibu([80.0, 10.0], r, 2)
    assert np.all(out[1:, 1] == 0.0)  # nothing in the data can say what it held
    np.testing.assert_allclose(out[1:, 0], 90.0 / 0.9)  # the rest is corrected for its efficiency


@pytest.mark.parametrize(
    "p, q, want",
    [
        ([1, 0], [0, 1], 1000.0),  # disjoint: ½ (1 + 1) × 10³
        ([1, 1], [1, 3], 0.5 * (0.25**2 / 0.75 + 0.25**2 / 1.25) * 1e3),  # normalised (½, ½) vs (¼, ¾)
        ([7, 0, 7], [2, 0, 6], 0.5 * (0.25**2 / 0.75 + 0.25**2 / 1.25) * 1e3),  # scale-free; empty bins add 0
        ([3, 5], [3, 5], 0.0),
    ],
)
def test_triangular_discriminator_known_values(p, q, want):
    from helpers.unfolding.metrics import triangular_discriminator

    assert triangular_discriminator(p, q) == pytest.approx(want, rel=1e-12, abs=1e-12)
    with pytest.raises(ValueError, match="positive totals"):
        triangular_discriminator(p, np.zeros(len(q)))
