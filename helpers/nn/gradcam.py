"""Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391) for Keras models with 2-D or 3-D convolutions.

For one class score ``y`` (a logit, not a probability) and the feature maps ``A_k`` of the last
convolution layer:

    α_k = mean over positions of ∂y/∂A_k          (one weight per channel)
    L   = ReLU(Σ_k α_k A_k)                        (a map at the resolution of A)

then ``L`` is normalised to a maximum of 1 and resized to the input grid (nearest neighbour, since
the maps here are coarse detector grids, not photographs).
"""

from __future__ import annotations

import numpy as np

from helpers.pipeline import backend


def split_at(model, layer_name: str):
    """(features, head): the model up to and including ``layer_name``, and the rest after it.

    Works for ``keras.Sequential`` models, whose layers form a chain.
    """
    import keras

    names = [l.name for l in model.layers]
    if layer_name not in names:
        raise ValueError(f"no layer named {layer_name!r} in the model (layers: {', '.join(names)})")
    k = names.index(layer_name)
    features = keras.Model(model.inputs[0], model.layers[k].output)
    head_in = keras.Input(model.layers[k].output.shape[1:], dtype=model.layers[k].output.dtype)
    h = head_in
    for layer in model.layers[k + 1 :]:
        h = layer(h)
    return features, keras.Model(head_in, h)


def maps_and_gradients(model, x, layer_name: str, class_sign: float = 1.0):
    """Feature maps A of ``layer_name`` and ∂(sign·logit)/∂A for a batch ``x``.

    For a single-logit binary classifier, ``class_sign = +1`` explains the positive class and
    ``-1`` the negative one.
    """
    features, head = split_at(model, layer_name)
    A = np.array(features(x))
    grads = backend.gradient_of_sum(lambda a: class_sign * head(a)[:, 0], A)
    return A, grads


def gradcam(model, x, layer_name: str, class_sign: float = 1.0, input_shape=None) -> np.ndarray:
    """Grad-CAM maps for a batch, normalised to max 1 per sample, resized to ``input_shape``
    (default: the model input's spatial shape)."""
    A, G = maps_and_gradients(model, x, layer_name, class_sign)
    spatial = tuple(range(1, A.ndim - 1))
    alpha = G.mean(axis=spatial, keepdims=True)  # (n, 1, …, 1, channels)
    cam = np.maximum((alpha * A).sum(axis=-1), 0.0)  # (n, *spatial)
    peak = cam.reshape(len(cam), -1).max(axis=1)
    cam = cam / np.where(peak > 0, peak, 1.0).reshape((-1,) + (1,) * (cam.ndim - 1))
    target = tuple(input_shape or model.input_shape[1:-1])
    return resize_nearest(cam, target)


def resize_nearest(cam: np.ndarray, target: tuple[int, ...]) -> np.ndarray:
    """Nearest-neighbour resize of (n, *spatial) maps to (n, *target)."""
    if cam.ndim - 1 != len(target):
        raise ValueError(f"maps have {cam.ndim - 1} spatial axes, target shape {target} has {len(target)}")
    idx = [np.minimum((np.arange(t) * s / t).astype(int), s - 1) for s, t in zip(cam.shape[1:], target)]
    return cam[np.ix_(np.arange(len(cam)), *idx)]
