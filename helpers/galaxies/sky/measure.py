"""Quantities measured on images, to check the generator against what it claims."""

from __future__ import annotations

import numpy as np

from helpers.galaxies.sky import constants as C


def point_source(survey: str, fwhm: float | None = None, offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """A noise-free unit-flux star drawn through the survey's PSF and pixels."""
    import galsim

    from helpers.galaxies.sky.render import psf

    s = C.survey(survey)
    star = galsim.Convolve([galsim.DeltaFunction(flux=1.0), psf(s, fwhm)])
    return star.drawImage(nx=s.stamp, ny=s.stamp, scale=s.pixel_scale, offset=offset).array.astype(np.float64)


def fit_fwhm(stamp: np.ndarray, survey: str) -> float:
    """FWHM (arcsec) of the Moffat PSF that, drawn through the survey's pixels, best fits a star stamp.

    The fit undoes the pixel: a point source's image is the PSF convolved with the pixel, so its
    half-maximum width is wider than the PSF's. Least squares on the flux-normalised stamp over a
    bounded FWHM; the centroid is taken from the stamp's first moments.
    """
    from scipy.optimize import minimize_scalar

    s = C.survey(survey)
    stamp = np.asarray(stamp, dtype=float)
    if stamp.shape != (s.stamp, s.stamp):
        raise ValueError(f"a {s.name} star stamp must be {s.stamp}x{s.stamp}, got {stamp.shape}")
    data = stamp / stamp.sum()
    yy, xx = np.indices(stamp.shape)
    centre = (s.stamp - 1) / 2 if s.stamp % 2 else s.stamp / 2 - 0.5
    off = ((data * xx).sum() - centre, (data * yy).sum() - centre)

    def loss(f):
        model = point_source(s.name, f, off)
        return float(((model / model.sum() - data) ** 2).sum())

    lo, hi = s.psf_fwhm_clip
    return float(minimize_scalar(loss, bounds=(0.5 * lo, 1.5 * hi), method="bounded", options={"xatol": 1e-4}).x)


def arm_snr_measured(cat: dict, indices, survey: str = "sdss") -> np.ndarray:
    """Matched-filter S/N of the arms as drawn: ||image with arms - image without|| / sigma_pixel."""
    from helpers.galaxies.sky.render import render

    s = C.survey(survey)
    idx = np.asarray(list(indices))
    with_arms = render(cat, idx, (s.name,), noise=False, progress=False)[s.name]
    flat = {k: np.array(v, copy=True) for k, v in cat.items()}
    flat["arm_amp"] = np.zeros_like(flat["arm_amp"])
    no_arms = render(flat, idx, (s.name,), noise=False, progress=False)[s.name]
    return np.sqrt(((with_arms - no_arms).astype(float) ** 2).sum(axis=(1, 2))) / s.sigma_pixel


def arm_pitch_measured(row: dict, survey: str = "hsc", radii=(1.0, 3.5), n_radii: int = 24) -> float:
    """Pitch angle (deg) of a spiral's arms measured on its face-on, noise-free render.

        The galaxy is drawn face-on without its field, once with arms and once without; in annuli of the
        difference the phase of the m-th angular Fourier mode is fitted against ln r (weighted by the mode's
    amplitude). A logarithmic spiral
        has phase ``m * chirality * ln r / tan(pitch) + const``, so ``pitch = arctan(m / |slope|)``.
    """
    from helpers.galaxies.sky.render import render_galaxy

    s = C.survey(survey)
    m = int(row["arms"])
    if m < 1:
        raise ValueError(f"a galaxy needs spiral arms (arms >= 1) to measure a pitch, got arms={m}")
    face = {**row, "q_disk": 1.0, "cos_i": 1.0, "q": 1.0}
    with_arms = render_galaxy(face, (s.name,), noise=False, field=False)[s.name].astype(float)
    smooth = render_galaxy({**face, "arm_amp": 0.0}, (s.name,), noise=False, field=False)[s.name]
    diff = with_arms - smooth
    c = (s.stamp - 1) / 2 if s.stamp % 2 else s.stamp / 2 - 0.5
    yy, xx = np.indices(diff.shape)
    x, y = (xx - c) * s.pixel_scale, (yy - c) * s.pixel_scale
    r, theta = np.hypot(x, y), np.arctan2(y, x)
    h = row["r50"] / 1.6783
    edges = np.exp(np.linspace(np.log(radii[0] * h), np.log(radii[1] * h), n_radii + 1))
    lnr, phase, weight = [], [], []
    for a, b in zip(edges[:-1], edges[1:]):
        sel = (r >= a) & (r < b)
        if sel.sum() < 8 * m:
            continue
        coef = (diff[sel] * np.exp(-1j * m * theta[sel])).sum()
        lnr.append(np.log(np.sqrt(a * b)))
        phase.append(np.angle(coef))
        weight.append(abs(coef))
    if len(lnr) < 3:
        raise ValueError(f'the galaxy is too small on the {s.name} stamp to measure its arms (R50 {row["r50"]:.2f}")')
    # annuli where the PSF has washed the arms out carry little m-th power (and the knots' random phases)
    slope = np.polyfit(lnr, np.unwrap(phase), 1, w=np.asarray(weight))[0]
    return float(np.degrees(np.arctan(m / abs(slope))))


def arm_snr_seen_measured(cat: dict, indices, survey: str = "sdss") -> np.ndarray:
    """Arm contrast per resolution element measured on the rendered stamps (cf. ``votes.visibility``).

    The arms' own light (the noise-free stamp minus the same galaxy drawn without arms, both through
    the stamp's PSF and pixels) is averaged over a resolution element (a disk of diameter the PSF
    FWHM), which leaves noise ``sigma_pixel / sqrt(pixels in it)``; in elliptical annuli of the disk
    (width h / 4 between 0.5 h and 4 h) the modulation's amplitude is sqrt(2) x its RMS. The largest
    amplitude over the noise is returned, as the model's ``arm_snr`` is.
    """
    from scipy.signal import fftconvolve

    from helpers.galaxies.sky.render import render

    s = C.survey(survey)
    idx = np.asarray(list(indices))
    with_arms = render(cat, idx, (s.name,), noise=False, progress=False, field=False)[s.name]
    flat = {k: np.array(v, copy=True) for k, v in cat.items()}
    flat["arm_amp"] = np.zeros_like(flat["arm_amp"])
    no_arms = render(flat, idx, (s.name,), noise=False, progress=False, field=False)[s.name]
    c = (s.stamp - 1) / 2
    yy, xx = np.indices((s.stamp, s.stamp)) - c
    out = np.empty(idx.size)
    for k, i in enumerate(idx):
        d_pix = cat[f"psf_{s.name}"][i] / s.pixel_scale
        rk = int(np.ceil(d_pix / 2))
        ky, kx = np.mgrid[-rk : rk + 1, -rk : rk + 1]
        kern = (np.hypot(kx, ky) <= d_pix / 2).astype(float)
        kern /= kern.sum()
        sm = fftconvolve((with_arms[k] - no_arms[k]).astype(float), kern, mode="same")
        noise = s.sigma_pixel * np.sqrt((kern**2).sum())
        pa, qd = cat["pa"][i], cat["q_disk"][i]
        u = xx * np.cos(pa) + yy * np.sin(pa)
        v = -xx * np.sin(pa) + yy * np.cos(pa)
        rd = np.hypot(u, v / qd) * s.pixel_scale / (cat["r50"][i] / 1.6783)
        best = 0.0
        for a in np.arange(0.5, 4.0, 0.25):
            sel = (rd >= a) & (rd < a + 0.25)
            if sel.sum() >= 6:
                best = max(best, np.sqrt(2 * np.mean(sm[sel] ** 2)) / noise)
        out[k] = best
    return out
