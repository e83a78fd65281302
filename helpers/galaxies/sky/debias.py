"""Galaxy Zoo 1's redshift debiasing and clean flags, as Bamford et al. 2009 and Lintott et al. 2011 did.

Distant galaxies look smaller and fainter, so volunteers see fewer spiral arms in them and vote
"elliptical" more often. Bamford et al. {cite}`bamford2009` (section 3 and appendix A) correct this
statistically, without any model of what volunteers see:

1. bin the galaxies in absolute magnitude ``M_r``, physical half-light radius ``R50`` (kpc) and
   redshift ``z``;
2. assume that at fixed luminosity and physical size the mix of early types and spirals does not
   change over the small redshift range of the sample, so the early-type/spiral ratio of the
   *lowest-redshift bin with enough galaxies* of each (M, R50) cell is its unbiased **baseline**;
3. in every higher-redshift bin of that cell, find the shift ``kappa`` (in log10 of the
   early/spiral likelihood ratio) that, applied to each galaxy's likelihoods,
   ``p_el' = t p_el / (p_el + w p_cs)``, ``p_cs' = t w p_cs / (p_el + w p_cs)`` with
   ``w = 10**kappa`` and ``t = p_el + p_cs``, brings the bin's summed ratio
   ``log10(sum p_el' / sum p_cs')`` back to the baseline. Each galaxy keeps ``p_el + p_cs``.

Cells too sparse for a baseline fall back to a magnitude-only cell (the size dependence of the bias
is then averaged over); galaxies in bins at or below their baseline are left alone. The clean flags
of the GZ1 release {cite}`lintott2011gz` follow: SPIRAL when the debiased combined-spiral likelihood
``P_CS_DEBIASED`` (``P_CW + P_ACW + P_EDGE``, debiased) exceeds 0.8, ELLIPTICAL when
``P_EL_DEBIASED`` does, UNCERTAIN otherwise.

:func:`early_fraction_by_z` measures the raw, debiased and true early-type fractions at fixed
luminosity, the check that the correction works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.sources import ASSUMPTION, Source

#: the clean threshold on debiased likelihoods (Lintott et al. 2011, section 3; the thesis kept it)
FLAG_THRESHOLD = 0.8
#: bin widths: absolute magnitude (mag), log10 R50 (dex), redshift; fewest galaxies per bin
M_STEP = 0.25
LOG_R50_STEP = 0.1
Z_STEP = 0.01
MIN_COUNT = 20
#: the range of the correction shift searched (log10 of the likelihood ratio)
KAPPA_MAX = 4.0
#: the fixed-luminosity slice where the correction is checked (the issue's -21.5 < M_r < -20.5)
CHECK_M_RANGE = (-21.5, -20.5)

_LOG10_EPS = 1e-6  # keeps log10 of an empty sum finite


@dataclass(frozen=True)
class Bins:
    """Bin widths of the debiasing (see the module constants for the defaults)."""

    m_step: float = M_STEP
    log_r50_step: float = LOG_R50_STEP
    z_step: float = Z_STEP
    min_count: int = MIN_COUNT

    def __post_init__(self):
        for name in ("m_step", "log_r50_step", "z_step"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a positive bin width, got {v!r}")
        if not (isinstance(self.min_count, (int, np.integer)) and self.min_count >= 1):
            raise ValueError(f"min_count must be a positive integer, got {self.min_count!r}")


def _as_arrays(p_el, p_cs, z, m_abs, r50_kpc):
    arrs = [np.asarray(a, float) for a in (p_el, p_cs, z, m_abs, r50_kpc)]
    shapes = [a.shape for a in arrs]
    if len(set(shapes)) != 1 or arrs[0].ndim != 1:
        raise ValueError(f"p_el, p_cs, z, m_abs and r50_kpc must be 1-D arrays of the same shape, got {shapes}")
    p_el, p_cs, z, m_abs, r50 = arrs
    for name, a in (("p_el", p_el), ("p_cs", p_cs)):
        if np.any(~np.isfinite(a)) or np.any(a < -1e-9) or np.any(a > 1 + 1e-9):
            raise ValueError(f"{name} must be likelihoods in [0, 1]; range [{np.nanmin(a)}, {np.nanmax(a)}]")
    p_el, p_cs = np.clip(p_el, 0, 1), np.clip(p_cs, 0, 1)  # sums of vote fractions may round past 1
    if np.any(p_el + p_cs > 1 + 1e-9):
        raise ValueError(f"p_el + p_cs must not exceed 1; max {np.max(p_el + p_cs)}")
    if np.any(~np.isfinite(z)) or np.any(z < 0):
        raise ValueError(f"redshifts must be finite and >= 0; min {np.nanmin(z)}")
    if np.any(~np.isfinite(m_abs)):
        raise ValueError("absolute magnitudes must be finite")
    if np.any(~np.isfinite(r50)) or np.any(r50 <= 0):
        raise ValueError(f"r50_kpc must be positive sizes in kpc; min {np.nanmin(r50)}")
    return p_el, p_cs, z, m_abs, r50


def _log_ratio(p_el, p_cs, group, n_groups):
    s_el = np.bincount(group, p_el, n_groups)
    s_cs = np.bincount(group, p_cs, n_groups)
    return np.log10((s_el + _LOG10_EPS) / (s_cs + _LOG10_EPS))


def _apply(p_el, p_cs, kappa):
    w = 10.0**kappa
    tot = p_el + p_cs
    denom = p_el + w * p_cs
    safe = denom > 0
    el = np.where(safe, tot * p_el / np.where(safe, denom, 1.0), p_el)
    cs = np.where(safe, tot * w * p_cs / np.where(safe, denom, 1.0), p_cs)
    return el, cs


def _cell_kappa(p_el, p_cs, cell, zbin, n_cells, n_z, min_count):
    """kappa per (cell, z bin) that restores each cell's baseline ratio; NaN where undefined."""
    group = cell * n_z + zbin
    n_groups = n_cells * n_z
    counts = np.bincount(group, minlength=n_groups).reshape(n_cells, n_z)
    ratio = _log_ratio(p_el, p_cs, group, n_groups).reshape(n_cells, n_z)
    enough = counts >= min_count
    has_base = enough.any(axis=1)
    base_z = np.argmax(enough, axis=1)  # the lowest redshift bin with enough galaxies
    base = ratio[np.arange(n_cells), base_z]
    target = np.where(has_base, base, np.nan)[:, None] * np.ones((1, n_z))
    corr = enough & has_base[:, None] & (np.arange(n_z)[None, :] > base_z[:, None])
    # bisection on kappa, all bins at once: the summed ratio after correction falls as kappa grows
    lo = np.full(n_groups, -KAPPA_MAX)
    hi = np.full(n_groups, KAPPA_MAX)
    tgt = target.ravel()
    for _ in range(40):
        mid = (lo + hi) / 2
        el, cs = _apply(p_el, p_cs, mid[group])
        too_early = _log_ratio(el, cs, group, n_groups) > tgt
        lo = np.where(too_early, mid, lo)
        hi = np.where(too_early, hi, mid)
    kappa = ((lo + hi) / 2).reshape(n_cells, n_z)
    kappa = np.where(corr, kappa, np.nan)
    kappa[enough & has_base[:, None] & ~corr] = 0.0  # the baseline and any bin below it
    return kappa


def _bin(values, step):
    idx = np.floor(values / step).astype(np.int64)
    return idx - idx.min()


def debias_kappa(p_el, p_cs, z, m_abs, r50_kpc, bins: Bins = Bins()) -> np.ndarray:
    """Each galaxy's correction shift kappa (log10 of the early/spiral ratio removed), as described
    in the module docstring; 0 where no baseline could be found."""
    p_el, p_cs, z, m_abs, r50 = _as_arrays(p_el, p_cs, z, m_abs, r50_kpc)
    if not isinstance(bins, Bins):
        raise TypeError(f"bins must be a Bins, got {type(bins).__name__}")
    mb = _bin(m_abs, bins.m_step)
    rb = _bin(np.log10(r50), bins.log_r50_step)
    zb = _bin(z, bins.z_step)
    n_m, n_r, n_z = mb.max() + 1, rb.max() + 1, zb.max() + 1
    # fine cells (M, R50); then magnitude-only cells for galaxies the fine cells cannot correct
    fine = _cell_kappa(p_el, p_cs, mb * n_r + rb, zb, n_m * n_r, n_z, bins.min_count)
    k = fine[mb * n_r + rb, zb]
    coarse = _cell_kappa(p_el, p_cs, mb, zb, n_m, n_z, bins.min_count)
    k = np.where(np.isnan(k), coarse[mb, zb], k)
    return np.where(np.isnan(k), 0.0, k)


def debias(p_el, p_cs, z, m_abs, r50_kpc, bins: Bins = Bins()) -> tuple[np.ndarray, np.ndarray]:
    """Debiased ``(p_el, p_cs)`` after Bamford et al. 2009 (module docstring); ``p_el + p_cs`` is kept."""
    kappa = debias_kappa(p_el, p_cs, z, m_abs, r50_kpc, bins)
    return _apply(np.asarray(p_el, float), np.asarray(p_cs, float), kappa)


def flags(p_el_debiased, p_cs_debiased, threshold: float = FLAG_THRESHOLD) -> dict[str, np.ndarray]:
    """GZ1's clean flags (0/1 int8): SPIRAL if ``p_cs_debiased > threshold``, ELLIPTICAL if
    ``p_el_debiased > threshold``, UNCERTAIN otherwise (Lintott et al. 2011)."""
    if not 0.5 <= threshold < 1:
        raise ValueError(f"threshold must be in [0.5, 1) so the flags exclude each other, got {threshold}")
    p_el = np.asarray(p_el_debiased, float)
    p_cs = np.asarray(p_cs_debiased, float)
    if p_el.shape != p_cs.shape:
        raise ValueError(f"p_el_debiased and p_cs_debiased must have the same shape, got {p_el.shape}, {p_cs.shape}")
    sp = (p_cs > threshold).astype(np.int8)
    el = (p_el > threshold).astype(np.int8)
    return {"SPIRAL": sp, "ELLIPTICAL": el, "UNCERTAIN": (1 - sp - el).astype(np.int8)}


def early_fraction_by_z(
    cat, z_edges=None, m_range: tuple[float, float] = CHECK_M_RANGE, early_types=(0, 1)
) -> dict[str, np.ndarray]:
    """Early-type fractions per redshift bin at fixed luminosity ``m_range`` (M_r, mag).

    ``raw`` and ``debiased`` are likelihood-weighted, ``sum p_el / sum (p_el + p_cs)`` as in
    Bamford et al. 2009; ``true`` is the share of the catalogue's true types in ``early_types``
    (elliptical and S0 by default: GZ1's "elliptical" answer gathers both). Each comes with its
    binomial standard error ``sqrt(f (1 - f) / n)``. Needs ``z, m_abs, P_EL, P_CS,
    P_EL_DEBIASED, P_CS_DEBIASED`` and, for ``true``, ``type``.
    """
    lo_m, hi_m = m_range
    if not lo_m < hi_m:
        raise ValueError(f"m_range must be (bright, faint) with bright < faint, got {m_range}")
    z_edges = np.arange(0.0, 0.1501, 0.025) if z_edges is None else np.asarray(z_edges, float)
    if z_edges.ndim != 1 or z_edges.size < 2 or np.any(np.diff(z_edges) <= 0):
        raise ValueError(f"z_edges must be increasing bin edges, got {z_edges}")
    z, m = np.asarray(cat["z"]), np.asarray(cat["m_abs"])
    sel = (m > lo_m) & (m < hi_m)
    zb = np.searchsorted(z_edges, z, side="right") - 1
    ok = sel & (zb >= 0) & (zb < z_edges.size - 1)
    nb = z_edges.size - 1
    n = np.bincount(zb[ok], minlength=nb).astype(float)
    out = {"z_lo": z_edges[:-1], "z_hi": z_edges[1:], "z_mid": (z_edges[:-1] + z_edges[1:]) / 2, "n": n}

    def frac(el, cs):
        s_el = np.bincount(zb[ok], np.asarray(el)[ok], nb)
        s_tot = s_el + np.bincount(zb[ok], np.asarray(cs)[ok], nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            return s_el / s_tot

    out["raw"] = frac(cat["P_EL"], cat["P_CS"])
    out["debiased"] = frac(cat["P_EL_DEBIASED"], cat["P_CS_DEBIASED"])
    if "type" in cat:
        early = np.isin(np.asarray(cat["type"]), early_types).astype(float)
        out["true"] = frac(early, 1 - early)
    for key in ("raw", "debiased", "true"):
        if key in out:
            f = out[key]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[key + "_err"] = np.sqrt(f * (1 - f) / n)
    return out


SOURCES = (
    Source(
        "FLAG_THRESHOLD",
        "clean-flag threshold on debiased likelihoods",
        "",
        "lintott2011gz",
        False,
        "SPIRAL / ELLIPTICAL when the debiased likelihood exceeds 0.8; the thesis {cite}`homma2022` used these flags",
    ),
    Source(
        "M_STEP",
        "debiasing bin width in absolute magnitude",
        "mag",
        "bamford2009",
        True,
        "bins in M_r, R50 and z as there; the widths are ours, wide enough for a 15,000-galaxy sky",
    ),
    Source("LOG_R50_STEP", "debiasing bin width in log₁₀ R50", "dex", "bamford2009", True, "as for M_STEP"),
    Source("Z_STEP", "debiasing bin width in redshift", "", "bamford2009", True, "as for M_STEP"),
    Source(
        "MIN_COUNT",
        "fewest galaxies in a baseline or corrected bin",
        "",
        ASSUMPTION,
        True,
        "a baseline of 20 galaxies fixes the early-type share to about ±0.1 (binomial)",
    ),
    Source("KAPPA_MAX", "largest correction searched", "dex", ASSUMPTION, True, "a factor 10⁴ in the likelihood ratio"),
    Source(
        "CHECK_M_RANGE",
        "luminosity slice of the debiasing check",
        "mag",
        ASSUMPTION,
        True,
        "one magnitude around M*, where both types are common",
    ),
)
