"""Shrinking and re-enlarging cutouts with OpenCV, as the thesis did (ch. 5), and batch equivalents.

* :func:`shrink` averages pixels with ``cv2.INTER_AREA`` ("pixel area relation"; for an integer
  factor that divides the size it is exactly the block mean). The output has ``round(size/factor)``
  pixels per side and covers the **same sky** as the input, so 64 px at 1/6 become 11 px of
  64/11 = 5.82 input pixels each. OpenCV's other convention, ``fx = fy = 1/factor``, keeps the
  coarse pixel at exactly ``factor`` input pixels and lets the last one hang over the edge; it is
  available as ``convention="fx"`` because which one a study used changes where the galaxy's centre
  falls on the coarse grid (see :func:`centre_phase`).
* :func:`enlarge` brings a shrunk image back to the training size with nearest-neighbour,
  bilinear or bicubic interpolation.

The interpolation is always passed as ``interpolation=`` by keyword: ``cv2.resize``'s third
positional argument is the output array ``dst``, so ``cv2.resize(img, size, cv2.INTER_AREA)``
silently resizes with the default bilinear filter.

:func:`enlarge_batch` does the same enlargement for a whole stack at once as two small matrix
products per image (separable interpolation weights built once); it reproduces ``cv2.resize`` to
float32 rounding and is what a training pipeline would use.
"""

from __future__ import annotations

import functools

import numpy as np

METHODS = ("nearest", "bilinear", "bicubic")
FACTORS = (2, 3, 4, 5, 6, 7, 8)


def _cv2_flag(method: str) -> int:
    import cv2

    flags = {"nearest": cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}
    if method not in flags:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return flags[method]


def _stack(images: np.ndarray) -> tuple[np.ndarray, bool]:
    """(n, h, w) float32 view and whether a channel axis of length 1 was dropped."""
    x = np.asarray(images, dtype=np.float32)
    channel = x.ndim == 4 and x.shape[-1] == 1
    if channel:
        x = x[..., 0]
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"images must be square, shaped (h, w), (n, h, w) or (n, h, w, 1); got {np.shape(images)}")
    return x, channel


def shrunk_size(size: int, factor: float) -> int:
    """Pixels per side after shrinking ``size`` by ``factor`` (OpenCV's rounding)."""
    if not (isinstance(factor, (int, float)) and factor >= 1):
        raise ValueError(f"factor must be a number >= 1 (2 means 1/2), got {factor!r}")
    return max(1, int(round(size / factor)))


def shrink(images: np.ndarray, factor: float, convention: str = "dsize") -> np.ndarray:
    """Images shrunk by ``factor`` with ``cv2.INTER_AREA``; shape (n, m, m), m = round(size/factor)."""
    import cv2

    x, _ = _stack(images)
    if convention not in ("dsize", "fx"):
        raise ValueError(f"convention must be 'dsize' (same sky) or 'fx' (factor-sized pixels), got {convention!r}")
    m = shrunk_size(x.shape[1], factor)
    if convention == "dsize":
        return np.stack([cv2.resize(im, (m, m), interpolation=cv2.INTER_AREA) for im in x])
    return np.stack([cv2.resize(im, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA) for im in x])


def enlarge(images: np.ndarray, size: int, method: str) -> np.ndarray:
    """Each image resized to ``size`` × ``size`` with OpenCV's nearest/bilinear/bicubic filter."""
    import cv2

    flag = _cv2_flag(method)
    x, _ = _stack(images)
    if not (isinstance(size, (int, np.integer)) and size >= 1):
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return np.stack([cv2.resize(im, (int(size), int(size)), interpolation=flag) for im in x])


def degrade(images: np.ndarray, factor: float, method: str, *, shift: int = 0, convention: str = "dsize") -> np.ndarray:
    """Shrink by ``factor`` and enlarge back to the input size; keeps a trailing channel axis.

    ``shift`` rolls the image by that many pixels (down and right) before shrinking and back after
    enlarging: the galaxy ends where it started, but falls differently on the coarse grid."""
    single = np.ndim(images) == 2
    x, channel = _stack(images)
    if factor == 1:
        out = x.copy()
    else:
        if shift:
            x = np.roll(x, (shift, shift), axis=(1, 2))
        out = enlarge(shrink(x, factor, convention), x.shape[1], method)
        if shift:
            out = np.roll(out, (-shift, -shift), axis=(1, 2))
    if single:
        return out[0]
    return out[..., None] if channel else out


def centre_phase(size: int, factor: float, shift: float = 0.0, convention: str = "dsize") -> float:
    """Where the stamp centre lands inside its coarse pixel, in [0, 1): 0 = on a coarse-pixel
    corner (the core's light is split over four coarse pixels), 0.5 = in a coarse pixel's middle.

    The centre of an even stamp lies on the corner between its four middle pixels (GalSim's
    ``true_center``), at ``size / 2`` in continuous pixel coordinates."""
    m = shrunk_size(size, factor)
    width = size / m if convention == "dsize" else float(factor)
    return float(((size / 2 + shift) / width) % 1.0)


# ------------------------------------------------------------------------- batch enlargement
def _weights(n_in: int, n_out: int, method: str) -> np.ndarray:
    """(n_out, n_in) matrix W with out = W @ in along one axis, following OpenCV's conventions
    (half-pixel centres, replicated borders, cubic kernel with a = -0.75)."""
    scale = n_in / n_out
    w = np.zeros((n_out, n_in), dtype=np.float64)
    d = np.arange(n_out)
    if method == "nearest":
        src = np.minimum(np.floor(d * scale).astype(int), n_in - 1)
        w[d, src] = 1.0
        return w
    f = (d + 0.5) * scale - 0.5
    s = np.floor(f).astype(int)
    t = f - s
    if method == "bilinear":
        for k, wk in ((0, 1 - t), (1, t)):
            np.add.at(w, (d, np.clip(s + k, 0, n_in - 1)), wk)
        return w
    if method == "bicubic":
        a = -0.75

        def kern(u):
            u = np.abs(u)
            return np.where(
                u <= 1,
                ((a + 2) * u - (a + 3)) * u * u + 1,
                np.where(u < 2, ((a * u - 5 * a) * u + 8 * a) * u - 4 * a, 0.0),
            )

        for k in (-1, 0, 1, 2):
            np.add.at(w, (d, np.clip(s + k, 0, n_in - 1)), kern(t - k))
        return w
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def enlarge_batch(images: np.ndarray, size: int, method: str) -> np.ndarray:
    """Vectorised :func:`enlarge`: ``W @ image @ W.T`` for the whole stack in one ``einsum``."""
    x, _ = _stack(images)
    w = _weights(x.shape[1], int(size), method).astype(np.float32)
    return np.einsum("ij,njk,lk->nil", w, x, w, optimize=True)


def random_degradation(
    images: np.ndarray, rng: np.random.Generator, *, factors=FACTORS, methods=METHODS, p_original: float = 0.25
) -> tuple[np.ndarray, np.ndarray]:
    """Each image degraded at its own random factor and method (kept as it is with probability
    ``p_original``); returns (images, factor used, 1 = original) — a training-time augmentation."""
    x, channel = _stack(images)
    if not 0 <= p_original <= 1:
        raise ValueError(f"p_original must lie in [0, 1], got {p_original}")
    f = np.where(rng.random(len(x)) < p_original, 1, rng.choice(np.asarray(factors), size=len(x)))
    m = rng.integers(0, len(methods), size=len(x))
    out = np.stack([im if fk == 1 else degrade(im, int(fk), methods[mk]) for im, fk, mk in zip(x, f, m)])
    return (out[..., None] if channel else out), f


@functools.cache
def residual_noise(factor: float, method: str, size: int = 64, convention: str = "dsize") -> float:
    """Per-pixel std left of unit white noise after :func:`degrade` (measured on 64 fixed noise
    fields, away from the borders). Shrinking averages the noise away, enlarging spreads what is
    left over neighbouring pixels: a 1/2 bilinear round trip keeps about half the std."""
    if factor == 1:
        return 1.0
    field = np.random.default_rng(12345).standard_normal((64, size, size)).astype(np.float32)
    b = size // 8
    return float(degrade(field, factor, method, convention=convention)[:, b:-b, b:-b].std())


def restore_noise(
    degraded: np.ndarray, sigma: float, factor: float, method: str, rng: np.random.Generator, convention: str = "dsize"
) -> np.ndarray:
    """Add white noise so that a degraded image has the per-pixel noise ``sigma`` of the original
    again: what an observation at the coarser resolution, with the same sky noise per pixel as the
    training images, would show (the spatial correlation of the smoothed part is kept)."""
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    x, _ = _stack(degraded)
    left = residual_noise(factor, method, x.shape[1], convention) * sigma
    add = np.sqrt(max(sigma**2 - left**2, 0.0))
    return np.asarray(degraded, np.float32) + rng.normal(0.0, add, np.shape(degraded)).astype(np.float32)
