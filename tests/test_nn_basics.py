import numpy as np
import pytest

from helpers.nn.data import digits_split, truth_table
from helpers.nn.gradcheck import numerical_gradient, relative_error


def test_truth_tables():
    X, y = truth_table("and")
    assert X.tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]
    assert y.tolist() == [0, 0, 0, 1]
    assert truth_table("XOR")[1].tolist() == [0, 1, 1, 0]
    nand = truth_table("NAND")[1]
    assert (nand == 1 - y).all()
    with pytest.raises(ValueError, match="unknown gate 'XNOR'"):
        truth_table("XNOR")


def test_digits_split_is_disjoint_stratified_and_scaled():
    (xt, yt), (xv, yv), (xs, ys) = digits_split(200, 100, 300, seed=1)
    assert xt.shape == (200, 8, 8, 1) and xv.shape == (100, 8, 8, 1) and xs.shape == (300, 8, 8, 1)
    assert 0.0 <= xt.min() and xt.max() <= 1.0
    assert np.bincount(yt, minlength=10).min() >= 19  # stratified: 20 ± 1 per class
    flat = lambda a: {a_i.tobytes() for a_i in a}
    # the digits set has a few exact duplicate images; allow those but no systematic overlap
    assert len(flat(xt) & flat(xs)) <= 2
    (xt2, _), _, _ = digits_split(200, 100, 300, seed=1)
    np.testing.assert_array_equal(xt, xt2)


@pytest.mark.parametrize("sizes,match", [((1500, 200, 200), "exceeds the 1797"), ((5, 100, 100), "n_train")])
def test_digits_split_errors(sizes, match):
    with pytest.raises(ValueError, match=match):
        digits_split(*sizes, seed=0)


def test_numerical_gradient_of_known_function():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert relative_error(g, 3 * x**2) < 1e-9
    assert x.tolist() == [[0.5, -1.0], [2.0, 3.0]], "x must be restored after perturbation"


def test_gradcheck_detects_a_wrong_gradient():
    x = np.linspace(-1, 1, 7)
    g = numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    assert relative_error(g, np.cos(x)) < 1e-9
    assert relative_error(g, np.cos(x) * 1.01) > 1e-3


def test_gradcheck_input_errors():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(3), np.zeros(4))
