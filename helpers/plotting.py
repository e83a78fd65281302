"""The book's plotting style and small figure utilities shared by all chapters."""

from __future__ import annotations

import matplotlib as mpl

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 11,
    "image.cmap": "viridis",
}

# Colour-blind-safe cycle (Okabe & Ito 2008), used for every line plot in the book.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def use_style() -> None:
    """Apply the book's matplotlib style."""
    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=OKABE_ITO)


def band(ax, x, summary_mean, summary_std, *, label=None, color=None, sem=None, alpha=0.25):
    """Plot a mean curve with a ±1 std band (and, if given, a darker ±1 s.e. band)."""
    import numpy as np

    x = np.asarray(x)
    mean = np.asarray(summary_mean)
    std = np.asarray(summary_std)
    (line,) = ax.plot(x, mean, label=label, color=color)
    c = line.get_color()
    ax.fill_between(x, mean - std, mean + std, color=c, alpha=alpha, lw=0)
    if sem is not None:
        sem = np.asarray(sem)
        ax.fill_between(x, mean - sem, mean + sem, color=c, alpha=min(1.0, 2 * alpha), lw=0)
    return line
