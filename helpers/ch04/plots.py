"""Figures of chapter 4: accuracy against the shrink factor with std and s.e. bands, image strips."""

from __future__ import annotations

import numpy as np

from ..plotting import OKABE_ITO, band
from .degrade import FACTORS, METHODS

COLOURS = dict(zip(METHODS, OKABE_ITO[:3]))


def factor_axis(ax, factors=FACTORS) -> None:
    """x axis: 'Original' at 1, then 1/2 … 1/8."""
    ticks = [1, *factors]
    ax.set_xticks(ticks, ["orig."] + [f"1/{f}" for f in factors])
    ax.set_xlabel("test images shrunk to")


def accuracy_vs_factor(ax, summary: dict, method: str, *, factors=FACTORS, key=lambda m, f: f"{m}/{f}",
                       original: str = "original", label: str | None = None, color=None) -> None:
    """Mean accuracy over repeats with a ±1 std band (light) and a ±1 s.e. band (dark)."""
    x = [1, *factors]
    rows = [summary[original]] + [summary[key(method, f)] for f in factors]
    band(ax, x, [r["mean"] for r in rows], [r["std"] for r in rows], sem=[r["sem"] for r in rows],
         label=label or method, color=color or COLOURS.get(method))
    factor_axis(ax, factors)
    ax.set_ylabel("test accuracy")


def strip(axes, images, titles, vmax=None) -> None:
    """A row of prepared images (0–1 scale) with titles."""
    for ax, im, t in zip(axes, images, titles):
        ax.imshow(np.squeeze(im), origin="lower", cmap="gray", vmin=0, vmax=vmax or 1, interpolation="nearest")
        ax.set_title(t, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
