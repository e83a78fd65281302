"""Displaying cutouts: an asinh stretch set by the noise, so faint structure and bright cores show."""

from __future__ import annotations

import numpy as np

from helpers.galaxies.sky import constants as C


def stretch(image: np.ndarray, noise: float, soften: float = 3.0) -> np.ndarray:
    """asinh(image / (soften * noise)), scaled to [0, 1] between the noise floor and the peak."""
    x = np.arcsinh(np.asarray(image, float) / (soften * noise))
    lo, hi = np.arcsinh(-1.0), max(float(x.max()), 1.0)
    return np.clip((x - lo) / (hi - lo), 0, 1)


def show(ax, image: np.ndarray, survey: str, title: str | None = None, fontsize: float = 11) -> None:
    """One cutout on ``ax`` with the survey's noise-based stretch and an angular scale (5" bar)."""
    s = C.survey(survey)
    ax.imshow(stretch(image, s.sigma_pixel), origin="lower", cmap="gray", interpolation="nearest")
    bar = 5.0 / s.pixel_scale
    n = image.shape[0]
    ax.plot([0.06 * n, 0.06 * n + bar], [0.08 * n] * 2, color="#E69F00", lw=2)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)
