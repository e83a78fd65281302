"""Energy loss of charged particles and attenuation of X-rays in silicon.

Bethe–Bloch without shell or density corrections (PDG, Navas et al. 2024, eq. 34.5) gives the
mean stopping power; integrating its inverse gives the CSDA range. Fluctuations: Gaussian (Bohr)
for slow heavy particles (κ = ξ/T_max ≳ 1), Landau for fast pions (κ ≪ 1), with the Landau tail
truncated so that the mean equals the Bethe–Bloch mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from helpers.gaps import constants as C


def _check_beta(beta) -> np.ndarray:
    beta = np.asarray(beta, dtype=float)
    if np.any(~np.isfinite(beta)) or np.any(beta <= 0) or np.any(beta >= 1):
        bad = beta[(~np.isfinite(beta)) | (beta <= 0) | (beta >= 1)].ravel()[:3]
        raise ValueError(f"beta must lie in (0, 1), got {bad.tolist()}")
    return beta


def beta_from_kinetic(T, mass):
    gamma = 1.0 + np.asarray(T, dtype=float) / mass
    return np.sqrt(1.0 - 1.0 / gamma**2)


def kinetic_from_beta(beta, mass):
    beta = _check_beta(beta)
    return mass * (1.0 / np.sqrt(1.0 - beta**2) - 1.0)


def t_max(beta, mass):
    """Maximum energy transfer to a free electron in one collision (PDG eq. 34.4), MeV."""
    beta = _check_beta(beta)
    gamma = 1.0 / np.sqrt(1.0 - beta**2)
    r = C.M_ELECTRON / mass
    return 2 * C.M_ELECTRON * beta**2 * gamma**2 / (1 + 2 * gamma * r + r**2)


def stopping_power(beta, mass, z=1):
    """Mean mass stopping power −dE/dx in silicon, MeV cm²/g (Bethe–Bloch, no δ or shell terms)."""
    beta = _check_beta(beta)
    gamma = 1.0 / np.sqrt(1.0 - beta**2)
    I = C.SI_I_EV * 1e-6
    arg = 2 * C.M_ELECTRON * beta**2 * gamma**2 * t_max(beta, mass) / I**2
    return C.K_BETHE * z**2 * C.SI_Z_OVER_A / beta**2 * (0.5 * np.log(arg) - beta**2)


@dataclass(frozen=True)
class RangeTable:
    """CSDA range R(T) in silicon for one particle mass, and its inverse, by interpolation.

    Built by integrating 1/S(T) upwards from 10 MeV per proton mass, where the table starts at
    PSTAR's 10 MeV proton range scaled by mass; below, a Bragg–Kleeman power law. Log–log
    interpolation in between.
    """

    mass: float
    T: np.ndarray  # MeV
    R: np.ndarray  # g/cm²

    def range(self, T):
        T = np.asarray(T, dtype=float)
        out = np.exp(np.interp(np.log(np.maximum(T, 1e-12)), np.log(self.T), np.log(self.R)))
        # below the table: Bragg–Kleeman R ∝ T^p, zero at T = 0
        low = T < self.T[0]
        if np.any(low):
            out = np.where(low, self.R[0] * (np.maximum(T, 0) / self.T[0]) ** C.BRAGG_KLEEMAN_EXPONENT, out)
        return out

    def kinetic(self, R):
        """Inverse: kinetic energy whose residual range is R (0 for R <= 0)."""
        R = np.asarray(R, dtype=float)
        out = np.exp(np.interp(np.log(np.maximum(R, 1e-30)), np.log(self.R), np.log(self.T)))
        low = R < self.R[0]
        if np.any(low):
            out = np.where(low, self.T[0] * (np.maximum(R, 0) / self.R[0]) ** (1 / C.BRAGG_KLEEMAN_EXPONENT), out)
        return np.where(R > 0, out, 0.0)


@lru_cache(maxsize=8)
def range_table(mass: float, t_top: float = 5000.0, n: int = 2000) -> RangeTable:
    """The range table of a particle of ``mass`` (MeV) in silicon (cached per mass)."""
    if mass <= 0:
        raise ValueError(f"mass must be positive, got {mass}")
    scale = mass / C.M_PROTON  # at equal β, T and R scale with the mass
    T = np.geomspace(C.RANGE_ANCHOR_T * scale, t_top, n)
    S = stopping_power(beta_from_kinetic(T, mass), mass)
    inv = 1.0 / S
    R0 = C.RANGE_ANCHOR_R * scale
    R = R0 + np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(T))])
    return RangeTable(mass=float(mass), T=T, R=R)


def bohr_sigma(path_g_cm2, z=1):
    """Bohr straggling width (MeV) for a path of ``path_g_cm2`` in silicon (PDG; Bohr 1915)."""
    # σ² = 4π N_A r_e² (m_e c²)² z² (Z/A) ρx = K m_e c² z² (Z/A) ρx
    return np.sqrt(C.K_BETHE * C.M_ELECTRON * z**2 * C.SI_Z_OVER_A * np.asarray(path_g_cm2, float))


def landau_xi(beta, path_g_cm2, z=1):
    """ξ = (K/2)(Z/A) z² x/β², the Landau scale (MeV)."""
    return 0.5 * C.K_BETHE * C.SI_Z_OVER_A * z**2 * np.asarray(path_g_cm2, float) / np.asarray(beta) ** 2


def landau_mpv(beta, mass, path_g_cm2, z=1):
    """Most probable energy loss (PDG eq. 34.12, without density effect), MeV."""
    beta = _check_beta(beta)
    gamma = 1.0 / np.sqrt(1.0 - beta**2)
    xi = landau_xi(beta, path_g_cm2, z)
    I = C.SI_I_EV * 1e-6
    return xi * (np.log(2 * C.M_ELECTRON * beta**2 * gamma**2 / I) + np.log(xi / I) + 0.200 - beta**2)


# --- Landau sampling ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _landau_tables():
    """Standard Landau (scipy convention): mode, FWHM, and truncated-mean tables."""
    from scipy.stats import landau

    x = np.linspace(-4, 4, 80001)
    pdf = landau.pdf(x)
    mode = x[np.argmax(pdf)]
    half = x[pdf >= pdf.max() / 2]
    fwhm = half[-1] - half[0]
    # E[λ | λ < L] as a function of the cut L, on a log grid of L − mode
    cuts = mode + np.geomspace(0.5, 1e6, 400)
    grid = np.concatenate([np.linspace(-8, 10, 4000), mode + np.geomspace(10.5, 1.1e6, 6000)])
    p = landau.pdf(grid)
    cdf = np.concatenate([[0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(grid))])
    first = np.concatenate([[0], np.cumsum(0.5 * (p[1:] * grid[1:] + p[:-1] * grid[:-1]) * np.diff(grid))])
    tmean = np.interp(cuts, grid, first) / np.interp(cuts, grid, cdf)
    return mode, fwhm, cuts, tmean


def sample_landau_loss(rng, mean, mpv, xi, size=None):
    """Energy losses with a Landau shape: mode ``mpv``, width ∝ ``xi``, tail truncated so that the
    mean equals ``mean`` (the Bethe–Bloch mean). Arrays broadcast; returns MeV (≥ 0)."""
    from scipy.stats import landau

    mode, fwhm, cuts, tmean = _landau_tables()
    mean, mpv, xi = np.broadcast_arrays(np.asarray(mean, float), np.asarray(mpv, float), np.asarray(xi, float))
    scale = xi * fwhm / 4.018  # scipy's variable -> Landau's λ, whose FWHM is 4.018 ξ
    target = mode + (mean - mpv) / np.maximum(scale, 1e-12)  # required truncated mean of λ
    target = np.clip(target, tmean[0], tmean[-1])
    cut = np.interp(target, tmean, cuts)
    u = rng.uniform(size=mean.shape if size is None else size) * landau.cdf(cut)
    lam = landau.ppf(u)
    return np.maximum(mpv + scale * (lam - mode), 0.0)


# --- X-rays ------------------------------------------------------------------------------------
PHOTO, COMPTON, COHERENT = 0, 1, 2


def _xcom_log_interp(E_mev, table_barn):
    E = np.asarray(E_mev, float) * 1e3
    if np.any(E < C.XCOM_E_KEV[0]) or np.any(E > C.XCOM_E_KEV[-1]):
        raise ValueError(f"photon energy {E} keV outside the XCOM table {C.XCOM_E_KEV[0]}–{C.XCOM_E_KEV[-1]} keV")
    return np.exp(np.interp(np.log(E), np.log(C.XCOM_E_KEV), np.log(table_barn))) * C.SI_BARN_TO_CM2_G


def xray_partial_mu_rho(E_mev):
    """XCOM partial mass attenuation coefficients of silicon (cm²/g) at ``E_mev``:
    (photoelectric, incoherent, coherent), log–log interpolation of the tabulated values."""
    return (
        _xcom_log_interp(E_mev, C.XCOM_PHOTO_B),
        _xcom_log_interp(E_mev, C.XCOM_INCOHERENT_B),
        _xcom_log_interp(E_mev, C.XCOM_COHERENT_B),
    )


def xray_mu(E_mev):
    """Linear attenuation coefficient of silicon (1/cm) at photon energy ``E_mev`` (XCOM, the sum
    of its partial cross sections, coherent included)."""
    return sum(xray_partial_mu_rho(E_mev)) * C.SI_DENSITY


def xray_interaction_probability(E_mev, path_cm):
    return 1.0 - np.exp(-xray_mu(E_mev) * np.asarray(path_cm, float))


def klein_nishina_cos(rng, E_mev):
    """Scattering-angle cosines of Compton scattering on free electrons (Klein–Nishina), sampled
    by rejection against the forward maximum 2 of (ε² (ε + 1/ε − sin²θ)), ε = E'/E."""
    k = np.asarray(E_mev, float) / C.M_ELECTRON
    out = np.empty(k.shape)
    todo = np.arange(k.size)
    while todo.size:
        c = rng.uniform(-1.0, 1.0, todo.size)
        eps = 1.0 / (1.0 + k.flat[todo] * (1.0 - c))
        f = eps**2 * (eps + 1.0 / eps - (1.0 - c**2))
        ok = rng.uniform(0.0, 2.0, todo.size) < f
        out.flat[todo[ok]] = c[ok]
        todo = todo[~ok]
    return out


def compton_scattered_energy(E_mev, cos_theta):
    """Energy of the photon after Compton scattering by angle θ (MeV)."""
    E = np.asarray(E_mev, float)
    return E / (1.0 + E / C.M_ELECTRON * (1.0 - np.asarray(cos_theta, float)))


def xray_interact(rng, E_mev):
    """One photon interaction in silicon at energies ``E_mev``: the process (PHOTO, COMPTON or
    COHERENT, drawn with XCOM's partial cross sections), the energy given to the medium (the whole
    photon for photoabsorption, the Klein–Nishina electron energy for Compton, nothing for
    coherent scattering), the photon's energy afterwards (0 if absorbed) and its scattering-angle
    cosine (1 for coherent scattering, which is forward-peaked and taken as undeflected)."""
    E = np.asarray(E_mev, float)
    photo, incoh, coh = xray_partial_mu_rho(E)
    u = rng.uniform(size=E.shape) * (photo + incoh + coh)
    process = np.where(u < photo, PHOTO, np.where(u < photo + incoh, COMPTON, COHERENT))
    cos = np.ones(E.shape)
    comp = process == COMPTON
    cos[comp] = klein_nishina_cos(rng, E[comp])
    E_out = np.where(process == PHOTO, 0.0, compton_scattered_energy(E, cos))
    return process, E - E_out, E_out, cos


def rotate(d, cos_theta, phi):
    """Unit vectors ``d`` (n, 3) turned by polar angle θ (given by its cosine) and azimuth φ."""
    d = np.asarray(d, float)
    c = np.asarray(cos_theta, float)
    s = np.sqrt(np.maximum(1.0 - c**2, 0.0))
    cp, sp = np.cos(phi), np.sin(phi)
    ux, uy, uz = d[:, 0], d[:, 1], d[:, 2]
    perp = np.sqrt(np.maximum(1.0 - uz**2, 0.0))
    small = perp < 1e-9
    perp_safe = np.where(small, 1.0, perp)
    nx = np.where(small, s * cp, ux * c + s * (ux * uz * cp - uy * sp) / perp_safe)
    ny = np.where(small, s * sp, uy * c + s * (uy * uz * cp + ux * sp) / perp_safe)
    nz = np.where(small, np.sign(uz + (uz == 0)) * c, uz * c - s * cp * perp)
    out = np.stack([nx, ny, nz], axis=1)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def highland_theta0(beta, momentum_mev, path_cm, z=1):
    """Highland multiple-scattering angle (rad), PDG eq. 34.15, in silicon (X₀ = 9.37 cm)."""
    x = np.asarray(path_cm, float) / 9.37
    return 13.6 / (np.asarray(beta) * momentum_mev) * abs(z) * np.sqrt(x) * (1 + 0.038 * np.log(x * z**2 / beta**2))
