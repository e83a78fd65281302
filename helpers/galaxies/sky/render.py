"""Draw catalogue galaxies as survey cutouts with GalSim: light profile, PSF, pixels, noise.

The same intrinsic profile is drawn through both surveys, so a galaxy's SDSS and HSC cutouts
differ only by seeing, pixel scale and depth. Ellipticals are Sersic profiles; S0s a Sersic bulge
plus an exponential disk; spirals add a log-spiral arm pattern, sampled on a fine grid and wrapped
as a ``galsim.InterpolatedImage`` (zero net flux: it redistributes the disk's light into arms).
Each galaxy carries its own seed, so an image does not depend on which other galaxies are drawn,
in which order, or by how many worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.population import ELLIPTICAL, S0, SPIRAL

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
    """The face-on arm modulation of a spiral's disk, in nanomaggies per fine pixel (sums to ~0)."""
    f_disk = (1 - row["bt"]) * row["flux"]
    h = row["r50"] / 1.6783  # exponential scale length from R50
    half = min(max(6 * h, 4 * scale), C.SDSS.extent / np.sqrt(2))  # no further than the stamp corners
    npix = 2 * int(np.ceil(half / scale)) + 1
    ax = (np.arange(npix) - npix // 2) * scale
    x, y = np.meshgrid(ax, ax)
    r = np.hypot(x, y)
    theta = np.arctan2(y, x)
    rr = np.maximum(r, 1e-3 * h)
    tan_pitch = np.tan(np.radians(row["pitch_deg"]))
    # log spiral: arms at theta = chirality * ln(r/h) / tan(pitch) + phase + 2 pi k / m
    wind = theta - row["chirality"] * np.log(rr / h) / tan_pitch
    taper = 1 - np.exp(-((r / h) ** 2))  # no arms inside the bulge region
    sb = f_disk / (2 * np.pi * h * h) * np.exp(-r / h)  # disk surface brightness per arcsec^2
    return sb * row["arm_amp"] * taper * np.cos(row["arms"] * wind - row["arm_phase"]) * scale**2


def intrinsic_profile(row: Mapping[str, float]):
    """The galaxy before seeing: a GalSim object with the catalogue's flux, size, shape and angle."""
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
    bulge = galsim.Sersic(
        n=float(row["sersic_n"]), half_light_radius=float(row["bulge_r50"]), flux=bt * total, gsparams=gsp
    ).shear(q=float(row["q"]), beta=beta)
    disk = galsim.Exponential(half_light_radius=float(row["r50"]), flux=(1 - bt) * total, gsparams=gsp)
    if kind == SPIRAL and row["arm_amp"] > 0:
        arms = galsim.InterpolatedImage(
            galsim.Image(arm_pattern(row), scale=_FINE_SCALE),
            normalization="flux",
            pad_factor=2,
            gsparams=gsp,
            calculate_stepk=False,
            calculate_maxk=False,
        )
        disk = galsim.Add([disk, arms], gsparams=gsp)
    disk = disk.shear(q=float(row["q_disk"]), beta=beta)
    return galsim.Add([bulge, disk], gsparams=gsp)


def draw(profile, survey: str | C.Survey, fwhm: float | None = None, *, noise_seed: int | None = None):
    """Draw a profile through a survey's PSF and pixels; add noise when ``noise_seed`` is given.

    Noise is sky-limited Gaussian (``Survey.sigma_pixel``) plus the source's shot noise
    (``flux / gain``), drawn with ``galsim.VariableGaussianNoise``.
    """
    import galsim

    s = survey if isinstance(survey, C.Survey) else C.survey(survey)
    conv = galsim.Convolve([profile, psf(s, fwhm)], gsparams=_gsparams())
    img = conv.drawImage(nx=s.stamp, ny=s.stamp, scale=s.pixel_scale, method="auto")
    if noise_seed is not None:
        var = galsim.Image(s.sigma_pixel**2 + np.clip(img.array, 0, None) / s.gain_e_per_nmgy, scale=s.pixel_scale)
        img.addNoise(galsim.VariableGaussianNoise(galsim.BaseDeviate(int(noise_seed)), var))
    return img.array.astype(np.float32)


def render_galaxy(
    row: Mapping[str, float], surveys: Sequence[str] = ("sdss",), noise: bool = True
) -> dict[str, np.ndarray]:
    """Cutouts of one catalogue row in each named survey (seeing from the row's ``psf_<survey>``)."""
    prof = intrinsic_profile(row)
    out = {}
    for k, name in enumerate(surveys):
        s = C.survey(name)
        out[s.name] = draw(
            prof, s, row[f"psf_{s.name}"], noise_seed=(int(row["seed"]) * 7 + 1 + k) % (2**31 - 1) if noise else None
        )
    return out


def _row(cat: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    return {k: v[i] for k, v in cat.items()}


def _init_worker():
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _work(args):
    rows, surveys, noise = args
    return [render_galaxy(r, surveys, noise) for r in rows]


def render(
    cat: Mapping[str, np.ndarray],
    indices: Iterable[int] | None = None,
    surveys: Sequence[str] = ("sdss",),
    *,
    noise: bool = True,
    workers: int | None = None,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Cutouts of the selected galaxies: ``{survey: (n, stamp, stamp) float32}``.

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
    jobs = [([_row(cat, int(i)) for i in idx[a : a + chunk]], names, noise) for a in range(0, idx.size, chunk)]
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
