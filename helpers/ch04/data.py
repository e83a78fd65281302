"""Images for chapter 4: the chapter-3 pool in physical units, HSC-like cutouts of chosen galaxies,
and HSC cutouts re-observed at SDSS seeing, all prepared for the CNN the same way.

Degradation acts on **fluxes**: a coarser pixel collects the light of the finer pixels it covers,
which is what ``cv2.INTER_AREA`` computes. Only afterwards is an image stretched for the network
(:func:`prepare`), exactly as the training images were, so that the network never sees a
difference in the stretch — only in the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cache import cached_arrays
from ..ch03.data import preprocess
from ..sky import constants as C
from ..sky.data import GENERATOR_VERSION, labels, load_catalogue, load_images

SKY_N = 15_000   # the chapter-3 sky (its first N_POOL galaxies are shared by both chapters)


def prepare(images: np.ndarray, survey: str = "sdss") -> np.ndarray:
    """Surface brightness in SDSS-pixel units, then chapter 3's asinh stretch and peak scaling.

    Converting by the pixel area first puts an HSC cutout (0.168″ pixels) and an SDSS cutout of the
    same galaxy on the same brightness scale, so the stretch is the same function of the sky's
    surface brightness in both surveys."""
    s = C.survey(survey)
    area_ratio = (C.SDSS.pixel_scale / s.pixel_scale) ** 2
    return preprocess(np.asarray(images, np.float32) * np.float32(area_ratio), "sdss")


@dataclass
class SdssPool:
    """The two-class (SPIRAL / ELLIPTICAL) galaxies of the chapter-3 pool."""

    catalogue: dict[str, np.ndarray]   # columns of those galaxies
    raw: np.ndarray                    # (n, 64, 64) nanomaggies per pixel
    images: np.ndarray                 # (n, 64, 64, 1) prepared for the CNN
    y: np.ndarray                      # 0 spiral, 1 elliptical (GZ1 flags)


def load_sdss_pool(n_pool: int, *, seed: int = 0, progress: bool = True) -> SdssPool:
    """Flagged galaxies among the first ``n_pool`` of the sky, raw and prepared (images cached)."""
    if not 1 <= n_pool <= SKY_N:
        raise ValueError(f"n_pool must be between 1 and the sky's {SKY_N} galaxies, got {n_pool}")
    cat = load_catalogue(SKY_N, seed=seed)
    raw = load_images(np.arange(n_pool), "sdss", n=SKY_N, seed=seed, progress=progress)
    pos, y = labels({k: v[:n_pool] for k, v in cat.items()}, 2)
    return SdssPool({k: v[pos] for k, v in cat.items()}, raw[pos], prepare(raw[pos], "sdss"), y)


def choose_balanced(pool: SdssPool, n_per_class: int) -> np.ndarray:
    """Pool positions of the first ``n_per_class`` spirals and ellipticals (catalogue order is random)."""
    out = []
    for c, name in enumerate(("spirals", "ellipticals")):
        have = np.flatnonzero(pool.y == c)
        if n_per_class > have.size:
            raise ValueError(f"asked for {n_per_class} {name} but the pool holds {have.size}; "
                             f"raise N_POOL or lower the number per class")
        out.append(have[:n_per_class])
    return np.sort(np.concatenate(out))


def load_hsc(pool: SdssPool, positions: np.ndarray, *, seed: int = 0, progress: bool = True) -> np.ndarray:
    """Raw (n, 151, 151) HSC-like cutouts of the chosen pool galaxies (rendered once, cached)."""
    return load_images(pool.catalogue["id"][positions], "hsc", n=SKY_N, seed=seed, progress=progress)


def load_hsc_matched(pool: SdssPool, positions: np.ndarray, hsc: np.ndarray, *, seed: int = 0,
                     progress: bool = True) -> np.ndarray:
    """HSC cutouts re-observed as SDSS would see them: each galaxy's HSC PSF and pixel undone, its
    own SDSS seeing and 0.396″ pixels applied (``helpers.sky.render.match_survey``), then SDSS sky
    noise added. The HSC noise left after the convolution is below 2 % of the SDSS variance and is
    not subtracted; SDSS source shot noise (sky-limited images) is not added. Cached."""
    from tqdm import tqdm

    from ..sky.render import match_survey

    ids = pool.catalogue["id"][positions]
    if hsc.shape != (ids.size, C.HSC.stamp, C.HSC.stamp):
        raise ValueError(f"hsc must be ({ids.size}, {C.HSC.stamp}, {C.HSC.stamp}) for these galaxies, got {hsc.shape}")
    params = {"sky_n": SKY_N, "seed": seed, "ids": ids.tolist()}

    def build():
        out = np.empty((ids.size, C.SDSS.stamp, C.SDSS.stamp), np.float32)
        for k, i in enumerate(tqdm(range(ids.size), disable=not progress, desc="PSF-matching HSC → SDSS")):
            row = positions[i]
            out[k] = match_survey(hsc[i], "hsc", float(pool.catalogue["psf_hsc"][row]),
                                  "sdss", float(pool.catalogue["psf_sdss"][row]))
            rng = np.random.default_rng([seed, int(ids[i]), 4])
            out[k] += rng.normal(0.0, C.SDSS.sigma_pixel, out[k].shape).astype(np.float32)
        return {"images": out}

    return cached_arrays("sky-hsc-matched-sdss", params, build, version=GENERATOR_VERSION)["images"]
