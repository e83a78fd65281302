"""Fingerprints for cache keys of trained results: digests of arrays and source code, and the
software and threading a training ran with. A trained result may be reused only when every one of
them is the same, so a key built from them cannot return a result that a fresh training would not
give."""

from __future__ import annotations

import hashlib
import inspect
import os
import platform
from types import ModuleType

import numpy as np

__all__ = ["array_digest", "source_digest", "threads_now", "training_environment"]


def array_digest(a) -> str | None:
    """SHA-256 of an array's dtype, shape and bytes (None for None)."""
    if a is None:
        return None
    a = np.ascontiguousarray(a)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def source_digest(*modules: ModuleType) -> str:
    """SHA-256 of the source of ``modules``: a change to the code that trains gives a new key."""
    h = hashlib.sha256()
    for mod in modules:
        h.update(mod.__name__.encode() + b"\0" + inspect.getsource(mod).encode() + b"\0")
    return h.hexdigest()


def threads_now() -> int:
    """The thread count this process's backend was configured with (helpers.pipeline.backend)."""
    return int(os.environ.get("TF_NUM_INTRAOP_THREADS") or os.environ.get("PHYSML_THREADS") or 1)


def training_environment() -> dict:
    """Keras, backend and NumPy versions, the thread count and whether ops are deterministic: a
    training's numbers change (in the last digits) with any of them."""
    import keras

    from helpers.pipeline import backend

    out = {"keras": keras.__version__, "backend": backend.name(), "numpy": np.__version__}
    out["machine"] = platform.machine()
    if out["backend"] == "tensorflow":
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
        out["gpus"] = len(tf.config.list_physical_devices("GPU"))
    elif out["backend"] == "jax":
        import jax

        out["jax"] = jax.__version__
        out["devices"] = sorted({d.platform for d in jax.devices()})
    # switches that change kernels and hence the last digits of a training
    out["env"] = {k: os.environ.get(k) for k in ("TF_ENABLE_ONEDNN_OPTS", "XLA_FLAGS")}
    out["threads"] = threads_now()
    out["deterministic"] = backend.is_deterministic()
    return out
