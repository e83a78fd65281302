import numpy as np
import pytest

from helpers.gaps.data import network_input, split_indices
from helpers.gaps.features import event_features
from helpers.stats import rejection_at_efficiency


def test_split_indices_partition():
    tr, va, te = split_indices(1000, seed=3)
    assert (len(tr), len(va), len(te)) == (700, 100, 200)
    assert len(np.unique(np.concatenate([tr, va, te]))) == 1000
    with pytest.raises(ValueError, match="fractions"):
        split_indices(10, seed=0, fractions=(0.5, 0.5))


def test_network_input_layouts_and_binarise():
    rng = np.random.default_rng(0)
    x = np.where(rng.uniform(size=(3, 10, 12, 12)) < 0.05, rng.uniform(0.01, 50, (3, 10, 12, 12)), 0.0)
    t = np.where(x > 0, 7.0, 0.0)
    v3 = network_input(x)
    assert v3.shape == (3, 10, 12, 12, 1) and np.allclose(v3[..., 0] * 10, x)
    b = network_input(x, binarise=True)
    assert set(np.unique(b)) == {0.0, 1.0} and ((b[..., 0] == 1) == (x > 0)).all()
    v2 = network_input(x, "2d", t=t)
    assert v2.shape == (3, 12, 12, 20)
    np.testing.assert_allclose(v2[0, 4, 5, 2 * 3], x[0, 3, 4, 5] / 10, rtol=1e-6)  # layer 3, deposit channel
    with pytest.raises(ValueError, match="layout"):
        network_input(x, "1d")
    with pytest.raises(ValueError, match=r"shape \(n, layers, x, y\)"):
        network_input(x[0])


def test_event_features_known_event():
    x = np.zeros((1, 10, 12, 12))
    x[0, 0, 5, 5] = 4.0
    x[0, 1, 5, 5] = 6.0
    x[0, 3, 5, 5] = 30.0  # annihilation
    x[0, 6, 1, 2] = 0.05  # an X-ray
    f = event_features(x)
    assert f["total_deposit"][0] == pytest.approx(40.05)
    assert f["hits"][0] == 4 and f["maximum_deposit"][0] == 30 and f["maximum_layer"][0] == 3
    assert f["deepest_layer"][0] == 6 and f["shallowest_layer"][0] == 0
    assert f["xray_like_hits"][0] == 1 and f["energy_outside_maximum"][0] == pytest.approx(10.05)


def test_rejection_at_efficiency():
    y = np.array([1] * 10 + [0] * 10)
    s = np.concatenate([np.linspace(1, 2, 10), np.linspace(0, 1.5, 10)])
    r = rejection_at_efficiency(y, s, 0.9)
    passing = np.sum(s[10:] >= r["threshold"])
    assert r["rejection"] == pytest.approx(10 / passing) and not r["lower_limit"]
    perfect = rejection_at_efficiency(y, np.concatenate([np.ones(10), np.zeros(10)]), 0.5)
    assert perfect["lower_limit"] and perfect["rejection"] == 10
    with pytest.raises(ValueError, match="efficiency"):
        rejection_at_efficiency(y, s, 1.0)
    with pytest.raises(ValueError, match="both signal"):
        rejection_at_efficiency(np.ones(5), np.ones(5), 0.5)


def test_energy_loss_profile_aligns_on_the_largest_deposit():
    from helpers.gaps.features import energy_loss_profile

    x = np.zeros((2, 10, 12, 12))
    x[0, 0:4, 5, 5] = [4.0, 5.0, 7.0, 30.0]  # a track stopping in layer 3
    x[0, 6, 1, 1] = 0.05
    x[1, 9, 0, 11] = 12.0  # a lone deposit in the bottom layer
    p = energy_loss_profile(x)
    assert p.shape == (2, 19)
    np.testing.assert_array_equal(p[0, 6:10], [4.0, 5.0, 7.0, 30.0])  # index 9 = the maximum
    assert p[0].sum() == 46.0 and p[1, 9] == 12.0 and p[1].sum() == 12.0
