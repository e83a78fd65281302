"""Where things live in the repository."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root: ``$PHYSML_ROOT`` if set, else the folder above this package."""
    env = os.environ.get("PHYSML_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    """Folder for generated data sets: ``$PHYSML_CACHE`` or ``<repo>/.cache``."""
    env = os.environ.get("PHYSML_CACHE")
    path = Path(env) if env else repo_root() / ".cache"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(
            f"cache folder {path} cannot be created ({err.strerror or err}); set PHYSML_CACHE to a writable folder"
        ) from None
    return path
