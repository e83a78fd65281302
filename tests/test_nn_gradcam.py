"""Grad-CAM: the gradient is checked against finite differences; maps have the right shape."""

import numpy as np
import pytest

from helpers.nn.gradcam import gradcam, maps_and_gradients, resize_nearest, split_at
from helpers.nn.gradcheck import numerical_gradient, relative_error


@pytest.fixture(scope="module")
def tiny():
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((3, 4, 4, 1), dtype="float64"),
            keras.layers.Conv3D(2, 2, activation="tanh", name="last_conv", dtype="float64"),
            keras.layers.Flatten(dtype="float64"),
            keras.layers.Dense(3, activation="tanh", dtype="float64"),
            keras.layers.Dense(1, dtype="float64"),
        ]
    )


def test_gradient_matches_finite_differences(tiny):
    x = np.random.default_rng(1).normal(size=(3, 3, 4, 4, 1))
    A, G = maps_and_gradients(tiny, x, "last_conv")
    if A.dtype != np.float64:
        pytest.skip("this backend computes in float32 (JAX: set JAX_ENABLE_X64=1 for the float64 check)")
    _, head = split_at(tiny, "last_conv")
    num = numerical_gradient(lambda: float(np.sum(np.asarray(head(A)))), A)
    assert relative_error(G, num) < 1e-8
    A2, G2 = maps_and_gradients(tiny, x, "last_conv", class_sign=-1.0)
    np.testing.assert_allclose(G2, -G)


def test_gradcam_by_hand(tiny):
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 4, 1))
    A, G = maps_and_gradients(tiny, x, "last_conv")
    alpha = G.mean(axis=(1, 2, 3))  # (n, channels)
    cam = np.maximum(np.einsum("nc,nijkc->nijk", alpha, A), 0)
    cam /= np.where(cam.max(axis=(1, 2, 3)) > 0, cam.max(axis=(1, 2, 3)), 1)[:, None, None, None]
    out = gradcam(tiny, x, "last_conv")
    assert out.shape == (2, 3, 4, 4)
    np.testing.assert_allclose(out, resize_nearest(cam, (3, 4, 4)), atol=1e-12)
    assert out.min() >= 0 and np.all((out.max(axis=(1, 2, 3)) == 1) | (out.max(axis=(1, 2, 3)) == 0))


def test_resize_nearest():
    cam = np.arange(4.0).reshape(1, 2, 2)
    out = resize_nearest(cam, (4, 4))
    assert out[0].tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    with pytest.raises(ValueError, match="spatial axes"):
        resize_nearest(cam, (4, 4, 4))


def test_unknown_layer_is_named(tiny):
    with pytest.raises(ValueError, match="no layer named 'conv9'"):
        split_at(tiny, "conv9")
