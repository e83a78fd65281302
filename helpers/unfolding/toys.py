"""Gaussian toys for unfolding, with the detector effects that make unfolding necessary.

Every event has a particle-level ("gen") value and a detector-level ("reco") value; an event may
fail the reconstruction (inefficiency: reco missing) or be a fake (reco present, no gen). Missing
values are NaN and the masks ``pass_gen`` / ``pass_reco`` say which side exists.
"""

from __future__ import annotations

import numpy as np


def _check_fraction(name, v):
    if not (0 <= v < 1):
        raise ValueError(f"{name} must lie in [0, 1), got {v!r}")


def gaussian_toy(
    n, *, mu=0.0, sigma=1.0, smearing=0.5, inefficiency=0.1, fake_fraction=0.1, fake_mu=0.0, fake_sigma=1.5, seed=0
) -> dict:
    """``n`` true events x ~ N(mu, sigma), reco = x + N(0, smearing); a fraction ``inefficiency``
    fails reco; fakes ~ N(fake_mu, fake_sigma) are added so that they make up ``fake_fraction``
    of the reco sample."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if sigma <= 0 or smearing < 0:
        raise ValueError(f"sigma must be > 0 and smearing >= 0, got sigma={sigma}, smearing={smearing}")
    _check_fraction("inefficiency", inefficiency)
    _check_fraction("fake_fraction", fake_fraction)
    rng = np.random.default_rng(seed)
    gen = rng.normal(mu, sigma, n)
    reco = gen + rng.normal(0, smearing, n)
    reco[rng.uniform(size=n) < inefficiency] = np.nan
    n_reco = int(np.sum(~np.isnan(reco)))
    n_fake = int(round(fake_fraction * n_reco / (1 - fake_fraction)))
    gen = np.concatenate([gen, np.full(n_fake, np.nan)])
    reco = np.concatenate([reco, rng.normal(fake_mu, fake_sigma, n_fake)])
    return {"gen": gen, "reco": reco, "pass_gen": ~np.isnan(gen), "pass_reco": ~np.isnan(reco)}


def correlated_toy(
    n, *, mu=(0.0, 0.0), sigma=(1.0, 1.0), rho=0.5, smearing=(0.5, 0.5), inefficiency=0.1, seed=0
) -> dict:
    """2-D Gaussian truth with correlation ``rho``, independent Gaussian smearing per axis, and
    inefficiency (no fakes). ``gen`` and ``reco`` have shape (n, 2)."""
    if not -1 < rho < 1:
        raise ValueError(f"rho must lie in (-1, 1), got {rho}")
    _check_fraction("inefficiency", inefficiency)
    rng = np.random.default_rng(seed)
    cov = np.array([[sigma[0] ** 2, rho * sigma[0] * sigma[1]], [rho * sigma[0] * sigma[1], sigma[1] ** 2]])
    gen = rng.multivariate_normal(mu, cov, n)
    reco = gen + rng.normal(0, 1, (n, 2)) * np.asarray(smearing)
    fail = rng.uniform(size=n) < inefficiency
    reco[fail] = np.nan
    return {"gen": gen, "reco": reco, "pass_gen": np.ones(n, bool), "pass_reco": ~fail}
