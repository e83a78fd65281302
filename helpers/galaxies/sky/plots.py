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


def debiasing(ax, frac: dict, m_range: tuple[float, float] | None = None, z_complete: float | None = None) -> None:
    """Raw, debiased and true early-type fractions against redshift on ``ax``, with binomial error
    bars, from :func:`helpers.galaxies.sky.debias.early_fraction_by_z`; ``z_complete`` (optional)
    marks the redshift beyond which the faint end of the luminosity slice drops out of the sample."""
    z = np.asarray(frac["z_mid"])
    dz = 0.12 * float(np.min(np.diff(frac["z_lo"]))) if len(z) > 1 else 0.0
    styles = (
        ("raw", "raw votes", "#D55E00", "s", -dz),
        ("debiased", "debiased votes", "#0072B2", "o", 0.0),
        ("true", "true type (E + S0)", "k", "^", dz),
    )
    for key, label, colour, marker, shift in styles:
        if key in frac:
            ok = np.asarray(frac["n"]) > 0
            ax.errorbar(
                z[ok] + shift,
                np.asarray(frac[key])[ok],
                yerr=np.asarray(frac[key + "_err"])[ok],
                fmt=marker + "-",
                color=colour,
                ms=5,
                capsize=2,
                label=label,
            )
    if z_complete is not None:
        ax.axvline(z_complete, color="gray", ls=":", lw=1, label="slice complete below")
    title = "early-type fraction"
    if m_range is not None:
        title += f" at {m_range[0]} < $M_r$ < {m_range[1]}"
    ax.set(xlabel="redshift z", ylabel="early-type fraction", title=title, ylim=(0, None))
    ax.legend(fontsize=8)
