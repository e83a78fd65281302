"""Binned unfolding: response matrix with efficiency and fakes, and D'Agostini's iterative
Bayesian unfolding (IBU; D'Agostini, NIM A 362 (1995) 487)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Response:
    """``matrix[j, i]`` = P(reco in bin j | gen in bin i, event reconstructed) · ε_i, so that
    column sums are the efficiencies ``efficiency[i]``; ``fake_fraction[j]`` is the share of reco
    bin j made of events with no gen counterpart in the gen range (fakes and gen-level overflow);
    ``truth`` and ``reco`` are the MC histograms."""

    gen_edges: np.ndarray
    reco_edges: np.ndarray
    matrix: np.ndarray
    efficiency: np.ndarray
    background: np.ndarray
    truth: np.ndarray
    reco: np.ndarray

    @property
    def fake_fraction(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.reco > 0, self.background / self.reco, 0.0)

    def expected_background(self, data_hist) -> np.ndarray:
        """Background in the data: the MC background shape, scaled to the data's total as a fixed
        fraction of all reconstructed events."""
        return np.asarray(data_hist, float).sum() * self.background / self.reco.sum()


def _validate_weights(w, n, what):
    w = np.ones(n) if w is None else np.asarray(w, float)
    if w.shape != (n,):
        raise ValueError(f"{what} weights have shape {w.shape}, expected ({n},)")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"{what} weights must be finite and non-negative")
    return w


def _check_edges(edges, name):
    e = np.asarray(edges, float)
    if e.ndim != 1 or len(e) < 2 or not np.all(np.isfinite(e)):
        raise ValueError(f"{name} must be a 1-D array of at least 2 finite values, got {edges!r}")
    d = np.diff(e)
    if np.any(d <= 0):
        i = int(np.flatnonzero(d <= 0)[0])
        raise ValueError(
            f"{name} must be strictly increasing; {name}[{i}] = {e[i]:g} >= {name}[{i + 1}] = {e[i + 1]:g}"
        )
    return e


def build_response(gen, reco, pass_gen, pass_reco, gen_edges, reco_edges, weights=None) -> Response:
    """Response matrix from MC events (values outside the edges are dropped)."""
    gen_edges, reco_edges = _check_edges(gen_edges, "gen_edges"), _check_edges(reco_edges, "reco_edges")
    gen, reco = np.asarray(gen, float), np.asarray(reco, float)
    pass_gen, pass_reco = np.asarray(pass_gen, bool), np.asarray(pass_reco, bool)
    n = len(gen)
    if not (len(reco) == len(pass_gen) == len(pass_reco) == n):
        raise ValueError("gen, reco, pass_gen and pass_reco must have the same length")
    w = _validate_weights(weights, n, "MC")
    both = pass_gen & pass_reco
    M, _, _ = np.histogram2d(reco[both], gen[both], bins=[reco_edges, gen_edges], weights=w[both])
    truth, _ = np.histogram(gen[pass_gen], gen_edges, weights=w[pass_gen])
    reco_h, _ = np.histogram(reco[pass_reco], reco_edges, weights=w[pass_reco])
    if np.any(truth <= 0):
        raise ValueError(f"empty truth bins {np.flatnonzero(truth <= 0).tolist()}: choose wider gen bins")
    if not M.sum() > 0:
        raise ValueError(
            f"no simulated event passes reconstruction inside the reco edges with its gen value in the gen "
            f"edges ({int(pass_reco.sum())} of {n} pass reconstruction): the response is empty"
        )
    matrix = M / truth[None, :]
    # everything in a reco bin that does not come from a gen bin of the unfolding range is
    # background: true fakes, and events whose gen value lies outside the gen edges
    background = np.maximum(reco_h - M.sum(axis=1), 0.0)
    return Response(
        np.asarray(gen_edges, float),
        np.asarray(reco_edges, float),
        matrix,
        matrix.sum(axis=0),
        background,
        truth,
        reco_h,
    )


def ibu(data_hist, response: Response, n_iterations: int, prior=None) -> np.ndarray:
    """Unfolded truth histograms after 0 … ``n_iterations`` iterations, shape (n_iter + 1, n_gen).

    Row 0 is the prior (default: the MC truth, scaled to the data's signal count). The background
    (fakes) is subtracted with :meth:`Response.expected_background`; efficiencies are corrected.
    """
    d = np.asarray(data_hist, float)
    if d.shape != (response.matrix.shape[0],):
        raise ValueError(f"data histogram has shape {d.shape}, the response expects ({response.matrix.shape[0]},)")
    if n_iterations < 0:
        raise ValueError(f"n_iterations must be >= 0, got {n_iterations}")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        bad = ~np.isfinite(d) | (d < 0)
        raise ValueError(
            f"data histogram has {int(bad.sum())} non-finite or negative bin(s) (first: bin "
            f"{int(np.flatnonzero(bad)[0])} = {d[bad][0]!r})"
        )
    if not d.sum() > 0:
        raise ValueError("data histogram is empty: there is nothing to unfold")
    if not np.any(response.efficiency > 0):
        raise ValueError(
            "the response has zero efficiency in every gen bin (no simulated event passes "
            "reconstruction): nothing can be unfolded"
        )
    signal = np.maximum(d - response.expected_background(d), 0.0)
    R, eff = response.matrix, response.efficiency
    t = np.asarray(response.truth if prior is None else prior, float).copy()
    t *= signal.sum() / max((R @ t).sum(), 1e-300)
    out = [t.copy()]
    for _ in range(n_iterations):
        folded = R @ t
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(folded > 0, signal / folded, 0.0)
        t = np.where(eff > 0, t * (R.T @ ratio) / np.where(eff > 0, eff, 1), 0.0)
        out.append(t.copy())
    return np.array(out)


def bin_by_bin(data_hist, response: Response) -> np.ndarray:
    """The naive correction t_i = d_i · (MC truth_i / MC reco_i); needs identical gen and reco bins."""
    if response.matrix.shape[0] != response.matrix.shape[1]:
        raise ValueError("bin-by-bin needs the same binning at gen and reco level")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(response.reco > 0, np.asarray(data_hist, float) * response.truth / response.reco, 0.0)
