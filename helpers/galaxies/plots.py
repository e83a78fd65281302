"""Figures of chapters 3 and 4: learning curves with bands, confusion matrices as mean ± std of
counts, accuracy against the shrink factor with std and s.e. bands, image strips."""

from __future__ import annotations

import numpy as np

from helpers.galaxies.resolution import FACTORS, METHODS
from helpers.plotting import OKABE_ITO, band


def curves_panel(ax, trainings, title: str, which=("train", "test", "val")) -> None:
    """Per-epoch accuracy, mean over repeats with a ±1 std band, for each recorded split."""
    colours = {"train": "#0072B2", "test": "#E69F00", "val": "#009E73"}
    ep = np.arange(1, trainings.epochs + 1)
    for w in which:
        if w == "val" and trainings.val_acc is None:
            continue
        m, s, _ = trainings.curve(w)
        ax.plot(ep, m, color=colours[w], label=w)
        ax.fill_between(ep, m - s, m + s, color=colours[w], alpha=0.25)
    ax.axvline(trainings.thesis_epoch() + 1, color="k", ls=":", lw=1, label="best mean test epoch")
    ax.set(xlabel="epoch", ylabel="accuracy", title=f"{title} (mean ± std, {trainings.test_acc.shape[0]} runs)")
    ax.legend()


def confusion_panel(ax, cms: np.ndarray, names, title: str) -> None:
    """Confusion matrix: mean count ± std over repeats in each cell, coloured by row share."""
    mean, std = cms.mean(axis=0), cms.std(axis=0, ddof=1) if len(cms) > 1 else np.zeros(cms.shape[1:])
    share = mean / np.maximum(mean.sum(axis=1, keepdims=True), 1e-9)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(mean.shape[0]):
        for j in range(mean.shape[1]):
            ax.text(
                j,
                i,
                f"{mean[i, j]:.1f}\n± {std[i, j]:.1f}",
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.6 else "black",
            )
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="predicted", ylabel="true (GZ flag)", title=title)


COLOURS = dict(zip(METHODS, OKABE_ITO[:3]))


def factor_axis(ax, factors=FACTORS) -> None:
    """x axis: 'Original' at 1, then 1/2 … 1/8."""
    ticks = [1, *factors]
    ax.set_xticks(ticks, ["orig."] + [f"1/{f}" for f in factors])
    ax.set_xlabel("test images shrunk to")


def accuracy_vs_factor(
    ax,
    summary: dict,
    method: str,
    *,
    factors=FACTORS,
    key=lambda m, f: f"{m}/{f}",
    original: str = "original",
    label: str | None = None,
    color=None,
) -> None:
    """Mean accuracy over repeats with a ±1 std band (light) and a ±1 s.e. band (dark)."""
    x = [1, *factors]
    rows = [summary[original]] + [summary[key(method, f)] for f in factors]
    band(
        ax,
        x,
        [r["mean"] for r in rows],
        [r["std"] for r in rows],
        sem=[r["sem"] for r in rows],
        label=label or method,
        color=color or COLOURS.get(method),
    )
    factor_axis(ax, factors)
    ax.set_ylabel("test accuracy")


def strip(axes, images, titles, vmax=None) -> None:
    """A row of prepared images (0–1 scale) with titles."""
    for ax, im, t in zip(axes, images, titles):
        ax.imshow(np.squeeze(im), origin="lower", cmap="gray", vmin=0, vmax=vmax or 1, interpolation="nearest")
        ax.set_title(t)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
