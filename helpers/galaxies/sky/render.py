"""Draw catalogue galaxies as survey cutouts with GalSim: light profile, PSF, pixels, noise.

The same intrinsic profile is drawn through both surveys, so a galaxy's SDSS and HSC cutouts
differ only by seeing, pixel scale and depth. Ellipticals are Sersic profiles; S0s a Sersic bulge
plus an exponential disk (and, for a sourced fraction of disks, a bar); spirals add logarithmic arms
with star-forming knots, sampled on a fine grid and wrapped as a ``galsim.InterpolatedImage`` (the arms
redistribute the disk's light). Around each galaxy the field's galaxies and stars are drawn at their
published counts, so each survey shows what its depth reaches (HSC's 25" stamps show many).
Each galaxy carries its own seed, so an image does not depend on which other galaxies are drawn,
in which order, or by how many worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.population import ELLIPTICAL, S0, SPIRAL, field_sources, knot_layout

_GSPARAMS = None
_FINE_SCALE = C.HSC.pixel_scale / 2  # arcsec: samples the arm pattern at half an HSC pixel


def _gsparams():
    global _GSPARAMS
    if _GSPARAMS is None:
        import galsim

        _GSPARAMS = galsim.GSParams(maximum_fft_size=16384)
    return _GSPARAMS


def psf(survey: str | C.Survey, fwhm: float | None = None):
    """The survey's PSF as a GalSim Moffat (median seeing unless ``fwhm`` is given)."""
    import galsim

    s = survey if isinstance(survey, C.Survey) else C.survey(survey)
    fwhm = s.psf_fwhm_median if fwhm is None else float(fwhm)
    if not (0 < fwhm < 10):
        raise ValueError(f"PSF FWHM must be in (0, 10) arcsec, got {fwhm}")
    return galsim.Moffat(beta=s.psf_beta, fwhm=fwhm, gsparams=_gsparams())


def arm_pattern(row: Mapping[str, float], scale: float = _FINE_SCALE) -> np.ndarray:
    """The face-on arms of a spiral's disk, in nanomaggies per fine pixel.

    Logarithmic spiral arms: the crests lie on ``theta = chirality * ln(r / h) / tan(pitch) + const``,
    so the phase of the arm maximum grows linearly in ln r with slope 1 / tan(pitch). Across the arms
    the profile is a von Mises bump (arms narrower than the gaps between them) scaled so that its
    fundamental harmonic has the catalogue's amplitude ``arm_amp`` (zero net flux); on the crests sit
    star-forming knots (Gaussians, seeded by the row's ``seed``), whose light the disk gives up.
    """
    from scipy.special import i0e, i1e

    f_disk = (1 - row["bt"] - row.get("bar_light", 0.0)) * row["flux"]
    h = row["r50"] / 1.6783  # exponential scale length from R50
    half = min(max(6 * h, 4 * scale), C.SDSS.extent / np.sqrt(2))  # no further than the stamp corners
    npix = 2 * int(np.ceil(half / scale)) + 1
    ax = (np.arange(npix) - npix // 2) * scale
    x, y = np.meshgrid(ax, ax)
    r = np.hypot(x, y)
    theta = np.arctan2(y, x)
    rr = np.maximum(r, 1e-3 * h)
    tan_pitch = np.tan(np.radians(row["pitch_deg"]))
    m, chi, amp = int(row["arms"]), float(row["chirality"]), float(row["arm_amp"])
    wind = theta - chi * np.log(rr / h) / tan_pitch
    kappa = C.ARM_KAPPA
    # exp(k cos psi) = I0(k) + 2 sum_n I_n(k) cos(n psi): minus the mean, over 2 I1, has unit fundamental
    across = (np.exp(kappa * (np.cos(m * wind - row["arm_phase"]) - 1)) - i0e(kappa)) / (2 * i1e(kappa))
    taper = 1 - np.exp(-((r / h) ** 2))  # no arms inside the bulge region
    sb = f_disk / (2 * np.pi * h * h) * np.exp(-r / h)  # disk surface brightness per arcsec^2
    out = sb * amp * taper * across * scale**2
    # knots on the crests: theta_k = chi ln(r_k / h) / tan(pitch) + (phase + 2 pi j) / m
    arm_of, xk, fk = knot_layout(int(row["seed"]), m, amp, f_disk)
    rk = xk * h
    tk = chi * np.log(rk / h) / tan_pitch + (row["arm_phase"] + 2 * np.pi * arm_of) / m
    sig = C.KNOT_SIZE * h / scale  # fine pixels
    rad = int(np.ceil(4 * sig))
    c = npix // 2
    for xk, yk, f in zip(rk * np.cos(tk) / scale + c, rk * np.sin(tk) / scale + c, fk):
        x0, y0 = int(round(xk)), int(round(yk))
        xa, xb, ya, yb = max(x0 - rad, 0), min(x0 + rad + 1, npix), max(y0 - rad, 0), min(y0 + rad + 1, npix)
        if xa >= xb or ya >= yb:
            continue
        gx = np.exp(-0.5 * ((np.arange(xa, xb) - xk) / sig) ** 2)
        gy = np.exp(-0.5 * ((np.arange(ya, yb) - yk) / sig) ** 2)
        out[ya:yb, xa:xb] += f / (2 * np.pi * sig * sig) * np.outer(gy, gx)
    return out


def intrinsic_profile(row: Mapping[str, float]):
    """The galaxy before seeing: a GalSim object with the catalogue's flux, size, shape and angle.

    Disks (S0s and spirals) may carry a bar: an elongated Gaussian (axis ratio BAR_AXIS_RATIO,
    semi-major axis ``bar_len`` disk scale lengths, ``bar_light`` of the total light, taken from the
    disk) lying in the disk plane, so it is foreshortened with the disk.
    """
    import galsim

    gsp = _gsparams()
    beta = float(row["pa"]) * galsim.radians
    total = float(row["flux"])
    kind = int(row["type"])
    if kind == ELLIPTICAL:
        return galsim.Sersic(
            n=float(row["sersic_n"]), half_light_radius=float(row["r50"]), flux=total, gsparams=gsp
        ).shear(q=float(row["q"]), beta=beta)
    if kind not in (S0, SPIRAL):
        raise ValueError(f"galaxy type must be 0 (elliptical), 1 (S0) or 2 (spiral), got {kind}")
    bt = float(row["bt"])
    bar_light = float(row.get("bar_light", 0.0)) if int(row.get("bar", 0)) else 0.0
    bulge = galsim.Sersic(
        n=float(row["sersic_n"]), half_light_radius=float(row["bulge_r50"]), flux=bt * total, gsparams=gsp
    ).shear(q=float(row["q"]), beta=beta)
    f_disk = (1 - bt - bar_light) * total
    parts = []
    if kind == SPIRAL and row["arm_amp"] > 0:
        pattern = arm_pattern({**row, "bar_light": bar_light})
        f_disk -= float(pattern.sum())  # the knots' light comes out of the smooth disk
        parts.append(
            galsim.InterpolatedImage(
                galsim.Image(pattern, scale=_FINE_SCALE),
                normalization="flux",
                pad_factor=2,
                gsparams=gsp,
                calculate_stepk=False,
                calculate_maxk=False,
            )
        )
    parts.insert(0, galsim.Exponential(half_light_radius=float(row["r50"]), flux=f_disk, gsparams=gsp))
    if bar_light > 0:
        h = float(row["r50"]) / 1.6783
        qb = C.BAR_AXIS_RATIO
        sigma = 0.5 * float(row["bar_len"]) * h * np.sqrt(qb)  # major-axis sigma = half the semi-major axis
        parts.append(
            galsim.Gaussian(sigma=sigma, flux=bar_light * total, gsparams=gsp).shear(
                q=qb, beta=float(row["bar_angle"]) * galsim.radians
            )
        )
    disk = parts[0] if len(parts) == 1 else galsim.Add(parts, gsparams=gsp)
    disk = disk.shear(q=float(row["q_disk"]), beta=beta)
    return galsim.Add([bulge, disk], gsparams=gsp)


def field_image(row: Mapping[str, float], survey: str | C.Survey, fwhm: float | None = None) -> np.ndarray:
    """Noise-free light of the galaxies and stars around a galaxy, as the survey draws them.

    The sources (``population.field_sources``, seeded by the row's ``seed``: the same sky in every
    survey) are drawn as elliptical Moffats of the survey's beta whose FWHM along each axis is the
    quadrature sum of the PSF's and the source's R50 on that axis; an approximation good for the
    small, faint sources that make up the field (stars are exact PSFs).
    """
    s = survey if isinstance(survey, C.Survey) else C.survey(survey)
    fwhm = s.psf_fwhm_median if fwhm is None else float(fwhm)
    src = field_sources(int(row["seed"]), s.extent / 2 + C.FIELD_MARGIN)
    img = np.zeros((s.stamp, s.stamp))
    beta_m = s.psf_beta
    c = (s.stamp - 1) / 2
    to_alpha = 1 / (2 * np.sqrt(2 ** (1 / beta_m) - 1)) / s.pixel_scale  # FWHM (arcsec) -> alpha (pixels)
    for x, y, f, r50, q, ang in zip(src["x"], src["y"], src["flux"], src["r50"], src["q"], src["beta"]):
        a1 = np.hypot(fwhm, r50) * to_alpha
        a2 = np.hypot(fwhm, q * r50) * to_alpha
        rad = int(np.ceil(a1 * (6 if f < 1 else 15)))
        xp, yp = x / s.pixel_scale + c, y / s.pixel_scale + c
        xa, xb = max(int(xp) - rad, 0), min(int(xp) + rad + 1, s.stamp)
        ya, yb = max(int(yp) - rad, 0), min(int(yp) + rad + 1, s.stamp)
        if xa >= xb or ya >= yb:
            continue
        dx = np.arange(xa, xb)[None, :] - xp
        dy = np.arange(ya, yb)[:, None] - yp
        ca, sa = np.cos(ang), np.sin(ang)
        u, v = dx * ca + dy * sa, -dx * sa + dy * ca
        img[ya:yb, xa:xb] += f * (beta_m - 1) / (np.pi * a1 * a2) * (1 + (u / a1) ** 2 + (v / a2) ** 2) ** -beta_m
    return img


def draw(
    profile,
    survey: str | C.Survey,
    fwhm: float | None = None,
    *,
    noise_seed: int | None = None,
    extra: np.ndarray | None = None,
):
    """Draw a profile through a survey's PSF and pixels (plus ``extra`` light, e.g. the field); add
    noise when ``noise_seed`` is given.

    Noise is sky-limited Gaussian (``Survey.sigma_pixel``) plus the source's shot noise
    (``flux / gain``), drawn with numpy's generator seeded by ``noise_seed``.
    """
    import galsim

    s = survey if isinstance(survey, C.Survey) else C.survey(survey)
    conv = galsim.Convolve([profile, psf(s, fwhm)], gsparams=_gsparams())
    img = conv.drawImage(nx=s.stamp, ny=s.stamp, scale=s.pixel_scale, method="auto")
    if extra is not None:
        img += galsim.Image(np.asarray(extra, dtype=float), scale=s.pixel_scale)
    if noise_seed is not None:
        # numpy's Gaussian generator: GalSim's VariableGaussianNoise costs ~10 ms per 64x64 stamp
        var = s.sigma_pixel**2 + np.clip(img.array, 0, None) / s.gain_e_per_nmgy
        img.array[:] += np.sqrt(var) * np.random.default_rng(int(noise_seed)).standard_normal(var.shape)
    return img.array.astype(np.float32)


def render_galaxy(
    row: Mapping[str, float], surveys: Sequence[str] = ("sdss",), noise: bool = True, field: bool = True
) -> dict[str, np.ndarray]:
    """Cutouts of one catalogue row in each named survey (seeing from the row's ``psf_<survey>``),
    with the field's galaxies and stars around it unless ``field`` is False."""
    prof = intrinsic_profile(row)
    out = {}
    for name in surveys:
        s = C.survey(name)
        k = list(C.SURVEYS).index(s.name)  # the noise seed depends on the survey, not on its place in the list
        fwhm = row[f"psf_{s.name}"]
        out[s.name] = draw(
            prof,
            s,
            fwhm,
            noise_seed=(int(row["seed"]) * 7 + 1 + k) % (2**31 - 1) if noise else None,
            extra=field_image(row, s, fwhm) if field else None,
        )
    return out


def _row(cat: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    return {k: v[i] for k, v in cat.items()}


def _init_worker():
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _work(args):
    rows, surveys, noise, *rest = args
    field = rest[0] if rest else True
    return [render_galaxy(r, surveys, noise, field) for r in rows]


def render(
    cat: Mapping[str, np.ndarray],
    indices: Iterable[int] | None = None,
    surveys: Sequence[str] = ("sdss",),
    *,
    noise: bool = True,
    workers: int | None = None,
    progress: bool = True,
    field: bool = True,
) -> dict[str, np.ndarray]:
    """Cutouts of the selected galaxies: ``{survey: (n, stamp, stamp) float32}`` (with the field's
    galaxies and stars unless ``field`` is False).

    ``workers`` processes (default: ``PHYSML_THREADS`` or 1) draw chunks of galaxies; the result is
    identical for any number of workers.
    """
    from tqdm import tqdm

    n_all = len(cat["id"])
    idx = np.arange(n_all) if indices is None else np.asarray(list(indices), dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n_all):
        raise IndexError(f"galaxy indices must lie in [0, {n_all}), got range [{idx.min()}, {idx.max()}]")
    names = [C.survey(s).name for s in surveys]
    workers = int(workers or os.environ.get("PHYSML_THREADS", 1))
    out = {s: np.empty((idx.size, C.survey(s).stamp, C.survey(s).stamp), np.float32) for s in names}
    chunk = 25
    jobs = [([_row(cat, int(i)) for i in idx[a : a + chunk]], names, noise, field) for a in range(0, idx.size, chunk)]
    bar = tqdm(total=idx.size, desc=f"drawing {'+'.join(names)}", disable=not progress, leave=False)
    pos = 0

    def take(res):
        nonlocal pos
        for r in res:
            for s in names:
                out[s][pos] = r[s]
            pos += 1
        bar.update(len(res))

    from helpers.pipeline.executor import run_tasks

    # serial, local processes or a Dask cluster (PHYSML_DASK_SCHEDULER); results come back in order.
    # "spawn": GalSim's FFT threads make fork() after the first draw unsafe (it can deadlock)
    run_tasks(
        _work, jobs, workers=workers, start_method="spawn", initializer=_init_worker, on_result=lambda _, r: take(r)
    )
    bar.close()
    return out


def match_survey(
    image: np.ndarray, source: str | C.Survey, source_fwhm: float, target: str | C.Survey, target_fwhm: float
) -> np.ndarray:
    """Re-observe a cutout as another survey would: undo the source PSF and pixel, apply the target's.

    The kernel ``target PSF x target pixel / (source PSF x source pixel)`` is well behaved only when
    the target seeing is worse than the source's (HSC -> SDSS); the other way round raises.
    """
    import galsim

    src = source if isinstance(source, C.Survey) else C.survey(source)
    tgt = target if isinstance(target, C.Survey) else C.survey(target)
    image = np.asarray(image, dtype=float)
    if image.shape != (src.stamp, src.stamp):
        raise ValueError(f"a {src.name} cutout must be {src.stamp}x{src.stamp}, got {image.shape}")
    if target_fwhm <= source_fwhm:
        raise ValueError(
            f"PSF matching only sharpens noise away when the target seeing is worse: "
            f"target FWHM {target_fwhm} <= source FWHM {source_fwhm}"
        )
    gsp = _gsparams()
    ii = galsim.InterpolatedImage(galsim.Image(image, scale=src.pixel_scale), gsparams=gsp)
    kernel = galsim.Convolve(
        [
            galsim.Deconvolve(galsim.Convolve([psf(src, source_fwhm), galsim.Pixel(src.pixel_scale)])),
            psf(tgt, target_fwhm),
        ],
        gsparams=gsp,
    )
    out = galsim.Convolve([ii, kernel], gsparams=gsp).drawImage(
        nx=tgt.stamp, ny=tgt.stamp, scale=tgt.pixel_scale, method="auto"
    )
    return out.array.astype(np.float32)
