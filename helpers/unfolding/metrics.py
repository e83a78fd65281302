"""How close is an unfolded distribution to the truth? And how uncertain is it?"""

from __future__ import annotations

import numpy as np


def triangular_discriminator(p, q) -> float:
    """Δ(p, q) = ½ Σ (p_i − q_i)² / (p_i + q_i) × 10³ for histograms normalised to unit sum
    (the figure of merit of the OmniFold paper, Andreassen et al. 2020)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if p.shape != q.shape:
        raise ValueError(f"histograms differ in shape: {p.shape} vs {q.shape}")
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("histograms must have positive totals")
    p, q = p / p.sum(), q / q.sum()
    s = p + q
    return float(0.5 * np.sum(np.where(s > 0, (p - q) ** 2 / np.where(s > 0, s, 1), 0.0)) * 1e3)


def chi2(a, b, cov) -> tuple[float, int]:
    """χ² = (a − b)ᵀ C⁺ (a − b) with the pseudo-inverse of the covariance; returns (χ², ndf) with
    ndf the rank of C."""
    r = np.asarray(a, float) - np.asarray(b, float)
    cov = np.asarray(cov, float)
    if cov.shape != (r.size, r.size):
        raise ValueError(f"covariance has shape {cov.shape}, expected ({r.size}, {r.size})")
    return float(r @ np.linalg.pinv(cov) @ r), int(np.linalg.matrix_rank(cov))


def wasserstein(u, v, u_weights=None, v_weights=None) -> float:
    """First Wasserstein distance between two weighted 1-D samples (scipy)."""
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(u, v, u_weights, v_weights))


def poisson_bootstrap(n: int, n_replicas: int, seed: int = 0) -> np.ndarray:
    """(n_replicas, n) Poisson(1) weights: each replica resamples the events with replacement."""
    return np.random.default_rng(seed).poisson(1.0, size=(n_replicas, n)).astype(float)


def replica_covariance(values, weight_replicas, edges, normalise=False) -> np.ndarray:
    """Covariance of a binned distribution over weight replicas (n_replicas, n_events)."""
    values = np.asarray(values, float)
    hists = np.array([np.histogram(values, edges, weights=w)[0] for w in np.atleast_2d(weight_replicas)])
    if normalise:
        hists = hists / hists.sum(axis=1, keepdims=True)
    if len(hists) < 2:
        raise ValueError("a covariance needs at least 2 replicas")
    return np.cov(hists, rowvar=False)
