"""Engineered per-event quantities of GAPS events: what a physicist would compute by hand."""

from __future__ import annotations

import numpy as np


def event_features(x: np.ndarray, t: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-event features of deposits ``x`` (n, layer, x, y) in MeV (and first-hit times ``t``).

    total deposit, hit count, deposit per hit, maximum deposit, the layer of the maximum deposit,
    the deepest and shallowest hit layers, the energy outside the maximum-deposit detector, the
    number of hits below 0.2 MeV (X-ray-like), and, with times, the time spread of the hits.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"events must have shape (n, layers, x, y), got {x.shape}")
    n, L = x.shape[:2]
    hit = x > 0
    hits = hit.sum(axis=(1, 2, 3))
    total = x.sum(axis=(1, 2, 3))
    flat = x.reshape(n, -1)
    imax = flat.argmax(axis=1)
    layer_hit = hit.any(axis=(2, 3))
    layers = np.arange(L)
    out = {
        "total_deposit": total,
        "hits": hits.astype(float),
        "deposit_per_hit": total / np.maximum(hits, 1),
        "maximum_deposit": flat.max(axis=1),
        "maximum_layer": (imax // (x.shape[2] * x.shape[3])).astype(float),
        "deepest_layer": np.where(layer_hit.any(1), (layer_hit * layers).max(axis=1), -1).astype(float),
        "shallowest_layer": np.where(layer_hit.any(1), np.where(layer_hit, layers, L).min(axis=1), -1).astype(float),
        "energy_outside_maximum": total - flat.max(axis=1),
        "xray_like_hits": ((x > 0) & (x < 0.2)).sum(axis=(1, 2, 3)).astype(float),
    }
    if t is not None:
        t = np.asarray(t)
        tt = np.where(hit, t, np.nan)
        with np.errstate(invalid="ignore"):
            out["time_spread"] = np.nan_to_num(
                np.nanmax(tt.reshape(n, -1), axis=1) - np.nanmin(tt.reshape(n, -1), axis=1)
            )
    return out


def energy_loss_profile(x: np.ndarray) -> np.ndarray:
    """The ΔE–E telescope's view of each event: the deposits of the (x, y) column that holds the
    largest deposit, layer by layer, aligned on the layer of that deposit (the stopping layer
    when the annihilation point carries the maximum).

    Returns (n, 2·layers − 1): column ``layers − 1 + k`` holds the deposit ``k`` layers below the
    maximum (negative ``k``: above it, where the primary came from), zero outside the tracker.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"events must have shape (n, layers, x, y), got {x.shape}")
    n, L, X, Y = x.shape
    imax = x.reshape(n, -1).argmax(axis=1)
    layer, rest = np.divmod(imax, X * Y)
    i, j = np.divmod(rest, Y)
    column = x[np.arange(n), :, i, j]  # (n, L)
    out = np.zeros((n, 2 * L - 1), dtype=x.dtype)
    rows = np.repeat(np.arange(n), L)
    cols = (L - 1 - np.repeat(layer, L)) + np.tile(np.arange(L), n)
    out[rows, cols] = column.ravel()
    return out
