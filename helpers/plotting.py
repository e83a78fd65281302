"""The book's plotting style and small figure utilities shared by all chapters.

Book-wide figure style (issue 21): every text element is at least 11 pt and no figure is wider than
``MAX_WIDTH_IN`` inches, so that a figure shown in the book's ~820 px text column keeps its titles,
ticks and legends legible (a 14-inch figure squeezed into that column shrinks 11 pt text to ~6 px).
:func:`use_style` applies both: the rcParams below, and a pyplot figure hook
(``figure.hooks``) that scales a wider figure down to ``MAX_WIDTH_IN`` at its own aspect ratio
while the fonts keep their size in points.
"""

from __future__ import annotations

import matplotlib as mpl

# The widest figure the book shows, in inches (at figure.dpi 100: 1000 px, about the text column
# of the sphinx-book-theme page at desktop width, which then shrinks it by less than a fifth).
MAX_WIDTH_IN = 10.0
# The smallest font, in points, of any text in a figure.
MIN_FONT_PT = 11

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": MIN_FONT_PT,
    # Named sizes ("small", "x-small") are relative to font.size and would fall below 11 pt:
    # every element gets an absolute size instead.
    "axes.titlesize": 12,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 13,
    "figure.labelsize": MIN_FONT_PT,
    "image.cmap": "viridis",
    "figure.hooks": ["helpers.plotting:cap_width"],
}

# Colour-blind-safe cycle (Okabe & Ito 2008), used for every line plot in the book.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def cap_width(fig, max_width: float = MAX_WIDTH_IN) -> None:
    """Scale ``fig`` down to ``max_width`` inches wide, keeping its aspect ratio (a pyplot figure
    hook: called by ``plt.figure``/``plt.subplots`` right after creating a figure)."""
    w, h = fig.get_size_inches()
    if w > max_width:
        fig.set_size_inches(max_width, h * max_width / w, forward=False)


def use_style() -> None:
    """Apply the book's matplotlib style (see the module docstring) and keep matplotlib objects'
    reprs out of notebook outputs."""
    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=OKABE_ITO)
    quiet_artist_reprs()


def quiet_artist_reprs() -> None:
    """In an IPython kernel, let a cell that ends in ``fig.colorbar(...)``, ``ax.legend()``,
    ``ax.set_title(...)`` or ``ax.imshow(...)`` print nothing (not ``<matplotlib.colorbar.Colorbar
    at 0x…>``): these objects' displays are suppressed. Figures still display as usual."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    ip = get_ipython()
    if ip is None:
        return
    from matplotlib.colorbar import Colorbar
    from matplotlib.image import AxesImage
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    quiet = ip.display_formatter.ipython_display_formatter
    for cls in (Colorbar, Legend, Text, AxesImage):
        quiet.for_type(cls, _display_nothing)


def _display_nothing(obj) -> None:
    """An ``_ipython_display_`` stand-in that displays nothing."""


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
