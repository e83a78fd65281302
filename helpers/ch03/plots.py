"""Figures of chapter 3: learning curves with bands, confusion matrices as mean ± std of counts."""

from __future__ import annotations

import numpy as np


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
    ax.legend(fontsize=8)


def confusion_panel(ax, cms: np.ndarray, names, title: str) -> None:
    """Confusion matrix: mean count ± std over repeats in each cell, coloured by row share."""
    mean, std = cms.mean(axis=0), cms.std(axis=0, ddof=1) if len(cms) > 1 else np.zeros(cms.shape[1:])
    share = mean / np.maximum(mean.sum(axis=1, keepdims=True), 1e-9)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(mean.shape[0]):
        for j in range(mean.shape[1]):
            ax.text(j, i, f"{mean[i, j]:.1f}\n± {std[i, j]:.1f}", ha="center", va="center",
                    color="white" if share[i, j] > 0.6 else "black", fontsize=9)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="predicted", ylabel="true (GZ flag)", title=title)
