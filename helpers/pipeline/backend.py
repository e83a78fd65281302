"""The only Keras-backend-specific code of the book.

Everything else uses the Keras 3 public API and runs on TensorFlow (default) or JAX
(``KERAS_BACKEND=jax``). What cannot be written backend-neutrally lives here.
"""

from __future__ import annotations

import os


def name() -> str:
    """The active Keras backend, read without importing Keras if it is not loaded yet."""
    import sys

    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def configure_threads(threads: int) -> None:
    """Limit the backend's CPU thread pools (call before the first Keras op)."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(threads))
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(threads))
    if name() == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            # TensorFlow was already initialised in this process; its pools are fixed now.
            pass


def quiet() -> None:
    """Silence the backend's Python-level warnings (e.g. TensorFlow's retracing notices), which
    are noise in a rendered notebook; errors still show."""
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


_deterministic = False


def is_deterministic() -> bool:
    """Whether :func:`make_deterministic` was called in this process (worker processes copy it)."""
    return _deterministic


def make_deterministic() -> None:
    """Ask the backend for deterministic kernels (same seed -> same numbers)."""
    global _deterministic
    _deterministic = True
    if name() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    # JAX is deterministic on CPU by construction; on GPU see XLA_FLAGS in the device notes.


def gradient_of_sum(fn, x):
    """∂(Σ fn(x))/∂x for a Keras-callable ``fn`` and an input array ``x``; returns NumPy.

    Since each row's output depends only on that row's input, this gives per-sample gradients.
    This is the one place where the book needs autodiff outside ``model.fit``.
    """
    import numpy as np

    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        xt = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = tf.reduce_sum(fn(xt))
        return np.asarray(tape.gradient(out, xt))
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        return np.asarray(jax.grad(lambda v: jnp.sum(fn(v)))(jnp.asarray(x)))
    raise NotImplementedError(f"gradients are implemented for the tensorflow and jax backends, not {backend!r}")
