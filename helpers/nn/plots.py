"""Figures of chapter 1 that are plumbing rather than the idea being taught."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np


def decision_regions(
    ax,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    *,
    title: str = "",
    lim: tuple[float, float] = (-0.5, 1.5),
    n: int = 301,
):
    """Shade where ``predict`` outputs 0 (hatched, as thesis fig. 2.2) and 1; mark the points."""
    g = np.linspace(*lim, n)
    xx, yy = np.meshgrid(g, g)
    z = np.asarray(predict(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    ax.contourf(xx, yy, z, levels=[-0.5, 0.5, 1.5], colors=["#dddddd", "#cce5ff"])
    ax.contourf(xx, yy, z, levels=[-0.5, 0.5], colors="none", hatches=["//"])
    ax.contour(xx, yy, z, levels=[0.5], colors="k", linewidths=1)
    for label, marker, color in ((0, "o", "#D55E00"), (1, "s", "#0072B2")):
        m = y == label
        ax.scatter(X[m, 0], X[m, 1], marker=marker, s=80, c=color, edgecolor="k", label=f"y = {label}", zorder=3)
    ax.set(xlim=lim, ylim=lim, xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    ax.grid(False)
    return ax


def image_grid(images: np.ndarray, titles=None, ncols: int = 8, size: float = 1.2, cmap="gray_r"):
    """A grid of small images (n, h, w) or (n, h, w, 1) with optional titles."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must be (n, h, w) or (n, h, w, 1), got shape {images.shape}")
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[i]))
    fig.tight_layout()
    return fig
