"""Metrics JSON files: what every notebook writes once, and what the tests, the regression check
and the book's placeholders read."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from helpers.pipeline.cache import atomic_write_bytes


def _key(where: str, k: Any) -> str:
    return f"{where}.{k}" if where else str(k)


def to_jsonable(value: Any, *, where: str = "metrics") -> Any:
    """Convert NumPy scalars/arrays and nested containers to plain JSON types.

    Raises ``TypeError`` naming the key for anything that is not a number, string,
    bool, None, sequence or mapping, and ``ValueError`` naming the key (``a.b[3]``) for a NaN or
    infinity: JSON has no such numbers, and they hide bugs.
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, where=_key(where, k)) for k, v in value.items()}
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(
                f"{where or 'value'} is {float(value)!r}: NaN and infinities cannot be "
                f"stored in JSON (they usually mean a bug upstream)"
            )
        return float(value)
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist(), where=where)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where or 'value'}: cannot store {type(value).__name__} {value!r} in a metrics JSON")


def write_json(path: str | os.PathLike, payload: Mapping[str, Any]) -> Path:
    """Write ``payload`` as JSON atomically. NaN/inf are rejected (they hide bugs) with an error
    naming the file and the key that holds them, e.g. ``metrics.results.fixed.loss[2]``."""
    path = Path(path)
    try:
        plain = to_jsonable(payload, where="")
    except (TypeError, ValueError) as err:
        raise type(err)(f"cannot write {path}: {err}") from None
    text = json.dumps(plain, indent=2, sort_keys=True, allow_nan=False)
    atomic_write_bytes(path, (text + "\n").encode())
    return path


def read_metrics(path: str | os.PathLike) -> dict:
    """Read a metrics JSON written by :func:`helpers.pipeline.notebook.Session.write_metrics`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no metrics file at {path}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"metrics file {path} is not valid JSON: {err}") from None
    for key in ("notebook", "metrics", "wall_time_s"):
        if key not in data:
            raise ValueError(f"metrics file {path} lacks the key {key!r}")
    return data


def collect_run_metrics(folder: str | os.PathLike) -> dict[str, dict]:
    """``{notebook name: metrics file}`` for every ``*.metrics.json`` under a run's folder.

    Two files naming the same notebook (a stale copy, a record staged with the book's pages)
    would make the answer depend on file order, so they are an error that names both paths."""
    found: dict[str, Path] = {}
    out: dict[str, dict] = {}
    for p in sorted(Path(folder).rglob("*.metrics.json")):
        m = read_metrics(p)
        name = m["notebook"]
        if name in found:
            raise ValueError(
                f"two metrics files for notebook {name!r} under {folder}: "
                f"{found[name]} and {p}; a run folder must hold one per notebook"
            )
        found[name], out[name] = p, m
    return out
