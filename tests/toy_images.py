"""Small labelled images a CNN can learn in two epochs, shared by the training-cache tests."""

import numpy as np


def bright_square_images(n=40, seed=0):
    """``n`` noise images of 64 × 64, half of them (label 1) with a bright square in the middle."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    x = rng.random((n, 64, 64, 1), dtype=np.float32)
    x[y == 1, 24:40, 24:40] += 1.0  # a bright square: something learnable
    return x, y
