"""Samples of the synthetic sky for training: a shared pool of galaxies, labels, preprocessing
(chapter 3), and the same pool in physical units with HSC-like cutouts of chosen galaxies and HSC
cutouts re-observed at SDSS seeing (chapter 4), all prepared for the CNN the same way.

Degradation acts on **fluxes**: a coarser pixel collects the light of the finer pixels it covers,
which is what ``cv2.INTER_AREA`` computes. Only afterwards is an image stretched for the network
(:func:`prepare`), exactly as the training images were, so that the network never sees a
difference in the stretch — only in the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.data import GENERATOR_VERSION, labels, load_catalogue, load_images
from helpers.pipeline.cache import cached_arrays


@dataclass
class Pool:
    """The first ``n_pool`` galaxies of a sky (the catalogue order is random), with their images."""

    catalogue: dict[str, np.ndarray]  # columns restricted to the pool
    images: np.ndarray  # (n_pool, 64, 64, 1), preprocessed to [0, 1]
    index: np.ndarray  # positions in the full sky

    def classes(self, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
        """(pool positions, labels) of the galaxies usable for a 2- or 3-class problem."""
        return labels(self.catalogue, n_classes)


def preprocess(images: np.ndarray, survey: str = "sdss", soften: float = 3.0) -> np.ndarray:
    """asinh stretch relative to the survey's noise, each image scaled to a peak of 1; adds a channel axis.

    Like the JPEG cutouts volunteers saw, faint outskirts and bright cores both stay visible; the
    per-image scaling removes the overall brightness, which would otherwise tell the CNN the distance.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must be (n, height, width), got shape {images.shape}")
    s = C.survey(survey)
    x = np.arcsinh(np.clip(images, 0, None) / (soften * s.sigma_pixel))
    peak = x.reshape(len(x), -1).max(axis=1)
    return (x / np.maximum(peak, 1e-6)[:, None, None])[..., None].astype(np.float32)


def load_pool(n_pool: int, *, n_sky: int = 15_000, seed: int = 0, survey: str = "sdss", progress: bool = True) -> Pool:
    """Catalogue and preprocessed images of the first ``n_pool`` galaxies of a sky (images cached)."""
    if not 1 <= n_pool <= n_sky:
        raise ValueError(f"n_pool must be between 1 and the sky's {n_sky} galaxies, got {n_pool}")
    cat = load_catalogue(n_sky, seed=seed)
    idx = np.arange(n_pool)
    raw = load_images(idx, survey, n=n_sky, seed=seed, progress=progress)
    return Pool({k: v[idx] for k, v in cat.items()}, preprocess(raw, survey), idx)


def draw_sample(y: np.ndarray, n: int, rng: np.random.Generator, balanced: bool = False) -> np.ndarray:
    """Positions of ``n`` galaxies drawn without replacement; ``balanced`` takes n / k of each class."""
    y = np.asarray(y)
    classes = np.unique(y)
    if not balanced:
        if n > y.size:
            raise ValueError(f"asked for {n} galaxies but only {y.size} are available")
        return rng.choice(y.size, size=n, replace=False)
    per = n // classes.size
    out = []
    for c in classes:
        have = np.flatnonzero(y == c)
        if per > have.size:
            raise ValueError(f"a balanced sample of {n} needs {per} of class {c}, but only {have.size} exist")
        out.append(rng.choice(have, size=per, replace=False))
    return rng.permutation(np.concatenate(out))


def split(y: np.ndarray, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (train, test) positions: each class split test_fraction : 1 - test_fraction."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    y = np.asarray(y)
    train, test = [], []
    for c in np.unique(y):
        have = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test_fraction * have.size))
        if k == 0 or k == have.size:
            raise ValueError(f"class {c} has {have.size} galaxies: too few to appear in both train and test")
        test.append(have[:k])
        train.append(have[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


# --- chapter 4: the pool in physical units, HSC cutouts -------------------------------------

SKY_N = 15_000  # the chapter-3 sky (its first N_POOL galaxies are shared by both chapters)


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

    catalogue: dict[str, np.ndarray]  # columns of those galaxies
    raw: np.ndarray  # (n, 64, 64) nanomaggies per pixel
    images: np.ndarray  # (n, 64, 64, 1) prepared for the CNN
    y: np.ndarray  # 0 spiral, 1 elliptical (GZ1 flags)


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
            raise ValueError(
                f"asked for {n_per_class} {name} but the pool holds {have.size}; "
                f"raise N_POOL or lower the number per class"
            )
        out.append(have[:n_per_class])
    return np.sort(np.concatenate(out))


def load_hsc(pool: SdssPool, positions: np.ndarray, *, seed: int = 0, progress: bool = True) -> np.ndarray:
    """Raw (n, 151, 151) HSC-like cutouts of the chosen pool galaxies (rendered once, cached)."""
    return load_images(pool.catalogue["id"][positions], "hsc", n=SKY_N, seed=seed, progress=progress)


def load_hsc_matched(
    pool: SdssPool, positions: np.ndarray, hsc: np.ndarray, *, seed: int = 0, progress: bool = True
) -> np.ndarray:
    """HSC cutouts re-observed as SDSS would see them: each galaxy's HSC PSF and pixel undone, its
    own SDSS seeing and 0.396″ pixels applied (``helpers.galaxies.sky.render.match_survey``), then SDSS sky
    noise added. The HSC noise left after the convolution is below 2 % of the SDSS variance and is
    not subtracted; SDSS source shot noise (sky-limited images) is not added. Cached."""
    from tqdm import tqdm

    from helpers.galaxies.sky.render import match_survey

    ids = pool.catalogue["id"][positions]
    if hsc.shape != (ids.size, C.HSC.stamp, C.HSC.stamp):
        raise ValueError(f"hsc must be ({ids.size}, {C.HSC.stamp}, {C.HSC.stamp}) for these galaxies, got {hsc.shape}")
    params = {"sky_n": SKY_N, "seed": seed, "ids": ids.tolist()}

    def build():
        out = np.empty((ids.size, C.SDSS.stamp, C.SDSS.stamp), np.float32)
        for k, i in enumerate(tqdm(range(ids.size), disable=not progress, desc="PSF-matching HSC → SDSS")):
            row = positions[i]
            out[k] = match_survey(
                hsc[i], "hsc", float(pool.catalogue["psf_hsc"][row]), "sdss", float(pool.catalogue["psf_sdss"][row])
            )
            rng = np.random.default_rng([seed, int(ids[i]), 4])
            out[k] += rng.normal(0.0, C.SDSS.sigma_pixel, out[k].shape).astype(np.float32)
        return {"images": out}

    return cached_arrays("sky-hsc-matched-sdss", params, build, version=GENERATOR_VERSION)["images"]
