"""The synthetic sky on disk, and a loader for real Galaxy Zoo 1 catalogues with cutouts.

Synthetic: :func:`load_catalogue` (truth + GZ1 columns for ``n`` galaxies; cheap) and
:func:`load_images` (cutouts of chosen galaxies in one survey; rendered once, then read back).
Both are cached as HDF5 files keyed by every parameter that changes them, written atomically and
checked against a SHA-256 before use. Real data: :func:`load_gz1` reads a CSV with the GZ1 column
names and one FITS or PNG/JPEG cutout per ``OBJID`` into the same layout.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.population import sample_catalogue
from helpers.galaxies.sky.render import render
from helpers.galaxies.sky.votes import VoteModel, gz1_table
from helpers.pipeline.cache import cached_arrays

GENERATOR_VERSION = 2  # 2: log arms with knots, bars, the field around each galaxy, g - r colours
GZ1_COLUMNS = (
    "OBJID",
    "NVOTE",
    "P_EL",
    "P_CW",
    "P_ACW",
    "P_EDGE",
    "P_DK",
    "P_MG",
    "P_CS",
    "P_EL_DEBIASED",
    "P_CS_DEBIASED",
    "SPIRAL",
    "ELLIPTICAL",
    "UNCERTAIN",
)
CLASS_NAMES = {2: ("spiral", "elliptical"), 3: ("spiral", "elliptical", "uncertain")}


def _sky_params(n: int, seed: int, votes: VoteModel) -> dict:
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of galaxies, got {n!r}")
    if not isinstance(votes, VoteModel):
        raise TypeError(f"votes must be a VoteModel, got {type(votes).__name__}")
    return {"n": int(n), "seed": int(seed), "votes": votes.as_dict()}


def load_catalogue(n: int = 15_000, seed: int = 0, votes: VoteModel = VoteModel()) -> dict[str, np.ndarray]:
    """Truth and GZ1 columns of a synthetic sky of ``n`` galaxies (cached)."""
    params = _sky_params(n, seed, votes)

    def build():
        cat = sample_catalogue(int(n), seed)
        gz = gz1_table(cat, votes, seed + 1)
        return {
            **{f"catalogue/{k}": v for k, v in cat.items()},
            **{f"catalogue/{k}": v for k, v in gz.items()},
            "catalogue/OBJID": cat["id"].copy(),
        }

    arrays = cached_arrays("sky-catalogue", params, build, version=GENERATOR_VERSION, fmt="h5")
    return {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("catalogue/")}


def load_images(
    indices: Iterable[int],
    survey: str = "sdss",
    *,
    n: int = 15_000,
    seed: int = 0,
    votes: VoteModel = VoteModel(),
    noise: bool = True,
    workers: int | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Cutouts ``(len(indices), stamp, stamp)`` of the chosen galaxies of a sky, in catalogue units
    (nanomaggies per pixel). Rendered once per (sky, survey, indices, noise), then read from cache."""
    s = C.survey(survey)
    idx = np.asarray(list(indices), dtype=np.int64)
    if idx.ndim != 1 or idx.size == 0:
        raise ValueError(f"indices must be a non-empty 1-D list of galaxy indices, got shape {idx.shape}")
    if idx.min() < 0 or idx.max() >= n:
        raise IndexError(f"galaxy indices must lie in [0, {n}), got range [{idx.min()}, {idx.max()}]")
    params = {
        **_sky_params(n, seed, votes),
        "survey": s.name,
        "noise": bool(noise),
        "indices_sha256": hashlib.sha256(idx.tobytes()).hexdigest(),
        "count": int(idx.size),
    }

    def build():
        cat = load_catalogue(n, seed, votes)
        imgs = render(cat, idx, (s.name,), noise=noise, workers=workers, progress=progress)[s.name]
        return {"OBJID": idx.copy(), f"images/{s.name}": imgs}

    arrays = cached_arrays(f"sky-images-{s.name}", params, build, version=GENERATOR_VERSION, fmt="h5")
    if not np.array_equal(arrays["OBJID"], idx):
        raise RuntimeError("cached image file does not hold the requested galaxies (hash collision?)")
    return arrays[f"images/{s.name}"]


# ------------------------------------------------------------------------------------- labels
def labels(cat: Mapping[str, np.ndarray], n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(indices, labels) from the GZ1 flags: 0 spiral, 1 elliptical, 2 uncertain (dropped if 2 classes)."""
    if n_classes not in CLASS_NAMES:
        raise ValueError(f"n_classes must be 2 (spiral/elliptical) or 3 (+ uncertain), got {n_classes!r}")
    sp = np.asarray(cat["SPIRAL"]).astype(bool)
    el = np.asarray(cat["ELLIPTICAL"]).astype(bool)
    un = np.asarray(cat["UNCERTAIN"]).astype(bool)
    if np.any(sp & el) or np.any((sp.astype(int) + el + un) != 1):
        raise ValueError("SPIRAL, ELLIPTICAL and UNCERTAIN flags must mark each galaxy exactly once")
    y = np.where(sp, 0, np.where(el, 1, 2)).astype(np.int64)
    keep = np.arange(y.size) if n_classes == 3 else np.flatnonzero(y < 2)
    return keep, y[keep]


# --------------------------------------------------------------------------------- real data
def _read_cutout(path: Path) -> np.ndarray:
    suffix = path.suffix.lower()
    if suffix in (".fits", ".fit", ".fz"):
        from astropy.io import fits

        with fits.open(path) as hdul:
            for hdu in hdul:
                if hdu.data is not None:
                    return np.asarray(hdu.data, dtype=np.float32)
        raise ValueError(f"{path}: no image data in any HDU")
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f"{path}: not a readable image (expected FITS, PNG or JPEG)")
    if img.ndim == 3:  # colour cutout: BGR(A) -> mean of the colours
        img = img[..., :3].mean(axis=2)
    return img.astype(np.float32)


def load_gz1(
    csv_path: str | os.PathLike,
    cutout_dir: str | os.PathLike | None = None,
    *,
    size: int | None = 64,
    extensions: Sequence[str] = (".fits", ".png", ".jpg", ".jpeg"),
) -> dict[str, object]:
    """A real GZ1 table (CSV with GZ1 column names) and, optionally, its cutouts.

    Cutouts are looked up as ``cutout_dir/<OBJID><ext>``. With ``size`` set, every cutout must be
    ``size x size`` (a different shape is an error naming the file: resample your cutouts on
    purpose, not here). Returns ``{"catalogue": {column: array}, "images": array or None}``,
    the same layout as the synthetic loaders.
    """
    import csv

    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise FileNotFoundError(f"GZ1 catalogue {csv_path} does not exist")
    with open(csv_path, newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().upper() for h in (reader.fieldnames or [])]
        missing = [c for c in GZ1_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{csv_path}: missing GZ1 columns {missing}; found {header}")
        rows = [{k.strip().upper(): v for k, v in r.items()} for r in reader]
    if not rows:
        raise ValueError(f"{csv_path}: no galaxies in the table")
    cat: dict[str, np.ndarray] = {}
    for col in GZ1_COLUMNS:
        vals = [r[col] for r in rows]
        try:
            if col == "OBJID":
                cat[col] = np.array([int(v) for v in vals], dtype=np.int64)
            elif col in ("NVOTE", "SPIRAL", "ELLIPTICAL", "UNCERTAIN"):
                cat[col] = np.array([int(float(v)) for v in vals], dtype=np.int64)
            else:
                cat[col] = np.array([float(v) for v in vals], dtype=np.float64)
        except (TypeError, ValueError):
            bad = next(v for v in vals if not _is_number(v))
            raise ValueError(f"{csv_path}: column {col} has a non-numeric value {bad!r}") from None
    for col in GZ1_COLUMNS:
        if col.startswith("P_") and (np.any(cat[col] < 0) or np.any(cat[col] > 1)):
            raise ValueError(f"{csv_path}: {col} must lie in [0, 1]; range [{cat[col].min()}, {cat[col].max()}]")
    if np.any(cat["SPIRAL"] + cat["ELLIPTICAL"] + cat["UNCERTAIN"] != 1):
        i = int(np.flatnonzero(cat["SPIRAL"] + cat["ELLIPTICAL"] + cat["UNCERTAIN"] != 1)[0])
        raise ValueError(
            f"{csv_path}: galaxy OBJID {cat['OBJID'][i]} does not have exactly one of "
            "SPIRAL / ELLIPTICAL / UNCERTAIN set"
        )
    images = None
    if cutout_dir is not None:
        cutout_dir = Path(cutout_dir)
        if not cutout_dir.is_dir():
            raise FileNotFoundError(f"cutout folder {cutout_dir} does not exist")
        imgs = []
        for oid in cat["OBJID"]:
            found = [cutout_dir / f"{oid}{e}" for e in extensions if (cutout_dir / f"{oid}{e}").is_file()]
            if not found:
                raise FileNotFoundError(f"no cutout for OBJID {oid} in {cutout_dir} (tried {list(extensions)})")
            img = _read_cutout(found[0])
            if size is not None and img.shape != (size, size):
                raise ValueError(f"{found[0]}: cutout is {img.shape}, expected ({size}, {size})")
            imgs.append(img)
        shapes = {im.shape for im in imgs}
        if len(shapes) > 1:
            raise ValueError(f"cutouts in {cutout_dir} have different shapes {sorted(shapes)}")
        images = np.stack(imgs)
    return {"catalogue": cat, "images": images}


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def write_gz1_csv(path: str | os.PathLike, cat: Mapping[str, np.ndarray]) -> None:
    """Write the GZ1 columns of a catalogue (synthetic or real) as a CSV with GZ1 names."""
    import csv

    missing = [c for c in GZ1_COLUMNS if c not in cat]
    if missing:
        raise ValueError(f"catalogue lacks GZ1 columns {missing}")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(GZ1_COLUMNS)
        for i in range(len(cat["OBJID"])):
            w.writerow([cat[c][i] for c in GZ1_COLUMNS])
