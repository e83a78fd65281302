"""The synthetic sky on disk, and a loader for real Galaxy Zoo 1 catalogues with cutouts.

Synthetic: :func:`load_catalogue` (truth + GZ1 columns for ``n`` galaxies; cheap) and
:func:`load_images` (cutouts of chosen galaxies in one survey; rendered once, then read back).
Both are cached as HDF5 files keyed by every parameter that changes them, written atomically and
checked against a SHA-256 before use. Real data: :func:`load_gz1` reads the published Galaxy Zoo 1
table (Lintott et al. 2011, table 2) and one FITS cutout per ``OBJID``, resampled onto the survey's
pixel scale and stamp, into the same layout; :func:`write_gz1_csv` and :func:`write_fits_cutout`
write that format.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.population import sample_catalogue
from helpers.galaxies.sky.render import render
from helpers.galaxies.sky.votes import VoteModel, gz1_table
from helpers.pipeline.cache import cached_arrays

GENERATOR_VERSION = 4  # 2: Bamford debiasing; 3: log arms, knots, bars, the field, g - r; 4: g - r scatter per galaxy
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
# The published Galaxy Zoo 1 table 2 (Lintott et al. 2011, {cite}`lintott2011gz`; the file
# GalaxyZoo1_DR_table2.csv at data.galaxyzoo.org): OBJID, RA as sexagesimal hours ("00:00:00.41"), DEC
# as sexagesimal degrees ("-10:22:25.7"), NVOTE, the six vote fractions, P_CS, the two debiased
# fractions and the three clean flags, comma separated with an upper-case header.
GZ1_TABLE_COLUMNS = ("OBJID", "RA", "DEC") + GZ1_COLUMNS[1:]
VOTE_COLUMNS = tuple(c for c in GZ1_COLUMNS if c.startswith("P_"))
FLAG_COLUMNS = ("SPIRAL", "ELLIPTICAL", "UNCERTAIN")
# cutout file endings, matched case-insensitively; FITS (fluxes) and display images (8-bit colour)
FLUX_EXTENSIONS = (".fits.gz", ".fit.gz", ".fits.fz", ".fits", ".fit", ".fz")
DISPLAY_EXTENSIONS = (".png", ".jpg", ".jpeg")
BRIGHTNESS = ("nanomaggies", "display")
_NANOMAGGY_UNITS = ("nanomaggy", "nanomaggies", "nmgy")
_SEXAGESIMAL = re.compile(r"^([+-]?)(\d{1,3})[:\s](\d{1,2})[:\s](\d{1,2}(?:\.\d*)?)$")

log = logging.getLogger(__name__)


def parse_angle(text: str, kind: str) -> float:
    """Degrees from a GZ1 coordinate: RA as ``HH:MM:SS.ss`` (hours), DEC as ``±DD:MM:SS.s``, or
    either as decimal degrees. Raises ValueError saying what was expected."""
    if kind not in ("RA", "DEC"):
        raise ValueError(f"kind must be 'RA' or 'DEC', got {kind!r}")
    t = str(text).strip()
    m = _SEXAGESIMAL.match(t)
    if m:
        sign, a, b, c = m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4))
        if b >= 60 or c >= 60:
            raise ValueError("minutes and seconds must be below 60")
        if kind == "RA":
            if sign or a >= 24:
                raise ValueError("RA in sexagesimal is hours HH:MM:SS.ss with 0 <= HH < 24 and no sign")
            return 15.0 * (a + b / 60 + c / 3600)
        deg = a + b / 60 + c / 3600
        if deg > 90:
            raise ValueError("DEC must lie within [-90, +90] degrees")
        return -deg if sign == "-" else deg  # the sign of the text, so "-00:30:00" is negative
    try:
        v = float(t)
    except ValueError:
        form = "HH:MM:SS.ss (hours)" if kind == "RA" else "±DD:MM:SS.s"
        raise ValueError(f"expected sexagesimal {form} or decimal degrees") from None
    lo, hi = (0.0, 360.0) if kind == "RA" else (-90.0, 90.0)
    if not (lo <= v < hi if kind == "RA" else lo <= v <= hi):
        raise ValueError(f"decimal {kind} must lie in [{lo:g}, {hi:g}{')' if kind == 'RA' else ']'} degrees")
    return v


def format_ra(deg: float) -> str:
    """RA in degrees as the GZ1 table writes it: hours ``HH:MM:SS.ss`` (0.01 s = 0.15″)."""
    cs = round((float(deg) % 360.0) / 15.0 * 360_000) % (24 * 360_000)  # hundredths of a second of time
    h, rest = divmod(cs, 360_000)
    mi, cs = divmod(rest, 6000)
    return f"{h:02d}:{mi:02d}:{cs // 100:02d}.{cs % 100:02d}"


def format_dec(deg: float) -> str:
    """DEC in degrees as the GZ1 table writes it: ``±DD:MM:SS.s`` (0.1″)."""
    if not -90 <= deg <= 90:
        raise ValueError(f"DEC must lie in [-90, 90] degrees, got {deg}")
    ds = round(abs(float(deg)) * 36_000)  # tenths of an arcsecond
    d, rest = divmod(ds, 36_000)
    mi, ds = divmod(rest, 600)
    sign = "-" if deg < 0 and (d or mi or ds) else "+"
    return f"{sign}{d:02d}:{mi:02d}:{ds // 10:02d}.{ds % 10}"


def _parse_table_value(col: str, v: str):
    """One cell of the GZ1 table, checked; raises ValueError with what was expected."""
    if col == "OBJID":
        if not re.fullmatch(r"\d+", v) or not 0 < int(v) < 2**63:
            raise ValueError("expected a positive integer SDSS object ID")
        return int(v)
    if col in ("RA", "DEC"):
        return parse_angle(v, col)
    try:
        x = float(v)
    except ValueError:
        raise ValueError("expected a number") from None
    if col == "NVOTE":
        if not (math.isfinite(x) and x.is_integer() and x >= 1):
            raise ValueError("expected a whole number of votes >= 1")
        return int(x)
    if col in FLAG_COLUMNS:
        if x not in (0.0, 1.0):
            raise ValueError("expected a flag, 0 or 1")
        return int(x)
    if not 0.0 <= x <= 1.0:  # also refuses nan
        raise ValueError("expected a vote fraction in [0, 1]")
    return x


def read_gz1_table(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The published GZ1 table, every value checked (no images read).

    Comma- or tab-separated (whichever the header line uses), with or without a UTF-8 byte-order
    mark, column names in any case. RA/DEC may be sexagesimal (as published) or decimal degrees:
    ``RA``/``DEC`` come back in degrees and ``RA_TEXT``/``DEC_TEXT`` keep the strings as written.
    Any bad cell is a ValueError naming its line, OBJID, column, value and what was expected."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"GZ1 catalogue {path} does not exist")
    with open(path, newline="", encoding="utf-8-sig") as fh:  # utf-8-sig drops a byte-order mark
        first = fh.readline()
        n_tab, n_comma = first.count("\t"), first.count(",")
        if n_tab == 0 and n_comma == 0:
            raise ValueError(f"{path}: the header line {first.strip()!r} is neither comma- nor tab-separated")
        delimiter = "\t" if n_tab > n_comma else ","
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        header = [h.strip().upper() for h in next(reader)]
        missing = [c for c in GZ1_TABLE_COLUMNS if c not in header]
        if missing:
            raise ValueError(
                f"{path}: missing GZ1 columns {missing}; found {header} "
                f"(expected the published table 2 columns {list(GZ1_TABLE_COLUMNS)})"
            )
        dup = sorted({h for h in header if header.count(h) > 1})
        if dup:
            raise ValueError(f"{path}: columns {dup} appear more than once in the header")
        where = {c: header.index(c) for c in GZ1_TABLE_COLUMNS}
        cols: dict[str, list] = {c: [] for c in GZ1_TABLE_COLUMNS}
        text = {"RA": [], "DEC": []}
        for row in reader:
            if not row or all(not f.strip() for f in row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                raise ValueError(f"{path}: line {line} has {len(row)} fields, the header has {len(header)}")
            oid = row[where["OBJID"]].strip()
            for c in GZ1_TABLE_COLUMNS:
                v = row[where[c]].strip()
                try:
                    cols[c].append(_parse_table_value(c, v))
                except ValueError as err:
                    raise ValueError(f"{path}: line {line} (OBJID {oid}), column {c} = {v!r}: {err}") from None
            text["RA"].append(row[where["RA"]].strip())
            text["DEC"].append(row[where["DEC"]].strip())
            if cols["SPIRAL"][-1] + cols["ELLIPTICAL"][-1] + cols["UNCERTAIN"][-1] != 1:
                flags_set = {c: cols[c][-1] for c in FLAG_COLUMNS}
                raise ValueError(
                    f"{path}: line {line} (OBJID {oid}): exactly one of SPIRAL / ELLIPTICAL / UNCERTAIN "
                    f"must be 1, got {flags_set}"
                )
    if not cols["OBJID"]:
        raise ValueError(f"{path}: no galaxies in the table")
    ids = np.array(cols["OBJID"], dtype=np.int64)
    uniq, counts = np.unique(ids, return_counts=True)
    if np.any(counts > 1):
        raise ValueError(f"{path}: OBJID {uniq[counts > 1][0]} appears {counts[counts > 1][0]} times")
    cat: dict[str, np.ndarray] = {"OBJID": ids}
    for c in GZ1_TABLE_COLUMNS[1:]:
        dtype = np.int64 if c == "NVOTE" or c in FLAG_COLUMNS else np.float64
        cat[c] = np.array(cols[c], dtype=dtype)
    cat["RA_TEXT"], cat["DEC_TEXT"] = np.array(text["RA"]), np.array(text["DEC"])
    return cat


def _cutout_index(cutout_dir: Path) -> dict[str, list[tuple[str, Path]]]:
    """File stem -> [(ending, path)] for every cutout-like file, endings matched in any case."""
    out: dict[str, list[tuple[str, Path]]] = {}
    for p in cutout_dir.iterdir():
        low = p.name.lower()
        for ext in FLUX_EXTENSIONS + DISPLAY_EXTENSIONS:
            if low.endswith(ext) and p.is_file():
                out.setdefault(low[: -len(ext)], []).append((ext, p))
                break
    return out


def _fits_pixel_scale(header, path: Path) -> float | None:
    """Pixel scale (″) from a FITS header's celestial WCS, or None if it has none."""
    import warnings

    from astropy.wcs import WCS, FITSFixedWarning
    from astropy.wcs.utils import proj_plane_pixel_scales

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        w = WCS(header)
    if not w.has_celestial:
        return None
    sx, sy = proj_plane_pixel_scales(w.celestial) * 3600.0
    if not np.isclose(sx, sy, rtol=0.01):
        raise ValueError(f"{path}: pixels are not square ({sx:.4f}″ x {sy:.4f}″ from the WCS)")
    return float(sx)


def _read_cutout(path: Path) -> tuple[np.ndarray, float | None]:
    """(2-D image, pixel scale from the FITS WCS or None). FITS: the first image HDU, which must be
    one band in nanomaggies if it states BUNIT. PNG/JPEG: colour averaged over the channels."""
    if path.name.lower().endswith(FLUX_EXTENSIONS):
        from astropy.io import fits

        with fits.open(path) as hdul:
            hdu = next((h for h in hdul if h.is_image and h.data is not None), None)
            if hdu is None:
                raise ValueError(f"{path}: no image data in any HDU")
            img = np.asarray(hdu.data, dtype=np.float32)
            header = hdu.header
        if img.ndim != 2:
            raise ValueError(f"{path}: image has shape {img.shape}; expected one band, 2-D (height, width)")
        if "BUNIT" not in header:
            warnings.warn(
                "FITS cutouts without BUNIT are taken to be in nanomaggies (SDSS calibrated frames); SDSS fpC "
                "frames (counts + 1000) or HSC coadds (63 counts per nanomaggy) would load wrongly: convert them "
                "first, or write BUNIT = 'nanomaggy' into the headers",
                stacklevel=3,
            )
        unit = str(header.get("BUNIT", "nanomaggy")).strip().lower()
        if unit not in _NANOMAGGY_UNITS:
            raise ValueError(f"{path}: BUNIT = {header['BUNIT']!r}; expected nanomaggies (SDSS calibrated frames)")
        bad = int(np.sum(~np.isfinite(img)))
        if bad:
            raise ValueError(f"{path}: {bad} pixels are NaN or infinite; expected finite fluxes")
        return img, _fits_pixel_scale(header, path)
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f"{path}: not a readable image (expected FITS, PNG or JPEG)")
    if img.ndim == 3:  # colour cutout: BGR(A) -> mean of the colours
        img = img[..., :3].mean(axis=2)
    return img.astype(np.float32), None


def resample(
    image: np.ndarray,
    from_scale: float,
    to_scale: float = C.SDSS.pixel_scale,
    stamp: int = C.SDSS.stamp,
    *,
    flux: bool = True,
    name: str = "cutout",
) -> np.ndarray:
    """A cutout at ``from_scale`` ″/pixel put onto ``stamp x stamp`` pixels of ``to_scale`` ″.

    ``cv2.resize`` with ``interpolation=cv2.INTER_AREA`` averages the input pixels each output
    pixel covers (an exact block mean for an integer factor). For fluxes per pixel (``flux=True``)
    the mean is multiplied by the number of input pixels per output pixel, so the total flux is
    kept; display counts (``flux=False``) keep the mean. Then the central ``stamp`` pixels are cut
    out; a cutout that covers less sky than the stamp is an error naming it."""
    import cv2

    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D image, got shape {img.shape}")
    if not (from_scale > 0 and to_scale > 0):
        raise ValueError(f"{name}: pixel scales must be positive, got {from_scale} and {to_scale}")
    h, w = img.shape
    f = from_scale / to_scale
    out = img
    if not np.isclose(f, 1.0, rtol=1e-6, atol=0.0):
        size = (max(1, round(w * f)), max(1, round(h * f)))  # cv2 wants (width, height)
        out = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        if flux:
            out = out * np.float32((h / size[1]) * (w / size[0]))
    hh, ww = out.shape
    if hh < stamp or ww < stamp:
        raise ValueError(
            f"{name}: {h} x {w} pixels of {from_scale}″ cover {h * from_scale:.1f}″ x {w * from_scale:.1f}″, "
            f"less than the stamp of {stamp} pixels of {to_scale}″ ({stamp * to_scale:.1f}″)"
        )
    y0, x0 = (hh - stamp) // 2, (ww - stamp) // 2
    return np.ascontiguousarray(out[y0 : y0 + stamp, x0 : x0 + stamp], dtype=np.float32)


def load_gz1(
    csv_path: str | os.PathLike,
    cutout_dir: str | os.PathLike | None = None,
    *,
    survey: str = "sdss",
    cutout_pixel_scale: float = C.SDSS.pixel_scale,
    brightness: str = "nanomaggies",
) -> dict[str, object]:
    """The published GZ1 table (:func:`read_gz1_table`) and, optionally, one cutout per galaxy.

    Cutouts are ``cutout_dir/<OBJID><ending>``, endings in any case: FITS (``.fits``, ``.fit``,
    ``.fits.gz``, ``.fits.fz``, ``.fz``) hold fluxes in nanomaggies per pixel, the chapter's
    brightness scale; PNG/JPEG (``.png``, ``.jpg``, ``.jpeg``) hold display counts (SDSS colour
    JPEGs are asinh-stretched gri composites) and are refused unless ``brightness="display"``,
    which reads only display images (averaged over colour) and never FITS. A FITS cutout's pixel
    scale comes from its WCS; otherwise it is assumed to be ``cutout_pixel_scale`` (SDSS's
    0.396″ by default). Every cutout is resampled onto the survey's pixel scale and stamp
    (:func:`resample`, flux-conserving for FITS).

    Galaxies without a cutout are skipped with a warning; their OBJIDs are in ``"missing"``. If no
    galaxy has one, FileNotFoundError. Returns ``{"catalogue": {column: array} (the loaded galaxies
    only), "images": (n, stamp, stamp) or None, "missing": OBJIDs, "n_missing": int,
    "source_pixel_scale": ″ per galaxy, "brightness": str}``."""
    if brightness not in BRIGHTNESS:
        raise ValueError(f"brightness must be one of {BRIGHTNESS}, got {brightness!r}")
    s = C.survey(survey)
    if not (isinstance(cutout_pixel_scale, (int, float)) and cutout_pixel_scale > 0):
        raise ValueError(
            f"cutout_pixel_scale must be a positive number of arcsec per pixel, got {cutout_pixel_scale!r}"
        )
    cat = read_gz1_table(csv_path)
    none = np.zeros(0, dtype=np.int64)
    if cutout_dir is None:
        return {"catalogue": cat, "images": None, "missing": none, "n_missing": 0, "brightness": brightness}
    cutout_dir = Path(cutout_dir)
    if not cutout_dir.is_dir():
        raise FileNotFoundError(f"cutout folder {cutout_dir} does not exist")
    index = _cutout_index(cutout_dir)
    wanted, refused = (
        (FLUX_EXTENSIONS, DISPLAY_EXTENSIONS) if brightness == "nanomaggies" else (DISPLAY_EXTENSIONS, FLUX_EXTENSIONS)
    )
    files: list[Path | None] = []
    for oid in cat["OBJID"]:  # find every file before reading any
        have = index.get(str(oid), [])
        use = [p for e, p in have if e in wanted]
        if len(use) > 1:
            raise ValueError(f"OBJID {oid} has {len(use)} cutouts {sorted(p.name for p in use)}; keep one")
        if not use and any(e in refused for e, _ in have):
            p = next(p for e, p in have if e in refused)
            if brightness == "nanomaggies":
                raise ValueError(
                    f"{p}: a display image (PNG/JPEG counts, e.g. an asinh-stretched gri composite) cannot be put "
                    "on the chapter's brightness scale, which expects FITS fluxes in nanomaggies; supply FITS "
                    "cutouts, or pass brightness='display' to load display images only"
                )
            raise ValueError(f"{p}: a FITS flux image, but brightness='display' reads only PNG/JPEG display images")
        files.append(use[0] if use else None)
    found = np.array([f is not None for f in files])
    if not found.any():
        raise FileNotFoundError(
            f"none of the {found.size} galaxies in {csv_path} has a cutout in {cutout_dir} "
            f"(looked for <OBJID> with endings {list(wanted)}, in any case)"
        )
    missing = cat["OBJID"][~found]
    if missing.size:
        msg = (
            f"{missing.size} of {found.size} galaxies have no cutout in {cutout_dir} and are skipped "
            f"(first OBJIDs: {missing[:5].tolist()})"
        )
        log.warning(msg)
        warnings.warn(msg, stacklevel=2)
    imgs, scales = [], []
    for path in (f for f in files if f is not None):
        img, scale = _read_cutout(path)
        scale = cutout_pixel_scale if scale is None else scale
        imgs.append(resample(img, scale, s.pixel_scale, s.stamp, flux=brightness == "nanomaggies", name=str(path)))
        scales.append(scale)
    return {
        "catalogue": {k: v[found] for k, v in cat.items()},
        "images": np.stack(imgs),
        "missing": missing,
        "n_missing": int(missing.size),
        "source_pixel_scale": np.array(scales),
        "brightness": brightness,
    }


def write_gz1_csv(
    path: str | os.PathLike, cat: Mapping[str, np.ndarray], *, delimiter: str = ",", bom: bool = False
) -> None:
    """Write a catalogue (degrees in ``RA``/``DEC``) in the published GZ1 table-2 format: upper-case
    header, sexagesimal RA/DEC, fractions to three decimals, 0/1 flags."""
    if delimiter not in (",", "\t"):
        raise ValueError(f"delimiter must be ',' or a tab (as the GZ1 tables are written), got {delimiter!r}")
    missing = [c for c in GZ1_TABLE_COLUMNS if c not in cat]
    if missing:
        raise ValueError(f"catalogue lacks GZ1 columns {missing}")
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(GZ1_TABLE_COLUMNS)
        for i in range(len(cat["OBJID"])):
            row = [str(int(cat["OBJID"][i])), format_ra(cat["RA"][i]), format_dec(cat["DEC"][i])]
            row.append(str(int(cat["NVOTE"][i])))
            row += [f"{float(cat[c][i]):.3f}" for c in VOTE_COLUMNS]
            row += [str(int(cat[c][i])) for c in FLAG_COLUMNS]
            w.writerow(row)


def write_fits_cutout(path: str | os.PathLike, image: np.ndarray, *, pixel_scale: float, ra: float, dec: float) -> None:
    """A cutout as a FITS image in nanomaggies with a TAN WCS centred on (ra, dec) (``.gz`` compresses)."""
    from astropy.io import fits

    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {img.shape}")
    hdu = fits.PrimaryHDU(img)
    h = hdu.header
    h["BUNIT"] = "nanomaggy"
    axes = (("RA---TAN", ra, img.shape[1], -1), ("DEC--TAN", dec, img.shape[0], 1))  # RA grows to the left
    for k, (ctype, crval, n, sign) in enumerate(axes, 1):
        h[f"CTYPE{k}"], h[f"CRVAL{k}"], h[f"CRPIX{k}"] = ctype, float(crval), (n + 1) / 2
        h[f"CDELT{k}"], h[f"CUNIT{k}"] = sign * pixel_scale / 3600.0, "deg"
    hdu.writeto(path, overwrite=True)
