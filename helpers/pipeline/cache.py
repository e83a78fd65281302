"""On-disk cache for generated data: keyed by parameters, written atomically, checksummed.

A cached data set is one ``.npz`` (or, with ``fmt="h5"``, HDF5) file whose name holds a hash of the
generator's name, version and parameters, plus a ``.json`` sidecar with those parameters and the SHA-256 of the ``.npz``
bytes. A file whose checksum does not match (truncated, damaged, half-written by an older
version) is reported and regenerated, never used. The folder is checked for writability before
anything is generated, and temporary files left by killed writers are removed by the next write
once they are older than :data:`STALE_TMP_S`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from helpers.pipeline.paths import cache_dir


class CacheCorruptedWarning(UserWarning):
    """A cache file failed its checksum and is being regenerated."""


class CacheNotWritableError(PermissionError):
    """The cache folder cannot be created or written; the message names it."""


STALE_TMP_S = 15 * 60  # a writer's temporary file older than this belongs to a killed process


def ensure_writable(folder: str | os.PathLike) -> Path:
    """Create ``folder`` if needed and prove it writable by creating and deleting a file in it;
    ``CacheNotWritableError`` naming the folder otherwise (before hours of generation are lost)."""
    folder = Path(folder)
    hint = "set PHYSML_CACHE to a writable folder, or fix the folder's permissions"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise CacheNotWritableError(f"cache folder {folder} is not writable ({err.strerror or err}); {hint}") from None
    return folder


def remove_stale_temporaries(folder: str | os.PathLike, max_age_s: float = STALE_TMP_S) -> list[Path]:
    """Delete ``.*.tmp`` files in ``folder`` older than ``max_age_s`` (left by writers that were
    killed between creating and renaming them); return what was removed. Younger ones may belong
    to a writer still at work and are kept."""
    removed = []
    cutoff = time.time() - max_age_s
    for tmp in Path(folder).glob(".*.tmp"):
        try:
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
        except FileNotFoundError:  # another writer removed or renamed it meanwhile
            pass
    return removed


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace`` (atomic on POSIX)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def parameter_key(name: str, version: str | int, params: Mapping[str, Any]) -> str:
    """A stable 16-hex-digit key for (generator name, version, parameters)."""
    try:
        blob = json.dumps({"name": name, "version": version, "params": params}, sort_keys=True)
    except TypeError as err:
        raise TypeError(f"cache parameters of {name!r} must be JSON-serialisable: {err}") from None
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_h5_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every dataset of an HDF5 file as ``{"group/name": array}``."""
    import h5py

    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def write_h5_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], attrs: Mapping[str, Any] = ()) -> None:
    """Write arrays (keys may contain ``/`` for groups) to an HDF5 file atomically (temp file + rename)."""
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            for k, v in dict(attrs).items():
                f.attrs[k] = v
            for k, v in arrays.items():
                big = v.ndim >= 2 and v.nbytes > (1 << 20)
                f.create_dataset(
                    k,
                    data=v,
                    compression="gzip" if big else None,
                    compression_opts=1 if big else None,
                    chunks=(1,) + v.shape[1:] if big else None,
                )
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _load_verified(npz: Path, meta: Path) -> dict[str, np.ndarray] | None:
    """The arrays if both files exist and the checksum matches; None otherwise."""
    if not (npz.is_file() and meta.is_file()):
        return None
    try:
        info = json.loads(meta.read_text())
        ok = info.get("sha256") == _sha256(npz)
        if ok and npz.suffix == ".h5":
            return read_h5_arrays(npz)
        if ok:
            with np.load(npz, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
    except Exception:  # unreadable JSON or npz: treat as damaged
        ok = False
    warnings.warn(
        f"cache file {npz} is damaged (checksum mismatch or unreadable); regenerating",
        CacheCorruptedWarning,
        stacklevel=3,
    )
    return None


def cached_arrays(
    name: str,
    params: Mapping[str, Any],
    build: Callable[[], Mapping[str, np.ndarray]],
    *,
    version: str | int = 1,
    folder: str | os.PathLike | None = None,
    fmt: str = "npz",
) -> dict[str, np.ndarray]:
    """Return ``build()``'s arrays, from the cache when a verified copy exists.

    ``params`` must be JSON-serialisable and complete: every input that changes the data must
    be in it (seed included). Bump ``version`` when the generator's code changes its output.
    ``fmt="h5"`` stores an HDF5 file instead (keys with ``/`` become groups; large image arrays are
    compressed), readable by any HDF5 tool.
    """
    if fmt not in ("npz", "h5"):
        raise ValueError(f"cache format must be 'npz' or 'h5', got {fmt!r}")
    folder = Path(folder) if folder is not None else cache_dir()
    key = parameter_key(name, version, params)
    npz = folder / f"{name}-{key}.{fmt}"
    meta = folder / f"{name}-{key}.json"
    hit = _load_verified(npz, meta)
    if hit is not None:
        return hit
    ensure_writable(folder)  # before build(), which may take hours
    arrays = dict(build())
    for k, v in arrays.items():
        if not isinstance(v, np.ndarray):
            raise TypeError(f"{name}: build() must return NumPy arrays, got {type(v).__name__} for {k!r}")
        if v.dtype == object:
            raise TypeError(f"{name}: array {k!r} has dtype object, which the cache refuses to pickle")
    if fmt == "h5":
        write_h5_arrays(npz, arrays, {"physml_cache_name": name, "physml_cache_key": key})
        digest = _sha256(npz)
    else:
        import io

        buf = io.BytesIO()
        np.savez(buf, **arrays)
        data = buf.getvalue()
        atomic_write_bytes(npz, data)
        digest = hashlib.sha256(data).hexdigest()
    info = {"name": name, "version": version, "params": params, "sha256": digest, "arrays": sorted(arrays)}
    atomic_write_bytes(meta, json.dumps(info, indent=2, sort_keys=True).encode())
    return arrays
