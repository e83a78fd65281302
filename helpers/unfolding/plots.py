"""Histogram comparisons with a ratio panel, the standard picture of an unfolding result."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def compare(
    edges, hists: dict, reference: str, *, errors: dict | None = None, xlabel="", title="", density=True, fig=None
):
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
                bottom.fill_between(
                    edges[:-1],
                    np.where(ref > 0, (y - e) / ref, np.nan),
                    np.where(ref > 0, (y + e) / ref, np.nan),
                    step="post",
                    alpha=0.25,
                    color=line.get_edgecolor(),
                )
    top.set(ylabel="normalised density" if density else "events", title=title)
    top.legend()
    bottom.axhline(1, color="k", lw=0.8)
    bottom.set(xlabel=xlabel, ylabel=f"/ {reference}", ylim=(0.7, 1.3))
    return fig


def moments(values, weights=None):
    """Weighted mean and standard deviation."""
    m = np.average(values, weights=weights)
    return float(m), float(np.sqrt(np.average((values - m) ** 2, weights=weights)))


def density(values, edges, weights=None):
    """Normalised histogram (unit area over the bins) of the finite values."""
    v = np.asarray(values, float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, float)
    ok = np.isfinite(v)
    h = np.histogram(v[ok], edges, weights=w[ok])[0]
    return h / h.sum() / np.diff(edges)


def collider_style(style: str = "ATLAS"):
    """A context in which collider plots are drawn: mplhep's experiment style (``mplhep.style.ATLAS``
    by default)."""
    import mplhep as hep

    return plt.style.context(getattr(hep.style, style))


def simulation_label(ax, fontsize=None):
    """Mark a panel as simulation (mplhep's experiment label, without an experiment's name: these are
    the book's Pythia events, not an experiment's)."""
    import mplhep as hep

    return hep.label.exp_text(exp="", text="Simulation", ax=ax, fontsize=fontsize)


def grid(
    columns,
    edges: dict,
    curves: dict,
    *,
    ratio_to: str | None = None,
    bands: dict | None = None,
    band_label: str = "uncertainty",
    ncols: int = 4,
    ylim=(0.6, 1.4),
    label=lambda c: c,
    style: str | None = "ATLAS",
):
    """One panel per observable. ``curves``: name → {column → per-bin values}. With ``ratio_to``,
    every curve is divided by that one; ``bands`` (column → per-bin relative error) is drawn around
    1 (or around the reference's shape without ``ratio_to``). ``style``: mplhep experiment style
    (collider results; None: matplotlib's), with the first panel labelled as simulation. Panels are
    2.5 in wide (the default 4 columns fill the book's 10-inch width) with the book's font sizes."""
    from contextlib import nullcontext

    with collider_style(style) if style else nullcontext():
        return _grid(
            columns,
            edges,
            curves,
            ratio_to=ratio_to,
            bands=bands,
            band_label=band_label,
            ncols=ncols,
            ylim=ylim,
            label=label,
            labelled=style is not None,
        )


def _grid(columns, edges, curves, *, ratio_to, bands, band_label, ncols, ylim, label, labelled):
    nrows = int(np.ceil(len(columns) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.5 * ncols, 2.3 * nrows), squeeze=False)
    for ax, col in zip(axes.flat, columns):
        e = edges[col]
        ref = curves[ratio_to][col] if ratio_to else None
        if bands is not None and col in bands:
            centre = np.ones(len(e) - 1) if ratio_to else curves[next(iter(curves))][col]
            lo, hi = centre * (1 - bands[col]), centre * (1 + bands[col])
            ax.fill_between(e, np.r_[lo, lo[-1]], np.r_[hi, hi[-1]], step="post", color="0.8", lw=0, label=band_label)
        for name, c in curves.items():
            y = c[col] / ref if ratio_to else c[col]
            ax.stairs(y, e, label=name, lw=1.2, baseline=None if ratio_to else 0)
        ax.set_title(label(col))
        if ratio_to:
            ax.set_ylim(*ylim)
    for ax in list(axes.flat)[len(columns) :]:
        ax.axis("off")
    axes.flat[0].legend()
    if labelled:
        simulation_label(axes.flat[0])
    fig.tight_layout()
    return fig
