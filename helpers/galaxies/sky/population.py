"""A magnitude-limited catalogue of galaxies at 0 < z < 0.2 with their true structure.

Redshifts and luminosities are drawn jointly from the comoving volume and a Schechter luminosity
function and kept when the apparent magnitude passes the SDSS main-sample cut, so n(z) comes out
of the selection instead of being imposed. Sizes follow the Shen et al. 2003 size–luminosity
relations; structure (Sersic index, bulge fraction, inclination, spiral arms) follows
``constants``. Everything is vectorised; one call makes 15,000 galaxies in milliseconds.
"""

from __future__ import annotations

import numpy as np

from helpers.galaxies.sky import constants as C

TYPES = ("elliptical", "s0", "spiral")
ELLIPTICAL, S0, SPIRAL = 0, 1, 2

_ARCSEC_PER_RAD = 180.0 / np.pi * 3600.0


# ----------------------------------------------------------------------------------- cosmology
def _e_of_z(z):
    return np.sqrt(C.OMEGA_M * (1 + z) ** 3 + (1 - C.OMEGA_M))


def comoving_distance(z) -> np.ndarray:
    """Line-of-sight comoving distance in Mpc for flat Lambda-CDM (Simpson's rule, 2,001 nodes)."""
    z = np.asarray(z, dtype=float)
    if np.any(z < 0):
        raise ValueError(f"redshift must be >= 0, got min {z.min()}")
    zmax = max(float(z.max(initial=0.0)), 1e-6)
    grid = np.linspace(0.0, zmax, 2001)
    f = 1.0 / _e_of_z(grid)
    h = grid[1] - grid[0]
    # cumulative trapezoid on a fine grid (error < 1e-7 relative at z < 1)
    cum = np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) * h / 2)])
    return C.C_KM_S / C.H0_KM_S_MPC * np.interp(z, grid, cum)


def angular_diameter_distance(z) -> np.ndarray:
    return comoving_distance(z) / (1 + np.asarray(z, dtype=float))


def luminosity_distance(z) -> np.ndarray:
    return comoving_distance(z) * (1 + np.asarray(z, dtype=float))


def kpc_per_arcsec(z) -> np.ndarray:
    """Proper transverse size of one arcsecond at redshift z (0.98, 1.84, 3.30 kpc at 0.05, 0.1, 0.2)."""
    return angular_diameter_distance(z) * 1e3 / _ARCSEC_PER_RAD


def distance_modulus(z) -> np.ndarray:
    return 5 * np.log10(luminosity_distance(z) * 1e6 / 10.0)


# ------------------------------------------------------------------------------ size relations
def median_r50_kpc(m_abs, early: np.ndarray) -> np.ndarray:
    """Shen et al. 2003 median half-light radius (kpc) at absolute magnitude M_r."""
    m_abs = np.asarray(m_abs, dtype=float)
    log_early = -0.4 * C.SHEN_EARLY_A * m_abs + C.SHEN_EARLY_B
    a, b, g, m0 = C.SHEN_LATE_ALPHA, C.SHEN_LATE_BETA, C.SHEN_LATE_GAMMA, C.SHEN_LATE_M0
    log_late = -0.4 * a * m_abs + (b - a) * np.log10(1 + 10 ** (-0.4 * (m_abs - m0))) + g
    return 10 ** np.where(early, log_early, log_late)


def sigma_ln_r50(m_abs) -> np.ndarray:
    m_abs = np.asarray(m_abs, dtype=float)
    s1, s2 = C.SHEN_SIGMA1, C.SHEN_SIGMA2
    return s2 + (s1 - s2) / (1 + 10 ** (-0.8 * (m_abs - C.SHEN_LATE_M0)))


# ----------------------------------------------------------------------------------- sampling
def _sample_z_m(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(z, M_r) of n galaxies passing R_MAG_BRIGHT <= r <= R_MAG_LIMIT, by rejection."""
    zg = np.linspace(C.Z_MIN, C.Z_MAX, 4001)
    dvdz = comoving_distance(zg) ** 2 / _e_of_z(zg)  # dV/dz up to a constant
    cdf_z = np.cumsum(dvdz)
    cdf_z /= cdf_z[-1]
    mg = np.linspace(*C.M_ABS_RANGE, 4001)
    x = 10 ** (-0.4 * (mg - C.SCHECHTER_MSTAR))
    phi = x ** (C.SCHECHTER_ALPHA + 1) * np.exp(-x)  # Schechter per magnitude
    cdf_m = np.cumsum(phi)
    cdf_m /= cdf_m[-1]
    zs, ms, have = [], [], 0
    while have < n:
        batch = max(4 * (n - have), 4096) * 8
        z = np.interp(rng.random(batch), cdf_z, zg)
        m = np.interp(rng.random(batch), cdf_m, mg)
        r = m + distance_modulus(z)
        keep = (r <= C.R_MAG_LIMIT) & (r >= C.R_MAG_BRIGHT)
        zs.append(z[keep])
        ms.append(m[keep])
        have += int(keep.sum())
    return np.concatenate(zs)[:n], np.concatenate(ms)[:n]


def sample_catalogue(n: int, seed: int) -> dict[str, np.ndarray]:
    """True properties of ``n`` galaxies (a dict of equal-length arrays; angles in radians).

    Columns: ``z, m_abs, mag_r, flux`` (nanomaggies), ``type`` (0 elliptical, 1 S0, 2 spiral),
    ``r50_kpc, r50`` (arcsec; the whole galaxy for ellipticals, the disk for S0s and spirals),
    ``sersic_n, q`` (elliptical or bulge axis ratio), ``bt, bulge_r50, cos_i, q_disk`` (the disk's
    apparent axis ratio), ``pa``, ``arms, pitch_deg, arm_amp, chirality`` (+1 anticlockwise,
    -1 clockwise, 0 none), ``arm_phase``, ``psf_sdss, psf_hsc`` (FWHM in arcsec), ``seed``,
    ``bar`` (0/1), ``bar_len`` (bar semi-major axis in disk scale lengths), ``bar_light`` (bar / total),
    ``bar_angle`` (in the disk plane), ``g_r`` (g − r colour, mag).
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of galaxies, got {n!r}")
    rng = np.random.default_rng(seed)
    z, m_abs = _sample_z_m(int(n), rng)
    mag = m_abs + distance_modulus(z)
    flux = 10 ** (-0.4 * (mag - C.NMGY_ZERO_POINT))

    # morphology: early-type fraction rises with luminosity
    p_ell = C.P_ELLIPTICAL_FAINT + (C.P_ELLIPTICAL_BRIGHT - C.P_ELLIPTICAL_FAINT) / (
        1 + np.exp((m_abs - C.P_ELLIPTICAL_MID) / C.P_ELLIPTICAL_WIDTH)
    )
    u = rng.random(n)
    gtype = np.where(u < p_ell, ELLIPTICAL, np.where(u < p_ell + C.P_S0, S0, SPIRAL)).astype(np.int8)
    early = gtype != SPIRAL

    r50_kpc = median_r50_kpc(m_abs, early) * np.exp(sigma_ln_r50(m_abs) * rng.standard_normal(n))
    r50 = r50_kpc / kpc_per_arcsec(z)

    mu, sd, lo, hi = C.SERSIC_N_ELLIPTICAL
    n_ell = np.clip(rng.normal(mu, sd, n), lo, hi)
    n_bulge = rng.uniform(2.0, 4.0, n)
    sersic_n = np.where(gtype == ELLIPTICAL, n_ell, n_bulge)
    sersic_n = np.round(sersic_n / C.SERSIC_N_STEP) * C.SERSIC_N_STEP
    q = np.where(gtype == ELLIPTICAL, rng.uniform(*C.Q_ELLIPTICAL, n), rng.uniform(0.7, 1.0, n))

    bt = np.select(
        [gtype == ELLIPTICAL, gtype == S0], [np.ones(n), rng.uniform(*C.BT_S0, n)], rng.beta(*C.BT_SPIRAL_BETA, n)
    )
    bulge_r50 = np.where(gtype == ELLIPTICAL, r50, C.BULGE_TO_DISK_SIZE * r50)
    cos_i = np.where(gtype == ELLIPTICAL, 1.0, rng.uniform(*C.COS_I_RANGE, n))
    q0 = C.DISK_THICKNESS
    q_disk = np.sqrt(cos_i**2 + q0**2 * (1 - cos_i**2))
    pa = rng.uniform(0, np.pi, n)

    is_sp = gtype == SPIRAL
    arms = np.where(is_sp, rng.choice(C.ARM_M_CHOICES, size=n, p=C.ARM_M_PROBS), 0).astype(np.int8)
    pm, ps, plo, phi_ = C.PITCH_DEG
    pitch = np.where(is_sp, np.clip(rng.normal(pm, ps, n), plo, phi_), 0.0)
    amp = np.where(is_sp, rng.uniform(*C.ARM_AMPLITUDE, n), 0.0)
    chir = np.where(is_sp, rng.choice([-1, 1], size=n), 0).astype(np.int8)
    phase = rng.uniform(0, 2 * np.pi, n)

    def seeing(s):
        f = s.psf_fwhm_median * np.exp(s.psf_fwhm_sigma_ln * rng.standard_normal(n))
        return np.clip(f, *s.psf_fwhm_clip)

    psf_sdss, psf_hsc = seeing(C.SDSS), seeing(C.HSC)
    seed_col = rng.integers(0, 2**31 - 1, n, dtype=np.int64)
    # drawn after the columns above so that adding them left the older columns unchanged
    disky = gtype != ELLIPTICAL
    bar = (disky & (rng.random(n) < C.BAR_FRACTION)).astype(np.int8)
    bar_len = np.where(bar == 1, rng.uniform(*C.BAR_LENGTH, n), 0.0)
    bar_light = np.where(bar == 1, rng.uniform(*C.BAR_LIGHT, n), 0.0)
    bar_angle = rng.uniform(0, np.pi, n)
    red, red_sd = C.G_R_RED
    blue, blue_sd = C.G_R_BLUE
    g_r_disk = bt * red + (1 - bt) * blue  # a red bulge plus a blue disk
    g_r = np.where(gtype == SPIRAL, rng.normal(g_r_disk, blue_sd), rng.normal(red, red_sd, n))

    return {
        "id": np.arange(n, dtype=np.int64),
        "z": z,
        "m_abs": m_abs,
        "mag_r": mag,
        "flux": flux,
        "type": gtype,
        "r50_kpc": r50_kpc,
        "r50": r50,
        "sersic_n": sersic_n,
        "q": q,
        "bt": bt,
        "bulge_r50": bulge_r50,
        "cos_i": cos_i,
        "q_disk": q_disk,
        "pa": pa,
        "arms": arms,
        "pitch_deg": pitch,
        "arm_amp": amp,
        "chirality": chir,
        "arm_phase": phase,
        "psf_sdss": psf_sdss,
        "psf_hsc": psf_hsc,
        "seed": seed_col,
        "bar": bar,
        "bar_len": bar_len,
        "bar_light": bar_light,
        "bar_angle": bar_angle,
        "g_r": g_r,
    }


# ------------------------------------------------------------------------------- the field
_DEG2_PER_ARCSEC2 = 1 / 3600.0**2


def field_counts(mag) -> tuple[np.ndarray, np.ndarray]:
    """(galaxies, stars) per deg^2 per mag at r magnitude ``mag`` (``constants``: FIELD_*, STAR_*)."""
    m = np.asarray(mag, dtype=float)
    s1, s2, mb = C.FIELD_SLOPE_BRIGHT, C.FIELD_SLOPE_FAINT, C.FIELD_BREAK_MAG
    # N(< R_MAG_LIMIT) = FIELD_COUNT_AT_LIMIT for a power law of slope s1 fixes dN/dm at the limit
    a_lim = C.FIELD_COUNT_AT_LIMIT * s1 * np.log(10)
    bright = a_lim * 10 ** (s1 * (m - C.R_MAG_LIMIT))
    at_break = a_lim * 10 ** (s1 * (mb - C.R_MAG_LIMIT))
    gal = np.where(m <= mb, bright, at_break * 10 ** (s2 * (m - mb)))
    stars = C.STAR_COUNT_20 * 10 ** (C.STAR_SLOPE * (m - 20.0))
    return gal, stars


_FIELD_GRID = None


def _field_grid():
    global _FIELD_GRID
    if _FIELD_GRID is None:
        m = np.linspace(C.FIELD_MAG_BRIGHT, C.FIELD_MAG_FAINT, 2401)
        out = []
        for dn in field_counts(m):
            cum = np.concatenate([[0.0], np.cumsum((dn[1:] + dn[:-1]) / 2 * np.diff(m))])
            out.append((cum[-1], cum / cum[-1]))
        _FIELD_GRID = (m, out)
    return _FIELD_GRID


def field_sources(seed: int, half_width: float) -> dict[str, np.ndarray]:
    """Field galaxies and stars in a square of side ``2 * half_width`` arcsec around a galaxy.

    Counts are Poisson with the mean of :func:`field_counts` over FIELD_MAG_BRIGHT..FIELD_MAG_FAINT;
    positions are uniform (no clustering: an assumption). The draw depends only on ``seed``, so both
    surveys see the same field. Columns: ``x, y`` (arcsec from the stamp centre), ``mag`` (r),
    ``flux`` (nanomaggies), ``r50`` (arcsec, 0 for stars), ``q``, ``beta`` (radians), ``star``.
    """
    if not half_width > 0:
        raise ValueError(f"half_width must be positive arcsec, got {half_width}")
    rng = np.random.default_rng([int(seed), 2])
    area = (2 * half_width) ** 2 * _DEG2_PER_ARCSEC2
    mgrid, ((n_gal, cdf_gal), (n_star, cdf_star)) = _field_grid()
    k_gal, k_star = rng.poisson(n_gal * area), rng.poisson(n_star * area)
    mag = np.concatenate([np.interp(rng.random(k_gal), cdf_gal, mgrid), np.interp(rng.random(k_star), cdf_star, mgrid)])
    k = k_gal + k_star
    r50 = (
        C.FIELD_R50_22 * 10 ** (-C.FIELD_R50_SLOPE * (mag - 22.0)) * np.exp(C.FIELD_R50_SIGMA * rng.standard_normal(k))
    )
    star = np.arange(k) >= k_gal
    return {
        "x": rng.uniform(-half_width, half_width, k),
        "y": rng.uniform(-half_width, half_width, k),
        "mag": mag,
        "flux": 10 ** (-0.4 * (mag - C.NMGY_ZERO_POINT)),
        "r50": np.where(star, 0.0, r50),
        "q": np.where(star, 1.0, rng.uniform(0.3, 1.0, k)),
        "beta": rng.uniform(0, np.pi, k),
        "star": star,
    }


def knot_layout(seed: int, arms: int, arm_amp: float, f_disk: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Star-forming knots of one spiral: (arm index, radius in disk scale lengths, flux in nanomaggies).

    KNOTS_PER_ARM knots per arm at uniform radii in KNOT_RADII, sharing KNOT_FLUX x arm_amp of the disk's
    light in proportion to the disk's surface brightness there; seeded by the galaxy's ``seed`` alone.
    """
    rng = np.random.default_rng([int(seed), 1])
    n_knots = rng.integers(C.KNOTS_PER_ARM[0], C.KNOTS_PER_ARM[1] + 1, int(arms))
    arm_of = np.repeat(np.arange(int(arms)), n_knots)
    x = rng.uniform(*C.KNOT_RADII, arm_of.size)
    w = np.exp(-x)
    return arm_of, x, C.KNOT_FLUX * arm_amp * f_disk * w / w.sum()
