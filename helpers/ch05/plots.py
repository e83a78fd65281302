"""Histogram comparisons with a ratio panel, the standard picture of an unfolding result."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def compare(edges, hists: dict, reference: str, *, errors: dict | None = None, xlabel="", title="",
            density=True, fig=None):
    """Step histograms of ``hists`` (name -> counts) on top, their ratio to ``reference`` below.
    ``errors`` (name -> per-bin absolute errors) draws bands. Returns the figure."""
    if reference not in hists:
        raise KeyError(f"reference {reference!r} is not among the histograms {list(hists)}")
    edges = np.asarray(edges, float)
    widths = np.diff(edges)
    if fig is None:
        fig = plt.figure(figsize=(6.5, 5))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05})
    norm = {k: (h.sum() * widths if density else np.ones_like(widths)) for k, h in hists.items()}
    ref = hists[reference] / norm[reference]
    for name, h in hists.items():
        y = h / norm[name]
        line = top.stairs(y, edges, label=name, lw=1.8 if name == reference else 1.4)
        with np.errstate(invalid="ignore", divide="ignore"):
            bottom.stairs(np.where(ref > 0, y / ref, np.nan), edges, color=line.get_edgecolor())
        if errors and name in errors:
            e = np.asarray(errors[name]) / norm[name]
            top.fill_between(edges[:-1], y - e, y + e, step="post", alpha=0.25, color=line.get_edgecolor())
            with np.errstate(invalid="ignore", divide="ignore"):
                bottom.fill_between(edges[:-1], np.where(ref > 0, (y - e) / ref, np.nan),
                                    np.where(ref > 0, (y + e) / ref, np.nan), step="post", alpha=0.25,
                                    color=line.get_edgecolor())
    top.set(ylabel="normalised density" if density else "events", title=title)
    top.legend(fontsize=9)
    bottom.axhline(1, color="k", lw=0.8)
    bottom.set(xlabel=xlabel, ylabel=f"/ {reference}", ylim=(0.7, 1.3))
    return fig


def moments(values, weights=None):
    """Weighted mean and standard deviation."""
    m = np.average(values, weights=weights)
    return float(m), float(np.sqrt(np.average((values - m) ** 2, weights=weights)))
