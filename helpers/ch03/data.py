"""Samples of the synthetic sky for training: a shared pool of galaxies, labels, preprocessing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sky import constants as C
from ..sky.data import labels, load_catalogue, load_images


@dataclass
class Pool:
    """The first ``n_pool`` galaxies of a sky (the catalogue order is random), with their images."""

    catalogue: dict[str, np.ndarray]      # columns restricted to the pool
    images: np.ndarray                    # (n_pool, 64, 64, 1), preprocessed to [0, 1]
    index: np.ndarray                     # positions in the full sky

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


def load_pool(n_pool: int, *, n_sky: int = 15_000, seed: int = 0, survey: str = "sdss",
              progress: bool = True) -> Pool:
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
